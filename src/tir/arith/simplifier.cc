// The simplifier's traversal: canonical sums for index arithmetic, constant
// folding, the rule families for the other operators, and the scoped
// assumptions that select, let and the logical operators introduce.
#include "kiln/tir/arith/simplifier.h"

#include "kiln/tir/arith/expr_order.h"
#include "kiln/tir/arith/int_math.h"
#include "kiln/tir/arith/symbolic_bound.h"

namespace kiln::tir::arith {

#define KILN_SELF PrimExpr(runtime::GetRef<PrimExprNode>(op))

namespace {

bool IsArith(BinaryOp op) {
  return op == BinaryOp::kAdd || op == BinaryOp::kSub || op == BinaryOp::kMul;
}
bool IsDivMod(BinaryOp op) {
  return op == BinaryOp::kDiv || op == BinaryOp::kMod || op == BinaryOp::kFloorDiv || op == BinaryOp::kFloorMod;
}

bool Mentions(const PrimExpr& e, const VarNode* v) {
  bool found = false;
  PreOrderVisit(e, [&](const PrimExpr& x) { found = found || x.get() == v; });
  return found;
}

// a op b and c op2 d cannot both hold: a == b vs a != b, a < b vs b <= a.
bool Contradicts(const PrimExpr& fact, const PrimExpr& cond) {
  const BinaryNode *f = fact.as<BinaryNode>(), *c = cond.as<BinaryNode>();
  if (!f || !c || !IsComparison(f->op) || !IsComparison(c->op)) return false;
  auto is = [&](BinaryOp x, BinaryOp y) { return (f->op == x && c->op == y) || (f->op == y && c->op == x); };
  bool same = ExprDeepEqual(f->a, c->a) && ExprDeepEqual(f->b, c->b);
  bool swapped = ExprDeepEqual(f->a, c->b) && ExprDeepEqual(f->b, c->a);
  return (same && is(BinaryOp::kEQ, BinaryOp::kNE)) || (swapped && is(BinaryOp::kLT, BinaryOp::kLE));
}

// Every division in e is by a nonzero constant.
bool DividesOnlyByConstants(const PrimExpr& e) {
  bool safe = true;
  PreOrderVisit(e, [&](const PrimExpr& x) {
    const BinaryNode* op = x.as<BinaryNode>();
    if (op && IsDivMod(op->op)) {
      const int64_t* c = AsConstInt(op->b);
      safe = safe && c && *c != 0;
    }
  });
  return safe;
}

void SplitConjuncts(const PrimExpr& e, std::vector<PrimExpr>* out) {
  const BinaryNode* op = e.as<BinaryNode>();
  if (op && op->op == BinaryOp::kAnd) {
    SplitConjuncts(op->a, out);
    SplitConjuncts(op->b, out);
  } else {
    out->push_back(e);
  }
}

}  // namespace

std::optional<SumForm> Simplifier::Difference(const PrimExpr& a, const PrimExpr& b) const {
  std::optional<SumForm> d = ToSumForm(a).Minus(ToSumForm(b));
  return d ? std::optional<SumForm>(RewriteSum(*d)) : std::nullopt;
}

int64_t Simplifier::MaxOf(const SumForm& s) const {
  return arith::MaxOf(s, ctx_);
}
int64_t Simplifier::MinOf(const SumForm& s) const {
  return arith::MinOf(s, ctx_);
}

// An unchanged expression comes back as the same object.
PrimExpr Simplifier::VisitExpr(const PrimExpr& e) {
  PrimExpr r = ExprFunctor::VisitExpr(e);
  if (r.dtype() == DataType::Bool() && !AsConstInt(r)) r = CheckFacts(r);
  return r.get() != e.get() && ExprDeepEqual(r, e) ? e : r;
}

// A condition assumed true is true; one contradicting an assumption is false.
PrimExpr Simplifier::CheckFacts(const PrimExpr& cond) const {
  for (const PrimExpr& f : ctx_.facts()) {
    if (ExprDeepEqual(f, cond)) return Bool(true);
    const NotNode *nf = f.as<NotNode>(), *nc = cond.as<NotNode>();
    if ((nf && ExprDeepEqual(nf->a, cond)) || (nc && ExprDeepEqual(nc->a, f)) || Contradicts(f, cond)) {
      return Bool(false);
    }
  }
  return cond;
}

PrimExpr Simplifier::SimplifyAssuming(const PrimExpr& condition, const PrimExpr& e) {
  if (condition.dtype().lanes() != 1) return VisitExpr(e);
  ContextRestore restore(ctx_);
  Assume(condition);
  return VisitExpr(e);
}

PrimExpr Simplifier::SimplifyBranch(const PrimExpr& condition, const PrimExpr& e) {
  if (!DividesOnlyByConstants(e)) return VisitExpr(e);
  PrimExpr r = SimplifyAssuming(condition, e);
  return DividesOnlyByConstants(r) ? r : VisitExpr(e);
}

size_t Simplifier::Assume(const PrimExpr& condition) {
  KILN_CHECK(condition && condition.dtype() == DataType::Bool())
      << "arith: an assumed condition must be a scalar bool expression";
  size_t mark = ctx_.Mark();
  std::vector<PrimExpr> conjuncts;
  SplitConjuncts(VisitExpr(condition), &conjuncts);
  for (const PrimExpr& c : conjuncts) {
    if (AsConstInt(c)) continue;
    ctx_.PushFact(c);
    const BinaryNode* cmp = c.as<BinaryNode>();
    if (cmp && IsComparison(cmp->op) && IsIndexType(cmp->a.dtype())) AssumeComparison(cmp);
  }
  return mark;
}

void Simplifier::AssumeComparison(const BinaryNode* cmp) {
  std::optional<SumForm> d = Difference(cmp->a, cmp->b);  // a - b
  std::optional<SumForm> neg = d ? d->Scaled(-1) : std::nullopt;
  if (!neg) return;
  switch (cmp->op) {
    case BinaryOp::kLT: AssumeAtMost(*d, -1); break;
    case BinaryOp::kLE: AssumeAtMost(*d, 0); break;
    case BinaryOp::kGT: AssumeAtMost(*neg, -1); break;
    case BinaryOp::kGE: AssumeAtMost(*neg, 0); break;
    case BinaryOp::kEQ: AssumeAtMost(*d, 0), AssumeAtMost(*neg, 0); break;
    case BinaryOp::kNE: AssumeNotEqual(*d); break;
    default: break;
  }
}

// From s <= u, each var x of s = rest + k*x gets a range: k*x <= u - rest,
// so x <= floordiv(u - rest, k) for k > 0 and x >= -floordiv(u - rest, -k) for k < 0.
void Simplifier::AssumeAtMost(const SumForm& s, int64_t u) {
  for (const Monomial& m : s.terms()) {
    const VarNode* x = m.atoms.size() == 1 ? m.atoms[0].as<VarNode>() : nullptr;
    std::optional<SumForm> r = x ? SumForm(s.dtype(), u).Minus(s) : std::nullopt;  // u - rest - k*x
    if (!r || !r->AddTerm(m)) continue;
    int64_t k = m.coeff < 0 ? -m.coeff : m.coeff;
    PrimExpr q = k == 1 ? r->ToExpr() : Binary(BinaryOp::kFloorDiv, r->ToExpr(), IntImm(s.dtype(), k));
    PrimExpr end = VisitExpr(m.coeff > 0 ? q : Binary(BinaryOp::kSub, IntImm(s.dtype(), 0), q));
    if (Mentions(end, x)) continue;
    ctx_.PushRange(Var(m.atoms[0]), m.coeff > 0 ? Interval{PrimExpr(), end} : Interval{end, PrimExpr()});
  }
}

// x != c at an end of x's bound moves that end: n != 0 for a size var n gives n >= 1.
void Simplifier::AssumeNotEqual(const SumForm& d) {
  const Monomial* m = d.terms().size() == 1 ? &d.terms()[0] : nullptr;
  const VarNode* x =
      m && m->atoms.size() == 1 && (m->coeff == 1 || m->coeff == -1) ? m->atoms[0].as<VarNode>() : nullptr;
  if (!x) return;
  int64_t c = m->coeff == 1 ? -d.constant() : d.constant();  // x - c or c - x
  ConstIntBound b = ctx_.VarBound(x);
  if (b.min_value == c && c != b.max_value) ctx_.PushRange(Var(m->atoms[0]), {IntImm(x->dtype, c + 1), PrimExpr()});
  if (b.max_value == c && c != b.min_value) ctx_.PushRange(Var(m->atoms[0]), {PrimExpr(), IntImm(x->dtype, c - 1)});
}

PrimExpr Simplifier::VisitExpr_(const IntImmNode* op) {
  return KILN_SELF;
}
PrimExpr Simplifier::VisitExpr_(const FloatImmNode* op) {
  return KILN_SELF;
}
PrimExpr Simplifier::VisitExpr_(const StringImmNode* op) {
  return KILN_SELF;
}
PrimExpr Simplifier::VisitExpr_(const VarNode* op) {
  const PrimExpr* value = ctx_.ValueOf(op);
  return value ? *value : KILN_SELF;
}

PrimExpr Simplifier::VisitExpr_(const BinaryNode* op) {
  if (IsLogical(op->op) && op->dtype.lanes() == 1) return RewriteLogical(*this, op);
  bool index = IsIndexType(op->a.dtype());
  if (index && IsArith(op->op)) {
    return FromSum(ToSumForm(KILN_SELF, [this](const PrimExpr& leaf) { return ToSumForm(VisitExpr(leaf)); }));
  }
  PrimExpr a = VisitExpr(op->a), b = VisitExpr(op->b);
  const int64_t *x = AsConstInt(a), *y = AsConstInt(b);
  if (x && y) {  // c1 op c2 -> its value
    if (std::optional<int64_t> r = FoldIntOp(op->op, *x, *y, a.dtype())) return IntImm(op->dtype, *r);
  }
  if (a.dtype().lanes() > 1) {
    if (PrimExpr r = RewriteVector(*this, op->op, a, b)) return r;
  }
  if (index && IsDivMod(op->op)) return RewriteDivMod(*this, op->op, a, b);
  if (index && (op->op == BinaryOp::kMin || op->op == BinaryOp::kMax)) return RewriteMinMax(*this, op->op, a, b);
  if (index && IsComparison(op->op)) return RewriteCompare(*this, op->op, a, b);
  return a.get() == op->a.get() && b.get() == op->b.get() ? KILN_SELF : Binary(op->op, a, b, op->span);
}

PrimExpr Simplifier::VisitExpr_(const NotNode* op) {
  return RewriteNot(*this, VisitExpr(op->a));
}

PrimExpr Simplifier::VisitExpr_(const CastNode* op) {
  PrimExpr v = VisitExpr(op->value);
  DataType t = op->dtype;
  if (v.dtype() == t) return v;                                 // cast(t, x) -> x when x is a t
  if (const int64_t* c = AsConstInt(v); c && t.lanes() == 1) {  // cast(t, c) -> c as a t, when it fits
    if (t.is_bool()) return Bool(*c != 0);
    if (t.is_float()) return FloatImm(t, static_cast<double>(*c));
    if (FitsDType(*c, t)) return IntImm(t, *c);
  }
  // cast(t, cast(u, x)) -> x when x is a t and u holds every value of x
  const CastNode* inner = v.as<CastNode>();
  if (inner && inner->value.dtype() == t && !t.is_float() && !inner->dtype.is_float()) {
    ConstIntBound b = EvalConstIntBound(inner->value, ctx_), u = ConstIntBound::Of(inner->dtype);
    if (u.contains(b.min_value) && u.contains(b.max_value)) return inner->value;
  }
  return v.get() == op->value.get() ? KILN_SELF : Cast(t, v, op->span);
}

PrimExpr Simplifier::VisitExpr_(const SelectNode* op) {
  PrimExpr c = VisitExpr(op->condition);
  if (const int64_t* k = AsConstInt(c))
    return VisitExpr(*k ? op->true_value : op->false_value);  // select(true, x, y) -> x
  PrimExpr t = SimplifyBranch(c, op->true_value), f = SimplifyBranch(RewriteNot(*this, c), op->false_value);
  if (ExprDeepEqual(t, f)) return t;  // select(c, x, x) -> x
  const int64_t *tk = AsConstInt(t), *fk = AsConstInt(f);
  if (t.dtype().is_bool() && tk && fk) return *tk ? c : RewriteNot(*this, c);  // select(c, true, false) -> c
  bool same = c.get() == op->condition.get() && t.get() == op->true_value.get() && f.get() == op->false_value.get();
  return same ? KILN_SELF : Select(c, t, f, op->span);
}

PrimExpr Simplifier::VisitExpr_(const BufferLoadNode* op) {
  std::vector<PrimExpr> indices;
  bool same = true;
  for (const PrimExpr& i : op->indices) {
    indices.push_back(VisitExpr(i));
    same = same && indices.back().get() == i.get();
  }
  return same ? KILN_SELF : BufferLoad(op->buffer, indices, op->span);
}

PrimExpr Simplifier::VisitExpr_(const CallNode* op) {
  if (op->op == "if_then_else" && op->args.size() == 3) return SimplifyIfThenElse(op);
  std::vector<PrimExpr> args;
  bool same = true;
  for (const PrimExpr& a : op->args) {
    args.push_back(VisitExpr(a));
    same = same && args.back().get() == a.get();
  }
  return same ? KILN_SELF : Call(op->dtype, op->op, args, op->span);
}

// Only the chosen branch of if_then_else runs, so each may assume its condition.
PrimExpr Simplifier::SimplifyIfThenElse(const CallNode* op) {
  PrimExpr c = VisitExpr(op->args[0]);
  if (const int64_t* k = AsConstInt(c)) return VisitExpr(op->args[*k ? 1 : 2]);  // if_then_else(true, x, y) -> x
  PrimExpr t = SimplifyAssuming(c, op->args[1]), f = SimplifyAssuming(RewriteNot(*this, c), op->args[2]);
  bool same = c.get() == op->args[0].get() && t.get() == op->args[1].get() && f.get() == op->args[2].get();
  return same ? KILN_SELF : Call(op->dtype, op->op, {c, t, f}, op->span);
}

PrimExpr Simplifier::VisitExpr_(const RampNode* op) {
  PrimExpr base = VisitExpr(op->base), stride = VisitExpr(op->stride);
  if (const int64_t* s = AsConstInt(stride); s && *s == 0)
    return Broadcast(base, op->lanes);  // ramp(b, 0) -> broadcast(b)
  return base.get() == op->base.get() && stride.get() == op->stride.get() ? KILN_SELF
                                                                          : Ramp(base, stride, op->lanes, op->span);
}

PrimExpr Simplifier::VisitExpr_(const BroadcastNode* op) {
  PrimExpr v = VisitExpr(op->value);
  return v.get() == op->value.get() ? KILN_SELF : Broadcast(v, op->lanes, op->span);
}

// A let of a constant or a var is inlined; otherwise the body is simplified
// knowing the var equals the value, and a let whose var is unused is dropped.
// A let var that the context already knows is renamed, so the two never mix.
PrimExpr Simplifier::VisitExpr_(const LetNode* op) {
  PrimExpr value = VisitExpr(op->value), body = op->body;
  Var var = op->var;
  auto replace = [&](const PrimExpr& by) {
    return Substitute(body, [&](const Var& v) { return v.get() == var.get() ? by : PrimExpr(); });
  };
  if (AsConstInt(value) || value.as<VarNode>()) return VisitExpr(replace(value));
  if (ctx_.BindOrder(var.get()) != 0) {
    Var fresh(var.name(), var.dtype());
    body = replace(fresh);
    var = fresh;
  }
  ContextRestore restore(ctx_);
  if (IsIndexType(value.dtype())) ctx_.PushRange(var, {value, value});
  body = VisitExpr(body);
  if (!Mentions(body, var.get())) return body;
  bool same = value.get() == op->value.get() && body.get() == op->body.get();
  return same ? KILN_SELF : Let(var, value, body, op->span);
}

#undef KILN_SELF

}  // namespace kiln::tir::arith
