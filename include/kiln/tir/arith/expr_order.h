// A total order on tir expressions, used to sort the terms of canonical
// forms and the operands of commutative operators deterministically, and the
// equality it induces (same structure, same Var objects).
#pragma once

#include "kiln/tir/expr.h"

namespace kiln::tir::arith {

// <0, 0 or >0. Orders by kind, then dtype, then fields (vars by name). Two
// distinct Vars with one name and dtype are ordered by address: the only
// case where the order depends on the run.
int CompareExpr(const PrimExpr& a, const PrimExpr& b);

// Same tree and the same Var objects (not modulo renaming).
inline bool ExprDeepEqual(const PrimExpr& a, const PrimExpr& b) {
  return CompareExpr(a, b) == 0;
}

struct ExprLess {
  bool operator()(const PrimExpr& a, const PrimExpr& b) const { return CompareExpr(a, b) < 0; }
};

}  // namespace kiln::tir::arith
