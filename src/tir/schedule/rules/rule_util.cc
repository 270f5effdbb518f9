// The helpers the default schedule rules share (see rule_util.h).
#include "rule_util.h"

#include <algorithm>

#include "../state.h"
#include "kiln/runtime/error.h"
#include "kiln/tir/arith/analyzer.h"
#include "kiln/tir/functor.h"
#include "kiln/tir/structural_equal.h"

namespace kiln::tir::rules {
namespace {

// A serial innermost loop stays out of a nest's parallel loop when the loops
// outside it run at least this many iterations to share among threads.
constexpr int64_t kMinParallelIterations = 64;

PrimFunc MainOf(const Schedule& sch) {
  return PrimFunc(sch.mod()["main"].As<PrimFuncNode>());
}

bool HasReduceIter(const BlockNode* b) {
  return std::any_of(b->iter_vars.begin(), b->iter_vars.end(),
                     [](const IterVar& iv) { return iv.kind == IterKind::kReduce; });
}

bool WritesParam(const PrimFunc& f, const BlockNode* b) {
  for (const BufferRegion& w : b->writes) {
    for (const auto& [param, buffer] : f->buffer_map) {
      if (buffer.get() == w.buffer.get()) return true;
    }
  }
  return false;
}

// Whether every load of `buffer` in `s` reads the same indices.
bool ReadsAtOnePoint(const Stmt& s, const Buffer& buffer) {
  std::optional<std::vector<PrimExpr>> point;
  bool one = true;
  if (!s) return true;
  PreOrderVisit(s, [&](const PrimExpr& e) {
    const BufferLoadNode* load = e.as<BufferLoadNode>();
    if (!load || load->buffer.get() != buffer.get() || !one) return;
    if (!point) {
      point = load->indices;
      return;
    }
    for (size_t i = 0; i < load->indices.size(); ++i) one &= StructuralEqual(load->indices[i], (*point)[i]);
  });
  return one;
}

}  // namespace

std::optional<std::vector<Stage>> FindStages(Schedule& sch) {
  PrimFunc f = MainOf(sch);
  const BlockNode* root = f->body.as<BlockNode>();
  if (!root) return std::nullopt;
  std::vector<Stage> stages;
  for (const BlockRV& rv : sch.GetChildBlocks(sch.GetBlock(root->name))) {
    const BlockNode* b = BlockOf(sch, rv);
    if (!schedule::ChildBlocks(sch.GetStmt(rv)).empty() || b->writes.empty()) return std::nullopt;
    stages.push_back(Stage{rv, b->name, HasReduceIter(b), WritesParam(f, b)});
  }
  if (stages.empty()) return std::nullopt;
  return stages;
}

const BlockNode* BlockOf(const Schedule& sch, const BlockRV& block) {
  const BlockNode* b = sch.GetStmt(block).as<BlockNode>();
  KILN_ICHECK(b) << "handle " << block.id << " does not name a block";
  return b;
}

const ForNode* LoopOf(const Schedule& sch, const LoopRV& loop) {
  const ForNode* l = sch.GetStmt(loop).as<ForNode>();
  KILN_ICHECK(l) << "handle " << loop.id << " does not name a loop";
  return l;
}

std::optional<int64_t> ConstExtent(const Schedule& sch, const LoopRV& loop) {
  return ConstIntValue(LoopOf(sch, loop)->extent);
}

PrimExpr ExtentProduct(const Schedule& sch, const std::vector<LoopRV>& loops) {
  PrimExpr p = PrimExpr(int64_t{1});
  for (const LoopRV& l : loops) p = p * LoopOf(sch, l)->extent;
  arith::Analyzer ana;
  return ana.Simplify(p);
}

PrimExpr DomainSize(const BlockNode* block) {
  PrimExpr p = PrimExpr(int64_t{1});
  for (const IterVar& iv : block->iter_vars) p = p * iv.dom.extent;
  arith::Analyzer ana;
  return ana.Simplify(p);
}

bool MayReach(const PrimExpr& work, int64_t threshold) {
  std::optional<int64_t> c = ConstIntValue(work);
  return !c || *c >= threshold;
}

int64_t LargestDivisor(int64_t n, int64_t cap) {
  for (int64_t d = std::min(n, cap); d > 1; --d) {
    if (n % d == 0) return d;
  }
  return 1;
}

int64_t Lanes(const CpuScheduleOptions& options, DataType dtype) {
  int64_t bytes = std::max<int64_t>(1, dtype.bytes());
  return std::clamp<int64_t>(options.vector_bytes / bytes, 1, 64);
}

DataType OutputDType(const BlockNode* block) {
  return block->writes[0].buffer->dtype;
}

std::optional<size_t> LoopOfIter(const Schedule& sch, const std::vector<LoopRV>& loops, const IterVar& iv) {
  const VarNode* v = iv.binding.as<VarNode>();
  if (!v) return std::nullopt;
  for (size_t i = 0; i < loops.size(); ++i) {
    if (LoopOf(sch, loops[i])->loop_var.get() == v) return i;
  }
  return std::nullopt;
}

std::optional<size_t> IterIndex(const BlockNode* block, const PrimExpr& e) {
  const VarNode* v = e.as<VarNode>();
  if (!v) return std::nullopt;
  for (size_t i = 0; i < block->iter_vars.size(); ++i) {
    if (block->iter_vars[i].var.get() == v) return i;
  }
  return std::nullopt;
}

bool Try(Schedule& sch, const std::function<void(Schedule&)>& step) {
  Schedule fork = sch.Copy();
  try {
    step(fork);
  } catch (const Error&) {
    return false;
  }
  sch = std::move(fork);
  return true;
}

void ScheduleSpatialLoops(Schedule& sch, const BlockRV& block, size_t first, bool parallel,
                          const CpuScheduleOptions& options) {
  std::vector<LoopRV> all = sch.GetLoops(block);
  if (all.size() <= first) return;
  auto from_first = [&](const std::vector<LoopRV>& loops) {
    return std::vector<LoopRV>(loops.begin() + static_cast<std::ptrdiff_t>(first), loops.end());
  };
  PrimExpr work = ExtentProduct(sch, from_first(all));
  LoopRV inner = all.back();
  int64_t lanes = Lanes(options, OutputDType(BlockOf(sch, block)));
  std::optional<int64_t> extent = ConstExtent(sch, inner);
  int64_t width = 0;
  for (int64_t w : {lanes, lanes / 2, lanes / 4}) {
    if (w >= 4 && extent && *extent % w == 0) {
      width = w;
      break;
    }
  }
  bool vectorized = width > 0 && Try(sch, [&](Schedule& s) {
                      if (*extent == width) return s.Vectorize(inner);
                      s.Vectorize(s.Split(inner, {std::monostate{}, width})[1]);
                    });
  std::vector<LoopRV> outer = from_first(sch.GetLoops(block));
  // The innermost loop stays out of the fused loop when it is a vector loop,
  // or a serial one while the loops outside it leave enough iterations to
  // share among threads (no division per element; LLVM may vectorize it).
  if (vectorized ||
      (outer.size() > 1 && MayReach(ExtentProduct(sch, {outer.begin(), outer.end() - 1}), kMinParallelIterations))) {
    outer.pop_back();
  }
  if (outer.empty()) return;
  Try(sch, [&](Schedule& s) {
    LoopRV fused = outer.size() > 1 ? s.Fuse(outer) : outer[0];
    if (parallel && MayReach(work, options.min_parallel_work)) s.Parallel(fused);
  });
}

namespace {
// Whether `body` calls an intrinsic (exp, log, tanh, ...): work that costs
// more than a load to repeat.
bool CallsIntrinsic(const Stmt& body) {
  bool found = false;
  PreOrderVisit(body, [&](const PrimExpr& e) { found |= e.as<CallNode>() != nullptr; });
  return found;
}
}  // namespace

std::vector<Stage> InlineStages(Schedule& sch, const std::vector<Stage>& stages) {
  std::vector<Stage> kept;
  for (const Stage& s : stages) {
    if (s.output || s.reduction) {
      kept.push_back(s);
      continue;
    }
    const BlockNode* b = BlockOf(sch, s.block);
    const Buffer out = b->writes[0].buffer;
    std::vector<BlockRV> consumers = sch.GetConsumers(s.block);
    if (consumers.size() > 1 && CallsIntrinsic(b->body)) {
      kept.push_back(s);
      continue;
    }
    bool one_point = true;
    for (const BlockRV& c : consumers) {
      const BlockNode* cb = BlockOf(sch, c);
      one_point &= ReadsAtOnePoint(cb->body, out) && ReadsAtOnePoint(cb->init, out);
    }
    if (!one_point || !Try(sch, [&](Schedule& f) { f.ComputeInline(s.block); })) kept.push_back(s);
  }
  return kept;
}

}  // namespace kiln::tir::rules
