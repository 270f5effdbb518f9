// compute_at, reverse_compute_at: move a block under a loop of the blocks it
// feeds (compute_at) or is fed by (reverse_compute_at). Per iteration of that
// loop the moved block computes only the part of its iteration domain that
// the blocks under the loop read (or have just written): each iteration
// variable gets a new loop over [lo, lo + extent), solved from the regions
// one iteration of the loop touches, intersected with its domain.
//
// Both check that the move keeps the meaning of the program: the block is
// the only writer of what it writes, every value it reads is final where it
// now runs, no block between its old and new place touches what it writes,
// and (reverse) its new iterations still cover its whole domain.
#include <algorithm>
#include <cstdint>

#include "../analysis.h"
#include "../analysis_dataflow.h"
#include "../primitives.h"
#include "kiln/tir/functor.h"
#include "kiln/tir/printer.h"

namespace kiln::tir::schedule {
namespace {

using Dom = std::vector<std::pair<Var, Range>>;

// A child block of the scope under the target loop, the loops between the
// target loop and it (outermost first), and the index of the statement of
// the loop's body (an element of its Seq) that holds it.
struct Placed {
  const BlockNode* block;
  Dom loops;
  size_t top;
};

void CollectPlaced(const Stmt& s, size_t top, Dom& loops, std::vector<Placed>& out) {
  if (!s) return;
  switch (s.kind()) {
    case StmtKind::kBlock: out.push_back({s.as<BlockNode>(), loops, top}); return;
    case StmtKind::kFor: {
      const ForNode* f = s.as<ForNode>();
      loops.push_back({f->loop_var, Range{f->min, f->extent}});
      CollectPlaced(f->body, top, loops, out);
      loops.pop_back();
      return;
    }
    case StmtKind::kSeq:
      for (const Stmt& c : s.as<SeqNode>()->seq) CollectPlaced(c, top, loops, out);
      return;
    case StmtKind::kIfThenElse:
      CollectPlaced(s.as<IfThenElseNode>()->then_case, top, loops, out);
      CollectPlaced(s.as<IfThenElseNode>()->else_case, top, loops, out);
      return;
    case StmtKind::kWhile: return CollectPlaced(s.as<WhileNode>()->body, top, loops, out);
    case StmtKind::kLetStmt: return CollectPlaced(s.as<LetStmtNode>()->body, top, loops, out);
    case StmtKind::kAllocate: return CollectPlaced(s.as<AllocateNode>()->body, top, loops, out);
    case StmtKind::kDeclBuffer: return CollectPlaced(s.as<DeclBufferNode>()->body, top, loops, out);
    default: return;
  }
}

std::vector<Placed> PlacedUnder(const ForNode* loop) {
  std::vector<Placed> out;
  Dom loops;
  if (const SeqNode* seq = loop->body.as<SeqNode>()) {
    for (size_t i = 0; i < seq->seq.size(); ++i) CollectPlaced(seq->seq[i], i, loops, out);
  } else {
    CollectPlaced(loop->body, 0, loops, out);
  }
  return out;
}

const Placed* FindPlaced(const std::vector<Placed>& placed, const BlockNode* b) {
  for (const Placed& p : placed) {
    if (p.block == b) return &p;
  }
  return nullptr;
}

// One region per buffer, grown by union.
struct Regions {
  std::vector<BufferRegion> regions;

  void Add(const Buffer& buffer, std::vector<Range> region, arith::Analyzer& ana) {
    for (BufferRegion& r : regions) {
      if (r.buffer.get() == buffer.get()) {
        r.region = UnionRegion(r.region, region, ana);
        return;
      }
    }
    regions.push_back({buffer, std::move(region)});
  }
  const std::vector<Range>* Find(const Buffer& buffer) const {
    for (const BufferRegion& r : regions) {
      if (r.buffer.get() == buffer.get()) return &r.region;
    }
    return nullptr;
  }
};

// `r` (in the iteration variables of p.block) over one iteration of the
// target loop: iteration variables replaced by their bindings, the loops
// between relaxed.
std::vector<Range> PerIteration(const Placed& p, const BufferRegion& r, arith::Analyzer& ana) {
  auto bind = [&](const PrimExpr& e) {
    return Substitute(e, [&](const Var& v) -> PrimExpr {
      for (const IterVar& iv : p.block->iter_vars) {
        if (iv.var.get() == v.get()) return iv.binding;
      }
      return PrimExpr();
    });
  };
  std::vector<Range> region;
  for (const Range& rg : r.region) region.push_back(Range{bind(rg.min), bind(rg.extent)});
  return RelaxRegion(r.buffer, region, p.loops, ana);
}

// What compute_at (reverse: reverse_compute_at) works on, found and checked.
struct Move {
  const char* primitive;
  bool reverse;
  PrimFunc func;
  Located block, loop;
  std::vector<Placed> placed;  // the scope's blocks under the loop
  // The blocks under the loop the moved block depends on: its consumers
  // (compute_at) or producers (reverse), and those that write what it reads
  // and run before it in an iteration (feeders).
  std::vector<const Placed*> deps, feeders;
  size_t insert_at = 0;  // index in the loop's body Seq

