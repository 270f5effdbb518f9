// Source: splitting a text into lines and formatting located errors.
#include "source.h"

#include <algorithm>

namespace kiln::text {

Source::Source(std::string name, const std::string& text) : name_(std::move(name)) {
  size_t start = 0;
  while (true) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) {
      lines_.push_back(text.substr(start));
      break;
    }
    lines_.push_back(text.substr(start, end - start));
    start = end + 1;
  }
}

void Source::Fail(ir::Span at, const std::string& message) const {
  std::string out = name_ + ":" + at.str() + ": " + message;
  if (at.line >= 1 && static_cast<size_t>(at.line) <= lines_.size()) {
    std::string line = lines_[at.line - 1];
    for (char& c : line) {
      if (c == '\t' || c == '\r') c = ' ';
    }
    size_t caret = at.column > 0 ? static_cast<size_t>(at.column - 1) : 0;
    out += "\n  " + line + "\n  " + std::string(std::min(caret, line.size()), ' ') + "^";
  }
  throw ParseError(out);
}

}  // namespace kiln::text
