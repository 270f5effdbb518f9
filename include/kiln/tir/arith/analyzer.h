// Analyzer: the one entry point of integer arithmetic analysis. Bind what is
// known about variables (loop ranges, values, conditions in scope), then ask
// for bounds, simplified forms and proofs. Passes keep one Analyzer per walk.
//
//   arith::Analyzer ana;
//   ana.Bind(i, Range{0, n});
//   ana.CanProve(i < n);                         // true
//   ana.Simplify(floordiv(i * 8 + j, 8));        // i, once j is bound to [0, 8)
#pragma once

#include <memory>
#include <utility>
#include <vector>

#include "kiln/tir/arith/const_int_bound.h"
#include "kiln/tir/arith/int_set.h"

namespace kiln::tir::arith {

class Analyzer {
 public:
  Analyzer();
  ~Analyzer();
  Analyzer(const Analyzer&) = delete;
  Analyzer& operator=(const Analyzer&) = delete;

  // v ranges over [min, min + extent); a range of extent 1 binds v to min.
  // Integer literals adopt v's dtype; other dtype mismatches raise.
  void Bind(const Var& v, const Range& range);
  // v stands for value: Simplify substitutes it.
  void Bind(const Var& v, const PrimExpr& value);

  // The constant interval of an integer or bool expression. Unbounded sides
  // are ConstIntBound::kNegInf / kPosInf.
  ConstIntBound Bound(const PrimExpr& e);
  // An equal expression of the same dtype in canonical form: constants
  // folded, index sums canonical (terms in a fixed order), and rules for
  // division, min/max, comparisons, select and logic applied under what is
  // known. Float arithmetic is left as written (never reassociated).
  PrimExpr Simplify(const PrimExpr& e);
  // True only when cond holds at every point the bindings and scopes allow
  // (size vars are >= 0); false means "not proven", not "false".
  bool CanProve(const PrimExpr& cond);
  bool CanProveEqual(const PrimExpr& a, const PrimExpr& b);
  // The symbolic interval of e while each var of `dom` ranges over its
  // range; other vars stay symbolic. Endpoints are simplified.
  IntervalSet EvalSet(const PrimExpr& e, const std::vector<std::pair<Var, Range>>& dom);

  // Within its lifetime, `condition` is assumed to hold (inside an if, or
  // i < n inside a guarded loop). Scopes nest and must close in order.
  class ConstraintScope {
   public:
    ConstraintScope(Analyzer* analyzer, const PrimExpr& condition);
    ~ConstraintScope();
    ConstraintScope(const ConstraintScope&) = delete;
    ConstraintScope& operator=(const ConstraintScope&) = delete;

   private:
    Analyzer* analyzer_;
    size_t mark_;
  };

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kiln::tir::arith
