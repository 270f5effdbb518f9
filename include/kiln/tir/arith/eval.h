// EvalInt: the value of an integer or bool scalar expression under given
// variable values, with the tir semantics of expr.h. Tests use it as the
// reference for the simplifier; passes use it for constant evaluation.
#pragma once

#include <cstdint>
#include <functional>

#include "kiln/tir/expr.h"

namespace kiln::tir::arith {

// `env` gives the value of each free Var (Let-bound vars are handled here).
// Bools evaluate to 0 or 1. Raises kiln::Error on division by zero, on a
// signed result outside its dtype's range (undefined in tir), and on what is
// not integer arithmetic: floats, buffer loads, calls, vectors.
int64_t EvalInt(const PrimExpr& e, const std::function<int64_t(const Var&)>& env);

}  // namespace kiln::tir::arith
