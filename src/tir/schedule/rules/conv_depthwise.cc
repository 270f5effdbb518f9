// The depthwise conv rule: a product-sum of a data operand read through
// window indices and a weight read by one spatial variable, the output
// channel c, which the data reads too (its channel index is c plus a
// reduction variable of extent 1: each output channel reads one input
// channel). This is conv2d (or conv1d/3d) with groups equal to the channel
// count, in any plain layout, which the conv rule refuses (its data must
// not read the output channel).
//
//   the innermost spatial loop (ow in NCHW, c in NHWC) is the vector axis:
//   split it by T, the register tile (up to 4 vectors, a divisor of its
//     extent, so no tail)
//   order (n, c, oh, ..., x0, reduction loops, x1), vectorize x1: per
//     window tap T / lanes vector loads of the data (strided when the conv
//     is) and one broadcast weight
//   accumulate the tile in registers (cache_write "local",
//     reverse_compute_at x0, decompose_reduction), elementwise epilogues
//     (batch norm, clip, residual add) folded into the write-back
//   parallel over the fused outer spatial loops
//
// Padding (a "pad" stage) stays a stage of its own at the root, vectorized
// and parallel like any injective nest, so the window loads carry no bounds
// checks.
#include "product_sum.h"

namespace kiln::tir::rules {

bool ScheduleConvDepthwise(Schedule& sch, const std::vector<Stage>& stages, const CpuScheduleOptions& options) {
  std::optional<ProductSum> ps = FindProductSum(sch, stages);
  if (!ps) return false;
  const Stage& anchor = stages[ps->stage];
  const BlockNode* b = BlockOf(sch, anchor.block);
  auto spatial_used = [&](const ProductOperand& o) {
    std::vector<bool> used = UsedIters(b, o.indices);
    std::vector<size_t> out;
    for (size_t v = 0; v < used.size(); ++v) {
      if (used[v] && b->iter_vars[v].kind == IterKind::kSpatial) out.push_back(v);
    }
    return out;
  };
  // The weight reads one spatial variable (c) and reduction variables; the
  // data reads through windows (not all bare) and reads c as well.
  std::vector<size_t> sx = spatial_used(ps->x), sy = spatial_used(ps->y);
  bool x_is_data = !AllBare(b, ps->x.indices) && sy.size() == 1;
  bool y_is_data = !AllBare(b, ps->y.indices) && sx.size() == 1;
  if (x_is_data == y_is_data) return false;
  const ProductOperand& data = x_is_data ? ps->x : ps->y;
  size_t c_iter = x_is_data ? sy[0] : sx[0];
  std::vector<bool> ud = UsedIters(b, data.indices);
  if (!ud[c_iter]) return false;
  std::vector<LoopRV> loops = sch.GetLoops(anchor.block);
  std::optional<std::vector<size_t>> iter_of_loop = IterOfEachLoop(sch, b, loops);
  if (!iter_of_loop) return false;
  const std::vector<size_t>& iter_of = *iter_of_loop;
  std::vector<size_t> spatial, reduce;
  bool channel_reduce = false;  // a reduction over input channels of more than one channel
  for (size_t p = 0; p < loops.size(); ++p) {
    size_t v = iter_of[p];
    if (b->iter_vars[v].kind == IterKind::kReduce) {
      reduce.push_back(p);
      continue;
    }
    if (!reduce.empty()) return false;
    spatial.push_back(p);
  }
  if (reduce.empty() || spatial.size() < 2) return false;
  // The data's channel index: the one index that reads c. Any other variable
  // it reads must be a reduction of extent 1.
  for (const PrimExpr& index : data.indices) {
    std::vector<bool> used = UsedIters(b, {index});
    if (!used[c_iter]) continue;
    for (size_t v = 0; v < used.size(); ++v) {
      if (!used[v] || v == c_iter) continue;
      std::optional<int64_t> extent = ConstIntValue(b->iter_vars[v].dom.extent);
      if (b->iter_vars[v].kind != IterKind::kReduce || !extent || *extent != 1) channel_reduce = true;
    }
  }
  if (channel_reduce) return false;
  size_t inner = spatial.back();
  const Var inner_var = b->iter_vars[iter_of[inner]].var;
  const BufferStoreNode* store = b->body.as<BufferStoreNode>();
  if (store->indices.empty() || store->indices.back().get() != inner_var.get()) return false;
  size_t out_dim = store->indices.size() - 1;

  std::optional<int64_t> n_inner = ConstExtent(sch, loops[inner]);
  int64_t lanes = Lanes(options, OutputDType(b));
  if (!n_inner || lanes < 4 || *n_inner < 4) return false;
  int64_t tile = LargestDivisor(*n_inner, 4 * lanes);
  if (tile < 4) return false;
  PrimExpr work = DomainSize(b);
  // From here on the schedule changes and `b` is stale.

  std::vector<LoopRV> xs = sch.Split(loops[inner], {std::monostate{}, tile});
  std::vector<LoopRV> outer;
  for (size_t s : spatial) {
    if (s != inner) outer.push_back(loops[s]);
  }
  std::vector<LoopRV> order = outer;
  order.push_back(xs[0]);
  for (size_t r : reduce) order.push_back(loops[r]);
  order.push_back(xs[1]);
  sch.Reorder(order);
  sch.Vectorize(xs[1]);
  std::vector<Stage> rest = AccumulateInRegisters(sch, stages, ps->stage, xs[0], loops[reduce.front()], out_dim);

  Try(sch, [&](Schedule& f) {
    LoopRV fused = outer.size() > 1 ? f.Fuse(outer) : outer[0];
    if (MayReach(work, options.min_parallel_work * 4)) f.Parallel(fused);
  });
  std::vector<Stage> around(stages.begin(), stages.begin() + static_cast<std::ptrdiff_t>(ps->stage));
  around.insert(around.end(), rest.begin(), rest.end());
  ScheduleRest(sch, around, options);
  return true;
}

}  // namespace kiln::tir::rules
