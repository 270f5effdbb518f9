// Source spans: where in a text module a node came from, for diagnostics.
#pragma once

#include <cstdint>
#include <string>

namespace kiln::ir {

struct Span {
  int32_t line = 0;  // 1-based; 0 when the node was not parsed from text
  int32_t column = 0;
  bool defined() const { return line > 0; }
  std::string str() const { return std::to_string(line) + ":" + std::to_string(column); }
};

}  // namespace kiln::ir
