// Division rules for index types: floordiv and floormod by positive constants
// (multiples split off, quotients decided by bounds) and by symbolic divisors,
// and truncating division turned into floor division where the two agree.
#include <algorithm>
#include <iterator>

#include "kiln/tir/arith/expr_order.h"
#include "kiln/tir/arith/int_math.h"
#include "kiln/tir/arith/simplifier.h"

namespace kiln::tir::arith {

namespace {

// s / g, for g dividing every coefficient and the constant of s.
SumForm DivideExact(const SumForm& s, int64_t g) {
  SumForm r(s.dtype(), s.constant() / g);
  for (const Monomial& m : s.terms()) r.AddTerm({m.atoms, m.coeff / g});
  return r;
}

// The positive constant divisor of `e` when it is `op`(x, c).
const BinaryNode* ByPositiveConst(const PrimExpr& e, BinaryOp op) {
  const BinaryNode* n = e.as<BinaryNode>();
  const int64_t* c = n && n->op == op ? AsConstInt(n->b) : nullptr;
  return c && *c > 0 ? n : nullptr;
}

// k when every value of r lies in [k*c, (k+1)*c).
std::optional<int64_t> SinglePeriod(const Simplifier& s, const SumForm& r, int64_t c) {
  int64_t lo = s.MinOf(r), hi = s.MaxOf(r);
  if (lo == ConstIntBound::kNegInf || hi == ConstIntBound::kPosInf || FloorDiv(lo, c) != FloorDiv(hi, c)) {
    return std::nullopt;
  }
  return FloorDiv(lo, c);
}

SumForm Opaque(BinaryOp op, const SumForm& a, const PrimExpr& b) {
  return SumForm::Atom(Binary(op, a.ToExpr(), b));
}

SumForm FloorDivConst(const Simplifier& s, const SumForm& a, int64_t c);
SumForm FloorModConst(const Simplifier& s, const SumForm& a, int64_t c);

// floordiv(r, c) once multiples of c are gone from r.
SumForm FloorDivRest(const Simplifier& s, const SumForm& r, int64_t c) {
  // floordiv(r, c) -> k when k*c <= r < (k+1)*c
  if (std::optional<int64_t> k = SinglePeriod(s, r, c)) return SumForm(r.dtype(), *k);
  const Monomial* t = r.terms().size() == 1 && r.terms()[0].coeff == 1 ? &r.terms()[0] : nullptr;
  const PrimExpr* atom = t && t->atoms.size() == 1 ? &t->atoms[0] : nullptr;
  // floordiv(floormod(x, c1), c) -> floormod(floordiv(x, c), c1 / c) when c divides c1
  const BinaryNode* mod = atom && r.constant() == 0 ? ByPositiveConst(*atom, BinaryOp::kFloorMod) : nullptr;
  if (mod && *AsConstInt(mod->b) % c == 0) {
    return FloorModConst(s, FloorDivConst(s, s.Form(mod->a), c), *AsConstInt(mod->b) / c);
  }
  // floordiv(floordiv(x, c1) + k, c) -> floordiv(x + k*c1, c1*c)
  const BinaryNode* inner = atom ? ByPositiveConst(*atom, BinaryOp::kFloorDiv) : nullptr;
  if (inner) {
    int64_t c1 = *AsConstInt(inner->b);
    std::optional<int64_t> cc = CheckedMul(c1, c), kc = CheckedMul(r.constant(), c1);
    SumForm x = s.Form(inner->a);
    if (cc && kc && FitsDType(*cc, r.dtype()) && x.AddConstant(*kc)) return FloorDivConst(s, x, *cc);
  }
  return Opaque(BinaryOp::kFloorDiv, r, IntImm(r.dtype(), c));
}

SumForm FloorDivConst(const Simplifier& s, const SumForm& a, int64_t c) {
  if (c == 1) return a;  // floordiv(x, 1) -> x
  // floordiv(x*g, c*g) -> floordiv(x, c)
  if (int64_t g = Gcd(Gcd(a.TermGcd(), a.constant()), c); g > 1) return FloorDivConst(s, DivideExact(a, g), c / g);
  // floordiv(q*c + r, c) -> q + floordiv(r, c)
  SumForm q(a.dtype(), FloorDiv(a.constant(), c)), r(a.dtype(), FloorMod(a.constant(), c));
  for (const Monomial& m : a.terms()) {
    if (m.coeff % c == 0) {
      q.AddTerm({m.atoms, m.coeff / c});
    } else {
      r.AddTerm(m);
    }
  }
  std::optional<SumForm> sum = q.Plus(FloorDivRest(s, RewriteSum(r), c));
  return sum ? *sum : Opaque(BinaryOp::kFloorDiv, a, IntImm(a.dtype(), c));
}

// floormod(floormod(x, c1)*k + r, c) -> floormod(x*k + r, c) when c divides c1
SumForm UnwrapInnerMods(const Simplifier& s, const SumForm& a, int64_t c) {
  SumForm b(a.dtype(), a.constant());
  for (const Monomial& m : a.terms()) {
    const BinaryNode* inner = m.atoms.size() == 1 ? ByPositiveConst(m.atoms[0], BinaryOp::kFloorMod) : nullptr;
    std::optional<SumForm> x =
        inner && *AsConstInt(inner->b) % c == 0 ? s.Form(inner->a).Scaled(m.coeff) : std::nullopt;
    if (std::optional<SumForm> next = x ? b.Plus(*x) : std::nullopt) {
      b = *next;
    } else {
      b.AddTerm(m);
    }
  }
  return b;
}

// floormod(x*k + r, c) -> floormod(x*(k mod c) + r mod c, c), keeping the sign of k
SumForm ReduceModulo(const SumForm& a, int64_t c) {
  SumForm r(a.dtype(), FloorMod(a.constant(), c));
  for (const Monomial& m : a.terms()) {
    int64_t k = FloorMod(m.coeff, c);
    if (k != 0) r.AddTerm({m.atoms, m.coeff > 0 ? k : k - c});
  }
  return RewriteSum(r);
}

SumForm FloorModConst(const Simplifier& s, const SumForm& a, int64_t c) {
  if (c == 1) return SumForm(a.dtype());  // floormod(x, 1) -> 0
  // floormod(x*g, c*g) -> floormod(x, c)*g
  if (int64_t g = Gcd(Gcd(a.TermGcd(), a.constant()), c); g > 1) {
    if (std::optional<SumForm> r = FloorModConst(s, DivideExact(a, g), c / g).Scaled(g)) return *r;
  }
  SumForm r = ReduceModulo(UnwrapInnerMods(s, a, c), c);
  // floormod(r, c) -> r - k*c when k*c <= r < (k+1)*c
  if (std::optional<int64_t> k = SinglePeriod(s, r, c)) {
    SumForm shifted = r;
    if (std::optional<int64_t> kc = CheckedMul(*k, c); kc && shifted.AddConstant(-*kc)) return shifted;
  }
  return Opaque(BinaryOp::kFloorMod, r, IntImm(a.dtype(), c));
}

// Splits a = q*b + r for a divisor b that is one monomial: q collects the
// terms b divides.
bool SplitByMonomial(const SumForm& a, const SumForm& b, SumForm* q, SumForm* r) {
  if (b.terms().size() != 1 || b.constant() != 0) return false;
  const Monomial& d = b.terms()[0];
  for (const Monomial& m : a.terms()) {
    bool divides = m.coeff % d.coeff == 0 &&
                   std::includes(m.atoms.begin(), m.atoms.end(), d.atoms.begin(), d.atoms.end(), ExprLess());
    if (!divides) {
      r->AddTerm(m);
      continue;
    }
    Monomial quotient{{}, m.coeff / d.coeff};
    std::set_difference(m.atoms.begin(), m.atoms.end(), d.atoms.begin(), d.atoms.end(),
                        std::back_inserter(quotient.atoms), ExprLess());
    if (quotient.atoms.empty()) {
      q->AddConstant(quotient.coeff);
    } else {
      q->AddTerm(quotient);
    }
  }
  r->AddConstant(a.constant());
  return true;
}

SumForm DivModSymbolic(const Simplifier& s, BinaryOp op, const PrimExpr& a, const PrimExpr& b) {
  SumForm fa = s.Form(a), fb = s.Form(b), q(a.dtype()), r(a.dtype());
  // floordiv(q*y + r, y) -> q + floordiv(r, y); floormod(q*y + r, y) -> floormod(r, y)
  if (!SplitByMonomial(fa, fb, &q, &r)) r = fa;
  std::optional<SumForm> r_minus_b = r.Minus(fb);
  // floordiv(r, y) -> 0 and floormod(r, y) -> r when 0 <= r < y
  bool small = r.is_const() && r.constant() == 0;
  small = small || (s.MinOf(r) >= 0 && r_minus_b && s.MaxOf(*r_minus_b) < 0);
  SumForm rest = small ? (op == BinaryOp::kFloorDiv ? SumForm(a.dtype()) : r) : Opaque(op, r, b);
  if (op == BinaryOp::kFloorMod) return rest;
  std::optional<SumForm> sum = q.Plus(rest);
  return sum ? *sum : Opaque(op, fa, b);
}

// x / y -> floordiv(x, y) and x % y -> floormod(x, y) when x >= 0 and y > 0.
PrimExpr Truncating(Simplifier& s, BinaryOp op, const PrimExpr& a, const PrimExpr& b) {
  bool div = op == BinaryOp::kDiv;
  if (s.MinOf(s.Form(a)) >= 0 && s.MinOf(s.Form(b)) > 0) {
    return RewriteDivMod(s, div ? BinaryOp::kFloorDiv : BinaryOp::kFloorMod, a, b);
  }
  const int64_t* c = AsConstInt(b);
  if (c && (*c == 1 || *c == -1)) {  // x / 1 -> x, x / -1 -> -x, x % 1 -> 0, x % -1 -> 0
    std::optional<SumForm> q = s.Form(a).Scaled(*c);
    if (!div) return IntImm(a.dtype(), 0);
    if (q) return s.FromSum(*q);
  }
  return Binary(op, a, b);
}

}  // namespace

PrimExpr RewriteDivMod(Simplifier& s, BinaryOp op, const PrimExpr& a, const PrimExpr& b) {
  const int64_t* c = AsConstInt(b);
  if (c && *c == 0) return Binary(op, a, b);  // never fold a division by zero
  if (op == BinaryOp::kDiv || op == BinaryOp::kMod) return Truncating(s, op, a, b);
  bool div = op == BinaryOp::kFloorDiv;
  if (c && *c > 0) return s.FromSum(div ? FloorDivConst(s, s.Form(a), *c) : FloorModConst(s, s.Form(a), *c));
  if (c) return Binary(op, a, b);  // negative divisors are left alone
  return s.FromSum(DivModSymbolic(s, op, a, b));
}

}  // namespace kiln::tir::arith
