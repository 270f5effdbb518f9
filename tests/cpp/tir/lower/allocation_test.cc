// PlanBufferAllocation and CompactBufferAllocation: a cache_write
// accumulator allocated at the root moves into the tile loop and shrinks to
// one tile, compared structurally with the expected program and run on the
// reference interpreter before and after; reductions, opaque uses, views and
// unbounded regions keep their buffers.
#include "common/test_util.h"
#include "kiln/tir/lower.h"
#include "kiln/tir/printer.h"
#include "kiln/tir/structural_equal.h"
#include "tir/lower/lower_test_util.h"
#include "tir/te/interp.h"

namespace kiln::tir {
namespace {

using kiln::testing::HostArray;
using kiln::testing::RunPrimFunc;
using testing::MakeTiledMatmul;
using testing::TiledMatmul;

// The root block of `f` with its alloc_buffers replaced.
PrimFunc WithRootAllocs(const PrimFunc& f, std::vector<Buffer> allocs) {
  const BlockNode* root = f->body.as<BlockNode>();
  BlockSpec spec{root->name, root->iter_vars, root->reads,     root->writes,      root->init,
                 root->body, allocs,          root->predicate, root->annotations, root->span};
  return MakePrimFunc(f->params, f->buffer_map, Block(std::move(spec)), f->attrs, f->span);
}

// The body of the loop over `name` wrapped in a block "alloc" allocating `allocs`.
PrimFunc AllocateInLoop(const PrimFunc& f, const std::string& name, std::vector<Buffer> allocs) {
  return testing::LoopRewriter(name,
                               [&](const ForNode* op, Stmt body) {
                                 BlockSpec spec;
                                 spec.name = "alloc";
                                 spec.alloc_buffers = allocs;
                                 spec.body = body;
                                 return For(op->loop_var, op->min, op->extent, op->for_kind, Block(std::move(spec)));
                               })
      .Run(f);
}

// C = A @ B on the interpreter, with A[i, k] = i - k / 2 and B[k, j] = k + j / 4.
std::vector<double> RunMatmul(const PrimFunc& f, int64_t m, int64_t n, int64_t k) {
  HostArray a = HostArray::Floats({m, k}), b = HostArray::Floats({k, n}), c = HostArray::Floats({m, n});
  for (int64_t i = 0; i < m * k; ++i) a.f[i] = static_cast<double>(i / k) - static_cast<double>(i % k) / 2;
  for (int64_t i = 0; i < k * n; ++i) b.f[i] = static_cast<double>(i / n) + static_cast<double>(i % n) / 4;
  RunPrimFunc(f, {&a, &b, &c});
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      double want = 0;
      for (int64_t r = 0; r < k; ++r) want += a.f[i * k + r] * b.f[r * n + j];
      EXPECT_NEAR(c.f[i * n + j], want, 1e-3) << i << ", " << j;
    }
  }
  return c.f;
}

TEST(PlanBufferAllocation, CacheWriteMovesIntoTheTile) {
  TiledMatmul g = MakeTiledMatmul(28, 64, 16, 14, 32);
  PrimFunc planned = PlanBufferAllocation(g.func);
  PrimFunc expected = AllocateInLoop(WithRootAllocs(g.func, {}), "j0", {g.c_local});
  EXPECT_STRUCT_EQ(planned, expected);
  EXPECT_EQ(PlanBufferAllocation(planned).get(), planned.get());  // nothing left to move
  EXPECT_EQ(RunMatmul(planned, 28, 64, 16), RunMatmul(g.func, 28, 64, 16));
}

// for i: for k: { block T (reduce over k): T[vi] += A[vi, vk]; block B: B[vi] = T[vi] * 2 }
// Every use of T is inside the k loop, but the partial sums live across its
// iterations: T goes to the i loop, not below k.
PrimFunc SumInsideReduceLoop(PrimExpr n, int64_t kk) {
  Buffer a = DeclBuffer("A", {n, kk}), b = DeclBuffer("B", {n}), t = DeclBuffer("T", {n}, DataType::Float(32), "local");
  Var i("i"), k("k"), vi("vi"), vk("vk"), wi("wi");
  BlockSpec sum;
  sum.name = "T";
  sum.iter_vars = {{vi, {0, n}, IterKind::kSpatial, i}, {vk, {0, kk}, IterKind::kReduce, k}};
  sum.reads = {{a, {{vi, 1}, {vk, 1}}}};
  sum.writes = {{t, {{vi, 1}}}};
  sum.init = BufferStore(t, 0.0, {vi});
  sum.body = BufferStore(t, BufferLoad(t, {vi}) + BufferLoad(a, {vi, vk}), {vi});
  BlockSpec twice;
  twice.name = "B";
  twice.iter_vars = {{wi, {0, n}, IterKind::kSpatial, i}};
  twice.reads = {{t, {{wi, 1}}}};
  twice.writes = {{b, {{wi, 1}}}};
  twice.body = BufferStore(b, BufferLoad(t, {wi}) * 2.0, {wi});
  BlockSpec root;
  root.name = "root";
  root.alloc_buffers = {t};
  root.body = For(i, 0, n, ForKind::kSerial,
                  For(k, 0, kk, ForKind::kSerial, Seq({Block(std::move(sum)), Block(std::move(twice))})));
  return MakePrimFunc({a, b}, Block(std::move(root)));
}

