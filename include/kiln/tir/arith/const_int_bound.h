// ConstIntBound: the constant interval [min_value, max_value] that an integer
// expression's value lies in, computed by interval arithmetic through +, -,
// *, the divisions, min, max, select, casts, comparisons and lets.
#pragma once

#include <cstdint>
#include <limits>

#include "kiln/tir/expr.h"

namespace kiln::tir::arith {

class Context;

struct ConstIntBound {
  // Sentinels for an unbounded side; int64's own range, so an int64 var
  // without bounds is [kNegInf, kPosInf].
  static constexpr int64_t kNegInf = std::numeric_limits<int64_t>::min();
  static constexpr int64_t kPosInf = std::numeric_limits<int64_t>::max();

  int64_t min_value = kNegInf;
  int64_t max_value = kPosInf;

  bool contains(int64_t v) const { return min_value <= v && v <= max_value; }
  bool is_const() const { return min_value == max_value; }
  // The full range of an integer or bool dtype (unbounded for others).
  static ConstIntBound Of(DataType dtype);
};

// Interval arithmetic on bounds: the sentinels act as infinities and finite
// results that overflow saturate to them.
ConstIntBound BoundAdd(const ConstIntBound& a, const ConstIntBound& b);
ConstIntBound BoundNeg(const ConstIntBound& a);
ConstIntBound BoundMul(const ConstIntBound& a, const ConstIntBound& b);
ConstIntBound BoundIntersect(const ConstIntBound& a, const ConstIntBound& b);  // a when they are disjoint

// The bound of `e`, a scalar or vector integer or bool expression; free vars
// take their bounds from `ctx` (bindings, assumptions, size vars >= 0).
ConstIntBound EvalConstIntBound(const PrimExpr& e, const Context& ctx);

}  // namespace kiln::tir::arith
