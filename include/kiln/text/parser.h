// Reading the text format (docs/deep_dive/text_format.md): a whole IRModule,
// or one tir expression, relax expression or struct info (for tests and
// tools). Errors are kiln::Error "name:line:column: message" followed by the
// source line and a caret; every node made records its line and column.
#pragma once

#include <string>
#include <vector>

#include "kiln/ir/module.h"
#include "kiln/relax/expr.h"
#include "kiln/tir/expr.h"

namespace kiln::text {

ir::IRModule Parse(const std::string& text, const std::string& source_name = "<text>");

// One tir expression; `free_vars` are visible by their names.
tir::PrimExpr ParsePrimExpr(const std::string& text, const std::vector<tir::Var>& free_vars = {},
                            const std::string& source_name = "<text>");
// One relax expression; `free_vars` and the symbolic `free_dims` are visible
// by their names.
relax::Expr ParseRelaxExpr(const std::string& text, const std::vector<relax::Var>& free_vars = {},
                           const std::vector<tir::Var>& free_dims = {}, const std::string& source_name = "<text>");
// One struct info; a new name in a shape is a size var (int64).
ir::StructInfo ParseStructInfo(const std::string& text, const std::string& source_name = "<text>");

}  // namespace kiln::text

namespace kiln {
using text::Parse;
}  // namespace kiln
