// Named constructors for tir intrinsic calls (math and control), so code
// that builds loop programs (legalizations written with te) reads as math:
// exp(x), sqrt(x), if_then_else(c, a, b). Each checks its operands' dtypes.
#pragma once

#include "kiln/tir/expr.h"

namespace kiln::tir {

// Float math, elementwise over lanes; the result has the operand's dtype.
PrimExpr exp(PrimExpr x);
PrimExpr log(PrimExpr x);
PrimExpr sqrt(PrimExpr x);
PrimExpr rsqrt(PrimExpr x);
PrimExpr tanh(PrimExpr x);
PrimExpr sigmoid(PrimExpr x);
PrimExpr erf(PrimExpr x);
PrimExpr floor(PrimExpr x);
PrimExpr ceil(PrimExpr x);
PrimExpr round(PrimExpr x);
PrimExpr pow(PrimExpr x, PrimExpr y);
// |x| for ints and floats.
PrimExpr abs(PrimExpr x);
// Evaluates only the branch that `cond` selects (unlike Select).
PrimExpr if_then_else(PrimExpr cond, PrimExpr then_value, PrimExpr else_value);
// A hint that `cond` is usually true.
PrimExpr likely(PrimExpr cond);

}  // namespace kiln::tir
