// relax and whole modules in the text format; Parse(ToText(m)) is
// structurally equal to m. See docs/deep_dive/text_format.md.
#pragma once

#include <string>

#include "kiln/ir/module.h"
#include "kiln/relax/expr.h"

namespace kiln::relax {

std::string ToText(const ir::IRModule& mod);
std::string ToText(const Expr& expr);
std::string ToText(const StructInfo& sinfo);

}  // namespace kiln::relax
