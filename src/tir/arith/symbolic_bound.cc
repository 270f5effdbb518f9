// MaxOf / MinOf: bounds of canonical sums through symbolic substitution.
#include "kiln/tir/arith/symbolic_bound.h"

#include <algorithm>
#include <vector>

#include "kiln/tir/arith/int_math.h"

namespace kiln::tir::arith {

namespace {

class Search {
 public:
  Search(const Context& ctx, bool upper) : ctx_(ctx), upper_(upper) {}

  // The best bound of s in the search direction, looking `depth` levels deep.
  int64_t Extreme(const SumForm& s, int depth) {
    ConstIntBound b = EvalConstIntBound(s.ToExpr(), ctx_);
    int64_t best = upper_ ? b.max_value : b.min_value;
    if (s.is_const() || depth == 0 || --budget_ < 0) return best;
    for (const Monomial* m : ExpansionOrder(s)) {
      // The atom's own upper bound serves when it pushes s in our direction.
      bool atom_upper = upper_ == (m->coeff > 0);
      if (std::optional<int64_t> r = Expand(s, *m, atom_upper, depth)) best = Better(best, *r);
    }
    return best;
  }

 private:
  int64_t Better(int64_t a, int64_t b) const { return upper_ ? std::min(a, b) : std::max(a, b); }
  int64_t Worse(int64_t a, int64_t b) const { return upper_ ? std::max(a, b) : std::min(a, b); }

  // The single-atom terms, vars bound last first: replacing an inner loop var
  // by its range brings in the outer ones, which are replaced next.
  std::vector<const Monomial*> ExpansionOrder(const SumForm& s) const {
    std::vector<const Monomial*> order;
    for (const Monomial& m : s.terms()) {
      if (m.atoms.size() == 1) order.push_back(&m);
    }
    auto later = [&](const Monomial* a, const Monomial* b) { return Order(*a) > Order(*b); };
    std::stable_sort(order.begin(), order.end(), later);
    return order;
  }
  uint64_t Order(const Monomial& m) const {
    const VarNode* v = m.atoms[0].as<VarNode>();
    return v ? ctx_.BindOrder(v) : 0;
  }

  // s with the term m's atom replaced by `value`.
  std::optional<SumForm> Replace(const SumForm& s, const Monomial& m, const PrimExpr& value) {
    std::optional<SumForm> v = ToSumForm(value).Minus(SumForm::Atom(m.atoms[0]));
    if (v) v = v->Scaled(m.coeff);  // coeff * (value - atom)
    return v ? s.Plus(*v) : std::nullopt;
  }

  int64_t ExtremeOf(const SumForm& s, const Monomial& m, const PrimExpr& value, int depth) {
    std::optional<SumForm> r = Replace(s, m, value);
    return r ? Extreme(*r, depth - 1) : (upper_ ? ConstIntBound::kPosInf : ConstIntBound::kNegInf);
  }

  // Bounds s through the atom of m; nullopt when the atom offers nothing.
  std::optional<int64_t> Expand(const SumForm& s, const Monomial& m, bool atom_upper, int depth) {
    const PrimExpr& atom = m.atoms[0];
    if (const VarNode* v = atom.as<VarNode>()) return ThroughRanges(s, m, v, atom_upper, depth);
    if (const SelectNode* sel = atom.as<SelectNode>()) {  // select(c, x, y) is x or y
      return Worse(ExtremeOf(s, m, sel->true_value, depth), ExtremeOf(s, m, sel->false_value, depth));
    }
    const BinaryNode* op = atom.as<BinaryNode>();
    if (op && op->op == BinaryOp::kFloorDiv) return ThroughDividend(s, m, op, depth);
    if (!op || (op->op != BinaryOp::kMin && op->op != BinaryOp::kMax)) return std::nullopt;
    int64_t x = ExtremeOf(s, m, op->a, depth), y = ExtremeOf(s, m, op->b, depth);
    // min(x, y) <= x and <= y: either gives an upper bound; it is exactly one of them for a lower one.
    bool either = (op->op == BinaryOp::kMin) == atom_upper;
    return either ? Better(x, y) : Worse(x, y);
  }

  // With d = floordiv(x, c) for c > 0, c*s has c*k*d = k*(x - floormod(x, c)),
  // so s is bounded by the bound of that sum divided by c (rounded inward).
  std::optional<int64_t> ThroughDividend(const SumForm& s, const Monomial& m, const BinaryNode* d, int depth) {
    const int64_t* c = AsConstInt(d->b);
    if (!c || *c <= 0) return std::nullopt;
    SumForm x = ToSumForm(d->a);
    std::optional<SumForm> mod = x.Minus(SumForm::Atom(Binary(BinaryOp::kFloorMod, d->a, d->b)));
    std::optional<SumForm> cs = s.Scaled(*c), cd = SumForm::Atom(m.atoms[0]).Scaled(*c);
    if (mod) mod = mod->Minus(*cd);  // x - floormod(x, c) - c*d
    if (mod) mod = mod->Scaled(m.coeff);
    if (!cs || !mod || !(cs = cs->Plus(*mod))) return std::nullopt;
    int64_t b = Extreme(*cs, depth - 1);
    if (b == ConstIntBound::kNegInf || b == ConstIntBound::kPosInf) return b;
    return upper_ ? FloorDiv(b, *c) : -FloorDiv(-b, *c);
  }

  // v <= hi (or >= lo) for each symbolic endpoint of its ranges: any one bounds s.
  std::optional<int64_t> ThroughRanges(const SumForm& s, const Monomial& m, const VarNode* v, bool atom_upper,
                                       int depth) {
    std::optional<int64_t> best;
    for (const Interval& r : ctx_.RangesOf(v)) {
      const PrimExpr& end = atom_upper ? r.hi : r.lo;
      if (!end || AsConstInt(end)) continue;  // constant ends are in the const bound already
      int64_t e = ExtremeOf(s, m, end, depth);
      best = best ? Better(*best, e) : e;
    }
    return best;
  }

  const Context& ctx_;
  bool upper_;
  int budget_ = 128;
};

constexpr int kDepth = 8;

}  // namespace

int64_t MaxOf(const SumForm& s, const Context& ctx) {
  return Search(ctx, true).Extreme(s, kDepth);
}

int64_t MinOf(const SumForm& s, const Context& ctx) {
  return Search(ctx, false).Extreme(s, kDepth);
}

}  // namespace kiln::tir::arith
