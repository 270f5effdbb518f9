// kiln::Error: the message plus the C++ place it was raised from.
#include "kiln/runtime/error.h"

#include <cstring>

namespace kiln {
namespace {
// Paths are shortened to start at "src/" or "include/" for readability.
std::string ShortPath(const char* file) {
  if (file == nullptr || *file == '\0') return "";
  std::string f(file);
  for (const char* root : {"/src/", "/include/", "/tests/", "/tools/"}) {
    size_t pos = f.rfind(root);
    if (pos != std::string::npos) return f.substr(pos + 1);
  }
  return f;
}

std::string Compose(const std::string& message, const std::string& where) {
  return where.empty() ? message : message + "\n  [raised at " + where + "]";
}
}  // namespace

Error::Error(const std::string& message, const char* file, int line)
    : std::runtime_error(Compose(message, line > 0 ? ShortPath(file) + ":" + std::to_string(line) : "")),
      message_(message),
      where_(line > 0 ? ShortPath(file) + ":" + std::to_string(line) : "") {}

}  // namespace kiln
