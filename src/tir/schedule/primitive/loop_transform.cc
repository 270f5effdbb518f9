// split, fuse, reorder: the loop transformations the other primitives build
// on. Split and fuse re-express a loop variable through new ones (bindings
// are substituted and simplified; a split that overshoots the extent guards
// the blocks below with a predicate); reorder permutes directly nested loops
// and so changes only the order of iterations, which it checks is free.
#include <algorithm>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "../analysis.h"
#include "../analysis_dataflow.h"
#include "../primitives.h"
#include "kiln/tir/arith/analyzer.h"
#include "kiln/tir/functor.h"
#include "kiln/tir/printer.h"
#include "kiln/tir/structural_equal.h"

namespace kiln::tir::schedule {
namespace {

// ---- Shared helpers ----------------------------------------------------------

bool UsesAny(const PrimExpr& e, const std::unordered_set<const VarNode*>& vars) {
  bool found = false;
  if (e) PreOrderVisit(e, [&](const PrimExpr& x) { found |= vars.count(x.as<VarNode>()) > 0; });
  return found;
}

bool UsesAny(const Stmt& s, const std::unordered_set<const VarNode*>& vars) {
  bool found = false;
  if (s) PreOrderVisit(s, [&](const PrimExpr& x) { found |= vars.count(x.as<VarNode>()) > 0; });
  return found;
}

bool UsesAny(const std::vector<BufferRegion>& regions, const std::unordered_set<const VarNode*>& vars) {
  for (const BufferRegion& r : regions) {
    for (const Range& rg : r.region) {
      if (UsesAny(rg.min, vars) || UsesAny(rg.extent, vars)) return true;
    }
  }
  return false;
}

// Replaces old loop variables by their values under `body`, then simplifies
// the bindings and predicates of the blocks directly under it (not nested
// blocks) that mention the new loop variables, ANDing `guard` (when given)
// into their predicates. `ana` knows the ranges of the new loop variables.
class LoopVarRewriter : public StmtMutator {
 public:
  LoopVarRewriter(arith::Analyzer& ana, std::unordered_set<const VarNode*> new_vars, PrimExpr guard)
      : ana_(ana), new_vars_(std::move(new_vars)), guard_(std::move(guard)) {}

  Stmt Rewrite(const Stmt& body, const std::unordered_map<const VarNode*, PrimExpr>& values) {
    Stmt substituted = Substitute(body, [&](const Var& v) {
      auto it = values.find(v.get());
      return it == values.end() ? PrimExpr() : it->second;
    });
    return VisitStmt(substituted);
  }

 protected:
  Stmt VisitStmt_(const BlockNode* op) override {
    BlockSpec spec = SpecOf(op);
    for (IterVar& iv : spec.iter_vars) {
      if (UsesAny(iv.binding, new_vars_)) iv.binding = ana_.Simplify(iv.binding);
    }
    if (guard_) spec.predicate = spec.predicate ? logical_and(guard_, spec.predicate) : guard_;
    if (UsesAny(spec.predicate, new_vars_)) spec.predicate = ana_.Simplify(spec.predicate);
    return Block(std::move(spec));
  }

