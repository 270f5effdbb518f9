// Constructor of astype, the elementwise dtype conversion.
#pragma once

#include "kiln/relax/expr.h"

namespace kiln::relax::op {

Expr astype(Expr x, DataType dtype);

}  // namespace kiln::relax::op
