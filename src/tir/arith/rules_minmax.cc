// Min and max rules for index types: decided from the bounds of the
// difference, absorption, nested constants, and common terms pulled out.
#include <algorithm>

#include "kiln/tir/arith/expr_order.h"
#include "kiln/tir/arith/simplifier.h"

namespace kiln::tir::arith {

namespace {

BinaryOp Dual(BinaryOp op) {
  return op == BinaryOp::kMin ? BinaryOp::kMax : BinaryOp::kMin;
}

bool HasOperand(const BinaryNode* n, const PrimExpr& x) {
  return ExprDeepEqual(n->a, x) || ExprDeepEqual(n->b, x);
}

// x op y where y contains x.
PrimExpr Absorb(BinaryOp op, const PrimExpr& x, const PrimExpr& y) {
  const BinaryNode* n = y.as<BinaryNode>();
  if (!n || !HasOperand(n, x)) return PrimExpr();
  if (n->op == Dual(op)) return x;  // min(x, max(x, z)) -> x, max(x, min(x, z)) -> x
  if (n->op == op) return y;        // min(x, min(x, z)) -> min(x, z)
  return PrimExpr();
}

// min(x + t, y + t) -> min(x, y) + t, t the terms (and constant) both share.
PrimExpr PullCommon(Simplifier& s, BinaryOp op, const PrimExpr& a, const PrimExpr& b) {
  SumForm fa = s.Form(a), fb = s.Form(b);
  SumForm common(a.dtype(), fa.constant() == fb.constant() ? fa.constant() : 0);
  for (const Monomial& m : fa.terms()) {
    auto same = [&](const Monomial& t) { return CompareMonomials(t, m) == 0 && t.coeff == m.coeff; };
    if (std::any_of(fb.terms().begin(), fb.terms().end(), same)) common.AddTerm(m);
  }
  if (common.is_const() && common.constant() == 0) return PrimExpr();
  std::optional<SumForm> x = fa.Minus(common), y = fb.Minus(common);
  if (!x || !y) return PrimExpr();
  std::optional<SumForm> r = common.Plus(s.Form(RewriteMinMax(s, op, s.FromSum(*x), s.FromSum(*y))));
  return r ? s.FromSum(*r) : PrimExpr();
}

}  // namespace

PrimExpr RewriteMinMax(Simplifier& s, BinaryOp op, const PrimExpr& a_in, const PrimExpr& b_in) {
  bool is_min = op == BinaryOp::kMin;
  PrimExpr a = a_in, b = b_in;
  // min(c, x) -> min(x, c), min(y, x) -> min(x, y): constants last, operands in expression order
  if (AsConstInt(a) || (!AsConstInt(b) && CompareExpr(b, a) < 0)) std::swap(a, b);
  // min(x, y) -> x when x <= y, and y when y <= x (bounds of x - y)
  if (std::optional<SumForm> d = s.Difference(a, b)) {
    if (s.MaxOf(*d) <= 0) return is_min ? a : b;
    if (s.MinOf(*d) >= 0) return is_min ? b : a;
  }
  if (PrimExpr r = Absorb(op, a, b)) return r;
  if (PrimExpr r = Absorb(op, b, a)) return r;
  // min(min(x, c1), c2) -> min(x, min(c1, c2))
  const BinaryNode* inner = a.as<BinaryNode>();
  const int64_t* c2 = AsConstInt(b);
  const int64_t* c1 = inner && inner->op == op ? AsConstInt(inner->b) : nullptr;
  if (c1 && c2) return Binary(op, inner->a, IntImm(b.dtype(), is_min ? std::min(*c1, *c2) : std::max(*c1, *c2)));
  if (PrimExpr r = PullCommon(s, op, a, b)) return r;
  return Binary(op, a, b);
}

}  // namespace kiln::tir::arith