 private:
  arith::Analyzer& ana_;
  std::unordered_set<const VarNode*> new_vars_;
  PrimExpr guard_;
};

std::string LoopName(const ForNode* loop) {
  return loop->loop_var.name();
}

// ---- split ---------------------------------------------------------------------

// The extents of the loops a split makes, outermost first, and whether
// their product may exceed the extent (then the blocks below need a guard).
struct SplitPlan {
  std::vector<PrimExpr> extents;
  bool needs_guard = false;
};

SplitPlan PlanSplit(const ForNode* loop, const std::vector<std::optional<int64_t>>& factors, arith::Analyzer& ana) {
  const std::string name = LoopName(loop);
  const DataType dtype = loop->loop_var.dtype();
  KILN_SCHEDULE_CHECK(factors.size() >= 2, "split")
      << "loop '" << name << "' needs at least two factors, got " << factors.size();
  int inferred = -1;
  int64_t product = 1;
  for (size_t i = 0; i < factors.size(); ++i) {
    if (!factors[i]) {
      KILN_SCHEDULE_CHECK(inferred < 0, "split") << "loop '" << name << "': factors " << inferred << " and " << i
                                                 << " are both None; at most one factor may be inferred";
      inferred = static_cast<int>(i);
      continue;
    }
    KILN_SCHEDULE_CHECK(*factors[i] > 0, "split")
        << "loop '" << name << "': factor " << i << " is " << *factors[i] << "; factors must be positive";
    KILN_SCHEDULE_CHECK(product <= INT64_MAX / *factors[i], "split")
        << "loop '" << name << "': the product of the factors overflows int64";
    product *= *factors[i];
  }
  SplitPlan plan;
  PrimExpr known = IntImm(dtype, product);
  for (const std::optional<int64_t>& f : factors) {
    plan.extents.push_back(f ? IntImm(dtype, *f) : ana.Simplify(floordiv(loop->extent + known - 1, known)));
  }
  PrimExpr total = inferred < 0 ? known : ana.Simplify(plan.extents[inferred] * known);
  if (inferred < 0) {
    KILN_SCHEDULE_CHECK(!ana.CanProve(total < loop->extent), "split")
        << "loop '" << name << "': the factors multiply to " << product << ", less than the extent "
        << ToText(loop->extent);
    KILN_SCHEDULE_CHECK(ana.CanProve(total >= loop->extent), "split")
        << "loop '" << name << "': the factors multiply to " << product << ", which may be less than the extent "
        << ToText(loop->extent) << " (make one factor None to infer it)";
  }
  plan.needs_guard = !ana.CanProveEqual(total, loop->extent);
  return plan;
}

// A guard needs blocks to carry it: refuse effects outside blocks.
void CheckGuardable(const ForNode* loop) {
  const StmtNode* s = EffectOutsideBlocks(loop->body);
  KILN_SCHEDULE_CHECK(!s, "split") << "the factors do not divide the extent of loop '" << LoopName(loop)
                                   << "', and its body has a statement outside any block to guard: "
                                   << ToText(Stmt(runtime::GetRef<StmtNode>(s)));
}

}  // namespace

// Loop i in [min, min + extent) split by factors f0..fn-1 becomes loops
// i_0..i_{n-1} (i_k in [0, f_k), serial; the outermost keeps the
// annotations) and i = ((i_0 * f1 + i_1) * f2 + ...) + min. A thread-bound
// or parallel loop may be split: the new loops are serial, to be bound again.
std::vector<LoopRef> Split(ScheduleState& s, const LoopRef& loop, const std::vector<std::optional<int64_t>>& factors,
                           bool preserve_unit_iters) {
  Located loc = s.Find(loop, "split");
  const ForNode* l = loc.loop();
  arith::Analyzer ana;
  SplitPlan plan = PlanSplit(l, factors, ana);
  if (plan.needs_guard) CheckGuardable(l);

  const DataType dtype = l->loop_var.dtype();
  std::vector<Var> vars;
  std::unordered_set<const VarNode*> new_vars;
  PrimExpr value = IntImm(dtype, 0);
  for (size_t i = 0; i < plan.extents.size(); ++i) {
    Var v(l->loop_var.name() + "_" + std::to_string(i), dtype);
    vars.push_back(v);
    new_vars.insert(v.get());
    bool unit = ana.CanProveEqual(plan.extents[i], IntImm(dtype, 1));
    if (unit && !preserve_unit_iters) continue;  // the variable is always 0: leave it out
    if (!unit) ana.Bind(v, Range{IntImm(dtype, 0), plan.extents[i]});
    value = value * plan.extents[i] + v;
  }
  PrimExpr guard = plan.needs_guard ? ana.Simplify(value < l->extent) : PrimExpr();
  Stmt body =
      LoopVarRewriter(ana, new_vars, guard).Rewrite(l->body, {{l->loop_var.get(), ana.Simplify(value + l->min)}});
  for (size_t i = vars.size(); i-- > 0;) {
    body = For(vars[i], IntImm(dtype, 0), plan.extents[i], ForKind::kSerial, body, "",
               i == 0 ? l->annotations : ir::Attrs(), i == 0 ? l->span : Span());
  }
  s.Replace(loop.func, {{l, body}});
  std::vector<LoopRef> out;
  for (const Var& v : vars) out.push_back(LoopRef{loop.func, v});
  return out;
}

namespace {

// ---- fuse ----------------------------------------------------------------------

// The loops to fuse, checked to be distinct, unbound and directly nested.
std::vector<const ForNode*> FuseChain(const ScheduleState& s, const std::vector<LoopRef>& loops) {
  KILN_SCHEDULE_CHECK(!loops.empty(), "fuse") << "no loops given";
  std::vector<const ForNode*> chain;
  for (const LoopRef& ref : loops) {
    Located loc = s.Find(ref, "fuse");
    const ForNode* l = loc.loop();
    KILN_SCHEDULE_CHECK(std::find(chain.begin(), chain.end(), l) == chain.end(), "fuse")
        << "loop '" << LoopName(l) << "' is given twice";
    KILN_SCHEDULE_CHECK(l->for_kind != ForKind::kThreadBinding, "fuse")
        << "loop '" << LoopName(l) << "' is bound to '" << l->thread_tag << "'; fuse loops before binding them";
    if (!chain.empty()) {
      KILN_SCHEDULE_CHECK(ref.func == loops.front().func && chain.back()->body.get() == l, "fuse")
          << "loop '" << LoopName(l) << "' is not directly inside loop '" << LoopName(chain.back())
          << "' (fused loops must be nested with nothing between them, given outermost first)";
    }
    for (const ForNode* outer : chain) {
      std::unordered_set<const VarNode*> var{outer->loop_var.get()};
      KILN_SCHEDULE_CHECK(!UsesAny(l->min, var) && !UsesAny(l->extent, var), "fuse")
          << "the range of loop '" << LoopName(l) << "' depends on loop '" << LoopName(outer)
          << "'; only loops with independent ranges fuse";
    }
    chain.push_back(l);
  }
  return chain;
}

DataType WidestDtype(const std::vector<const ForNode*>& chain) {
  DataType d = chain.front()->loop_var.dtype();
  for (const ForNode* l : chain) {
    if (l->loop_var.dtype().bits() > d.bits()) d = l->loop_var.dtype();
  }
  return d;
}

PrimExpr CastTo(DataType dtype, const PrimExpr& e) {
  return e.dtype() == dtype ? e : Cast(dtype, e);
}

}  // namespace

// Loops l_0..l_{n-1} (outermost first) with extents e_k become one serial
// loop l_0_..._l_{n-1}_fused over e_0 * ... * e_{n-1}, keeping the outermost
// loop's annotations; l_k = floormod(floordiv(fused, e_{k+1} * ... ), e_k) + min_k.
LoopRef Fuse(ScheduleState& s, const std::vector<LoopRef>& loops, bool preserve_unit_iters) {
  std::vector<const ForNode*> chain = FuseChain(s, loops);
  const DataType dtype = WidestDtype(chain);
  arith::Analyzer ana;
  std::string name;
  PrimExpr total = IntImm(dtype, 1);
  for (const ForNode* l : chain) {
    name += LoopName(l) + "_";
    total = total * CastTo(dtype, l->extent);
  }
  total = ana.Simplify(total);
  Var fused(name + "fused", dtype);
  if (!ana.CanProveEqual(total, IntImm(dtype, 1))) ana.Bind(fused, Range{IntImm(dtype, 0), total});

  // From the innermost loop out: each loop's value divides out the extents inside it.
  std::unordered_map<const VarNode*, PrimExpr> values;
  PrimExpr inner = IntImm(dtype, 1);
  for (size_t k = chain.size(); k-- > 0;) {
    const ForNode* l = chain[k];
    PrimExpr extent = CastTo(dtype, l->extent);
    bool unit = ana.CanProveEqual(extent, IntImm(dtype, 1));
    PrimExpr value = floordiv(fused, inner);
    if (k > 0) value = floormod(value, extent);
    if (unit && !preserve_unit_iters) value = IntImm(dtype, 0);
    values[l->loop_var.get()] = ana.Simplify(CastTo(l->loop_var.dtype(), value) + l->min);
    inner = ana.Simplify(inner * extent);
  }
  Stmt body = LoopVarRewriter(ana, {fused.get()}, PrimExpr()).Rewrite(chain.back()->body, values);
  const ForNode* outer = chain.front();
  Stmt loop = For(fused, IntImm(dtype, 0), total, ForKind::kSerial, body, "", outer->annotations, outer->span);
  s.Replace(loops.front().func, {{outer, loop}});
  return LoopRef{loops.front().func, fused};
}

namespace {

// ---- reorder ---------------------------------------------------------------------

const char* StmtKindName(const Stmt& s) {
  switch (s.kind()) {
#define KILN_X(name) \
  case StmtKind::k##name: return #name;
    KILN_TIR_STMT_KINDS(KILN_X)
#undef KILN_X
  }
  return "statement";
}

// The loops from the outermost given loop down to the innermost one: every
// given loop lies on it, and each loop on it is the whole body of the one
// before.
std::vector<const ForNode*> ReorderChain(const std::vector<Located>& locs) {
  const Located* deepest = &locs.front();
  const Located* shallowest = &locs.front();
  for (const Located& loc : locs) {
    if (loc.path.size() > deepest->path.size()) deepest = &loc;
    if (loc.path.size() < shallowest->path.size()) shallowest = &loc;
  }
  for (const Located& loc : locs) {
    KILN_SCHEDULE_CHECK(deepest->path[loc.path.size() - 1].get() == loc.stmt().get(), "reorder")
        << "loops '" << LoopName(loc.loop()) << "' and '" << LoopName(deepest->loop())
        << "' are not nested in one another";
  }
  std::vector<const ForNode*> chain;
  for (size_t i = shallowest->path.size() - 1; i < deepest->path.size(); ++i) {
    const Stmt& st = deepest->path[i];
    if (const ForNode* f = st.as<ForNode>()) {
      chain.push_back(f);
      continue;
    }
    std::ostringstream why;
    why << "loops '" << LoopName(shallowest->loop()) << "' and '" << LoopName(deepest->loop()) << "' ";
    if (const BlockNode* b = st.as<BlockNode>()) {
      why << "are in different block scopes (block '" << b->name << "' lies between them)";
    } else if (st.as<SeqNode>()) {
      why << "are not directly nested: loop '" << LoopName(chain.back())
          << "' holds other statements beside the loops to reorder";
    } else {
      why << "are not directly nested: a statement of kind " << StmtKindName(st) << " lies between them";
    }
    Fail("reorder", why.str());
  }
  return chain;
}

// A new order may not put a loop outside a loop its range depends on.
void CheckRangesIndependent(const std::vector<const ForNode*>& order) {
  for (size_t p = 0; p < order.size(); ++p) {
    for (size_t q = p + 1; q < order.size(); ++q) {
      std::unordered_set<const VarNode*> inner{order[q]->loop_var.get()};
      KILN_SCHEDULE_CHECK(!UsesAny(order[p]->min, inner) && !UsesAny(order[p]->extent, inner), "reorder")
          << "the range of loop '" << LoopName(order[p]) << "' depends on loop '" << LoopName(order[q])
          << "', which would move inside it";
    }
  }
}

// A block under the reordered loops with the loops between those and it.
struct PlacedBlock {
  const BlockNode* block;
  std::vector<std::pair<Var, Range>> inner_loops;
  bool under_if;  // or a while: it may skip some writes
};

void CollectPlaced(const Stmt& s, std::vector<std::pair<Var, Range>>& loops, bool under_if,
                   std::vector<PlacedBlock>& out) {
  if (!s) return;
  switch (s.kind()) {
    case StmtKind::kBlock: {
      const BlockNode* b = s.as<BlockNode>();
      out.push_back(PlacedBlock{b, loops, under_if});
      return;
    }
    case StmtKind::kFor: {
      const ForNode* f = s.as<ForNode>();
      loops.emplace_back(f->loop_var, Range{f->min, f->extent});
      CollectPlaced(f->body, loops, under_if, out);
      loops.pop_back();
      return;
    }
    case StmtKind::kSeq:
      for (const Stmt& c : s.as<SeqNode>()->seq) CollectPlaced(c, loops, under_if, out);
      return;
    case StmtKind::kIfThenElse:
      CollectPlaced(s.as<IfThenElseNode>()->then_case, loops, true, out);
      CollectPlaced(s.as<IfThenElseNode>()->else_case, loops, true, out);
      return;
    case StmtKind::kWhile: return CollectPlaced(s.as<WhileNode>()->body, loops, true, out);
    case StmtKind::kLetStmt: return CollectPlaced(s.as<LetStmtNode>()->body, loops, under_if, out);
    case StmtKind::kAllocate: return CollectPlaced(s.as<AllocateNode>()->body, loops, under_if, out);
    case StmtKind::kDeclBuffer: return CollectPlaced(s.as<DeclBufferNode>()->body, loops, under_if, out);
    default: return;
  }
}

// What one iteration of the reordered loops makes `p` access of `buffer`
// (the hull over the loops inside), in terms of the reordered loops.
std::optional<std::vector<Range>> IterationRegion(const PlacedBlock& p, const std::vector<BufferRegion>& regions,
                                                  const Buffer& buffer, arith::Analyzer& ana) {
  std::optional<std::vector<Range>> out;
  for (const BufferRegion& r : regions) {
    if (r.buffer.get() != buffer.get()) continue;
    std::vector<Range> region;
    for (const Range& rg : r.region) {
      auto bind = [&](const Var& v) {
        for (const IterVar& iv : p.block->iter_vars) {
          if (iv.var.get() == v.get()) return iv.binding;
        }
        return PrimExpr();
      };
      region.push_back(Range{Substitute(rg.min, bind), Substitute(rg.extent, bind)});
    }
    region = RelaxRegion(buffer, region, p.inner_loops, ana);
    out = out ? UnionRegion(*out, region, ana) : region;
  }
  return out;
}

bool Contains(const std::vector<Range>& outer, const std::vector<Range>& inner, arith::Analyzer& ana) {
  for (size_t d = 0; d < outer.size(); ++d) {
    if (!ana.CanProve(outer[d].min <= inner[d].min) ||
        !ana.CanProve(inner[d].min + inner[d].extent <= outer[d].min + outer[d].extent)) {
      return false;
    }
  }
  return true;
}

// A block's predicate in terms of the loops (its iteration variables
// replaced by their bindings), or null.
PrimExpr PredicateOverLoops(const BlockNode* b) {
  if (!b->predicate) return PrimExpr();
  return Substitute(b->predicate, [&](const Var& v) {
    for (const IterVar& iv : b->iter_vars) {
      if (iv.var.get() == v.get()) return iv.binding;
    }
    return PrimExpr();
  });
}

// A predicate of `writer` must hold or fail for a whole iteration of the
// reordered loops (it uses none of the loops inside them) and guard `other`
// alike: then `other` runs only where `writer` did.
bool SameGuard(const PlacedBlock& writer, const PlacedBlock& other) {
  PrimExpr pred = PredicateOverLoops(writer.block);
  if (!pred) return true;
  std::unordered_set<const VarNode*> inner;
  for (const auto& [v, r] : writer.inner_loops) inner.insert(v.get());
  PrimExpr other_pred = PredicateOverLoops(other.block);
  return !UsesAny(pred, inner) && other_pred && StructuralEqual(pred, other_pred);
}

// `other` reaches buffer `buffer` that `writer` writes only where the same
// iteration of the reordered loops has `writer` write it in full: the
// iterations then do not communicate through it, and their order is free.
bool SameIterationOnly(const PlacedBlock& writer, const PlacedBlock& other, const Buffer& buffer,
                       const std::unordered_set<const VarNode*>& loop_vars, arith::Analyzer& ana) {
  if (writer.under_if || !SameGuard(writer, other)) return false;
  for (const IterVar& iv : writer.block->iter_vars) {
    if (iv.kind == IterKind::kReduce && UsesAny(iv.binding, loop_vars)) return false;  // written in parts
  }
  std::optional<std::vector<Range>> written = IterationRegion(writer, writer.block->writes, buffer, ana);
  for (const auto* regions : {&other.block->reads, &other.block->writes}) {
    std::optional<std::vector<Range>> used = IterationRegion(other, *regions, buffer, ana);
    if (used && !Contains(*written, *used, ana)) return false;
  }
  return true;
}

// Reordering is free when the work under the loops consists of blocks whose
// instances do not depend on one another: each sees the loops only through
// its bindings and predicate, and two blocks there share a buffer only
// within one iteration of the loops.
void CheckIterationsIndependent(const std::vector<const ForNode*>& chain) {
  const ForNode* bottom = chain.back();
  if (const StmtNode* st = EffectOutsideBlocks(bottom->body)) {
    Fail("reorder", "loop '" + LoopName(bottom) + "' has a statement outside any block, whose iterations may " +
                        "depend on the loop order: " + ToText(Stmt(runtime::GetRef<StmtNode>(st))));
  }
  std::unordered_set<const VarNode*> vars;
  arith::Analyzer ana;
  for (const ForNode* l : chain) {
    vars.insert(l->loop_var.get());
    ana.Bind(l->loop_var, Range{l->min, l->extent});
  }
  std::vector<std::pair<Var, Range>> loops;
  std::vector<PlacedBlock> placed;
  CollectPlaced(bottom->body, loops, false, placed);
  for (const PlacedBlock& p : placed) {
    const BlockNode* b = p.block;
    bool hidden =
        UsesAny(b->body, vars) || UsesAny(b->init, vars) || UsesAny(b->reads, vars) || UsesAny(b->writes, vars);
    KILN_SCHEDULE_CHECK(!hidden, "reorder") << "block '" << b->name << "' uses the loops outside its iteration "
                                            << "bindings, so the order of its iterations may matter";
  }
  for (const PlacedBlock& writer : placed) {
    for (const PlacedBlock& other : placed) {
      if (&other == &writer) continue;
      for (const BufferRegion& w : writer.block->writes) {
        if (!ReadsBuffer(other.block, w.buffer) && !WritesBuffer(other.block, w.buffer)) continue;
        KILN_SCHEDULE_CHECK(SameIterationOnly(writer, other, w.buffer, vars, ana), "reorder")
            << "blocks '" << writer.block->name << "' and '" << other.block->name << "' under loop '"
            << LoopName(bottom) << "' share buffer '" << w.buffer->name
            << "' across iterations; a new loop order could run an access before the write it needs";
      }
    }
  }
}

}  // namespace

// The loops between the outermost and the innermost given one form a chain
// of directly nested loops; the given loops take the given order in the
// places they occupy and the others stay where they are.
void Reorder(ScheduleState& s, const std::vector<LoopRef>& loops) {
  KILN_SCHEDULE_CHECK(!loops.empty(), "reorder") << "no loops given";
  std::vector<Located> locs;
  std::unordered_set<const ForNode*> given;
  for (const LoopRef& ref : loops) {
    KILN_SCHEDULE_CHECK(ref.func == loops.front().func, "reorder")
        << "loops '" << loops.front().var.name() << "' and '" << ref.var.name() << "' are in different functions";
    locs.push_back(s.Find(ref, "reorder"));
    KILN_SCHEDULE_CHECK(given.insert(locs.back().loop()).second, "reorder")
        << "loop '" << ref.var.name() << "' is given twice";
  }
  std::vector<const ForNode*> chain = ReorderChain(locs);
  std::vector<const ForNode*> order = chain;
  size_t next = 0;
  for (const ForNode*& slot : order) {
    if (given.count(slot)) slot = locs[next++].loop();
  }
  if (order == chain) return;
  CheckRangesIndependent(order);
  CheckIterationsIndependent(chain);
  Stmt body = chain.back()->body;
  for (size_t i = order.size(); i-- > 0;) body = WithBody(order[i], body);
  s.Replace(loops.front().func, {{chain.front(), body}});
}

}  // namespace kiln::tir::schedule
