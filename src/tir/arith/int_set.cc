// Symbolic interval evaluation: interval arithmetic whose endpoints are
// expressions of the vars that are not relaxed.
#include "kiln/tir/arith/int_set.h"

#include <unordered_map>

#include "kiln/tir/arith/expr_order.h"
#include "kiln/tir/arith/simplifier.h"

namespace kiln::tir::arith {

bool IntervalSet::is_point() const {
  return min && max && ExprDeepEqual(min, max);
}

namespace {

// An endpoint operation that is unbounded when an operand is.
PrimExpr Apply(BinaryOp op, const PrimExpr& a, const PrimExpr& b) {
  return a && b ? Binary(op, a, b) : PrimExpr();
}

// The same, where either endpoint alone bounds the result (min's upper end).
PrimExpr Either(BinaryOp op, const PrimExpr& a, const PrimExpr& b) {
  return a && b ? Binary(op, a, b) : (a ? a : b);
}

class SetEvaluator : public ExprFunctor<IntervalSet(const PrimExpr&)> {
 public:
  SetEvaluator(Simplifier& s, const std::unordered_map<const VarNode*, IntervalSet>& dom) : s_(s), dom_(dom) {}

 protected:
  IntervalSet VisitExpr_(const IntImmNode* op) override { return Self(op); }
  IntervalSet VisitExpr_(const FloatImmNode* op) override { return Self(op); }
  IntervalSet VisitExpr_(const StringImmNode* op) override { return Self(op); }
  IntervalSet VisitExpr_(const VarNode* op) override {
    auto it = dom_.find(op);
    return it != dom_.end() ? it->second : Self(op);
  }
  IntervalSet VisitExpr_(const BinaryNode* op) override;
  IntervalSet VisitExpr_(const NotNode* op) override { return Opaque(Self(op).min); }
  IntervalSet VisitExpr_(const CastNode* op) override { return Opaque(Self(op).min); }
  IntervalSet VisitExpr_(const SelectNode* op) override {
    IntervalSet t = VisitExpr(op->true_value), f = VisitExpr(op->false_value);
    return {Apply(BinaryOp::kMin, t.min, f.min), Apply(BinaryOp::kMax, t.max, f.max)};
  }
  IntervalSet VisitExpr_(const BufferLoadNode* op) override { return Opaque(Self(op).min); }
  IntervalSet VisitExpr_(const CallNode* op) override { return Opaque(Self(op).min); }
  IntervalSet VisitExpr_(const RampNode* op) override { return Opaque(Self(op).min); }
  IntervalSet VisitExpr_(const BroadcastNode* op) override { return Opaque(Self(op).min); }
  IntervalSet VisitExpr_(const LetNode* op) override { return Opaque(Self(op).min); }

 private:
  static IntervalSet Self(const PrimExprNode* op) { return IntervalSet::Point(runtime::GetRef<PrimExprNode>(op)); }

  bool Relaxed(const PrimExpr& e) const {
    bool found = false;
    PreOrderVisit(e, [&](const PrimExpr& x) { found = found || (x.as<VarNode>() && dom_.count(x.as<VarNode>())); });
    return found;
  }
  // e itself when no relaxed var occurs in it, else its constant bounds.
  IntervalSet Opaque(const PrimExpr& e) const {
    if (!Relaxed(e)) return IntervalSet::Point(e);
    if (!IsIndexType(e.dtype())) return {};
    SumForm f = s_.Form(e);
    int64_t lo = s_.MinOf(f), hi = s_.MaxOf(f);
    return {lo == ConstIntBound::kNegInf ? PrimExpr() : IntImm(e.dtype(), lo),
            hi == ConstIntBound::kPosInf ? PrimExpr() : IntImm(e.dtype(), hi)};
  }
  // +1 or -1 when the point p has a known sign, else 0.
  int SignOf(const IntervalSet& p) const {
    if (!p.is_point() || !IsIndexType(p.min.dtype())) return 0;
    SumForm f = s_.Form(p.min);
    return s_.MinOf(f) >= 0 ? 1 : (s_.MaxOf(f) <= 0 ? -1 : 0);
  }
  // [a.min op p, a.max op p] for a monotone op, swapped when p is negative.
  static IntervalSet Monotone(BinaryOp op, const IntervalSet& a, const PrimExpr& p, int sign) {
    IntervalSet r{Apply(op, a.min, p), Apply(op, a.max, p)};
    return sign > 0 ? r : IntervalSet{r.max, r.min};
  }
  IntervalSet FloorModSet(const BinaryNode* op, const IntervalSet& a, const IntervalSet& b) const;