std::vector<double> RunSum(const PrimFunc& f, int64_t n, int64_t kk) {
  HostArray a = HostArray::Floats({n, kk}), b = HostArray::Floats({n});
  for (int64_t i = 0; i < n * kk; ++i) a.f[i] = static_cast<double>(i);
  RunPrimFunc(f, {&a, &b});
  return b.f;
}

TEST(PlanBufferAllocation, ReductionOutputStaysAboveReduceLoops) {
  PrimFunc f = SumInsideReduceLoop(5, 3);
  PrimFunc planned = PlanBufferAllocation(f);
  const Buffer& t = f->body.as<BlockNode>()->alloc_buffers[0];
  EXPECT_STRUCT_EQ(planned, AllocateInLoop(WithRootAllocs(f, {}), "i", {t}));
  PrimFunc compacted = CompactBufferAllocation(planned);
  std::vector<double> want = RunSum(f, 5, 3);
  EXPECT_EQ(want[4], 2.0 * (12 + 13 + 14));
  EXPECT_EQ(RunSum(compacted, 5, 3), want);
  // T shrinks to the one element an iteration of i uses.
  PrimFunc lowered = LowerBlocks(compacted);
  const AllocateNode* alloc = lowered->body.as<ForNode>()->body.as<AllocateNode>();
  ASSERT_NE(alloc, nullptr) << ToText(lowered);
  EXPECT_EQ(ConstIntValue(alloc->buffer->shape[0]), 1);
}

// A use outside any inner block (here under the root's own loop) may carry a
// value between iterations: the buffer stays where it is.
TEST(PlanBufferAllocation, OpaqueUsesKeepTheBuffer) {
  Buffer a = DeclBuffer("A", {8}), t = DeclBuffer("T", {1}, DataType::Float(32), "local");
  Var i("i");
  BlockSpec root;
  root.name = "root";
  root.alloc_buffers = {t};
  root.body = Seq({BufferStore(t, 0.0, {0}),
                   For(i, 0, 8, ForKind::kSerial,
                       Seq({BufferStore(t, BufferLoad(t, {0}) + 1.0, {0}), BufferStore(a, BufferLoad(t, {0}), {i})}))});
  PrimFunc f = MakePrimFunc({a}, Block(std::move(root)));
  EXPECT_EQ(PlanBufferAllocation(f).get(), f.get());
}

// The compacted tiled matmul, written out: C_local of one 14x32 tile,
// allocated in the j0 loop, accessed at [vi - i0*14, vj - j0*32].
PrimFunc CompactedMatmul(const TiledMatmul& g) {
  Buffer tile = DeclBuffer("C_local", {14, 32}, DataType::Float(32), "local");
  Var vi("vi"), vj("vj"), vk("vk"), wi("wi"), wj("wj");
  auto at = [&](const Var& x, const Var& y) { return std::vector<PrimExpr>{x - g.i0 * 14, y - g.j0 * 32}; };
  BlockSpec update;
  update.name = "C_local";
  update.iter_vars = {{vi, {0, 28}, IterKind::kSpatial, g.i0 * 14 + g.i1},
                      {vj, {0, 64}, IterKind::kSpatial, g.j0 * 32 + g.j1},
                      {vk, {0, 16}, IterKind::kReduce, g.k}};
  update.reads = {{g.a, {{vi, 1}, {vk, 1}}}, {g.b, {{vk, 1}, {vj, 1}}}};
  update.writes = {{tile, {{vi - g.i0 * 14, 1}, {vj - g.j0 * 32, 1}}}};
  update.init = BufferStore(tile, 0.0, at(vi, vj));
  update.body = BufferStore(tile, BufferLoad(tile, at(vi, vj)) + BufferLoad(g.a, {vi, vk}) * BufferLoad(g.b, {vk, vj}),
                            at(vi, vj));
  BlockSpec store;
  store.name = "C";
  store.iter_vars = {{wi, {0, 28}, IterKind::kSpatial, g.i0 * 14 + g.w1},
                     {wj, {0, 64}, IterKind::kSpatial, g.j0 * 32 + g.w2}};
  store.reads = {{tile, {{wi - g.i0 * 14, 1}, {wj - g.j0 * 32, 1}}}};
  store.writes = {{g.c, {{wi, 1}, {wj, 1}}}};
  store.body = BufferStore(g.c, BufferLoad(tile, at(wi, wj)), {wi, wj});
  BlockSpec alloc;
  alloc.name = "alloc";
  alloc.alloc_buffers = {tile};
  alloc.body = Seq({For(g.k, 0, 16, ForKind::kSerial,
                        For(g.i1, 0, 14, ForKind::kSerial, For(g.j1, 0, 32, ForKind::kSerial, Block(update)))),
                    For(g.w1, 0, 14, ForKind::kSerial, For(g.w2, 0, 32, ForKind::kSerial, Block(store)))});
  BlockSpec root;
  root.name = "root";
  root.body = For(g.i0, 0, 2, ForKind::kSerial, For(g.j0, 0, 2, ForKind::kSerial, Block(std::move(alloc))));
  return MakePrimFunc({g.a, g.b, g.c}, Block(std::move(root)));
}

