// The rewriting simplifier behind Analyzer::Simplify, bottom-up: index +, -,
// * through the canonical SumForm, other operators through rule families
// (rules_*.cc) that ask the Context for bounds, bindings and assumptions.
#pragma once

#include "kiln/tir/arith/canonical.h"
#include "kiln/tir/arith/context.h"
#include "kiln/tir/functor.h"

namespace kiln::tir::arith {

// rules_sum.cc: recombines the floordiv and floormod terms of a sum.
SumForm RewriteSum(const SumForm& s);

class Simplifier : public ExprFunctor<PrimExpr(const PrimExpr&)> {
 public:
  explicit Simplifier(Context& ctx) : ctx_(ctx) {}

  PrimExpr Simplify(const PrimExpr& e) { return VisitExpr(e); }
  // Assumes `condition` until ctx.PopTo(mark): records each conjunct as a
  // fact, and the range each linear comparison gives its vars. Returns mark.
  size_t Assume(const PrimExpr& condition);
  // e simplified while `condition` is assumed, for an e evaluated only where
  // the condition holds (a branch of if_then_else).
  PrimExpr SimplifyAssuming(const PrimExpr& condition, const PrimExpr& e);
  // The same for an e evaluated also where the condition fails (a select
  // branch, an operand of && or ||): a result that could divide by zero
  // there is given up for e simplified without the assumption.
  PrimExpr SimplifyBranch(const PrimExpr& condition, const PrimExpr& e);
  Context& context() { return ctx_; }

  // For the rules, on simplified expressions of index type: the canonical
  // form after the sum rules, and back.
  SumForm Form(const PrimExpr& e) const { return RewriteSum(ToSumForm(e)); }
  PrimExpr FromSum(const SumForm& s) const { return RewriteSum(s).ToExpr(); }
  // a - b as a normalized form, nullopt on overflow.
  std::optional<SumForm> Difference(const PrimExpr& a, const PrimExpr& b) const;
  int64_t MaxOf(const SumForm& s) const;
  int64_t MinOf(const SumForm& s) const;

  PrimExpr VisitExpr(const PrimExpr& e) override;

 protected:
#define KILN_X(name) PrimExpr VisitExpr_(const name##Node* op) override;
  KILN_TIR_EXPR_KINDS(KILN_X)
#undef KILN_X

 private:
  void AssumeComparison(const BinaryNode* cmp);
  void AssumeAtMost(const SumForm& s, int64_t u);
  void AssumeNotEqual(const SumForm& difference);
  PrimExpr SimplifyIfThenElse(const CallNode* op);
  PrimExpr CheckFacts(const PrimExpr& cond) const;

  Context& ctx_;
};

// The rule families. Operands are simplified and not both constants.
// rules_divmod.cc: Div, Mod, FloorDiv, FloorMod of index type.
PrimExpr RewriteDivMod(Simplifier& s, BinaryOp op, const PrimExpr& a, const PrimExpr& b);
// rules_minmax.cc: Min, Max of index type.
PrimExpr RewriteMinMax(Simplifier& s, BinaryOp op, const PrimExpr& a, const PrimExpr& b);
// rules_compare.cc: EQ .. GE of index type, to the canonical a < b, a <= b,
// a == b, a != b with positive coefficients on both sides.
PrimExpr RewriteCompare(Simplifier& s, BinaryOp op, const PrimExpr& a, const PrimExpr& b);
// rules_logical.cc: And, Or (operands unsimplified: each is simplified
// assuming what the other implies) and Not (operand simplified).
PrimExpr RewriteLogical(Simplifier& s, const BinaryNode* op);
PrimExpr RewriteNot(Simplifier& s, const PrimExpr& a);
// rules_vector.cc: any op on two broadcasts, and index arithmetic on ramps
// and broadcasts (operands simplified vectors); empty when no rule applies.
PrimExpr RewriteVector(Simplifier& s, BinaryOp op, const PrimExpr& a, const PrimExpr& b);

}  // namespace kiln::tir::arith
