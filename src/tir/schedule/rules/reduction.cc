// The reduction rule: functions with reductions that are not matrix products
// (sum, max, mean, softmax, layer and group norms, pooling, cumsum, ...).
//
//   1. Spatial intermediates read at one point are inlined (mean = sum / n
//      into its readers).
//   2. A reduction whose innermost reduction loop runs along contiguous
//      memory with a constant multiple of the lanes is factored (rfactor)
//      into per-lane partial results: the partial sums are vector code.
//   3. The rows: the leading loops of the last stage that index every
//      intermediate it reads (softmax[i, j] reads row_max[i]) are fused, and
//      the stages before it move under that loop (compute_at, last first),
//      so one row is reduced, normalized and written while it is in cache;
//      a move that would compute anything twice is undone.
//   4. The row loop (or each stage left at the root, over its spatial
//      loops) runs in parallel when the work is large enough; the partial
//      sums and the spatial stages are vectorized over the row. A reduction
//      without partial sums whose innermost spatial loop runs along
//      contiguous memory (a column sum, channels-last pooling, a depthwise
//      convolution along a row) is vectorized over that loop instead, its
//      reduction loops moved inside.
#include <algorithm>
#include <limits>
#include <set>

#include "kiln/tir/arith/analyzer.h"
#include "kiln/tir/functor.h"
#include "rule_util.h"

