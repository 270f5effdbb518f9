// LoopPartition: a loop whose body checks a condition that fails only near
// its ends (the tail of a split by a factor that does not divide the extent)
// is split into a main loop without the check and head and tail loops with
// it. For a conjunct f(v, inner) < 0 with f linear in the loop variable v
// (f = a*v + f(0, inner)), and f(0, inner) at most fmax over the inner loops:
//   a > 0: it holds for every inner iteration when v < ceildiv(-fmax, a)
//   a < 0: it holds for every inner iteration when v > floordiv(fmax, -a)
// A conjunct v == p (v + r == 0 with r free of the inner loops: the
// `k == 0` that guards a reduction's init) holds at one point; when no
// comparison bounds the loop, that iteration is peeled:
//   for v in [m, e): if (v == p) S; T  ->  [m, p): T;  v = p: S; T;  [p + 1, e): T
#include <unordered_map>
#include <unordered_set>

#include "kiln/runtime/error.h"
#include "kiln/tir/arith/analyzer.h"
#include "kiln/tir/functor.h"
#include "kiln/tir/lower.h"
#include "rewrite.h"

namespace kiln::tir {
namespace {

using arith::IntervalSet;

// The conjuncts of a condition, likely() wrappers removed.
void Conjuncts(const PrimExpr& cond, std::vector<PrimExpr>& out) {
  if (const CallNode* c = cond.as<CallNode>(); c && c->op == "likely" && c->args.size() == 1) {
    Conjuncts(c->args[0], out);
    return;
  }
  if (const BinaryNode* b = cond.as<BinaryNode>(); b && b->op == BinaryOp::kAnd) {
    Conjuncts(b->a, out);
    Conjuncts(b->b, out);
    return;
  }
  out.push_back(cond);
}

bool Mentions(const PrimExpr& e, const std::function<bool(const VarNode*)>& pred) {
  bool found = false;
  PreOrderVisit(e, [&](const PrimExpr& x) {
    if (const VarNode* v = x.as<VarNode>()) found = found || pred(v);
  });
  return found;
}

// What is known of one conjunct of an if.
enum class Fact : uint8_t {
  kUnknown,
  kRange,  // holds for every v in [max(lower), min(upper))
  kPoint,  // holds exactly at v == point
};

// Where the conditions of one loop's body hold for all inner iterations.
struct Partition {
  std::vector<PrimExpr> lower;                                         // kRange conjuncts hold where v >= each
  std::vector<PrimExpr> upper;                                         // and v < each
  PrimExpr point;                                                      // kPoint conjuncts hold at v == point
  std::unordered_map<const IfThenElseNode*, std::vector<Fact>> facts;  // per conjunct

  bool has_range() const { return !lower.empty() || !upper.empty(); }
};

// Walks a loop body for ifs whose conjuncts bound the loop variable.
class ConditionFinder : public StmtVisitor {
 public:
  ConditionFinder(arith::Analyzer& analyzer, const Var& var) : analyzer_(analyzer), var_(var) {}

  Partition Find(const Stmt& body) {
    VisitStmt(body);
    for (const IfThenElseNode* node : shared_) result_.facts.erase(node);
    return std::move(result_);
  }

 protected:
  void VisitStmt_(const ForNode* op) override {
    inner_.insert(op->loop_var.get());
    IntervalSet lo = Relax(op->min), hi = Relax(op->min + op->extent - IntImm(op->extent.dtype(), 1));
    bool bounded = lo.min && hi.max;
    if (bounded) {
      dom_.emplace_back(op->loop_var,
                        Range{lo.min, analyzer_.Simplify(hi.max - lo.min + IntImm(op->extent.dtype(), 1))});
    } else {
      unbounded_.insert(op->loop_var.get());
    }
    VisitStmt(op->body);
    if (bounded) dom_.pop_back();
  }

  void VisitStmt_(const LetStmtNode* op) override {
    inner_.insert(op->var.get());
    unbounded_.insert(op->var.get());
    VisitStmt(op->body);
  }

  void VisitStmt_(const IfThenElseNode* op) override {
    // An if reachable twice (a shared node) may sit in different contexts.
    if (!visited_.insert(op).second) shared_.insert(op);
    std::vector<PrimExpr> conjuncts;
    Conjuncts(op->condition, conjuncts);
    std::vector<Fact> facts;
    bool any = false;
    for (const PrimExpr& c : conjuncts) {
      facts.push_back(Classify(c));
      any = any || facts.back() != Fact::kUnknown;
    }
    if (any) result_.facts[op] = facts;
    VisitStmt(op->then_case);
    if (op->else_case) VisitStmt(op->else_case);
  }

  // Blocks are lowered before this pass; expressions hold no conditions of interest.
  void VisitStmt_(const BlockNode*) override {}
  void VisitStmt_(const BufferStoreNode*) override {}
  void VisitStmt_(const EvaluateNode*) override {}

