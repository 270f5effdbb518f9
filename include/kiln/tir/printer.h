// tir in the text format: expressions, statements and PrimFuncs as the text
// that kiln::text::Parse reads back (see docs/deep_dive/text_format.md).
// Error messages across Kiln use these to show IR.
#pragma once

#include <string>

#include "kiln/tir/function.h"

namespace kiln::tir {

std::string ToText(const PrimExpr& expr);
std::string ToText(const Stmt& stmt);
std::string ToText(const PrimFunc& func, const std::string& name = "func");

}  // namespace kiln::tir