namespace kiln::tir::rules {
namespace {

constexpr size_t kNone = std::numeric_limits<size_t>::max();

// The iteration variable of `b` bound to loop `l` (its binding is the loop's
// variable), or nullptr.
const IterVar* IterOfLoop(const Schedule& sch, const BlockNode* b, const LoopRV& l) {
  const VarNode* v = LoopOf(sch, l)->loop_var.get();
  for (const IterVar& iv : b->iter_vars) {
    if (iv.binding.get() == v) return &iv;
  }
  return nullptr;
}

// The number of leading loops of block `d` whose variables index `buf`, in
// order, at every read of it by `d` (0 when `d` does not read it).
size_t RowPrefix(Schedule& sch, const BlockRV& d, const Buffer& buf) {
  const BlockNode* b = BlockOf(sch, d);
  std::vector<LoopRV> loops = sch.GetLoops(d);
  size_t prefix = kNone;
  auto visit = [&](const PrimExpr& e) {
    const BufferLoadNode* load = e.as<BufferLoadNode>();
    if (!load || load->buffer.get() != buf.get()) return;
    size_t p = 0;
    while (p < load->indices.size() && p < loops.size()) {
      std::optional<size_t> iv = IterIndex(b, load->indices[p]);
      if (!iv || b->iter_vars[*iv].kind != IterKind::kSpatial) break;
      std::optional<size_t> at = LoopOfIter(sch, loops, b->iter_vars[*iv]);
      if (!at || *at != p) break;
      ++p;
    }
    prefix = std::min(prefix, p);
  };
  if (b->init) PreOrderVisit(b->init, visit);
  PreOrderVisit(b->body, visit);
  return prefix == kNone ? 0 : prefix;
}

// The kind of the iteration variables whose bindings use loop `l`: spatial
// or reduce when all of them are of that kind, nullopt otherwise.
std::optional<IterKind> LoopRuns(const Schedule& sch, const BlockNode* b, const LoopRV& l) {
  const VarNode* v = LoopOf(sch, l)->loop_var.get();
  std::optional<IterKind> kind;
  bool mixed = false;
  for (const IterVar& iv : b->iter_vars) {
    bool uses = false;
    PreOrderVisit(iv.binding, [&](const PrimExpr& e) { uses |= e.get() == v; });
    if (!uses) continue;
    mixed |= kind && *kind != iv.kind;
    kind = iv.kind;
  }
  return mixed ? std::nullopt : kind;
}

// The number of leading loops of a block that run spatial variables.
size_t LeadingSpatialLoops(Schedule& sch, const BlockRV& block) {
  const BlockNode* b = BlockOf(sch, block);
  std::vector<LoopRV> loops = sch.GetLoops(block);
  size_t n = 0;
  while (n < loops.size() && LoopRuns(sch, b, loops[n]) == IterKind::kSpatial) ++n;
  return n;
}

// Whether some read of `b` has `vars` (iteration variables) as its last
// indices, in order, over whole trailing dimensions after the first of them:
// the reduction runs along contiguous memory.
bool ReadsContiguously(const BlockNode* b, const std::vector<const IterVar*>& vars) {
  const Buffer& out = b->writes[0].buffer;
  bool found = false;
  PreOrderVisit(b->body, [&](const PrimExpr& e) {
    const BufferLoadNode* load = e.as<BufferLoadNode>();
    if (found || !load || load->buffer.get() == out.get() || load->indices.size() < vars.size()) return;
    size_t base = load->indices.size() - vars.size();
    bool match = true;
    for (size_t i = 0; i < vars.size() && match; ++i) {
      match = load->indices[base + i].get() == vars[i]->var.get();
      if (match && i > 0) {
        std::optional<int64_t> dim = ConstIntValue(load->buffer->shape[base + i]);
        std::optional<int64_t> ext = ConstIntValue(vars[i]->dom.extent);
        match = dim && ext && *dim == *ext;
      }
    }
    found = match;
  });
  return found;
}

// Factors the trailing reduction loops of a stage into partial results over
// the vector lanes (see step 2); the rf block, or nullopt when it does not fit.
std::optional<BlockRV> VectorRFactor(Schedule& sch, const Stage& s, const CpuScheduleOptions& options) {
  const BlockNode* b = BlockOf(sch, s.block);
  if (b->writes.size() != 1) return std::nullopt;
  std::vector<LoopRV> loops = sch.GetLoops(s.block);
  std::vector<LoopRV> trailing;
  std::vector<const IterVar*> vars;
  for (size_t i = loops.size(); i-- > 0;) {
    const IterVar* iv = IterOfLoop(sch, b, loops[i]);
    if (!iv || iv->kind != IterKind::kReduce) break;
    trailing.insert(trailing.begin(), loops[i]);
    vars.insert(vars.begin(), iv);
  }
  // Fuse the trailing loops that read contiguously, innermost first.
  while (!vars.empty() && !ReadsContiguously(b, vars)) {
    vars.erase(vars.begin());
    trailing.erase(trailing.begin());
  }
  if (trailing.empty()) return std::nullopt;
  int64_t lanes = Lanes(options, OutputDType(b));
  std::optional<int64_t> extent = ConstIntValue(ExtentProduct(sch, trailing));
  if (lanes < 4 || !extent || *extent % lanes != 0 || *extent < 2 * lanes) return std::nullopt;
  int factor_axis = static_cast<int>(b->writes[0].buffer->shape.size());
  std::optional<BlockRV> rf;
  Try(sch, [&](Schedule& f) {
    LoopRV k = trailing.size() > 1 ? f.Fuse(trailing) : trailing[0];
    rf = f.RFactor(f.Split(k, {std::monostate{}, lanes})[1], factor_axis);
  });
  return rf;
}

// Moves `s` under `rows` unless that makes it compute more instances than it
// has (a region read by several rows).
bool MoveUnderRows(Schedule& sch, const Stage& s, const LoopRV& rows) {
  return Try(sch, [&](Schedule& f) {
    PrimExpr domain = DomainSize(BlockOf(f, s.block));
    f.ComputeAt(s.block, rows);
    PrimExpr iterations = ExtentProduct(f, f.GetLoops(s.block));
    arith::Analyzer ana;
    KILN_CHECK(ana.CanProve(iterations <= domain)) << "compute_at of '" << s.name << "' would recompute it";
  });
}

// The partial results of an rfactor: the lane loop innermost and vectorized,
// the init before the reduction loops (vectorized too); at the root, the
// spatial loops outside run in parallel when the work is large enough.
void ScheduleRFactor(Schedule& sch, const BlockRV& rf, bool at_root, const CpuScheduleOptions& options) {
  Try(sch, [&](Schedule& f) {
    const BlockNode* b = BlockOf(f, rf);
    std::vector<LoopRV> loops = f.GetLoops(rf);
    std::optional<LoopRV> lane;
    std::vector<LoopRV> reduce, spatial;
    for (const LoopRV& l : loops) {
      const IterVar* iv = IterOfLoop(f, b, l);
      if (iv == &b->iter_vars[0]) {
        lane = l;
      } else if (iv && iv->kind == IterKind::kReduce) {
        reduce.push_back(l);
      } else if (reduce.empty()) {
        spatial.push_back(l);
      }
    }
    KILN_CHECK(lane && !reduce.empty()) << "rfactor block '" << f.Get(rf) << "' has no lane or reduction loop";
    std::vector<LoopRV> order = reduce;
    order.push_back(*lane);
    f.Reorder(order);
    BlockRV init = f.DecomposeReduction(rf, reduce[0]);
    f.Vectorize(*lane);
    f.Vectorize(f.GetLoops(init).back());
    if (at_root && !spatial.empty()) {
      PrimExpr work = DomainSize(BlockOf(f, rf));
      LoopRV fused = spatial.size() > 1 ? f.Fuse(spatial) : spatial[0];
      if (MayReach(work, options.min_parallel_work)) f.Parallel(fused);
    }
  });
}

// A reduction left at the root: its leading spatial loops fused, in parallel
// when the work is large enough.
void ParallelSpatial(Schedule& sch, const BlockRV& block, const CpuScheduleOptions& options) {
  size_t n = LeadingSpatialLoops(sch, block);
  if (n == 0) return;
  PrimExpr work = DomainSize(BlockOf(sch, block));
  Try(sch, [&](Schedule& f) {
    std::vector<LoopRV> loops = f.GetLoops(block);
    loops.resize(n);
    LoopRV fused = n > 1 ? f.Fuse(loops) : loops[0];
    if (MayReach(work, options.min_parallel_work)) f.Parallel(fused);
  });
}

// Whether `index` is `v`, or `v` plus terms without it (ow + rw): a vector
// over v reads consecutive elements.
bool UnitStrideIn(const PrimExpr& index, const Var& v) {
  if (index.get() == v.get()) return true;
  const BinaryNode* add = index.as<BinaryNode>();
  if (!add || add->op != BinaryOp::kAdd) return false;
  auto uses = [&](const PrimExpr& e) {
    bool found = false;
    PreOrderVisit(e, [&](const PrimExpr& x) { found |= x.get() == v.get(); });
    return found;
  };
  return (add->a.get() == v.get() && !uses(add->b)) || (add->b.get() == v.get() && !uses(add->a));
}

// The innermost spatial loop of a reduction in te form (spatial loops, then
// reduction loops) when it runs along contiguous memory of a read and a
// vector width of 4 or more lanes divides its constant extent: its
// position and that width.
std::optional<std::pair<size_t, int64_t>> ContiguousSpatial(Schedule& sch, const BlockRV& block,
                                                            const CpuScheduleOptions& options) {
  const BlockNode* b = BlockOf(sch, block);
  std::vector<LoopRV> loops = sch.GetLoops(block);
  size_t n = LeadingSpatialLoops(sch, block);
  if (n == 0 || n == loops.size()) return std::nullopt;
  for (size_t i = n; i < loops.size(); ++i) {
    if (LoopRuns(sch, b, loops[i]) != IterKind::kReduce) return std::nullopt;
  }
  const IterVar* iv = IterOfLoop(sch, b, loops[n - 1]);
  if (!iv) return std::nullopt;
  bool contiguous = false;
  PreOrderVisit(b->body, [&](const PrimExpr& e) {
    const BufferLoadNode* load = e.as<BufferLoadNode>();
    if (load && load->buffer.get() != b->writes[0].buffer.get() && !load->indices.empty()) {
      contiguous |= UnitStrideIn(load->indices.back(), iv->var);
    }
  });
  std::optional<int64_t> extent = ConstExtent(sch, loops[n - 1]);
  if (!contiguous || !extent) return std::nullopt;
  int64_t lanes = Lanes(options, OutputDType(b));
  for (int64_t w : {lanes, lanes / 2, lanes / 4}) {
    if (w >= 4 && *extent % w == 0) return std::make_pair(n - 1, w);
  }
  return std::nullopt;
}

// A reduction vectorized over its innermost spatial loop (a column sum,
// pooling over channels-last data, a depthwise convolution along rows): that
// loop split for the vector width, the reduction loops moved inside its outer
// part, the init out of them. The spatial loops from `first` on are fused and
// run in parallel when `parallel` holds and the work is large enough.
bool VectorizeSpatialInner(Schedule& sch, const BlockRV& block, size_t first, bool parallel,
                           const CpuScheduleOptions& options) {
  std::optional<std::pair<size_t, int64_t>> at = ContiguousSpatial(sch, block, options);
  if (!at || at->first < first) return false;
  auto [pos, width] = *at;
  PrimExpr work = DomainSize(BlockOf(sch, block));
  return Try(sch, [&](Schedule& f) {
    std::vector<LoopRV> loops = f.GetLoops(block);
    std::vector<LoopRV> outer(loops.begin() + static_cast<std::ptrdiff_t>(first),
                              loops.begin() + static_cast<std::ptrdiff_t>(pos));
    std::vector<LoopRV> order(loops.begin() + static_cast<std::ptrdiff_t>(pos) + 1, loops.end());
    LoopRV lane = loops[pos];
    if (*ConstExtent(f, lane) > width) {
      std::vector<LoopRV> parts = f.Split(lane, {std::monostate{}, width});
      outer.push_back(parts[0]);
      lane = parts[1];
    }
    order.push_back(lane);
    f.Reorder(order);
    BlockRV init = f.DecomposeReduction(block, order[0]);
    f.Vectorize(lane);
    f.Vectorize(f.GetLoops(init).back());
    if (parallel && !outer.empty()) {
      LoopRV fused = outer.size() > 1 ? f.Fuse(outer) : outer[0];
      if (MayReach(work, options.min_parallel_work)) f.Parallel(fused);
    }
  });
}

}  // namespace

bool ScheduleReduction(Schedule& sch, const std::vector<Stage>& input, const CpuScheduleOptions& options) {
  if (std::none_of(input.begin(), input.end(), [](const Stage& s) { return s.reduction; })) return false;
  std::vector<Stage> stages;
  std::set<std::string> rf_stages, has_rf;
  for (const Stage& s : InlineStages(sch, input)) {
    if (s.reduction) {
      if (std::optional<BlockRV> rf = VectorRFactor(sch, s, options)) {
        stages.push_back(Stage{*rf, sch.Get(*rf), true, false});
        rf_stages.insert(stages.back().name);
        has_rf.insert(s.name);
      }
    }
    stages.push_back(s);
  }

  // The rows: the leading loops of the last stage that index what it reads.
  const Stage& last = stages.back();
  size_t r = kNone;
  for (size_t i = 0; i + 1 < stages.size(); ++i) {
    if (stages[i].output) continue;
    size_t p = RowPrefix(sch, last.block, BlockOf(sch, stages[i].block)->writes[0].buffer);
    if (p > 0) r = std::min(r, p);
  }
  if (last.reduction) {
    // Its spatial loops, but the one it may be vectorized along.
    size_t spatial = LeadingSpatialLoops(sch, last.block);
    bool along_spatial = !has_rf.count(last.name) && ContiguousSpatial(sch, last.block, options);
    r = std::min(r, along_spatial ? spatial - 1 : spatial);
  }
  if (r == kNone) r = 0;
  // Too few rows to share among threads: the stages stay apart, each in
  // parallel over its own loops.
  if (r > 0) {
    std::vector<LoopRV> loops = sch.GetLoops(last.block);
    std::optional<int64_t> n_rows = ConstIntValue(ExtentProduct(sch, {loops.begin(), loops.begin() + r}));
    if (n_rows && *n_rows < 4 && MayReach(DomainSize(BlockOf(sch, last.block)), options.min_parallel_work)) r = 0;
  }

  std::optional<LoopRV> rows;
  std::set<std::string> under;
  if (r > 0) {
    Try(sch, [&](Schedule& f) {
      std::vector<LoopRV> loops = f.GetLoops(last.block);
      loops.resize(r);
      rows = r > 1 ? f.Fuse(loops) : loops[0];
    });
  }
  if (rows) {
    under.insert(last.name);
    for (size_t i = stages.size() - 1; i-- > 0;) {
      if (!stages[i].output && MoveUnderRows(sch, stages[i], *rows)) under.insert(stages[i].name);
    }
  }

  PrimExpr work = PrimExpr(int64_t{0});
  arith::Analyzer ana;
  for (const Stage& s : stages) {
    bool moved = under.count(s.name) > 0;
    if (moved) work = ana.Simplify(max(work, DomainSize(BlockOf(sch, s.block))));
    if (rf_stages.count(s.name)) {
      ScheduleRFactor(sch, s.block, !moved, options);
    } else if (!s.reduction) {
      ScheduleSpatialLoops(sch, s.block, moved ? 1 : 0, !moved, options);
    } else if (has_rf.count(s.name)) {
      if (!moved) ParallelSpatial(sch, s.block, options);
    } else if (!VectorizeSpatialInner(sch, s.block, moved ? 1 : 0, !moved, options) && !moved) {
      ParallelSpatial(sch, s.block, options);
    }
  }
  if (rows && MayReach(work, options.min_parallel_work)) Try(sch, [&](Schedule& f) { f.Parallel(*rows); });
  return true;
}

}  // namespace kiln::tir::rules