 private:
  IntervalSet Relax(const PrimExpr& e) {
    if (Mentions(e, [&](const VarNode* v) { return unbounded_.count(v) != 0; })) return {};
    IntervalSet s = analyzer_.EvalSet(e, dom_);
    auto bad = [&](const PrimExpr& x) {
      return x && Mentions(x, [&](const VarNode* v) { return inner_.count(v) != 0 || v == var_.get(); });
    };
    if (bad(s.min)) s.min = PrimExpr();
    if (bad(s.max)) s.max = PrimExpr();
    return s;
  }

  // What `cond` says about the loop variable, recording its bound or point.
  Fact Classify(const PrimExpr& cond) {
    const BinaryNode* cmp = cond.as<BinaryNode>();
    if (!cmp || !IsComparison(cmp->op) || cmp->op == BinaryOp::kNE) return Fact::kUnknown;
    DataType t = var_.dtype();
    if (cmp->a.dtype() != t || cmp->b.dtype() != t) return Fact::kUnknown;
    if (!Mentions(cond, [&](const VarNode* v) { return v == var_.get(); })) return Fact::kUnknown;
    PrimExpr one = IntImm(t, 1);
    PrimExpr f;  // cond <=> f < 0, or f == 0 for EQ
    switch (cmp->op) {
      case BinaryOp::kLT:
      case BinaryOp::kEQ: f = cmp->a - cmp->b; break;
      case BinaryOp::kLE: f = cmp->a - cmp->b - one; break;
      case BinaryOp::kGT: f = cmp->b - cmp->a; break;
      default: f = cmp->b - cmp->a - one; break;  // GE
    }
    auto at = [&](const PrimExpr& value) {
      return Substitute(f, [&](const Var& v) { return v.get() == var_.get() ? value : PrimExpr(); });
    };
    std::optional<int64_t> slope = ConstIntValue(analyzer_.Simplify(at(var_ + one) - f));
    if (!slope || *slope == 0) return Fact::kUnknown;
    IntervalSet rest = Relax(at(IntImm(t, 0)));
    if (cmp->op == BinaryOp::kEQ) return Point(rest, *slope);
    if (!rest.max) return Fact::kUnknown;
    PrimExpr a = IntImm(t, *slope);
    if (*slope > 0) {
      result_.upper.push_back(analyzer_.Simplify(floordiv(IntImm(t, 0) - rest.max + a - one, a)));
    } else {
      result_.lower.push_back(analyzer_.Simplify(floordiv(rest.max, IntImm(t, -*slope)) + one));
    }
    return Fact::kRange;
  }

  // slope * v + r == 0 with r the same for every inner iteration: v == -r
  // (slope 1) or v == r (slope -1). One point per loop.
  Fact Point(const IntervalSet& rest, int64_t slope) {
    if (!rest.is_point() || (slope != 1 && slope != -1)) return Fact::kUnknown;
    PrimExpr p = analyzer_.Simplify(slope == 1 ? IntImm(var_.dtype(), 0) - rest.min : rest.min);
    if (result_.point && !analyzer_.CanProveEqual(result_.point, p)) return Fact::kUnknown;
    result_.point = p;
    return Fact::kPoint;
  }

  arith::Analyzer& analyzer_;
  Var var_;
  Partition result_;
  std::vector<std::pair<Var, Range>> dom_;
  std::unordered_set<const VarNode*> inner_, unbounded_;
  std::unordered_set<const IfThenElseNode*> visited_, shared_;
};

// The body of one part of a partitioned loop, with the conjuncts decided
// there folded: kRange ones hold in the main part; kPoint ones hold in the
// peeled iteration and fail elsewhere. Ifs that fail everywhere leave no
// statement behind.
class CheckRemover : public IfFoldingMutator {
 public:
  enum class Part : uint8_t { kMain, kAtPoint, kOffPoint };
  CheckRemover(const Partition& p, Part part) : p_(p), part_(part) {}

 protected:
  Stmt VisitStmt_(const IfThenElseNode* op) override {
    auto it = p_.facts.find(op);
    if (it == p_.facts.end()) return StmtMutator::VisitStmt_(op);
    std::vector<PrimExpr> conjuncts;
    Conjuncts(op->condition, conjuncts);
    PrimExpr rest;
    bool fails = false;
    for (size_t i = 0; i < conjuncts.size(); ++i) {
      Fact f = it->second[i];
      bool holds = (f == Fact::kRange && part_ == Part::kMain) || (f == Fact::kPoint && part_ == Part::kAtPoint);
      fails = fails || (f == Fact::kPoint && part_ == Part::kOffPoint);
      if (!holds) rest = rest ? logical_and(rest, conjuncts[i]) : conjuncts[i];
    }
    if (fails) return op->else_case ? VisitStmt(op->else_case) : Evaluate(0);
    Stmt then_case = VisitStmt(op->then_case);
    if (!rest) return then_case;
    return IfThenElse(rest, then_case, op->else_case ? VisitStmt(op->else_case) : Stmt(), op->span);
  }

