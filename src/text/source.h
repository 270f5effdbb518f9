// A text being parsed: its name, its lines, and errors that point into it
// ("model.kir:3:17: message" followed by the source line and a caret).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kiln/ir/span.h"
#include "kiln/runtime/error.h"

namespace kiln::text {

// A kiln::Error that already carries its location; the parser passes it on
// unchanged where it would otherwise add a location to a factory's error.
class ParseError : public Error {
 public:
  using Error::Error;
};

class Source {
 public:
  Source(std::string name, const std::string& text);
  // Raises ParseError "name:line:column: message" with the line and a caret.
  [[noreturn]] void Fail(ir::Span at, const std::string& message) const;

 private:
  std::string name_;
  std::vector<std::string> lines_;
};

}  // namespace kiln::text