  Simplifier& s_;
  const std::unordered_map<const VarNode*, IntervalSet>& dom_;
};

IntervalSet SetEvaluator::VisitExpr_(const BinaryNode* op) {
  if (!IsIndexType(op->dtype)) return Opaque(Self(op).min);
  IntervalSet a = VisitExpr(op->a), b = VisitExpr(op->b);
  if (a.is_point() && b.is_point()) return IntervalSet::Point(Binary(op->op, a.min, b.min));
  switch (op->op) {
    case BinaryOp::kAdd: return {Apply(BinaryOp::kAdd, a.min, b.min), Apply(BinaryOp::kAdd, a.max, b.max)};
    case BinaryOp::kSub: return {Apply(BinaryOp::kSub, a.min, b.max), Apply(BinaryOp::kSub, a.max, b.min)};
    case BinaryOp::kMul:
      if (int sign = SignOf(b)) return Monotone(BinaryOp::kMul, a, b.min, sign);
      if (int sign = SignOf(a)) return Monotone(BinaryOp::kMul, b, a.min, sign);
      break;
    case BinaryOp::kDiv:
    case BinaryOp::kFloorDiv:
      if (int sign = SignOf(b); sign > 0 || (sign < 0 && op->op == BinaryOp::kFloorDiv)) {
        if (op->op == BinaryOp::kFloorDiv || (a.min && s_.MinOf(s_.Form(a.min)) >= 0)) {
          return Monotone(BinaryOp::kFloorDiv, a, b.min, sign);
        }
      }
      break;
    case BinaryOp::kFloorMod: return FloorModSet(op, a, b);
    case BinaryOp::kMin: return {Apply(BinaryOp::kMin, a.min, b.min), Either(BinaryOp::kMin, a.max, b.max)};
    case BinaryOp::kMax: return {Either(BinaryOp::kMax, a.min, b.min), Apply(BinaryOp::kMax, a.max, b.max)};
    default: break;
  }
  return Opaque(Self(op).min);
}

// floormod(a, p) for p > 0: a within one period maps to [a.min %% p, a.max %% p]; else [0, p - 1].
IntervalSet SetEvaluator::FloorModSet(const BinaryNode* op, const IntervalSet& a, const IntervalSet& b) const {
  if (SignOf(b) <= 0) return Opaque(Self(op).min);
  PrimExpr p = b.min;
  if (a.is_bounded()) {
    PrimExpr periods = Binary(BinaryOp::kSub, floordiv(a.max, p), floordiv(a.min, p));
    if (std::optional<int64_t> k = ConstIntValue(s_.Simplify(periods)); k && *k == 0) {
      return {Binary(BinaryOp::kFloorMod, a.min, p), Binary(BinaryOp::kFloorMod, a.max, p)};
    }
  }
  return {IntImm(op->dtype, 0), Binary(BinaryOp::kSub, p, IntImm(op->dtype, 1))};
}

}  // namespace

IntervalSet EvalIntervalSet(const PrimExpr& e, const std::vector<std::pair<Var, IntervalSet>>& dom, Simplifier& s) {
  ContextRestore restore(s.context());
  std::unordered_map<const VarNode*, IntervalSet> map;
  for (const auto& [v, set] : dom) {
    map[v.get()] = set;
    s.context().PushRange(v, {set.min, set.max});
  }
  IntervalSet r = SetEvaluator(s, map).VisitExpr(s.Simplify(e));
  return {r.min ? s.Simplify(r.min) : r.min, r.max ? s.Simplify(r.max) : r.max};
}

}  // namespace kiln::tir::arith
