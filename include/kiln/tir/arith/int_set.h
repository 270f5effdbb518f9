// IntervalSet: a symbolic interval [min, max] of an integer expression, for
// region inference (the indices A[i*4 + j] touch for j in [0, 4) are
// [i*4, i*4 + 3]). Analyzer::EvalSet is the entry point.
#pragma once

#include <utility>
#include <vector>

#include "kiln/tir/expr.h"

namespace kiln::tir::arith {

class Simplifier;

// Inclusive bounds; an empty side is unbounded.
struct IntervalSet {
  PrimExpr min, max;

  static IntervalSet Point(const PrimExpr& v) { return {v, v}; }
  bool is_point() const;
  bool is_bounded() const { return min && max; }
};

// The set of e, simplified, while each var of `dom` ranges over its set;
// the ranges are assumed in `s`'s context during the evaluation.
IntervalSet EvalIntervalSet(const PrimExpr& e, const std::vector<std::pair<Var, IntervalSet>>& dom, Simplifier& s);

}  // namespace kiln::tir::arith
