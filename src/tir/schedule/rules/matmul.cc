// The matmul rule: a product-sum whose operands are indexed by bare
// iteration variables (matmul, batch matmul, linear, einsum contractions),
// scheduled as in the How-To "Optimize GEMM on CPU":
//
//   split i by MR and j by NR; order (batch..., j0, i0, k..., i1, j1)
//   vectorize j1 (NR / lanes vectors), unroll i1 (MR rows)
//   pack B's K x NR panel under j0 (cache_read + compute_at; a B stored
//     [.., n, k], as linear's weight, is packed transposed: transform_layout)
//   accumulate the MR x NR tile in registers (cache_write "local",
//     reverse_compute_at i0, decompose_reduction) with the elementwise
//     epilogue (bias, activation) folded into the tile's write-back
//   parallel over the fused batch and column-panel loops
//
// MR is the largest divisor of M up to 8 (8 with a guarded tail when that
// divisor is small or M is symbolic), NR the widest multiple of the lanes
// dividing N that keeps the tile within the accumulator registers. A B
// stored [.., n, k] with too few rows to pay for packing (a GEMV) is left
// to the reduction rule, which vectorizes the dot products over k.
#include "kiln/tir/schedule/index_map.h"
#include "product_sum.h"

namespace kiln::tir::rules {
namespace {

struct Tiling {
  int64_t mr = 1, nr = 16;
  bool pack = false;
};

Tiling ChooseTiling(std::optional<int64_t> m, bool has_i, int64_t n, bool transposed_b, int64_t lanes,
                    const CpuScheduleOptions& options) {
  Tiling t;
  if (has_i) {
    t.mr = 8;
    if (m) {
      for (int64_t d = 8; d >= 1; --d) {
        if (*m % d == 0) {
          t.mr = d;
          break;
        }
      }
      if (t.mr < 4 && *m > 8) t.mr = 8;
    }
  }
  int64_t budget = t.mr == 1 ? options.accumulator_registers / 2 : options.accumulator_registers;
  t.nr = 0;
  for (int64_t vectors : {8, 4, 2, 1}) {
    if (t.mr * vectors <= budget && n % (vectors * lanes) == 0) {
      t.nr = vectors * lanes;
      break;
    }
  }
  if (t.nr == 0) t.nr = n < lanes ? n : lanes;
  int64_t row_tiles = m ? (*m + t.mr - 1) / t.mr : 1 << 20;
  t.pack = transposed_b ? row_tiles >= 2 : row_tiles >= 8;
  return t;
}

}  // namespace

bool ScheduleMatmul(Schedule& sch, const std::vector<Stage>& stages, const CpuScheduleOptions& options) {
  std::optional<ProductSum> ps = FindProductSum(sch, stages);
  if (!ps) return false;
  const Stage& anchor = stages[ps->stage];
  const BlockNode* b = BlockOf(sch, anchor.block);
  if (!AllBare(b, ps->x.indices) || !AllBare(b, ps->y.indices)) return false;
  std::vector<LoopRV> loops = sch.GetLoops(anchor.block);
  std::optional<std::vector<size_t>> iter_of = IterOfEachLoop(sch, b, loops);
  if (!iter_of) return false;

  // By loop position: the kind of each loop and which operands read it.
  size_t n_loops = loops.size();
  std::vector<bool> ux = UsedIters(b, ps->x.indices), uy = UsedIters(b, ps->y.indices);
  auto used = [&](const std::vector<bool>& u, size_t pos) { return u[(*iter_of)[pos]]; };
  auto iter_at = [&](size_t pos) -> const IterVar& { return b->iter_vars[(*iter_of)[pos]]; };
  std::vector<size_t> spatial, reduce;
  for (size_t p = 0; p < n_loops; ++p) (iter_at(p).kind == IterKind::kSpatial ? spatial : reduce).push_back(p);
  if (spatial.empty() || reduce.empty() || reduce.front() < spatial.back()) return false;

  // j: the innermost spatial loop, read by one operand (B); i: the innermost
  // other spatial loop read by the other operand (A) only.
  size_t j = spatial.back();
  if (used(ux, j) == used(uy, j)) return false;
  bool x_is_b = used(ux, j);
  const ProductOperand& opb = x_is_b ? ps->x : ps->y;
  const std::vector<bool>& ua = x_is_b ? uy : ux;
  const std::vector<bool>& ub = x_is_b ? ux : uy;
  std::optional<size_t> i;
  for (size_t s = spatial.size() - 1; s-- > 0;) {
    if (used(ua, spatial[s]) && !used(ub, spatial[s])) {
      i = spatial[s];
      break;
    }
  }
  // B's layout: j last (k-major rows, contiguous along j) or a reduction
  // variable last (n-major rows, as linear's weight).
  std::optional<size_t> last = IterIndex(b, opb.indices.back());
  if (!last) return false;
  bool transposed_b = b->iter_vars[*last].kind == IterKind::kReduce;
  if (!transposed_b && b->iter_vars[*last].var.get() != iter_at(j).var.get()) return false;
  std::optional<int64_t> n = ConstExtent(sch, loops[j]);
  if (!n) return false;
  std::optional<int64_t> m = i ? ConstExtent(sch, loops[*i]) : std::optional<int64_t>(1);
  int64_t lanes = Lanes(options, OutputDType(b));
  Tiling t = ChooseTiling(m, i.has_value(), *n, transposed_b, lanes, options);
  if (transposed_b && !t.pack) return false;
  PrimExpr work = DomainSize(b);
  // The dimension of B that j indexes (what a transposed packing moves last).
  size_t b_ndim = opb.indices.size(), jd = 0;
  while (jd < b_ndim && opb.indices[jd].get() != iter_at(j).var.get()) ++jd;
  if (jd == b_ndim) return false;
  // From here on the schedule changes and `b` is stale.

  std::vector<LoopRV> js = sch.Split(loops[j], {std::monostate{}, t.nr});
  std::vector<LoopRV> is;
  if (i) is = sch.Split(loops[*i], {std::monostate{}, t.mr});
  std::vector<LoopRV> outer, order;
  for (size_t s : spatial) {
    if (s != j && s != i) outer.push_back(loops[s]);
  }
  order = outer;
  order.push_back(js[0]);
  if (i) order.push_back(is[0]);
  for (size_t r : reduce) order.push_back(loops[r]);
  if (i) order.push_back(is[1]);
  order.push_back(js[1]);
  sch.Reorder(order);
  sch.Vectorize(js[1]);
  if (i) sch.Unroll(is[1]);

  if (t.pack) {
    BlockRV packed = sch.CacheRead(anchor.block, opb.read_index, "global");
    if (transposed_b) {
      // The packed copy stores B's j dimension last: rows of NR along j.
      sch.TransformLayout(packed, 0, true, IndexMap::FromFunc(b_ndim, [&](const std::vector<Var>& v) {
                            std::vector<PrimExpr> out;
                            for (size_t d = 0; d < b_ndim; ++d) {
                              if (d != jd) out.push_back(v[d]);
                            }
                            out.push_back(v[jd]);
                            return out;
                          }));
    }
    sch.ComputeAt(packed, js[0]);
    if (!transposed_b) Try(sch, [&](Schedule& f) { f.Vectorize(f.GetLoops(packed).back()); });
  }
  std::vector<Stage> rest =
      AccumulateInRegisters(sch, stages, ps->stage, i ? is[0] : js[0], loops[reduce.front()], std::nullopt);

  outer.push_back(js[0]);
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
