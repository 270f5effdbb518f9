// The blocked conv rule: a product-sum whose weight is read by bare
// variables, two of them spatial (the output-channel block ob and the
// channel within it oi), and whose data is read through window indices, with
// oi the last index of both the output and the weight: conv2d in NCHW<o>c
// with an OIHW<c>i<o>o kernel (relax.conv2d with blocked layouts). The
// weight is already packed, so unlike the conv rule nothing is copied.
//
//   split ow by OWB (the register tile)
//   order (n, ob, oh, ow0, cb, kh, kw, ci, ow1, oi)
//   vectorize oi (1 or 2 vectors), unroll ow1: per reduction step OWB
//     broadcasts of the data, oi / lanes loads of the weight and
//     OWB * oi / lanes FMAs
//   accumulate the OWB x oi tile in registers (cache_write "local",
//     reverse_compute_at ow0, decompose_reduction), elementwise epilogues
//     (bias, activation, residual add) folded into the write-back
//   parallel over the fused (n, ob, oh) loops
//
// A blocked depthwise conv (NCHW<b>c data read at the output's own channel
// oi, as its last index; OIHW1i<b>o kernel) takes the same schedule: its
// data loads are vectors along oi instead of broadcasts, and cb and ci are
// reductions of extent 1.
//
// Padding (a "pad" stage) stays a stage of its own at the root, vectorized
// and parallel like any injective nest.
#include "product_sum.h"

namespace kiln::tir::rules {
namespace {

// The loops of the pattern, by position among the anchor's loops.
struct BlockedConvLoops {
  std::vector<size_t> outer;  // spatial loops other than ow and oi (n, ob, oh)
  size_t ow = 0, oi = 0;
  std::vector<size_t> reduce;
};

std::optional<BlockedConvLoops> MatchLoops(const BlockNode* b, const std::vector<size_t>& iter_of,
                                           const ProductOperand& data, const ProductOperand& weight) {
  const BufferStoreNode* store = b->body.as<BufferStoreNode>();
  std::optional<size_t> oi_iter = IterIndex(b, store->indices.back());
  if (!oi_iter || weight.indices.back().get() != store->indices.back().get()) return std::nullopt;
  std::vector<bool> ud = UsedIters(b, data.indices), uw = UsedIters(b, weight.indices);
  BlockedConvLoops m;
  std::optional<size_t> oi, ow;
  size_t weight_spatial = 0;
  for (size_t p = 0; p < iter_of.size(); ++p) {
    size_t v = iter_of[p];
    if (b->iter_vars[v].kind == IterKind::kReduce) {
      m.reduce.push_back(p);
      continue;
    }
    if (!m.reduce.empty()) return std::nullopt;
    if (uw[v]) ++weight_spatial;
    if (v == *oi_iter) {
      oi = p;
    } else {
      if (ud[v] && !uw[v]) ow = p;
      m.outer.push_back(p);
    }
  }
  if (!oi || !ow || *oi != iter_of.size() - m.reduce.size() - 1 || weight_spatial != 2) return std::nullopt;
  if (ud[*oi_iter]) {
    // Depthwise: oi is data's last index, bare, and no other index reads it.
    if (data.indices.back().get() != store->indices.back().get()) return std::nullopt;
    std::vector<PrimExpr> others(data.indices.begin(), data.indices.end() - 1);
    if (UsedIters(b, others)[*oi_iter]) return std::nullopt;
  }
  m.oi = *oi;
  m.ow = *ow;
  m.outer.erase(std::find(m.outer.begin(), m.outer.end(), *ow));
  return m;
}

}  // namespace

bool ScheduleConvBlocked(Schedule& sch, const std::vector<Stage>& stages, const CpuScheduleOptions& options) {
  std::optional<ProductSum> ps = FindProductSum(sch, stages);
  if (!ps) return false;
  const Stage& anchor = stages[ps->stage];
  const BlockNode* b = BlockOf(sch, anchor.block);
  bool x_is_data = !AllBare(b, ps->x.indices) && AllBare(b, ps->y.indices);
  bool y_is_data = !AllBare(b, ps->y.indices) && AllBare(b, ps->x.indices);
  if (x_is_data == y_is_data) return false;
  const ProductOperand& data = x_is_data ? ps->x : ps->y;
  const ProductOperand& weight = x_is_data ? ps->y : ps->x;
  std::vector<LoopRV> loops = sch.GetLoops(anchor.block);
  std::optional<std::vector<size_t>> iter_of = IterOfEachLoop(sch, b, loops);
  if (!iter_of) return false;
  std::optional<BlockedConvLoops> m = MatchLoops(b, *iter_of, data, weight);
  if (!m) return false;

  std::optional<int64_t> n_oi = ConstExtent(sch, loops[m->oi]);
  std::optional<int64_t> n_ow = ConstExtent(sch, loops[m->ow]);
  int64_t lanes = Lanes(options, OutputDType(b));
  if (!n_oi || lanes < 4 || *n_oi < 4 || *n_oi > 2 * lanes) return false;
  int64_t vectors = (*n_oi + lanes - 1) / lanes;
  int64_t cap = std::max<int64_t>(1, options.accumulator_registers / vectors);
  int64_t owb = n_ow ? LargestDivisor(*n_ow, cap) : std::min<int64_t>(cap, 8);
  if (n_ow && owb < 4 && *n_ow > cap) owb = std::min<int64_t>(cap, 8);
  PrimExpr work = DomainSize(b);
  size_t out_dim = BlockOf(sch, anchor.block)->writes[0].buffer->shape.size() - 1;
  // From here on the schedule changes and `b` is stale.

  std::vector<LoopRV> ows = sch.Split(loops[m->ow], {std::monostate{}, owb});
  std::vector<LoopRV> outer;
  for (size_t s : m->outer) outer.push_back(loops[s]);
  std::vector<LoopRV> order = outer;
  order.push_back(ows[0]);
  for (size_t r : m->reduce) order.push_back(loops[r]);
  order.push_back(ows[1]);
  order.push_back(loops[m->oi]);
  sch.Reorder(order);
  sch.Vectorize(loops[m->oi]);
  sch.Unroll(ows[1]);
  std::vector<Stage> rest = AccumulateInRegisters(sch, stages, ps->stage, ows[0], loops[m->reduce.front()], out_dim);

  Try(sch, [&](Schedule& f) {
    LoopRV fused = outer.size() > 1 ? f.Fuse(outer) : outer[0];
    if (MayReach(work, options.min_parallel_work * kMultiplyAddsPerElement)) f.Parallel(fused);
  });
  std::vector<Stage> around(stages.begin(), stages.begin() + static_cast<std::ptrdiff_t>(ps->stage));
  around.insert(around.end(), rest.begin(), rest.end());
  ScheduleRest(sch, around, options);
  return true;
}

}  // namespace kiln::tir::rules
