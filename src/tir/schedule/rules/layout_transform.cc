// The layout transform rule: a function of one spatial stage that copies
// its input, out[...] = in[...], where the output's innermost index and the
// input's innermost index are different loop variables: a transpose, such
// as layout_transform NCHW16c -> NCHW (in[n, c / 16, h, w, c % 16]) or
// NCHW -> NCHW16c (in[n, cb * 16 + ci, h, w]), or permute_dims moving the
// last axis. The injective rule would run the output's innermost loop in
// vectors and visit each cache line of the input once per lane, far apart
// in time; this rule walks the copy in square tiles instead:
//
//   v_out: the output's innermost loop variable, v_in: the loop variable of
//   the input's innermost index
//   split v_out by To and v_in by Ti (divisors of their extents, at most
//     the vector lanes)
//   order (the other loops, v_in0 and v_out0 in place, v_in1, v_out1),
//     vectorize v_out1, unroll v_in1: a tile of Ti x To elements reads
//     Ti x To / lanes whole cache lines of the input and writes Ti vectors
//   parallel over the fused outer loops
#include "kiln/tir/functor.h"
#include "rule_util.h"

namespace kiln::tir::rules {

bool ScheduleLayoutTransform(Schedule& sch, const std::vector<Stage>& stages, const CpuScheduleOptions& options) {
  if (stages.size() != 1 || stages[0].reduction) return false;
  const BlockNode* b = BlockOf(sch, stages[0].block);
  const BufferStoreNode* store = b->body.as<BufferStoreNode>();
  const BufferLoadNode* load = store ? store->value.as<BufferLoadNode>() : nullptr;
  if (!load || load->buffer.get() == store->buffer.get() || store->indices.empty() || load->indices.empty()) {
    return false;
  }
  std::optional<size_t> v_out = IterIndex(b, store->indices.back());
  if (!v_out) return false;
  // The one iteration variable the input's innermost index reads.
  std::optional<size_t> v_in;
  for (size_t v = 0; v < b->iter_vars.size(); ++v) {
    bool used = false;
    PreOrderVisit(load->indices.back(), [&](const PrimExpr& e) { used |= e.get() == b->iter_vars[v].var.get(); });
    if (!used) continue;
    if (v_in) return false;
    v_in = v;
  }
  if (!v_in || *v_in == *v_out) return false;
  std::vector<LoopRV> loops = sch.GetLoops(stages[0].block);
  std::optional<size_t> p_out = LoopOfIter(sch, loops, b->iter_vars[*v_out]);
  std::optional<size_t> p_in = LoopOfIter(sch, loops, b->iter_vars[*v_in]);
  if (!p_out || !p_in || *p_out != loops.size() - 1) return false;
  std::optional<int64_t> n_out = ConstExtent(sch, loops[*p_out]);
  std::optional<int64_t> n_in = ConstExtent(sch, loops[*p_in]);
  int64_t lanes = Lanes(options, OutputDType(b));
  if (!n_out || !n_in || lanes < 4) return false;
  int64_t t_out = LargestDivisor(*n_out, lanes), t_in = LargestDivisor(*n_in, lanes);
  if (t_out < 4 || t_in < 4) return false;
  PrimExpr work = DomainSize(b);
  // From here on the schedule changes and `b` is stale.

  std::vector<LoopRV> outs = sch.Split(loops[*p_out], {std::monostate{}, t_out});
  std::vector<LoopRV> ins = sch.Split(loops[*p_in], {std::monostate{}, t_in});
  std::vector<LoopRV> outer;
  for (size_t p = 0; p < loops.size(); ++p) {
    outer.push_back(p == *p_out ? outs[0] : p == *p_in ? ins[0] : loops[p]);
  }
  std::vector<LoopRV> order = outer;
  order.push_back(ins[1]);
  order.push_back(outs[1]);
  sch.Reorder(order);
  sch.Vectorize(outs[1]);
  sch.Unroll(ins[1]);
  Try(sch, [&](Schedule& f) {
    LoopRV fused = outer.size() > 1 ? f.Fuse(outer) : outer[0];
    if (MayReach(work, options.min_parallel_work)) f.Parallel(fused);
  });
  return true;
}

}  // namespace kiln::tir::rules
