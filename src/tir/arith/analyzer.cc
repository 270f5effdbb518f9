// Analyzer: the public face over the Context (what is known) and the
// Simplifier (what follows from it).
#include "kiln/tir/arith/analyzer.h"

#include "kiln/tir/arith/expr_order.h"
#include "kiln/tir/arith/simplifier.h"
#include "kiln/tir/arith/symbolic_bound.h"

namespace kiln::tir::arith {

struct Analyzer::Impl {
  Context ctx;
  Simplifier simplifier{ctx};
};

namespace {

// An integer literal adopts v's dtype; another expression must have it.
PrimExpr AdoptDType(const Var& v, const PrimExpr& e, const char* what) {
  KILN_CHECK(e) << "Analyzer::Bind: the " << what << " of variable '" << v.name() << "' is undefined";
  if (e.dtype() == v.dtype()) return e;
  const int64_t* c = AsConstInt(e);
  KILN_CHECK(c && !v.dtype().is_bool()) << "Analyzer::Bind: variable '" << v.name() << "' of dtype " << v.dtype()
                                        << " gets a " << what << " of dtype " << e.dtype();
  return IntImm(v.dtype(), *c);
}

// [min, min + extent - 1] of a range, for a var of its dtype.
IntervalSet Inclusive(Simplifier& s, const Var& v, const Range& range) {
  KILN_CHECK(v && (v.dtype().is_int() || v.dtype().is_uint()) && v.dtype().lanes() == 1)
      << "Analyzer: a range is bound to '" << (v ? v.name() : "?") << "', which is not a scalar integer variable";
  PrimExpr min = AdoptDType(v, range.min, "range min"), extent = AdoptDType(v, range.extent, "range extent");
  PrimExpr last = Binary(BinaryOp::kSub, Binary(BinaryOp::kAdd, min, extent), IntImm(v.dtype(), 1));
  return {s.Simplify(min), s.Simplify(last)};
}

}  // namespace

Analyzer::Analyzer() : impl_(std::make_unique<Impl>()) {}
Analyzer::~Analyzer() = default;

void Analyzer::Bind(const Var& v, const Range& range) {
  IntervalSet r = Inclusive(impl_->simplifier, v, range);
  if (r.is_point()) {
    impl_->ctx.SetValue(v, r.min);
  } else {
    impl_->ctx.SetRange(v, {r.min, r.max});
  }
}

void Analyzer::Bind(const Var& v, const PrimExpr& value) {
  KILN_CHECK(v) << "Analyzer::Bind: the variable is undefined";
  impl_->ctx.SetValue(v, impl_->simplifier.Simplify(AdoptDType(v, value, "value")));
}

ConstIntBound Analyzer::Bound(const PrimExpr& e) {
  KILN_CHECK(e) << "Analyzer::Bound: the expression is undefined";
  PrimExpr simple = Simplify(e);
  ConstIntBound b = BoundIntersect(EvalConstIntBound(e, impl_->ctx), EvalConstIntBound(simple, impl_->ctx));
  if (!IsIndexType(e.dtype())) return b;
  SumForm f = impl_->simplifier.Form(simple);
  return BoundIntersect(b, {MinOf(f, impl_->ctx), MaxOf(f, impl_->ctx)});
}

PrimExpr Analyzer::Simplify(const PrimExpr& e) {
  KILN_CHECK(e) << "Analyzer::Simplify: the expression is undefined";
  return impl_->simplifier.Simplify(e);
}

bool Analyzer::CanProve(const PrimExpr& cond) {
  KILN_CHECK(cond && cond.dtype() == DataType::Bool())
      << "Analyzer::CanProve: the condition must be a scalar bool, not " << (cond ? cond.dtype().str() : "undefined");
  std::optional<int64_t> k = ConstIntValue(Simplify(cond));
  return k && *k != 0;
}

bool Analyzer::CanProveEqual(const PrimExpr& a, const PrimExpr& b) {
  KILN_CHECK(a && b && a.dtype() == b.dtype()) << "Analyzer::CanProveEqual: the operands need one dtype";
  if (!IsIndexType(a.dtype())) return ExprDeepEqual(Simplify(a), Simplify(b));
  std::optional<int64_t> k = ConstIntValue(Simplify(Binary(BinaryOp::kSub, a, b)));
  return k && *k == 0;
}

IntervalSet Analyzer::EvalSet(const PrimExpr& e, const std::vector<std::pair<Var, Range>>& dom) {
  KILN_CHECK(e) << "Analyzer::EvalSet: the expression is undefined";
  std::vector<std::pair<Var, IntervalSet>> sets;
  for (const auto& [v, range] : dom) sets.emplace_back(v, Inclusive(impl_->simplifier, v, range));
  return EvalIntervalSet(e, sets, impl_->simplifier);
}

Analyzer::ConstraintScope::ConstraintScope(Analyzer* analyzer, const PrimExpr& condition)
    : analyzer_(analyzer), mark_(analyzer->impl_->simplifier.Assume(condition)) {}

Analyzer::ConstraintScope::~ConstraintScope() {
  analyzer_->impl_->ctx.PopTo(mark_);
}

}  // namespace kiln::tir::arith
