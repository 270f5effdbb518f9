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
// M is i's extent, times the extents of the A-only loops right outside i
// while it is below 8 (fused into one row loop). MR is the largest divisor
// of M up to 8 (8 with a guarded tail when that
// divisor is small or M is symbolic), NR the widest multiple of the lanes
// dividing N that keeps the tile within the accumulator registers. A B
// stored [.., n, k] with too few rows to pay for packing (a GEMV) is left
// to the reduction rule, which vectorizes the dot products over k.
//
// A B packed ahead of time in panels of b columns, read at
// [j / b, k..., j % b] (linear's weight_layout "NK<b>n", packed once at
// compile time by PackMatmulWeights), is read as it is: NR is b, MR fits the
// tile to the accumulators, and no packing runs in the kernel.
#include <algorithm>

#include "kiln/tir/schedule/index_map.h"
#include "product_sum.h"

namespace kiln::tir::rules {
namespace {

struct Tiling {
  int64_t mr = 1, nr = 16;
  bool pack = false;
};

// MR for m rows (nullopt: symbolic) with at most `max_mr` rows.
int64_t ChooseMR(std::optional<int64_t> m, int64_t max_mr) {
  int64_t mr = max_mr;
  if (m) {
    for (int64_t d = max_mr; d >= 1; --d) {
      if (*m % d == 0) {
        mr = d;
        break;
      }
    }
    if (mr < std::min<int64_t>(4, max_mr) && *m > max_mr) mr = max_mr;
  }
  return mr;
}

Tiling ChooseTiling(std::optional<int64_t> m, bool has_i, int64_t n, bool transposed_b, int64_t lanes,
                    const CpuScheduleOptions& options) {
  Tiling t;
  if (has_i) t.mr = ChooseMR(m, 8);
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

// The tiling for a B packed in panels of `width` columns: NR is the panel
// width, MR at most 8 rows and as many as the accumulators hold.
Tiling PanelTiling(std::optional<int64_t> m, bool has_i, int64_t width, int64_t lanes,
                   const CpuScheduleOptions& options) {
  Tiling t;
  t.nr = width;
  int64_t vectors = std::max<int64_t>(1, (width + lanes - 1) / lanes);
  int64_t max_mr = std::clamp<int64_t>(options.accumulator_registers / vectors, 1, 8);
  if (has_i) t.mr = ChooseMR(m, max_mr);
  return t;
}

// A B packed in panels: indices [floordiv(v, b), bare..., floormod(v, b)]
// with v an iteration variable and b a constant; v's position and b.
struct Panel {
  size_t iter = 0;
  int64_t width = 0;
};
std::optional<Panel> PackedPanel(const BlockNode* b, const std::vector<PrimExpr>& indices) {
  if (indices.size() < 2) return std::nullopt;
  const BinaryNode* div = indices.front().as<BinaryNode>();
  const BinaryNode* mod = indices.back().as<BinaryNode>();
  if (!div || !mod || div->op != BinaryOp::kFloorDiv || mod->op != BinaryOp::kFloorMod) return std::nullopt;
  std::optional<size_t> v = IterIndex(b, div->a);
  std::optional<int64_t> w = ConstIntValue(div->b);
  if (!v || !w || *w < 1 || IterIndex(b, mod->a) != v || ConstIntValue(mod->b) != w) return std::nullopt;
  if (!AllBare(b, {indices.begin() + 1, indices.end() - 1})) return std::nullopt;
  return Panel{*v, *w};
}

// The matmul rule; with `packed_only`, only for a B packed in panels.
bool Matmul(Schedule& sch, const std::vector<Stage>& stages, const CpuScheduleOptions& options, bool packed_only) {
  std::optional<ProductSum> ps = FindProductSum(sch, stages);
  if (!ps) return false;
  const Stage& anchor = stages[ps->stage];
  const BlockNode* b = BlockOf(sch, anchor.block);
  std::optional<Panel> panel_x = PackedPanel(b, ps->x.indices), panel_y = PackedPanel(b, ps->y.indices);
  if (packed_only && !panel_x && !panel_y) return false;
  if ((!panel_x && !AllBare(b, ps->x.indices)) || (!panel_y && !AllBare(b, ps->y.indices))) return false;
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
  std::optional<Panel> panel = x_is_b ? panel_x : panel_y;
  if ((x_is_b ? panel_y : panel_x) || (panel && b->iter_vars[panel->iter].var.get() != iter_at(j).var.get())) {
    return false;
  }
  const std::vector<bool>& ua = x_is_b ? uy : ux;
  const std::vector<bool>& ub = x_is_b ? ux : uy;
  std::optional<size_t> i;
  size_t i_at = 0;  // i's place in `spatial`
  for (size_t s = spatial.size() - 1; s-- > 0;) {
    if (used(ua, spatial[s]) && !used(ub, spatial[s])) {
      i = spatial[s];
      i_at = s;
      break;
    }
  }
  // The rows: i, and while they are fewer than a register tile, the A-only
  // loops right outside it ([8, 1, K] x [K, N], a linear layer over a
  // flattened input, has 8 rows, not 8 batches of one).
  std::vector<size_t> rows;
  std::optional<int64_t> m = i ? ConstExtent(sch, loops[*i]) : std::optional<int64_t>(1);
  if (i) rows.push_back(*i);
  while (i && m && *m < 8 && i_at > 0 && spatial[i_at - 1] + 1 == rows.front() && used(ua, spatial[i_at - 1]) &&
         !used(ub, spatial[i_at - 1])) {
    std::optional<int64_t> extent = ConstExtent(sch, loops[spatial[i_at - 1]]);
    if (!extent) break;
    *m *= *extent;
    rows.insert(rows.begin(), spatial[--i_at]);
  }
  // B's layout: j last (k-major rows, contiguous along j), a reduction
  // variable last (n-major rows, as linear's weight), or packed panels.
  bool transposed_b = false;
  if (!panel) {
    std::optional<size_t> last = IterIndex(b, opb.indices.back());
    if (!last) return false;
    transposed_b = b->iter_vars[*last].kind == IterKind::kReduce;
    if (!transposed_b && b->iter_vars[*last].var.get() != iter_at(j).var.get()) return false;
  }
  std::optional<int64_t> n = ConstExtent(sch, loops[j]);
  if (!n || (panel && *n % panel->width != 0)) return false;
  int64_t lanes = Lanes(options, OutputDType(b));
  Tiling t = panel ? PanelTiling(m, i.has_value(), panel->width, lanes, options)
                   : ChooseTiling(m, i.has_value(), *n, transposed_b, lanes, options);
  if (transposed_b && !t.pack) return false;
  PrimExpr work = DomainSize(b);
  // The dimension of B that j indexes (what a transposed packing moves last).
  size_t b_ndim = opb.indices.size(), jd = 0;
  while (!panel && jd < b_ndim && opb.indices[jd].get() != iter_at(j).var.get()) ++jd;
  if (jd == b_ndim) return false;
  // From here on the schedule changes and `b` is stale.

  std::vector<LoopRV> js = sch.Split(loops[j], {std::monostate{}, t.nr});
  std::vector<LoopRV> is;
  if (i) {
    std::vector<LoopRV> row_loops;
    for (size_t r : rows) row_loops.push_back(loops[r]);
    is = sch.Split(row_loops.size() > 1 ? sch.Fuse(row_loops) : row_loops[0], {std::monostate{}, t.mr});
  }
  std::vector<LoopRV> outer, order;
  for (size_t s : spatial) {
    if (s != j && std::find(rows.begin(), rows.end(), s) == rows.end()) outer.push_back(loops[s]);
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
  auto parallel = [&](std::vector<LoopRV> loops) {
    return Try(sch, [&](Schedule& f) {
      LoopRV fused = loops.size() > 1 ? f.Fuse(loops) : loops[0];
      if (MayReach(work, options.min_parallel_work * kMultiplyAddsPerElement)) f.Parallel(fused);
    });
  };
  // Rows fused from batch loops were parallel as batches: the row tiles stay
  // parallel too (where no packing sits between the panel and row loops).
  std::vector<LoopRV> with_rows = outer;
  if (rows.size() > 1) with_rows.push_back(is[0]);
  if (rows.size() <= 1 || !parallel(with_rows)) parallel(outer);
  std::vector<Stage> around(stages.begin(), stages.begin() + static_cast<std::ptrdiff_t>(ps->stage));
  around.insert(around.end(), rest.begin(), rest.end());
  ScheduleRest(sch, around, options);
  return true;
}

}  // namespace

bool SchedulePackedMatmul(Schedule& sch, const std::vector<Stage>& stages, const CpuScheduleOptions& options) {
  return Matmul(sch, stages, options, true);
}

bool ScheduleMatmul(Schedule& sch, const std::vector<Stage>& stages, const CpuScheduleOptions& options) {
  return Matmul(sch, stages, options, false);
}

}  // namespace kiln::tir::rules