TEST(CompactBufferAllocation, TileOfACacheWrite) {
  TiledMatmul g = MakeTiledMatmul(28, 64, 16, 14, 32);
  PrimFunc planned = PlanBufferAllocation(g.func);
  PrimFunc compacted = CompactBufferAllocation(planned);
  EXPECT_STRUCT_EQ(compacted, CompactedMatmul(g));
  EXPECT_EQ(CompactBufferAllocation(compacted).get(), compacted.get());  // one tile is as small as it gets
  // The interpreter checks every access against the [14, 32] shape and the rebased regions.
  EXPECT_EQ(RunMatmul(compacted, 28, 64, 16), RunMatmul(g.func, 28, 64, 16));
  // Without planning, the accumulator is used by the whole root: nothing to shrink.
  EXPECT_EQ(CompactBufferAllocation(g.func).get(), g.func.get());
}

// C_local of shape [m, 64] with m symbolic still shrinks to a constant tile.
TEST(CompactBufferAllocation, SymbolicShapes) {
  Var m = SizeVar("m");
  TiledMatmul g = MakeTiledMatmul(m, 64, 16, 14, 32);
  PrimFunc compacted = CompactBufferAllocation(PlanBufferAllocation(g.func));
  PrimFunc lowered = LowerBlocks(compacted);
  struct Find : StmtVisitor {
    const AllocateNode* found = nullptr;
    void VisitStmt_(const AllocateNode* op) override { found = op; }
  } find;
  find.VisitStmt(lowered->body);
  const AllocateNode* alloc = find.found;
  ASSERT_NE(alloc, nullptr);
  EXPECT_EQ(ConstIntValue(alloc->buffer->shape[0]), 14);
  EXPECT_EQ(ConstIntValue(alloc->buffer->shape[1]), 32);
  for (int64_t rows : {14, 42}) EXPECT_EQ(RunMatmul(compacted, rows, 64, 16), RunMatmul(g.func, rows, 64, 16));
}

// B = T + 1 with T = A * 2 at the root, over all of a symbolic n: the
// region is [0, n - 1], with no constant bound, so T stays as it is.
TEST(CompactBufferAllocation, UnboundedRegionStays) {
  Var n = SizeVar("n");
  Buffer a = DeclBuffer("A", {n}), b = DeclBuffer("B", {n}), t = DeclBuffer("T", {n});
  Var i("i"), j("j"), vi("vi"), vj("vj");
  BlockSpec s1, s2;
  s1.name = "T";
  s1.iter_vars = {{vi, {0, n}, IterKind::kSpatial, i}};
  s1.reads = {{a, {{vi, 1}}}};
  s1.writes = {{t, {{vi, 1}}}};
  s1.body = BufferStore(t, BufferLoad(a, {vi}) * 2.0, {vi});
  s2.name = "B";
  s2.iter_vars = {{vj, {0, n}, IterKind::kSpatial, j}};
  s2.reads = {{t, {{vj, 1}}}};
  s2.writes = {{b, {{vj, 1}}}};
  s2.body = BufferStore(b, BufferLoad(t, {vj}) + 1.0, {vj});
  BlockSpec root;
  root.name = "root";
  root.alloc_buffers = {t};
  root.body = Seq({For(i, 0, n, ForKind::kSerial, Block(s1)), For(j, 0, n, ForKind::kSerial, Block(s2))});
  PrimFunc f = MakePrimFunc({a, b}, Block(std::move(root)));
  EXPECT_EQ(PlanBufferAllocation(f).get(), f.get());
  EXPECT_EQ(CompactBufferAllocation(f).get(), f.get());
}

// A buffer seen through a view (or passed as a pointer) keeps its layout.
TEST(CompactBufferAllocation, ViewsKeepTheLayout) {
  Buffer a = DeclBuffer("A", {8}), t = DeclBuffer("T", {64}, DataType::Float(32), "local");
  Buffer view = BufferView(t->data, "T_row", {8}, DataType::Float(32), {}, PrimExpr(int64_t{8}));
  Var i("i");
  BlockSpec root;
  root.name = "root";
  root.alloc_buffers = {t};
  root.body = For(i, 0, 8, ForKind::kSerial,
                  Seq({BufferStore(t, 1.0, {i + 8}), DeclBuffer(view, BufferStore(a, BufferLoad(view, {i}), {i}))}));
  PrimFunc f = MakePrimFunc({a}, Block(std::move(root)));
  EXPECT_EQ(CompactBufferAllocation(f).get(), f.get());
}

}  // namespace
}  // namespace kiln::tir
