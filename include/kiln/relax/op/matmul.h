// Constructors of the matrix products: matmul with NumPy semantics (batch
// dims broadcast, 1-D operands promoted and dropped) and linear with
// PyTorch's convention y = x @ weight.T + bias.
#pragma once

#include "kiln/relax/expr.h"

namespace kiln::relax::op {

// out_dtype void: the operands' dtype.
Expr matmul(Expr a, Expr b, DataType out_dtype = {});
// weight is (out_features, in_features); bias (out_features,) is optional
// (an empty Expr).
Expr linear(Expr x, Expr weight, Expr bias = {}, DataType out_dtype = {});

}  // namespace kiln::relax::op
