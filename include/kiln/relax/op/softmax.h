// Constructors of softmax and log_softmax along one axis.
#pragma once

#include "kiln/relax/expr.h"

namespace kiln::relax::op {

Expr softmax(Expr x, int64_t axis = -1);
Expr log_softmax(Expr x, int64_t axis = -1);

}  // namespace kiln::relax::op
