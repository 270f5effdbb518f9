// Comparison rules for index types: decided from the bounds of a - b, else
// put in canonical form (only <, <=, ==, !=; common terms cancelled, positive
// coefficients on both sides, a common factor divided out).
#include "kiln/tir/arith/int_math.h"
#include "kiln/tir/arith/simplifier.h"

namespace kiln::tir::arith {

namespace {

// a op b from the bounds of d = a - b, when they decide it.
std::optional<bool> Decide(const Simplifier& s, BinaryOp op, const SumForm& d) {
  if (d.is_const()) return *FoldIntOp(op, d.constant(), 0, d.dtype());
  int64_t lo = s.MinOf(d), hi = s.MaxOf(d), g = d.TermGcd();
  // g*t + k == 0 has no solution when g does not divide k
  bool nonzero = lo > 0 || hi < 0 || d.constant() % g != 0, zero = lo >= 0 && hi <= 0;
  switch (op) {
    case BinaryOp::kLT: return hi < 0 ? std::optional(true) : lo >= 0 ? std::optional(false) : std::nullopt;
    case BinaryOp::kLE: return hi <= 0 ? std::optional(true) : lo > 0 ? std::optional(false) : std::nullopt;
    case BinaryOp::kGT: return lo > 0 ? std::optional(true) : hi <= 0 ? std::optional(false) : std::nullopt;
    case BinaryOp::kGE: return lo >= 0 ? std::optional(true) : hi < 0 ? std::optional(false) : std::nullopt;
    case BinaryOp::kEQ: return nonzero ? std::optional(false) : zero ? std::optional(true) : std::nullopt;
    case BinaryOp::kNE: return nonzero ? std::optional(true) : zero ? std::optional(false) : std::nullopt;
    default: return std::nullopt;
  }
}

// t*g op k -> t op k' (rounding k by the op); false for == when g does not divide k.
bool DivideByGcd(BinaryOp op, int64_t g, int64_t* k) {
  bool exact = *k % g == 0;
  switch (op) {
    case BinaryOp::kLT:  // t*g < k -> t < ceil(k / g)
      *k = -FloorDiv(-*k, g);
      return true;
    case BinaryOp::kLE:  // t*g <= k -> t <= floor(k / g)
      *k = FloorDiv(*k, g);
      return true;
    default:  // t*g == k -> t == k / g
      *k /= g;
      return exact;
  }
}

// p - n op k for op in <, <=, ==, !=, p and n with positive coefficients:
// p op n + k, or without p: -k op n (-k < n) and n op -k (n == -k).
PrimExpr Arrange(BinaryOp op, SumForm p, SumForm n, int64_t k) {
  if (!p.is_const()) return n.AddConstant(k) ? Binary(op, p.ToExpr(), n.ToExpr()) : PrimExpr();
  if (!p.AddConstant(-k)) return PrimExpr();
  bool ordered = op == BinaryOp::kLT || op == BinaryOp::kLE;
  return ordered ? Binary(op, p.ToExpr(), n.ToExpr()) : Binary(op, n.ToExpr(), p.ToExpr());
}

// d op 0 in canonical form; a > b and a >= b are first turned into b < a and b <= a.
PrimExpr Canonical(BinaryOp op, const SumForm& difference) {
  bool flip = op == BinaryOp::kGT || op == BinaryOp::kGE;
  std::optional<SumForm> d = flip ? difference.Scaled(-1) : difference;
  if (flip) op = op == BinaryOp::kGT ? BinaryOp::kLT : BinaryOp::kLE;
  int64_t g = d ? d->TermGcd() : 0;
  std::optional<int64_t> k = d ? CheckedSub(0, d->constant()) : std::nullopt;
  if (!k || !DivideByGcd(op, g, &*k)) return PrimExpr();
  SumForm p(d->dtype()), n(d->dtype());
  for (const Monomial& m : d->terms()) {
    if (m.coeff > 0) {
      p.AddTerm({m.atoms, m.coeff / g});
    } else {
      n.AddTerm({m.atoms, -(m.coeff / g)});
    }
  }
  return Arrange(op, p, n, *k);
}

}  // namespace

PrimExpr RewriteCompare(Simplifier& s, BinaryOp op, const PrimExpr& a, const PrimExpr& b) {
  std::optional<SumForm> d = s.Difference(a, b);
  if (!d) return Binary(op, a, b);
  if (std::optional<bool> known = Decide(s, op, *d)) return Bool(*known);
  PrimExpr r = Canonical(op, *d);
  return r ? r : Binary(op, a, b);
}

}  // namespace kiln::tir::arith
