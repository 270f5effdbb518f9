// Constructors of the indexing ops: take (gather along one axis),
// gather_elements and scatter_elements (PyTorch's gather and scatter).
#pragma once

#include <optional>
#include <string>

#include "kiln/relax/expr.h"

namespace kiln::relax::op {

// data's `axis` replaced by the indices' dims (none: indexes the flattened data).
Expr take(Expr data, Expr indices, std::optional<int64_t> axis = std::nullopt);
// out[i][j] = data[indices[i][j]][j] for axis 0; out has indices' shape.
Expr gather_elements(Expr data, Expr indices, int64_t axis = 0);
// data with updates written (or combined by `reduction`: "update", "add",
// "mul", "mean", "max", "min") at indices along `axis`.
Expr scatter_elements(Expr data, Expr indices, Expr updates, int64_t axis = 0, std::string reduction = "update");

}  // namespace kiln::relax::op
