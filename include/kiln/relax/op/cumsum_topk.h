// Constructors of the scans and selections along an axis: cumsum and topk.
#pragma once

#include <optional>

#include "kiln/relax/expr.h"

namespace kiln::relax::op {

// Running sums along `axis` (none: the flattened tensor); dtype void: x's;
// exclusive: each sum leaves out its own element.
Expr cumsum(Expr x, std::optional<int64_t> axis = std::nullopt, DataType dtype = {}, bool exclusive = false);
// The k largest (or smallest) elements along `axis`, sorted, and their
// indices: a tuple (values, indices).
Expr topk(Expr x, int64_t k, int64_t axis = -1, bool largest = true, DataType index_dtype = DataType::Int(64));

}  // namespace kiln::relax::op
