// Constructors of the broadcasting elementwise ops: arithmetic, comparisons
// (bool results), logical and/or, and the three-way where(cond, a, b).
// Shapes broadcast as in NumPy; each returns an un-normalized Call.
#pragma once

#include "kiln/relax/expr.h"

namespace kiln::relax::op {

Expr add(Expr a, Expr b);
Expr subtract(Expr a, Expr b);
Expr multiply(Expr a, Expr b);
Expr divide(Expr a, Expr b);
Expr power(Expr a, Expr b);
Expr maximum(Expr a, Expr b);
Expr minimum(Expr a, Expr b);

Expr equal(Expr a, Expr b);
Expr not_equal(Expr a, Expr b);
Expr less(Expr a, Expr b);
Expr less_equal(Expr a, Expr b);
Expr greater(Expr a, Expr b);
Expr greater_equal(Expr a, Expr b);

Expr logical_and(Expr a, Expr b);
Expr logical_or(Expr a, Expr b);

// condition ? a : b elementwise; the three shapes broadcast together.
Expr where(Expr condition, Expr a, Expr b);

}  // namespace kiln::relax::op