 private:
  const Partition& p_;
  Part part_;
};

class Partitioner : public StmtMutator {
 protected:
  Stmt VisitStmt_(const ForNode* op) override {
    analyzer_.Bind(op->loop_var, Range{op->min, op->extent});
    bool whole = op->for_kind == ForKind::kVectorized || op->for_kind == ForKind::kUnrolled ||
                 op->for_kind == ForKind::kThreadBinding;
    if (whole) return StmtMutator::VisitStmt_(op);
    Partition p = ConditionFinder(analyzer_, op->loop_var).Find(op->body);
    if (p.has_range()) return SplitRange(op, p);
    if (p.point) return Peel(op, p);
    return StmtMutator::VisitStmt_(op);
  }

 private:
  // [min, lo) and [hi, end) keep the checks, [lo, hi) drops those proven.
  Stmt SplitRange(const ForNode* op, const Partition& p) {
    DataType t = op->loop_var.dtype();
    PrimExpr end = analyzer_.Simplify(op->min + op->extent);
    PrimExpr lo = op->min, hi = end;
    for (const PrimExpr& b : p.lower) lo = max(lo, b);
    for (const PrimExpr& b : p.upper) hi = min(hi, b);
    lo = analyzer_.Simplify(min(lo, end));
    hi = analyzer_.Simplify(max(hi, lo));
    if (analyzer_.CanProve(hi - lo <= IntImm(t, 0))) return StmtMutator::VisitStmt_(op);  // no main loop
    std::vector<Stmt> parts;
    if (Stmt head = Part(op, op->min, lo, op->body, true)) parts.push_back(head);
    if (Stmt main = Part(op, lo, hi, CheckRemover(p, CheckRemover::Part::kMain).VisitStmt(op->body), false)) {
      parts.push_back(main);
    }
    if (Stmt tail = Part(op, hi, end, op->body, true)) parts.push_back(tail);
    return Seq(parts, op->span);
  }

  // [min, point) and [point + 1, end) without the point's branches, and the
  // iteration at the point with them taken.
  Stmt Peel(const ForNode* op, const Partition& p) {
    DataType t = op->loop_var.dtype();
    PrimExpr end = analyzer_.Simplify(op->min + op->extent);
    PrimExpr at = analyzer_.Simplify(min(max(p.point, op->min), end));
    PrimExpr after = analyzer_.Simplify(min(max(p.point + IntImm(t, 1), op->min), end));
    Stmt off = CheckRemover(p, CheckRemover::Part::kOffPoint).VisitStmt(op->body);
    std::vector<Stmt> parts;
    if (Stmt head = Part(op, op->min, at, off, true)) parts.push_back(head);
    if (Stmt peeled = Part(op, at, after, CheckRemover(p, CheckRemover::Part::kAtPoint).VisitStmt(op->body), true)) {
      parts.push_back(peeled);
    }
    if (Stmt tail = Part(op, after, end, off, false)) parts.push_back(tail);
    return parts.empty() ? Evaluate(0) : Seq(parts, op->span);
  }

  // The loop over [begin, end) with `body`, partitioned in turn; empty when
  // the range is provably empty, the body alone for one iteration. With
  // `fresh`, the loop gets a variable of its own (one part keeps the
  // original, so that no two loops share one).
  Stmt Part(const ForNode* op, const PrimExpr& begin, const PrimExpr& end, const Stmt& body, bool fresh) {
    PrimExpr extent = analyzer_.Simplify(end - begin);
    std::optional<int64_t> n = ConstIntValue(extent);
    if (analyzer_.CanProve(extent <= IntImm(extent.dtype(), 0))) return Stmt();
    if (n && *n == 1) {
      return VisitStmt(
          Substitute(body, [&](const Var& x) { return x.get() == op->loop_var.get() ? begin : PrimExpr(); }));
    }
    Var v = op->loop_var;
    Stmt b = body;
    if (fresh) {
      v = Var(op->loop_var.name(), op->loop_var.dtype(), op->loop_var->span);
      b = Substitute(body, [&](const Var& x) { return x.get() == op->loop_var.get() ? PrimExpr(v) : PrimExpr(); });
    }
    analyzer_.Bind(v, Range{begin, extent});
    return For(v, begin, extent, op->for_kind, VisitStmt(b), op->thread_tag, op->annotations, op->span);
  }

  arith::Analyzer analyzer_;
};

}  // namespace

PrimFunc LoopPartition(const PrimFunc& func) {
  return RewriteBody(func, Partitioner());
}

}  // namespace kiln::tir
