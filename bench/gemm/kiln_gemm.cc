// Kiln's float32 GEMM for bench/gemm: the compute-DSL definition of
// C = A x B, transformed by a tir::Schedule (the same schedule the How-To
// "Optimize GEMM on CPU" builds step by step):
//
//   split i by MR and j by NR; order (j0, i0, k, i1, j1)
//   vectorize j1 (NR / 16 zmm vectors), unroll i1 (MR rows)
//   cache_read B and compute_at j0: each K x NR panel of B is copied to a
//     contiguous buffer right before it is used (packing counts in the time)
//   cache_write C "local" + reverse_compute_at i0 + decompose_reduction:
//     an MR x NR accumulator tile that LLVM keeps in registers for all of K
//   parallel j0
//
// MR and NR are chosen per shape: MR the largest divisor of m up to 8 (so no
// row tile is partial), NR so that the tile fits in 16-24 zmm registers,
// and B is packed only when enough row tiles reuse each panel.
#include "kiln_gemm.h"

#include <sstream>

#include "kiln/codegen/build.h"
#include "kiln/runtime/error.h"
#include "kiln/tir/schedule/schedule.h"
#include "kiln/tir/te.h"

namespace kiln::bench {
namespace {

using namespace kiln::tir;

struct Tiling {
  int64_t mr, nr;
  bool pack_b;
};

Tiling ChooseTiling(int64_t m, int64_t n) {
  Tiling t{1, 32, false};
  for (int64_t d = 8; d >= 1; --d) {
    if (m % d == 0) {
      t.mr = d;
      break;
    }
  }
  // Accumulators: mr * nr / 16 zmm registers, at most 24 of the 32.
  for (int64_t nr : {128, 64, 32, 16}) {
    if (n % nr == 0 && t.mr * nr / 16 <= (t.mr == 1 ? 8 : 16)) {
      t.nr = nr;
      break;
    }
  }
  if (n % t.nr != 0) t.nr = 16;
  t.pack_b = m / t.mr >= 8;
  return t;
}

PrimFunc GemmCompute(int64_t m, int64_t n, int64_t k) {
  te::Tensor a = te::placeholder({m, k}, DataType::Float(32), "A");
  te::Tensor b = te::placeholder({k, n}, DataType::Float(32), "B");
  te::ReduceAxis r = te::reduce_axis({0, k}, "k");
  te::Tensor c = te::compute(
      {m, n}, [&](Var i, Var j) { return te::sum(a(i, r.var) * b(r.var, j), {r}); }, "C");
  return te::create_prim_func({a, b}, {c});
}

Schedule ScheduleGemm(const PrimFunc& f, const Tiling& t) {
  Schedule sch(f);
  BlockRV c = sch.GetBlock("C");
  std::vector<LoopRV> loops = sch.GetLoops(c);
  std::vector<LoopRV> is = sch.Split(loops[0], {std::monostate{}, t.mr});
  std::vector<LoopRV> js = sch.Split(loops[1], {std::monostate{}, t.nr});
  sch.Reorder({js[0], is[0], loops[2], is[1], js[1]});
  sch.Vectorize(js[1]);
  sch.Unroll(is[1]);
  if (t.pack_b) {
    BlockRV packed = sch.CacheRead(c, 1, "global");
    sch.ComputeAt(packed, js[0]);
    sch.Vectorize(sch.GetLoops(packed).back());
  }
  BlockRV local = sch.CacheWrite(c, 0, "local");
  sch.ReverseComputeAt(local, is[0]);
  sch.DecomposeReduction(c, loops[2]);
  sch.Parallel(js[0]);
  return sch;
}

}  // namespace

KilnGemm MakeKilnGemm(int64_t m, int64_t n, int64_t k) {
  KILN_CHECK(m > 0 && n > 0 && k > 0) << "gemm: the shape " << m << "x" << n << "x" << k << " must be positive";
  KILN_CHECK(n % 16 == 0) << "gemm: n = " << n << " must be a multiple of 16 for this benchmark's schedule";
  Tiling t = ChooseTiling(m, n);
  Schedule sch = ScheduleGemm(GemmCompute(m, n, k), t);
  KilnGemm g;
  g.module = codegen::Build(sch.mod(), "llvm");
  g.func = g.module.GetFunction("main");
  std::ostringstream d;
  d << "tir::Schedule: " << t.mr << "x" << t.nr << " register tile over all of K, "
    << (t.pack_b ? "B packed per panel (counted)" : "B read in place") << ", parallel over column panels";
  g.description = d.str();
  g.workspace_bytes = t.pack_b ? 4 * k * t.nr : 0;
  return g;
}

}  // namespace kiln::bench
