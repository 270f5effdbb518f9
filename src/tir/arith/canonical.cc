// SumForm: the canonical sum-of-monomials form and its ring operations.
#include "kiln/tir/arith/canonical.h"

#include <algorithm>

#include "kiln/runtime/error.h"
#include "kiln/tir/arith/expr_order.h"
#include "kiln/tir/arith/int_math.h"

namespace kiln::tir::arith {

int CompareMonomials(const Monomial& a, const Monomial& b) {
  size_t n = std::min(a.atoms.size(), b.atoms.size());
  for (size_t i = 0; i < n; ++i) {
    if (int c = CompareExpr(a.atoms[i], b.atoms[i])) return c;
  }
  return a.atoms.size() < b.atoms.size() ? -1 : (a.atoms.size() > b.atoms.size() ? 1 : 0);
}

SumForm SumForm::Atom(const PrimExpr& atom) {
  SumForm s(atom.dtype());
  s.terms_.push_back({{atom}, 1});
  return s;
}

int64_t SumForm::TermGcd() const {
  int64_t g = 0;
  for (const Monomial& m : terms_) g = Gcd(g, m.coeff);
  return g;
}

bool SumForm::AddTerm(const Monomial& m) {
  auto it = std::lower_bound(terms_.begin(), terms_.end(), m,
                             [](const Monomial& x, const Monomial& y) { return CompareMonomials(x, y) < 0; });
  if (it == terms_.end() || CompareMonomials(*it, m) != 0) {
    if (m.coeff != 0) terms_.insert(it, m);
    return FitsDType(m.coeff, dtype_);
  }
  std::optional<int64_t> c = CheckedAdd(it->coeff, m.coeff);
  if (!c || !FitsDType(*c, dtype_)) return false;
  if (*c == 0) {
    terms_.erase(it);
  } else {
    it->coeff = *c;
  }
  return true;
}

bool SumForm::AddConstant(int64_t c) {
  std::optional<int64_t> r = CheckedAdd(constant_, c);
  if (!r || !FitsDType(*r, dtype_)) return false;
  constant_ = *r;
  return true;
}

std::optional<SumForm> SumForm::Plus(const SumForm& o) const {
  SumForm r = *this;
  bool ok = r.AddConstant(o.constant_);
  for (const Monomial& m : o.terms_) ok = ok && r.AddTerm(m);
  return ok ? std::optional<SumForm>(std::move(r)) : std::nullopt;
}

std::optional<SumForm> SumForm::Minus(const SumForm& o) const {
  std::optional<SumForm> neg = o.Scaled(-1);
  return neg ? Plus(*neg) : std::nullopt;
}

std::optional<SumForm> SumForm::Scaled(int64_t c) const {
  SumForm r(dtype_);
  std::optional<int64_t> k = CheckedMul(constant_, c);
  bool ok = k && r.AddConstant(*k);
  for (const Monomial& m : terms_) {
    std::optional<int64_t> mc = CheckedMul(m.coeff, c);
    ok = ok && mc && r.AddTerm({m.atoms, *mc});
  }
  return ok ? std::optional<SumForm>(std::move(r)) : std::nullopt;
}

std::optional<SumForm> SumForm::Times(const SumForm& o) const {
  if (o.is_const()) return Scaled(o.constant_);
  if (is_const()) return o.Scaled(constant_);
  // (t + c) * o = t * o.terms + t * o.constant + c * o
  SumForm terms_only = *this;
  terms_only.constant_ = 0;
  std::optional<SumForm> r = o.Scaled(constant_);
  std::optional<SumForm> s = terms_only.Scaled(o.constant_);
  if (!r || !s || !(r = r->Plus(*s))) return std::nullopt;
  for (const Monomial& x : terms_) {
    for (const Monomial& y : o.terms_) {
      Monomial m;
      std::merge(x.atoms.begin(), x.atoms.end(), y.atoms.begin(), y.atoms.end(), std::back_inserter(m.atoms),
                 ExprLess());
      std::optional<int64_t> c = CheckedMul(x.coeff, y.coeff);
      if (!c) return std::nullopt;
      m.coeff = *c;
      if (!r->AddTerm(m) || r->terms_.size() > kMaxTerms) return std::nullopt;
    }
  }
  return r;
}

namespace {

PrimExpr MonomialExpr(const Monomial& m, int64_t coeff, DataType dtype) {
  PrimExpr e = m.atoms[0];
  for (size_t i = 1; i < m.atoms.size(); ++i) e = Binary(BinaryOp::kMul, e, m.atoms[i]);
  return coeff == 1 ? e : Binary(BinaryOp::kMul, e, IntImm(dtype, coeff));
}

// acc + k * m, written as a subtraction when k is negative.
PrimExpr Accumulate(const PrimExpr& acc, const Monomial* m, int64_t k, DataType dtype) {
  auto value = [&](int64_t c) { return m ? MonomialExpr(*m, c, dtype) : IntImm(dtype, c); };
  if (!acc) return value(k);
  if (k < 0 && k != DTypeMin(dtype)) return Binary(BinaryOp::kSub, acc, value(-k));
  return Binary(BinaryOp::kAdd, acc, value(k));
}

}  // namespace

PrimExpr SumForm::ToExpr() const {
  std::vector<const Monomial*> order;
  for (const Monomial& m : terms_) {
    if (m.coeff > 0) order.push_back(&m);
  }
  bool lead_constant = order.empty() && constant_ > 0;
  for (const Monomial& m : terms_) {
    if (m.coeff < 0) order.push_back(&m);
  }
  PrimExpr acc = lead_constant ? IntImm(dtype_, constant_) : PrimExpr();
  for (const Monomial* m : order) acc = Accumulate(acc, m, m->coeff, dtype_);
  if (!lead_constant && (constant_ != 0 || !acc)) acc = Accumulate(acc, nullptr, constant_, dtype_);
  return acc;
}

SumForm ToSumForm(const PrimExpr& e, const std::function<SumForm(const PrimExpr&)>& leaf) {
  KILN_ICHECK(IsIndexType(e.dtype())) << "canonical form of a " << e.dtype() << " expression";
  if (const int64_t* v = AsConstInt(e)) return SumForm(e.dtype(), *v);
  const BinaryNode* op = e.as<BinaryNode>();
  if (!op || (op->op != BinaryOp::kAdd && op->op != BinaryOp::kSub && op->op != BinaryOp::kMul)) return leaf(e);
  SumForm a = ToSumForm(op->a, leaf), b = ToSumForm(op->b, leaf);
  std::optional<SumForm> r = op->op == BinaryOp::kAdd ? a.Plus(b) : op->op == BinaryOp::kSub ? a.Minus(b) : a.Times(b);
  return r ? *r : SumForm::Atom(Binary(op->op, a.ToExpr(), b.ToExpr()));
}

SumForm ToSumForm(const PrimExpr& e) {
  return ToSumForm(e, [](const PrimExpr& x) { return SumForm::Atom(x); });
}

}  // namespace kiln::tir::arith
