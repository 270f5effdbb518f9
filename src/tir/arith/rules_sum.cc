// Sum rules: a floordiv term and its floormod partner recombine into the
// dividend, and a dividend minus its rounded-down part becomes the remainder.
// The same holds for the truncating pair Div and Mod.
#include <optional>

#include "kiln/tir/arith/expr_order.h"
#include "kiln/tir/arith/simplifier.h"

namespace kiln::tir::arith {

namespace {

BinaryOp PartnerOf(BinaryOp div) {
  return div == BinaryOp::kFloorDiv ? BinaryOp::kFloorMod : BinaryOp::kMod;
}

// k * atom as a form.
std::optional<SumForm> Term(const PrimExpr& atom, int64_t k) {
  return SumForm::Atom(atom).Scaled(k);
}

// s contains every term of x exactly (x's constant aside).
bool ContainsTerms(const SumForm& s, const SumForm& x) {
  for (const Monomial& m : x.terms()) {
    bool found = false;
    for (const Monomial& t : s.terms()) found = found || (CompareMonomials(t, m) == 0 && t.coeff == m.coeff);
    if (!found) return false;
  }
  return !x.terms().empty();
}

// One rewrite through the term k * div(x, c); nullopt when none applies.
std::optional<SumForm> Recombine(const SumForm& s, const PrimExpr& atom, int64_t k) {
  const BinaryNode* div = atom.as<BinaryNode>();
  const int64_t* c = AsConstInt(div->b);
  if (!c || *c == 0 || k % *c != 0) return std::nullopt;
  PrimExpr rem = Binary(PartnerOf(div->op), div->a, div->b);
  SumForm x = ToSumForm(div->a);
  // floordiv(x, c) * c * m + floormod(x, c) * m -> x * m
  int64_t m = k / *c;
  for (const Monomial& t : s.terms()) {
    if (t.atoms.size() == 1 && t.coeff == m && CompareExpr(t.atoms[0], rem) == 0) {
      std::optional<SumForm> r = s.Minus(*Term(atom, k));
      if (r) r = r->Minus(*Term(rem, m));
      if (std::optional<SumForm> mx = x.Scaled(m); r && mx) return r->Plus(*mx);
      return std::nullopt;
    }
  }
  // x * m - floordiv(x, c) * c * m -> floormod(x, c) * m
  std::optional<SumForm> mx = x.Scaled(-m);
  if (!mx || !ContainsTerms(s, *mx)) return std::nullopt;
  std::optional<SumForm> r = s.Minus(*mx);
  if (r) r = r->Minus(*Term(atom, k));
  if (std::optional<SumForm> mr = Term(rem, -m); r && mr) return r->Plus(*mr);
  return std::nullopt;
}

}  // namespace

SumForm RewriteSum(const SumForm& s) {
  for (const Monomial& t : s.terms()) {
    const BinaryNode* div = t.atoms.size() == 1 ? t.atoms[0].as<BinaryNode>() : nullptr;
    if (!div || (div->op != BinaryOp::kFloorDiv && div->op != BinaryOp::kDiv)) continue;
    if (std::optional<SumForm> r = Recombine(s, t.atoms[0], t.coeff)) return RewriteSum(*r);
  }
  return s;
}

}  // namespace kiln::tir::arith
