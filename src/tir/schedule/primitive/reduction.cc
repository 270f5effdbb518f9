// decompose_reduction and rfactor: the two rewrites of reduction blocks.
//
// decompose_reduction moves a reduction's init into a block of its own that
// runs, over the spatial loops, before the loop nest of the reduction; the
// reduction keeps only its update. rfactor splits a reduction over one of its
// loops into partial results (a new buffer with one more dimension, computed
// by "<block>_rf" where that loop is spatial) and a write-back that combines
// them into the original output. The partial results start from the
// reducer's identity; the write-back starts from the block's own init, which
// may be any value (linear's bias).
#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "../analysis.h"
#include "../analysis_reducer.h"
#include "../primitives.h"
#include "kiln/tir/functor.h"
#include "kiln/tir/printer.h"

namespace kiln::tir::schedule {
namespace {

using VarSet = std::unordered_set<const VarNode*>;
using VarMap = std::unordered_map<const VarNode*, PrimExpr>;

bool UsesAny(const PrimExpr& e, const VarSet& vars) {
  bool found = false;
  PreOrderVisit(e, [&](const PrimExpr& x) { found |= x.kind() == ExprKind::kVar && vars.count(x.as<VarNode>()); });
  return found;
}

bool Uses(const PrimExpr& e, const Var& v) {
  return UsesAny(e, {v.get()});
}

PrimExpr Subst(const PrimExpr& e, const VarMap& map) {
  if (!e) return e;
  return Substitute(e, [&](const Var& v) {
    auto it = map.find(v.get());
    return it == map.end() ? PrimExpr() : it->second;
  });
}

Stmt Subst(const Stmt& s, const VarMap& map) {
  return Substitute(s, [&](const Var& v) {
    auto it = map.find(v.get());
    return it == map.end() ? PrimExpr() : it->second;
  });
}

// The block's predicate with its iteration variables replaced by their
// bindings: a condition on the loops around it.
PrimExpr PredicateOnLoops(const BlockNode* block) {
  VarMap bindings;
  for (const IterVar& iv : block->iter_vars) bindings[iv.var.get()] = iv.binding;
  return Subst(block->predicate, bindings);
}

// A loop like `loop` over a fresh variable `var`, around `body`.
Stmt CopyLoop(const ForNode* loop, const Var& var, const VarMap& map, Stmt body) {
  return For(var, Subst(loop->min, map), Subst(loop->extent, map), loop->for_kind, std::move(body), loop->thread_tag,
             loop->annotations, loop->span);
}

Stmt MakeBlock(BlockSpec spec) {
  AccessRegions regions = InferAccessRegions(spec);
  spec.reads = std::move(regions.reads);
  spec.writes = std::move(regions.writes);
  return Block(std::move(spec));
}

size_t IndexIn(const std::vector<Stmt>& path, const StmtNode* stmt) {
  for (size_t i = 0; i < path.size(); ++i) {
    if (path[i].get() == stmt) return i;
  }
  KILN_ICHECK(false) << "statement not on the path";
  return 0;
}

const char* StmtKindWord(const Stmt& s) {
  switch (s.kind()) {
    case StmtKind::kIfThenElse: return "an if";
    case StmtKind::kLetStmt: return "a let";
    case StmtKind::kWhile: return "a while loop";
    case StmtKind::kAllocate: return "an allocation";
    case StmtKind::kDeclBuffer: return "a buffer declaration";
    default: return "a statement";
  }
}

// ---- decompose_reduction ------------------------------------------------------

constexpr const char* kDecompose = "decompose_reduction";

// The position of `loop` among the loops around the block; checks that no
// loop above it runs a reduction variable and that only loops and sequences
// lie between it and the block.
size_t CheckDecomposePosition(const Located& bloc, const Located& lloc) {
  const BlockNode* block = bloc.block();
  const ForNode* loop = lloc.loop();
  std::vector<const ForNode*> loops = bloc.loops();
  auto at = std::find(loops.begin(), loops.end(), loop);
  KILN_SCHEDULE_CHECK(lloc.func == bloc.func && at != loops.end(), kDecompose)
      << "loop '" << loop->loop_var.name() << "' is not a loop around block '" << block->name << "'";
  size_t pos = at - loops.begin();
  for (size_t i = 0; i < pos; ++i) {
    for (const IterVar& iv : block->iter_vars) {
      KILN_SCHEDULE_CHECK(iv.kind != IterKind::kReduce || !Uses(iv.binding, loops[i]->loop_var), kDecompose)
          << "loop '" << loop->loop_var.name() << "' is inside loop '" << loops[i]->loop_var.name()
          << "', which runs the reduction variable '" << iv.var.name() << "' of block '" << block->name
          << "'; the init would run again at each of its iterations";
    }
  }
  for (size_t i = IndexIn(bloc.path, loop) + 1; i + 1 < bloc.path.size(); ++i) {
    const Stmt& s = bloc.path[i];
    KILN_SCHEDULE_CHECK(s.kind() == StmtKind::kFor || s.kind() == StmtKind::kSeq, kDecompose)
        << "block '" << block->name << "' lies under " << StmtKindWord(s) << " inside loop '" << loop->loop_var.name()
        << "'; the init can only be moved out across loops";
  }
  return pos;
}

// The condition under which the original block ran its init, as a condition
// on the init's loops: the predicate at the first reduction step (the
// dropped loops at their minimum), without the conjuncts that hold anyway.
PrimExpr InitPredicate(const BlockNode* block, const std::vector<const ForNode*>& dropped, const VarMap& loop_map) {
  if (!block->predicate) return PrimExpr();
  VarMap first_step;
  for (const ForNode* l : dropped) first_step[l->loop_var.get()] = Subst(l->min, first_step);  // outer ones first
  std::vector<PrimExpr> conds, kept;
  Conjuncts(PredicateOnLoops(block), conds);
  arith::Analyzer ana;
  for (const PrimExpr& c : conds) {
    PrimExpr at_first = Subst(c, first_step);
    if (at_first.get() != c.get()) at_first = ana.Simplify(at_first);
    if (!ana.CanProve(at_first)) kept.push_back(Subst(at_first, loop_map));
  }
  return AndAll(kept);
}

// The init of `block` as a block of its own under copies of the loops from
// `loops[pos]` inward that its spatial bindings use.
Stmt MakeInitNest(const BlockNode* block, const std::vector<const ForNode*>& loops, size_t pos,
                  const std::string& name) {
  VarMap iter_map, loop_map;
  std::vector<IterVar> iters;
  for (const IterVar& iv : block->iter_vars) {
    if (iv.kind == IterKind::kReduce) continue;
    Var v(iv.var.name(), iv.var.dtype());
    iter_map[iv.var.get()] = v;
    iters.push_back(IterVar{v, iv.dom, IterKind::kSpatial, iv.binding});
  }
  std::vector<const ForNode*> copied, dropped;
  VarSet dropped_vars;
  for (size_t i = pos; i < loops.size(); ++i) {
    bool used = false;
    for (const IterVar& iv : iters) used |= Uses(iv.binding, loops[i]->loop_var);
    (used ? copied : dropped).push_back(loops[i]);
    if (used) loop_map[loops[i]->loop_var.get()] = Var(loops[i]->loop_var.name() + "_init", loops[i]->loop_var.dtype());
    if (!used) dropped_vars.insert(loops[i]->loop_var.get());
  }
  for (IterVar& iv : iters) iv.binding = Subst(iv.binding, loop_map);
  BlockSpec spec{name,
                 iters,
                 {},
                 {},
                 Stmt(),
                 Subst(block->init, iter_map),
                 {},
                 InitPredicate(block, dropped, loop_map),
                 block->annotations,
                 block->span};
  Stmt body = MakeBlock(std::move(spec));
  for (auto it = copied.rbegin(); it != copied.rend(); ++it) {
    const ForNode* l = *it;
    KILN_SCHEDULE_CHECK(!UsesAny(l->min, dropped_vars) && !UsesAny(l->extent, dropped_vars), kDecompose)
        << "the range of loop '" << l->loop_var.name() << "' depends on a reduction loop of block '" << block->name
        << "'";
    body = CopyLoop(l, Var(loop_map.at(l->loop_var.get())), loop_map, body);
  }
  return body;
}

// ---- rfactor ------------------------------------------------------------------------

constexpr const char* kRFactor = "rfactor";

// What rfactor learns about the reduction and its loops.
struct RFactorInfo {
  const BlockNode* block = nullptr;
  const BlockNode* scope = nullptr;
  std::vector<const ForNode*> loops;   // around the block, outermost first
  VarSet spatial_loops, reduce_loops;  // loop vars the spatial / reduce bindings use
  ReductionForm form;
};

// The single block under `loop`, which must be a reduction.
const BlockNode* SingleReductionBlock(const Located& lloc) {
  const std::string& name = lloc.loop()->loop_var.name();
  std::vector<const BlockNode*> blocks = ChildBlocks(lloc.stmt());
  KILN_SCHEDULE_CHECK(!blocks.empty(), kRFactor) << "loop '" << name << "' has no block under it";
  if (blocks.size() > 1) {
    std::string names;
    for (const BlockNode* b : blocks) names += (names.empty() ? "'" : ", '") + b->name + "'";
    Fail(kRFactor, "loop '" + name + "' has " + std::to_string(blocks.size()) + " blocks under it (" + names +
                       "); rfactor needs a loop around a single reduction block");
  }
  return blocks[0];
}

void CollectLoopUses(RFactorInfo& info) {
  VarSet loop_vars;
  for (const ForNode* l : info.loops) loop_vars.insert(l->loop_var.get());
  for (const IterVar& iv : info.block->iter_vars) {
    VarSet& into = iv.kind == IterKind::kReduce ? info.reduce_loops : info.spatial_loops;
    PreOrderVisit(iv.binding, [&](const PrimExpr& x) {
      if (const auto* v = x.as<VarNode>(); v && loop_vars.count(v)) into.insert(v);
    });
  }
}

// TVM's conditions on the loops: the rfactor loop runs only reduction
// variables; no loop runs both kinds; the reduction loops (and any loop of
// extent above 1 that runs no variable below them) hold only the block.
void CheckRFactorLoops(const RFactorInfo& info, const ForNode* rf_loop) {
  const std::string& block = info.block->name;
  const std::string& rf = rf_loop->loop_var.name();
  KILN_SCHEDULE_CHECK(!info.spatial_loops.count(rf_loop->loop_var.get()), kRFactor)
      << "loop '" << rf << "' runs a spatial variable of block '" << block
      << "'; rfactor needs a loop that runs only reduction variables";
  KILN_SCHEDULE_CHECK(info.reduce_loops.count(rf_loop->loop_var.get()), kRFactor)
      << "loop '" << rf << "' runs no reduction variable of block '" << block << "'";
  bool in_reduction = false;
  for (const ForNode* l : info.loops) {
    const VarNode* v = l->loop_var.get();
    KILN_SCHEDULE_CHECK(!(info.spatial_loops.count(v) && info.reduce_loops.count(v)), kRFactor)
        << "loop '" << v->name << "' runs both spatial and reduction variables of block '" << block << "'";
    in_reduction |= info.reduce_loops.count(v) > 0;
    auto extent = ConstIntValue(l->extent);
    KILN_SCHEDULE_CHECK(
        !in_reduction || info.reduce_loops.count(v) || info.spatial_loops.count(v) || (extent && *extent == 1),
        kRFactor)
        << "loop '" << v->name << "' runs no variable of block '" << block
        << "' but repeats its reduction steps; rfactor cannot keep that repetition";
  }
}

// Between the outermost loop and the block only loops and sequences; below
// the first reduction loop only loops; the block is the first block under
// the outermost loop and no later block there writes what it reads (the
// partial results are computed ahead of that loop).
void CheckRFactorNest(const RFactorInfo& info, const Located& bloc) {
  const std::string& block = info.block->name;
  bool in_reduction = false;
  for (size_t i = IndexIn(bloc.path, info.loops[0]); i + 1 < bloc.path.size(); ++i) {
    const Stmt& s = bloc.path[i];
    if (const ForNode* f = s.as<ForNode>()) {
      in_reduction |= info.reduce_loops.count(f->loop_var.get()) > 0;
      continue;
    }
    KILN_SCHEDULE_CHECK(s.kind() == StmtKind::kSeq && !in_reduction, kRFactor)
        << "block '" << block << "' lies under " << (s.kind() == StmtKind::kSeq ? "a sequence" : StmtKindWord(s))
        << (in_reduction ? " inside its reduction loops" : " inside its loops") << "; rfactor needs loops only"
        << (in_reduction ? " below the outermost reduction loop" : "");
  }
  const std::string& outer = info.loops[0]->loop_var.name();
  std::vector<const BlockNode*> under = AllBlocks(bloc.path[IndexIn(bloc.path, info.loops[0])]);
  KILN_SCHEDULE_CHECK(under[0] == info.block, kRFactor)
      << "block '" << under[0]->name << "' comes before block '" << block << "' under loop '" << outer
      << "'; the partial results would be computed ahead of it";
  for (const BlockNode* b : under) {
    if (b == info.block) continue;
    for (const BufferRegion& r : info.block->reads) {
      KILN_SCHEDULE_CHECK(!WritesBuffer(b, r.buffer), kRFactor)
          << "block '" << b->name << "' under loop '" << outer << "' writes buffer '" << r.buffer->name
          << "', which block '" << block << "' reads; the partial results would be computed ahead of it";
    }
  }
}

RFactorInfo AnalyzeRFactor(const ScheduleState& s, const Located& lloc, int factor_axis) {
  RFactorInfo info;
  info.block = SingleReductionBlock(lloc);
  Located bloc = s.Find(BlockRef{lloc.func, info.block->name}, kRFactor);
  info.scope = bloc.scope();
  KILN_SCHEDULE_CHECK(info.scope, kRFactor) << "block '" << info.block->name << "' is not inside a block";
  info.loops = bloc.loops();
  info.form = MatchReduction(info.block, kRFactor, /*any_init=*/true);
  for (const IterVar& iv : info.block->iter_vars) {
    if (iv.kind != IterKind::kReduce) continue;
    for (const PrimExpr& index : info.form.indices) {
      KILN_SCHEDULE_CHECK(!Uses(index, iv.var), kRFactor)
          << "block '" << info.block->name << "' accumulates into '"
          << ToText(BufferLoad(info.form.buffer, info.form.indices)) << "', which depends on its reduction variable '"
          << iv.var.name() << "'";
    }
  }
  CollectLoopUses(info);
  CheckRFactorLoops(info, lloc.loop());
  CheckRFactorNest(info, bloc);
  int ndim = static_cast<int>(info.form.buffer->shape.size());
  KILN_SCHEDULE_CHECK(factor_axis >= 0 && factor_axis <= ndim, kRFactor)
      << "factor_axis " << factor_axis << " is out of range [0, " << ndim << "] for buffer '" << info.form.buffer->name
      << "' of " << ndim << " dimension(s)";
  return info;
}

// The write-back keeps the conditions that involve no reduction loop but the
// rfactor loop. The others must hold at the first step of every partial
// result (or that partial result would never be initialized).
PrimExpr WriteBackPredicate(const RFactorInfo& info, const ForNode* rf_loop) {
  if (!info.block->predicate) return PrimExpr();
  VarSet others = info.reduce_loops;
  others.erase(rf_loop->loop_var.get());
  std::vector<PrimExpr> conds, kept, dropped;
  Conjuncts(PredicateOnLoops(info.block), conds);
  for (const PrimExpr& c : conds) (UsesAny(c, others) ? dropped : kept).push_back(c);
  arith::Analyzer ana;
  VarMap at_first_step;
  for (const ForNode* l : info.loops) {
    ana.Bind(l->loop_var, Range{l->min, l->extent});
    if (others.count(l->loop_var.get())) at_first_step[l->loop_var.get()] = l->min;
  }
  PrimExpr assumed = AndAll(kept);
  std::optional<arith::Analyzer::ConstraintScope> scope;
  if (assumed) scope.emplace(&ana, assumed);
  for (const PrimExpr& c : dropped) {
    KILN_SCHEDULE_CHECK(ana.CanProve(Subst(c, at_first_step)), kRFactor)
        << "under the predicate '" << ToText(c) << "' of block '" << info.block->name
        << "' some partial results of loop '" << rf_loop->loop_var.name()
        << "' would skip their first step and never be initialized";
  }
  return assumed;
}

std::string UniqueBufferName(const PrimFunc& func, const std::string& base) {
  if (!FindBuffer(func, base)) return base;
  for (int i = 1;; ++i) {
    std::string n = base + "_" + std::to_string(i);
    if (!FindBuffer(func, n)) return n;
  }
}

// The indices of `form`'s accumulator in the rf buffer: `rf_index` inserted at factor_axis.
std::vector<PrimExpr> RFIndices(std::vector<PrimExpr> indices, int factor_axis, PrimExpr rf_index) {
  indices.insert(indices.begin() + factor_axis, std::move(rf_index));
  return indices;
}

PrimExpr RFIndex(const Var& v, const ForNode* rf_loop) {
  auto min = ConstIntValue(rf_loop->min);
  return min && *min == 0 ? PrimExpr(v) : v - rf_loop->min;
}

// The block computing partial results, under copies of all the loops.
Stmt MakeRFNest(const RFactorInfo& info, const ForNode* rf_loop, const Buffer& rf_buf, int factor_axis,
                const std::string& name) {
  VarMap loop_map;  // old loop var -> copy
  for (const ForNode* l : info.loops) loop_map[l->loop_var.get()] = Var(l->loop_var.name(), l->loop_var.dtype());
  VarMap iter_map;   // old iteration var -> its expression in the rf block
  VarMap loop_iter;  // old loop var -> the rf block's iteration var over it
  Var rf_var("v_" + rf_loop->loop_var.name(), rf_loop->loop_var.dtype());
  loop_iter[rf_loop->loop_var.get()] = rf_var;
  std::vector<IterVar> iters{
      {rf_var, Range{rf_loop->min, rf_loop->extent}, IterKind::kSpatial, loop_map.at(rf_loop->loop_var.get())}};
  for (const IterVar& iv : info.block->iter_vars) {
    if (iv.kind == IterKind::kSpatial || !Uses(iv.binding, rf_loop->loop_var)) {
      Var v(iv.var.name(), iv.var.dtype());
      iter_map[iv.var.get()] = v;
      iters.push_back(IterVar{v, iv.dom, iv.kind, Subst(iv.binding, loop_map)});
      continue;
    }
    // A reduction variable over the rfactor loop: one reduction variable per
    // other loop of its binding, and the old variable as their expression.
    for (const ForNode* l : info.loops) {
      if (!Uses(iv.binding, l->loop_var) || loop_iter.count(l->loop_var.get())) continue;
      Var v("v_" + l->loop_var.name(), l->loop_var.dtype());
      loop_iter[l->loop_var.get()] = v;
      iters.push_back(IterVar{v, Range{l->min, l->extent}, IterKind::kReduce, loop_map.at(l->loop_var.get())});
    }
    iter_map[iv.var.get()] = Subst(iv.binding, loop_iter);
  }
  const ReductionForm& f = info.form;
  std::vector<PrimExpr> idx;
  for (const PrimExpr& i : f.indices) idx.push_back(Subst(i, iter_map));
  idx = RFIndices(idx, factor_axis, RFIndex(rf_var, rf_loop));
  // Without another reduction loop each partial result is a single value.
  bool reduces =
      std::any_of(iters.begin(), iters.end(), [](const IterVar& iv) { return iv.kind == IterKind::kReduce; });
  PrimExpr value = Subst(f.value, iter_map);
  Stmt body = BufferStore(rf_buf, reduces ? Combine(f.kind, BufferLoad(rf_buf, idx), value) : value, idx);
  Stmt init = reduces ? BufferStore(rf_buf, f.identity, idx) : Stmt();
  PrimExpr pred = info.block->predicate ? Subst(Subst(info.block->predicate, iter_map), loop_map) : PrimExpr();
  BlockSpec spec{name, iters, {}, {}, init, body, {}, pred, info.block->annotations, info.block->span};
  Stmt nest = MakeBlock(std::move(spec));
  for (auto it = info.loops.rbegin(); it != info.loops.rend(); ++it) {
    nest = CopyLoop(*it, Var(loop_map.at((*it)->loop_var.get())), loop_map, nest);
  }
  return nest;
}

// The original block, now combining the partial results over the rfactor loop.
Stmt MakeWriteBack(const RFactorInfo& info, const ForNode* rf_loop, const Buffer& rf_buf, int factor_axis) {
  Var rf_var("v_" + rf_loop->loop_var.name(), rf_loop->loop_var.dtype());
  std::vector<IterVar> iters{{rf_var, Range{rf_loop->min, rf_loop->extent}, IterKind::kReduce, rf_loop->loop_var}};
  VarMap iter_map;
  for (const IterVar& iv : info.block->iter_vars) {
    if (iv.kind != IterKind::kSpatial) continue;
    Var v(iv.var.name(), iv.var.dtype());
    iter_map[iv.var.get()] = v;
    iters.push_back(IterVar{v, iv.dom, IterKind::kSpatial, iv.binding});
  }
  const ReductionForm& f = info.form;
  std::vector<PrimExpr> idx;
  for (const PrimExpr& i : f.indices) idx.push_back(Subst(i, iter_map));
  PrimExpr partial = BufferLoad(rf_buf, RFIndices(idx, factor_axis, RFIndex(rf_var, rf_loop)));
  Stmt body = BufferStore(f.buffer, Combine(f.kind, BufferLoad(f.buffer, idx), partial), idx);
  BlockSpec spec{info.block->name,
                 iters,
                 {},
                 {},
                 BufferStore(f.buffer, Subst(f.init, iter_map), idx),
                 body,
                 {},
                 WriteBackPredicate(info, rf_loop),
                 info.block->annotations,
                 info.block->span};
  return MakeBlock(std::move(spec));
}

// The statement at path[i] with the block replaced by the write-back and the
// reduction loops but the rfactor loop removed.
Stmt RebuildWriteBackNest(const Located& bloc, size_t i, const RFactorInfo& info, const ForNode* rf_loop,
                          const Stmt& write_back) {
  if (i + 1 == bloc.path.size()) return write_back;
  const Stmt& s = bloc.path[i];
  Stmt child = RebuildWriteBackNest(bloc, i + 1, info, rf_loop, write_back);
  if (const ForNode* f = s.as<ForNode>()) {
    bool keep = f == rf_loop || !info.reduce_loops.count(f->loop_var.get());
    return keep ? WithBody(f, child) : child;
  }
  const SeqNode* seq = s.as<SeqNode>();
  KILN_ICHECK(seq) << "rfactor: unexpected statement between the loops";
  std::vector<Stmt> items = seq->seq;
  for (Stmt& item : items) {
    if (item.get() == bloc.path[i + 1].get()) item = child;
  }
  return Seq(std::move(items), seq->span);
}

}  // namespace

BlockRef DecomposeReduction(ScheduleState& s, const BlockRef& block, const LoopRef& loop) {
  Located bloc = s.Find(block, kDecompose);
  Located lloc = s.Find(loop, kDecompose);
  const BlockNode* b = bloc.block();
  KILN_SCHEDULE_CHECK(b->init, kDecompose) << "block '" << b->name << "' has no init to decompose";
  size_t pos = CheckDecomposePosition(bloc, lloc);
  std::string name = s.UniqueBlockName(block.func, b->name + "_init");
  Stmt init = MakeInitNest(b, bloc.loops(), pos, name);
  // The update: no init, and so a read of its own output.
  BlockSpec spec = SpecOf(b);
  spec.init = Stmt();
  s.Replace(block.func, {{b, MakeBlock(std::move(spec))}});
  const ForNode* l = s.Find(loop, kDecompose).loop();
  s.Replace(block.func, {{l, Seq({init, runtime::GetRef<StmtNode>(l)})}});
  return BlockRef{block.func, name};
}

BlockRef RFactor(ScheduleState& s, const LoopRef& loop, int factor_axis) {
  Located lloc = s.Find(loop, kRFactor);
  const ForNode* rf_loop = lloc.loop();
  RFactorInfo info = AnalyzeRFactor(s, lloc, factor_axis);
  Located bloc = s.Find(BlockRef{loop.func, info.block->name}, kRFactor);
  const Buffer& out = info.form.buffer;
  std::vector<PrimExpr> shape = out->shape;
  shape.insert(shape.begin() + factor_axis, rf_loop->extent);
  Buffer rf_buf = DeclBuffer(UniqueBufferName(s.Func(loop.func), out->name + "_rf"), shape, out->dtype, out->scope);
  std::string rf_name = s.UniqueBlockName(loop.func, info.block->name + "_rf");
  Stmt rf_nest = MakeRFNest(info, rf_loop, rf_buf, factor_axis, rf_name);
  Stmt write_back = MakeWriteBack(info, rf_loop, rf_buf, factor_axis);
  Stmt wb_nest = RebuildWriteBackNest(bloc, IndexIn(bloc.path, info.loops[0]), info, rf_loop, write_back);
  std::string scope_name = info.scope->name;
  s.Replace(loop.func, {{info.loops[0], Seq({rf_nest, wb_nest})}});
  const BlockNode* new_scope = s.Find(BlockRef{loop.func, scope_name}, kRFactor).block();
  BlockSpec updated = SpecOf(new_scope);
  updated.alloc_buffers.push_back(rf_buf);
  s.Replace(loop.func, {{new_scope, Block(std::move(updated))}});
  return BlockRef{loop.func, rf_name};
}

}  // namespace kiln::tir::schedule
