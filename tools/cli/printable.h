// Text from model and data files, made safe to print: a corrupt file can put
// any bytes into a name that ends up in a message.
#pragma once

#include <string>

namespace kiln::cli {

// `text` with control characters and bytes that are not valid UTF-8 written
// as \xNN; valid UTF-8 (names in any script) is kept as it is.
std::string Printable(const std::string& text);

}  // namespace kiln::cli
