// The conv rule: a product-sum of a data operand read through window
// indices (oh * s + rh) and a weight read by one spatial variable, the output
// channel, that the data does not read, and by reduction variables
// (conv1d/2d/3d in NCHW or NHWC layouts, conv_transpose with its flipped
// kernel; not grouped convolutions, whose data index also depends on the
// output channel).
//
//   split oc by OCB (1 or 2 vectors) and ow by OWB (the register tile)
//   order (n, oh, ..., oc0, ow0, rc, rh, rw, ow1, oc1)
//   vectorize oc1, unroll ow1: per reduction step OWB broadcasts of the
//     data, OCB / lanes loads of the weight and OWB * OCB / lanes FMAs
//   pack the weight so OCB output channels are contiguous
//     ((oc // OCB, ..., oc % OCB), cache_read + transform_layout, at the
//     root, parallel)
//   accumulate the OWB x OCB tile in registers (cache_write "local" with oc
//     innermost, reverse_compute_at ow0, decompose_reduction), the
//     epilogue folded into the write-back
//   parallel over the fused (n, oh, ..., oc0) loops
//
// Padding (a "pad" stage) stays a stage of its own at the root, vectorized
// and parallel like any injective nest.
#include "kiln/tir/schedule/index_map.h"
#include "product_sum.h"

namespace kiln::tir::rules {
namespace {

}  // namespace

bool ScheduleConv(Schedule& sch, const std::vector<Stage>& stages, const CpuScheduleOptions& options) {
  std::optional<ProductSum> ps = FindProductSum(sch, stages);
  if (!ps) return false;
  const Stage& anchor = stages[ps->stage];
  const BlockNode* b = BlockOf(sch, anchor.block);
  // The data is read through a window index; the weight is read by one
  // spatial variable (oc) and reduction variables only.
  auto spatial_uses = [&](const ProductOperand& o) {
    std::vector<bool> used = UsedIters(b, o.indices);
    size_t n = 0;
    for (size_t v = 0; v < used.size(); ++v) n += used[v] && b->iter_vars[v].kind == IterKind::kSpatial;
    return n;
  };
  bool x_is_data = !AllBare(b, ps->x.indices) && spatial_uses(ps->y) == 1;
  bool y_is_data = !AllBare(b, ps->y.indices) && spatial_uses(ps->x) == 1;
  if (x_is_data == y_is_data) return false;
  const ProductOperand& data = x_is_data ? ps->x : ps->y;
  const ProductOperand& weight = x_is_data ? ps->y : ps->x;
  std::vector<LoopRV> loops = sch.GetLoops(anchor.block);
  std::optional<std::vector<size_t>> iter_of_loop = IterOfEachLoop(sch, b, loops);
  if (!iter_of_loop) return false;
  const std::vector<size_t>& iter_of = *iter_of_loop;
  std::vector<bool> ud = UsedIters(b, data.indices), uw = UsedIters(b, weight.indices);
  std::optional<size_t> oc, ow;
  std::vector<size_t> spatial, reduce;
  for (size_t p = 0; p < loops.size(); ++p) {
    size_t v = iter_of[p];
    if (b->iter_vars[v].kind == IterKind::kReduce) {
      reduce.push_back(p);
      continue;
    }
    if (!reduce.empty()) return false;
    spatial.push_back(p);
    if (uw[v] && !ud[v] && !oc) oc = p;
  }
  if (!oc || reduce.empty()) return false;
  for (size_t s : spatial) {
    if (s != *oc && ud[iter_of[s]] && !uw[iter_of[s]]) ow = s;
  }
  if (!ow) return false;
  const Var oc_var = b->iter_vars[iter_of[*oc]].var;
  // The weight's and the output's dimensions indexed by oc.
  size_t w_ndim = weight.indices.size(), wd = 0;
  while (wd < w_ndim && weight.indices[wd].get() != oc_var.get()) ++wd;
  const BufferStoreNode* store = b->body.as<BufferStoreNode>();
  size_t out_dim = 0;
  while (out_dim < store->indices.size() && store->indices[out_dim].get() != oc_var.get()) ++out_dim;
  if (wd == w_ndim || out_dim == store->indices.size()) return false;

  std::optional<int64_t> n_oc = ConstExtent(sch, loops[*oc]);
  std::optional<int64_t> n_ow = ConstExtent(sch, loops[*ow]);
  int64_t lanes = Lanes(options, OutputDType(b));
  if (!n_oc || lanes < 4) return false;
  int64_t ocb = 0;
  for (int64_t w : {2 * lanes, lanes, lanes / 2}) {
    if (w >= 4 && *n_oc % w == 0) {
      ocb = w;
      break;
    }
  }
  if (ocb == 0) return false;
  int64_t cap = std::max<int64_t>(1, options.accumulator_registers / std::max<int64_t>(1, ocb / lanes));
  int64_t owb = n_ow ? LargestDivisor(*n_ow, cap) : std::min<int64_t>(cap, 8);
  if (n_ow && owb < 4 && *n_ow > cap) owb = std::min<int64_t>(cap, 8);
  PrimExpr work = DomainSize(b);
  // From here on the schedule changes and `b` is stale.

  std::vector<LoopRV> ocs = sch.Split(loops[*oc], {std::monostate{}, ocb});
  std::vector<LoopRV> ows = sch.Split(loops[*ow], {std::monostate{}, owb});
  std::vector<LoopRV> outer;
  for (size_t s : spatial) {
    if (s != *oc && s != *ow) outer.push_back(loops[s]);
  }
  std::vector<LoopRV> order = outer;
  order.push_back(ocs[0]);
  order.push_back(ows[0]);
  for (size_t r : reduce) order.push_back(loops[r]);
  order.push_back(ows[1]);
  order.push_back(ocs[1]);
  sch.Reorder(order);
  sch.Vectorize(ocs[1]);
  sch.Unroll(ows[1]);

  BlockRV packed = sch.CacheRead(anchor.block, weight.read_index, "global");
  sch.TransformLayout(packed, 0, true, IndexMap::FromFunc(w_ndim, [&](const std::vector<Var>& v) {
                        std::vector<PrimExpr> out{floordiv(v[wd], PrimExpr(ocb))};
                        for (size_t d = 0; d < w_ndim; ++d) {
                          if (d != wd) out.push_back(v[d]);
                        }
                        out.push_back(floormod(v[wd], PrimExpr(ocb)));
                        return out;
                      }));
  std::vector<Stage> rest = AccumulateInRegisters(sch, stages, ps->stage, ows[0], loops[reduce.front()], out_dim);

  outer.push_back(ocs[0]);
  Try(sch, [&](Schedule& f) {
    LoopRV fused = outer.size() > 1 ? f.Fuse(outer) : outer[0];
    if (MayReach(work, options.min_parallel_work * kMultiplyAddsPerElement)) f.Parallel(fused);
  });
  std::vector<Stage> around(stages.begin(), stages.begin() + static_cast<std::ptrdiff_t>(ps->stage));
  around.push_back(Stage{packed, sch.Get(packed), false, false});
  around.insert(around.end(), rest.begin(), rest.end());
  ScheduleRest(sch, around, options);
  return true;
}

}  // namespace kiln::tir::rules