  const BlockNode* moved() const { return block.block(); }
  const ForNode* target() const { return loop.loop(); }
  std::string LoopName() const { return "loop '" + target()->loop_var.name() + "'"; }
  std::string BlockName() const { return "block '" + moved()->name + "'"; }
};

void CheckPlaces(const Move& m) {
  const BlockNode* scope = m.block.scope();
  KILN_SCHEDULE_CHECK(scope, m.primitive) << m.BlockName() << " is the root of its function; it cannot move";
  KILN_SCHEDULE_CHECK(m.loop.scope() == scope, m.primitive)
      << m.LoopName() << " is not in the scope of " << m.BlockName() << " (block '" << scope->name << "')";
  for (const Stmt& s : m.block.path) {
    KILN_SCHEDULE_CHECK(s.get() != m.target(), m.primitive)
        << m.LoopName() << " is an ancestor of " << m.BlockName() << "; it must be a loop of its "
        << (m.reverse ? "producers" : "consumers") << " only";
  }
  CheckNoEffectsOutsideBlocks(scope, m.primitive);
  CheckCompleteWriter(m.func, m.moved(), m.primitive);
  if (m.reverse) return;
  for (const BufferRegion& w : m.moved()->writes) {
    KILN_SCHEDULE_CHECK(!IsParam(m.func, w.buffer), m.primitive)
        << m.BlockName() << " writes buffer '" << w.buffer->name
        << "', a parameter of the function; an output block cannot be computed at a loop of other blocks";
  }
}

// The index of `b` among `blocks`.
size_t IndexOf(const std::vector<const BlockNode*>& blocks, const BlockNode* b) {
  return std::find(blocks.begin(), blocks.end(), b) - blocks.begin();
}

bool WritesAnyRead(const BlockNode* writer, const BlockNode* reader) {
  for (const BufferRegion& r : reader->reads) {
    if (WritesBuffer(writer, r.buffer)) return true;
  }
  return false;
}

bool TouchesAnyWrite(const BlockNode* other, const BlockNode* writer) {
  for (const BufferRegion& w : writer->writes) {
    if (ReadsBuffer(other, w.buffer) || WritesBuffer(other, w.buffer)) return true;
  }
  return false;
}

// compute_at: every consumer is under the loop, the block comes before the
// loop, and nothing between its old and new place writes what it reads.
void PlanComputeAt(Move& m) {
  const BlockNode* scope = m.block.scope();
  std::vector<const BlockNode*> consumers = Consumers(scope, m.moved());
  KILN_SCHEDULE_CHECK(!consumers.empty(), m.primitive) << m.BlockName() << " has no consumer in its scope";
  m.insert_at = SIZE_MAX;
  for (const BlockNode* c : consumers) {
    const Placed* p = FindPlaced(m.placed, c);
    KILN_SCHEDULE_CHECK(p, m.primitive) << "consumer '" << c->name << "' of " << m.BlockName() << " is not under "
                                        << m.LoopName();
    m.deps.push_back(p);
    m.insert_at = std::min(m.insert_at, p->top);
  }
  std::vector<const BlockNode*> children = ChildBlocks(runtime::GetRef<StmtNode>(scope));
  size_t pos = IndexOf(children, m.moved()), first = IndexOf(children, m.placed.front().block);
  KILN_SCHEDULE_CHECK(pos < first, m.primitive)
      << m.BlockName() << " comes after " << m.LoopName() << "; a producer must come before its consumers";
  for (size_t i = pos + 1; i < first; ++i) {
    KILN_SCHEDULE_CHECK(!WritesAnyRead(children[i], m.moved()), m.primitive)
        << "block '" << children[i]->name << "', between " << m.BlockName() << " and " << m.LoopName()
        << ", writes a buffer that " << m.BlockName() << " reads";
  }
  for (const Placed& p : m.placed) {
    if (!WritesAnyRead(p.block, m.moved())) continue;
    KILN_SCHEDULE_CHECK(p.top < m.insert_at, m.primitive)
        << "block '" << p.block->name << "' under " << m.LoopName() << " writes a buffer that " << m.BlockName()
        << " reads, after the place it would move to";
    m.feeders.push_back(&p);
  }
}

// reverse_compute_at: the producers are under the loop (or done before it),
// the block comes after the loop, and nothing between its new and old place
// touches what it writes.
void PlanReverseComputeAt(Move& m) {
  const BlockNode* scope = m.block.scope();
  std::vector<const BlockNode*> children = ChildBlocks(runtime::GetRef<StmtNode>(scope));
  size_t pos = IndexOf(children, m.moved()), first = IndexOf(children, m.placed.front().block);
  KILN_SCHEDULE_CHECK(pos > first, m.primitive)
      << m.BlockName() << " comes before " << m.LoopName() << "; a consumer must come after its producers";
  for (const BlockNode* p : Producers(scope, m.moved())) {
    const Placed* placed = FindPlaced(m.placed, p);
    KILN_SCHEDULE_CHECK(placed || IndexOf(children, p) < first, m.primitive)
        << "producer '" << p->name << "' of " << m.BlockName() << " is not under " << m.LoopName();
    if (!placed) continue;
    m.deps.push_back(placed);
    m.insert_at = std::max(m.insert_at, placed->top + 1);
  }
  KILN_SCHEDULE_CHECK(!m.deps.empty(), m.primitive)
      << "no producer of " << m.BlockName() << " is under " << m.LoopName();
  m.feeders = m.deps;
  for (size_t i = first; i < pos; ++i) {
    KILN_SCHEDULE_CHECK(!TouchesAnyWrite(children[i], m.moved()), m.primitive)
        << "block '" << children[i]->name << "', between " << m.LoopName() << " and " << m.BlockName()
        << ", reads or writes a buffer that " << m.BlockName() << " writes";
  }
}

// What the moved block reads from the blocks before it in an iteration is
// final there: a reduction's loops lie inside the loop, and no such block
// updates in place (its later iterations could still change the values).
void CheckFeedersFinish(const Move& m) {
  std::unordered_set<const VarNode*> outer;
  for (const Stmt& s : m.loop.path) {
    if (const ForNode* f = s.as<ForNode>()) outer.insert(f->loop_var.get());
  }
  for (const Placed* p : m.feeders) {
    for (const IterVar& iv : p->block->iter_vars) {
      if (iv.kind != IterKind::kReduce) continue;
      const VarNode* v = FirstUse(iv.binding, outer);
      KILN_SCHEDULE_CHECK(!v, m.primitive)
          << "producer '" << p->block->name << "' reduces over loop '" << v->name << "', which is not inside "
          << m.LoopName() << "; " << m.BlockName() << " would read partial results";
    }
    if (HasReduceIter(p->block)) continue;
    for (const BufferRegion& r : m.moved()->reads) {
      KILN_SCHEDULE_CHECK(!WritesBuffer(p->block, r.buffer) || !ReadsBuffer(p->block, r.buffer), m.primitive)
          << "producer '" << p->block->name << "' updates buffer '" << r.buffer->name
          << "' in place; its values may not be final within one iteration of " << m.LoopName();
    }
  }
}

// ---- Solving the new iteration domains -------------------------------------------

// min == v + offset for exactly one iteration variable v (its index), with
// the offset free of iteration variables.
std::optional<std::pair<size_t, PrimExpr>> IterPlusOffset(const PrimExpr& min, const std::vector<IterVar>& ivs,
                                                          arith::Analyzer& ana) {
  std::unordered_set<const VarNode*> vars;
  for (const IterVar& iv : ivs) vars.insert(iv.var.get());
  const VarNode* v = FirstUse(min, vars);
  if (!v) return std::nullopt;
  for (size_t k = 0; k < ivs.size(); ++k) {
    if (ivs[k].var.get() != v) continue;
    PrimExpr offset = ana.Simplify(min - ivs[k].var);
    if (FirstUse(offset, vars)) return std::nullopt;
    return std::make_pair(k, offset);
  }
  return std::nullopt;
}

// Per iteration variable, [lo, hi) or undefined (the whole domain).
struct Bounds {
  PrimExpr lo, hi;
};

// compute_at: the instances whose writes reach the region the consumers
// read. A dimension written at v + offset bounds a spatial v; a variable
// also written elsewhere, or not at all, keeps its domain. Buffers join by
// union.
std::vector<Bounds> SolveProduced(const Move& m, const Regions& required, arith::Analyzer& ana) {
  const std::vector<IterVar>& ivs = m.moved()->iter_vars;
  std::vector<Bounds> out(ivs.size());
  std::vector<bool> whole(ivs.size(), false);
  for (const BufferRegion& w : m.moved()->writes) {
    const std::vector<Range>* need = required.Find(w.buffer);
    if (!need) continue;
    std::vector<Bounds> per(ivs.size());
    std::vector<bool> exact(ivs.size(), true);
    for (size_t d = 0; d < w.region.size(); ++d) {
      auto solved = IterPlusOffset(w.region[d].min, ivs, ana);
      const int64_t* extent = AsConstInt(w.region[d].extent);
      if (!solved || !extent || *extent != 1) {
        for (size_t k = 0; k < ivs.size(); ++k) exact[k] = exact[k] && !FirstUse(w.region[d].min, {ivs[k].var.get()});
        continue;
      }
      auto [k, offset] = *solved;
      if (ivs[k].kind == IterKind::kReduce) continue;
      PrimExpr lo = (*need)[d].min - offset, hi = lo + (*need)[d].extent;
      per[k] = per[k].lo ? Bounds{max(per[k].lo, lo), min(per[k].hi, hi)} : Bounds{lo, hi};
    }
    for (size_t k = 0; k < ivs.size(); ++k) {
      if (whole[k]) continue;
      if (!per[k].lo || !exact[k]) {
        whole[k] = true;
        out[k] = Bounds{};
        continue;
      }
      out[k] = out[k].lo ? Bounds{min(out[k].lo, per[k].lo), max(out[k].hi, per[k].hi)} : per[k];
    }
  }
  return out;
}

// reverse_compute_at: the instances whose reads of the producers' buffers
// lie within what the producers wrote. A dimension read at v + offset (over
// an extent free of iteration variables) bounds a spatial v; bounds join by
// intersection.
std::vector<Bounds> SolveConsumed(const Move& m, const Regions& provided, arith::Analyzer& ana) {
  const std::vector<IterVar>& ivs = m.moved()->iter_vars;
  std::vector<Bounds> out(ivs.size());
  std::unordered_set<const VarNode*> vars;
  for (const IterVar& iv : ivs) vars.insert(iv.var.get());
  for (const BufferRegion& r : m.moved()->reads) {
    const std::vector<Range>* have = provided.Find(r.buffer);
    if (!have) continue;
    for (size_t d = 0; d < r.region.size(); ++d) {
      auto solved = IterPlusOffset(r.region[d].min, ivs, ana);
      if (!solved || FirstUse(r.region[d].extent, vars)) continue;
      auto [k, offset] = *solved;
      if (ivs[k].kind == IterKind::kReduce) continue;  // a reduction runs whole
      PrimExpr lo = (*have)[d].min - offset;
      PrimExpr hi = (*have)[d].min + (*have)[d].extent - offset - r.region[d].extent + 1;
      out[k] = out[k].lo ? Bounds{max(out[k].lo, lo), min(out[k].hi, hi)} : Bounds{lo, hi};
    }
  }
  return out;
}

// The bounds intersected with the domains, simplified: [min, min + extent)
// per iteration variable. They may use only variables defined outside the
// loop's body.
std::vector<Range> NewDomains(const Move& m, const std::vector<Bounds>& bounds, arith::Analyzer& ana) {
  std::unordered_set<const VarNode*> inner = VarsDefinedIn(m.target()->body);
  std::vector<Range> out;
  for (size_t k = 0; k < bounds.size(); ++k) {
    const IterVar& iv = m.moved()->iter_vars[k];
    if (!bounds[k].lo) {
      out.push_back(iv.dom);
      continue;
    }
    PrimExpr lo = ana.Simplify(max(bounds[k].lo, iv.dom.min));
    PrimExpr hi = ana.Simplify(min(bounds[k].hi, iv.dom.min + iv.dom.extent));
    PrimExpr extent = ana.Simplify(hi - lo);
    KILN_SCHEDULE_CHECK(!m.reverse || !ana.CanProve(extent <= 0), m.primitive)
        << "in one iteration of " << m.LoopName() << " its producers write too little for any iteration of "
        << m.BlockName() << " ('" << iv.var.name() << "' would range over [" << ToText(lo) << ", " << ToText(hi)
        << "))";
    if (!ana.CanProve(extent >= 0)) extent = ana.Simplify(max(extent, IntImm(extent.dtype(), 0)));
    for (const PrimExpr& e : {lo, extent}) {
      const VarNode* v = FirstUse(e, inner);
      KILN_SCHEDULE_CHECK(!v, m.primitive)
          << "the iterations of " << m.BlockName() << " needed in one iteration of " << m.LoopName() << " depend on '"
          << v->name << "', which is defined inside the loop";
    }
    out.push_back(Range{lo, extent});
  }
  return out;
}

// What the moved block reads from its feeders in one iteration, over its new
// domains, lies within what they write before it in that iteration.
void CheckReadsAvailable(const Move& m, const std::vector<Range>& doms, arith::Analyzer& ana) {
  Regions written;
  for (const Placed* f : m.feeders) {
    for (const BufferRegion& w : f->block->writes) written.Add(w.buffer, PerIteration(*f, w, ana), ana);
  }
  Dom dom;
  for (size_t k = 0; k < doms.size(); ++k) dom.push_back({m.moved()->iter_vars[k].var, doms[k]});
  for (const BufferRegion& r : m.moved()->reads) {
    const std::vector<Range>* have = written.Find(r.buffer);
    if (!have) continue;
    std::vector<Range> need = RelaxRegion(r.buffer, r.region, dom, ana);
    for (size_t d = 0; d < need.size(); ++d) {
      bool inside = ana.CanProve(need[d].min >= (*have)[d].min) &&
                    ana.CanProve(need[d].min + need[d].extent <= (*have)[d].min + (*have)[d].extent);
      KILN_SCHEDULE_CHECK(inside, m.primitive)
          << m.BlockName() << " would read " << RegionText(r.buffer, need) << " in one iteration of " << m.LoopName()
          << ", beyond " << RegionText(r.buffer, *have) << " that the blocks before it there write";
    }
  }
}

// reverse_compute_at: over all iterations of the loop and the loops around
// it, the new domains cover the old ones. Going outward one loop at a time,
// the domain that moves with the loop must advance without gaps (the next
// iteration's start lies in [this start, this end]), and at most one
// iteration variable may move with each loop (else the union of boxes has
// holes the hull does not show).
void CheckCover(const Move& m, std::vector<Range> doms, arith::Analyzer& ana) {
  std::vector<const ForNode*> levels = m.loop.loops();
  levels.push_back(m.target());
  const std::vector<IterVar>& ivs = m.moved()->iter_vars;
  auto fail = [&](const std::string& why) {
    Fail(m.primitive, "the iterations of " + m.BlockName() + " under " + m.LoopName() +
                          " would not be shown to cover its domain: " + why);
  };
  for (auto it = levels.rbegin(); it != levels.rend(); ++it) {
    const ForNode* l = *it;
    std::optional<size_t> moving;
    for (size_t k = 0; k < doms.size(); ++k) {
      if (!FirstUse(doms[k].min, {l->loop_var.get()}) && !FirstUse(doms[k].extent, {l->loop_var.get()})) continue;
      if (moving)
        fail("'" + ivs[*moving].var.name() + "' and '" + ivs[k].var.name() + "' both move with loop '" +
             l->loop_var.name() + "'");
      moving = k;
    }
    if (!moving) continue;
    Range& d = doms[*moving];
    PrimExpr next = Substitute(d.min, [&](const Var& v) { return v.get() == l->loop_var.get() ? v + 1 : PrimExpr(); });
    {
      arith::Analyzer::ConstraintScope scope(&ana, l->loop_var + 1 < l->min + l->extent);
      if (!ana.CanProve(next >= d.min) || !ana.CanProve(next <= d.min + d.extent)) {
        fail("'" + ivs[*moving].var.name() + "' does not advance without gaps with loop '" + l->loop_var.name() + "'");
      }
    }
    Dom over{{l->loop_var, Range{l->min, l->extent}}};
    arith::IntervalSet lo = ana.EvalSet(d.min, over), hi = ana.EvalSet(d.min + d.extent, over);
    if (!lo.min || !hi.max) fail("the range of '" + ivs[*moving].var.name() + "' cannot be bounded");
    d = Range{lo.min, ana.Simplify(hi.max - lo.min)};
  }
  for (size_t k = 0; k < doms.size(); ++k) {
    const Range& dom = ivs[k].dom;
    if (!ana.CanProve(doms[k].min <= dom.min) || !ana.CanProve(doms[k].min + doms[k].extent >= dom.min + dom.extent)) {
      fail("'" + ivs[k].var.name() + "' ranges over [" + ToText(doms[k].min) + ", " +
           ToText(ana.Simplify(doms[k].min + doms[k].extent)) + ") in all, not over its domain [" + ToText(dom.min) +
           ", " + ToText(ana.Simplify(dom.min + dom.extent)) + ")");
    }
  }
}

// ---- Rewriting -------------------------------------------------------------------

// The part of a block's predicate that survives the move: each conjunct
// that only says an iteration variable stays below the end of its domain (a
// split's guard: i0 * 32 + i1 < n for v bound to i0 * 32 + i1 over [0, n))
// is implied by the new domains and dropped; any other conjunct is refused.
void CheckPredicateImplied(const Move& m, arith::Analyzer& ana) {
  const BlockNode* b = m.moved();
  if (!b->predicate) return;
  std::unordered_set<const VarNode*> loops;
  for (const ForNode* f : m.block.loops()) loops.insert(f->loop_var.get());
  std::vector<PrimExpr> conjuncts{b->predicate};
  for (size_t i = 0; i < conjuncts.size(); ++i) {
    const BinaryNode* c = conjuncts[i].as<BinaryNode>();
    if (c && c->op == BinaryOp::kAnd) {
      conjuncts.push_back(c->a);
      conjuncts.push_back(c->b);
      continue;
    }
    // The conjunct as `slack > 0`.
    PrimExpr slack;
    if (c && c->op == BinaryOp::kLT) slack = c->b - c->a;
    if (c && c->op == BinaryOp::kLE) slack = c->b - c->a + 1;
    if (c && c->op == BinaryOp::kGT) slack = c->a - c->b;
    if (c && c->op == BinaryOp::kGE) slack = c->a - c->b + 1;
    bool implied = false;
    for (const IterVar& iv : b->iter_vars) {
      if (!slack || implied) break;
      // slack == bound - binding: the conjunct says v < bound.
      PrimExpr bound = ana.Simplify(slack + iv.binding);
      implied = !FirstUse(bound, loops) && ana.CanProve(iv.dom.min + iv.dom.extent <= bound);
    }
    KILN_SCHEDULE_CHECK(implied, m.primitive)
        << m.BlockName() << " has the predicate " << ToText(conjuncts[i])
        << ", which does not follow from its domains; it cannot move with the block";
  }
}

// The moved block with bindings lo + ax over new loops ax (unit loops
// dropped unless preserved), outermost first in iteration variable order.
Stmt BuildNest(const BlockNode* block, const std::vector<Range>& doms, bool preserve_unit_loops) {
  BlockSpec spec = SpecOf(block);
  spec.predicate = PrimExpr();
  std::vector<std::pair<Var, PrimExpr>> loops;
  for (size_t k = 0; k < doms.size(); ++k) {
    IterVar& iv = spec.iter_vars[k];
    DataType dtype = iv.var.dtype();
    auto typed = [&](const PrimExpr& e) { return e.dtype() == dtype ? e : Cast(dtype, e); };
    const int64_t* extent = AsConstInt(doms[k].extent);
    const int64_t* lo = AsConstInt(doms[k].min);
    if (extent && *extent == 1 && !preserve_unit_loops) {
      iv.binding = typed(doms[k].min);
      continue;
    }
    Var ax("ax" + std::to_string(loops.size()), dtype);
    iv.binding = lo && *lo == 0 ? PrimExpr(ax) : typed(doms[k].min) + ax;
    loops.push_back({ax, typed(doms[k].extent)});
  }
  Stmt nest = Block(std::move(spec));
  for (auto it = loops.rbegin(); it != loops.rend(); ++it) {
    nest = For(it->first, IntImm(it->first.dtype(), 0), it->second, ForKind::kSerial, nest);
  }
  return nest;
}

// `loop` with `stmt` inserted at `index` of its body's sequence.
Stmt InsertInto(const ForNode* loop, Stmt stmt, size_t index) {
  std::vector<Stmt> seq;
  if (const SeqNode* s = loop->body.as<SeqNode>()) {
    seq = s->seq;
  } else {
    seq.push_back(loop->body);
  }
  seq.insert(seq.begin() + static_cast<std::ptrdiff_t>(index), std::move(stmt));
  return WithBody(loop, Seq(std::move(seq)));
}

// The analyzer knows the ranges of the loops around and including `loop`
// and of the iteration variables of the blocks around it.
void BindOuter(const Located& loop, arith::Analyzer& ana) {
  for (const Stmt& s : loop.path) {
    if (const ForNode* f = s.as<ForNode>()) ana.Bind(f->loop_var, Range{f->min, f->extent});
    if (const BlockNode* b = s.as<BlockNode>()) {
      for (const IterVar& iv : b->iter_vars) ana.Bind(iv.var, iv.dom);
    }
  }
}

// Checks everything and returns the replacements that carry out the move.
std::unordered_map<const StmtNode*, Stmt> Plan(const ScheduleState& s, const BlockRef& block, const LoopRef& loop,
                                               bool preserve_unit_loops, bool reverse) {
  const char* primitive = reverse ? "reverse_compute_at" : "compute_at";
  Move m{primitive, reverse, s.Func(block.func), s.Find(block, primitive), s.Find(loop, primitive), {}, {}, {}, 0};
  KILN_SCHEDULE_CHECK(block.func == loop.func, primitive)
      << m.BlockName() << " and " << m.LoopName() << " are in different functions";
  CheckPlaces(m);
  m.placed = PlacedUnder(m.target());
  // The scope has no effects outside blocks, so a loop in it holds a block.
  KILN_ICHECK(!m.placed.empty()) << "no block is under " << m.LoopName();
  reverse ? PlanReverseComputeAt(m) : PlanComputeAt(m);
  CheckFeedersFinish(m);
  arith::Analyzer ana;
  BindOuter(m.loop, ana);
  Regions touched;  // what the deps read (compute_at) or write (reverse) in one iteration
  for (const Placed* p : m.deps) {
    for (const BufferRegion& r : reverse ? p->block->writes : p->block->reads) {
      if (reverse ? ReadsBuffer(m.moved(), r.buffer) : WritesBuffer(m.moved(), r.buffer)) {
        touched.Add(r.buffer, PerIteration(*p, r, ana), ana);
      }
    }
  }
  std::vector<Range> doms =
      NewDomains(m, reverse ? SolveConsumed(m, touched, ana) : SolveProduced(m, touched, ana), ana);
  CheckReadsAvailable(m, doms, ana);
  if (reverse) CheckCover(m, doms, ana);
  CheckPredicateImplied(m, ana);
  Stmt nest = BuildNest(m.moved(), doms, preserve_unit_loops);
  return {{OutermostHolder(m.block, primitive), Stmt()}, {m.target(), InsertInto(m.target(), nest, m.insert_at)}};
}

}  // namespace

void ComputeAt(ScheduleState& s, const BlockRef& block, const LoopRef& loop, bool preserve_unit_loops) {
  s.Replace(block.func, Plan(s, block, loop, preserve_unit_loops, /*reverse=*/false));
}

void ReverseComputeAt(ScheduleState& s, const BlockRef& block, const LoopRef& loop, bool preserve_unit_loops) {
  s.Replace(block.func, Plan(s, block, loop, preserve_unit_loops, /*reverse=*/true));
}

std::vector<LoopRef> ComputeAtCandidates(const ScheduleState& s, const BlockRef& block) {
  Located loc = s.Find(block, "sample_compute_location");
  if (!loc.scope()) return {};
  std::vector<const BlockNode*> consumers = Consumers(loc.scope(), loc.block());
  if (consumers.empty()) return {};
  std::vector<LoopRef> out;
  for (const ForNode* f : s.Find(BlockRef{block.func, consumers[0]->name}, "sample_compute_location").loops()) {
    LoopRef loop{block.func, f->loop_var};
    try {
      Plan(s, block, loop, /*preserve_unit_loops=*/false, /*reverse=*/false);
      out.push_back(loop);
    } catch (const Error&) {
      // Not a place the block can go.
    }
  }
  return out;
}

}  // namespace kiln::tir::schedule
