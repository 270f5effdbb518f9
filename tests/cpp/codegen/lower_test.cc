// Lowering before code generation: LowerBlocks, FlattenBuffers and
// SimplifyIndices checked structurally, then a matmul written with blocks,
// built and run.
#include "kiln/tir/lower.h"

#include <cmath>

#include "codegen_test_util.h"
#include "kiln/tir/arith/analyzer.h"
#include "kiln/tir/functor.h"
#include "kiln/tir/printer.h"

namespace kiln::codegen {
namespace {

using namespace testing;

// matmul(A: [n, k], B: [k, m], C: [n, m]) with one block C[vi, vj] over
// spatial vi, vj and reduce vk, its init zeroing C.
PrimFunc Matmul(PrimExpr n, PrimExpr k, PrimExpr m) {
  Buffer a = DeclBuffer("A", {n, k}), b = DeclBuffer("B", {k, m}), c = DeclBuffer("C", {n, m});
  Var i("i"), j("j"), r("r"), vi("vi"), vj("vj"), vk("vk");
  BlockSpec spec;
  spec.name = "C";
  spec.iter_vars = {
      {vi, {0, n}, IterKind::kSpatial, i}, {vj, {0, m}, IterKind::kSpatial, j}, {vk, {0, k}, IterKind::kReduce, r}};
  spec.reads = {{a, {{vi, 1}, {vk, 1}}}, {b, {{vk, 1}, {vj, 1}}}};
  spec.writes = {{c, {{vi, 1}, {vj, 1}}}};
  spec.init = BufferStore(c, 0.0, {vi, vj});
  spec.body = BufferStore(c, BufferLoad(c, {vi, vj}) + BufferLoad(a, {vi, vk}) * BufferLoad(b, {vk, vj}), {vi, vj});
  Stmt loops = For(i, 0, n, ForKind::kSerial,
                   For(j, 0, m, ForKind::kSerial, For(r, 0, k, ForKind::kSerial, Block(std::move(spec)))));
  BlockSpec root;
  root.name = "root";
  root.body = loops;
  return MakePrimFunc({a, b, c}, Block(std::move(root)));
}

int CountBlocks(const Stmt& s) {
  struct Counter : StmtVisitor {
    int blocks = 0;
    void VisitStmt_(const BlockNode* op) override {
      ++blocks;
      StmtVisitor::VisitStmt_(op);
    }
  } counter;
  counter.VisitStmt(s);
  return counter.blocks;
}

TEST(LowerBlocks, BindingsInitAndGuard) {
  PrimFunc f = Matmul(4, 3, 2);
  EXPECT_EQ(CountBlocks(f->body), 2);
  PrimFunc lowered = LowerBlocks(f);
  EXPECT_EQ(CountBlocks(lowered->body), 0);
  EXPECT_EQ(lowered->buffer_map.size(), 3u);
  // for i, j, r: { if (r == 0) C[i, j] = 0; C[i, j] = C[i, j] + A[i, r] * B[r, j] }
  const ForNode* fi = lowered->body.as<ForNode>();
  ASSERT_NE(fi, nullptr);
  const ForNode* fr = fi->body.as<ForNode>()->body.as<ForNode>();
  ASSERT_NE(fr, nullptr);
  const SeqNode* seq = fr->body.as<SeqNode>();
  ASSERT_NE(seq, nullptr);
  const IfThenElseNode* guard = seq->seq[0].as<IfThenElseNode>();
  ASSERT_NE(guard, nullptr);
  const BinaryNode* eq = guard->condition.as<BinaryNode>();
  ASSERT_TRUE(eq && eq->op == BinaryOp::kEQ);
  EXPECT_EQ(eq->a.get(), fr->loop_var.get());
  const BufferStoreNode* update = seq->seq[1].as<BufferStoreNode>();
  ASSERT_NE(update, nullptr);
  EXPECT_EQ(update->indices[0].get(), fi->loop_var.get());
  // Nothing to do: the same function comes back.
  EXPECT_EQ(LowerBlocks(lowered).get(), lowered.get());
}

// A block with a predicate and a buffer of its own: B[i] = T[0] with T[0] =
// A[i] * 2, for i < 5 of an 8-wide loop.
TEST(LowerBlocks, PredicateAndAllocBuffers) {
  Buffer a = DeclBuffer("A", {5}), b = DeclBuffer("B", {5}), t = DeclBuffer("T", {1}, DataType::Float(32), "local");
  Var i("i"), vi("vi");
  BlockSpec spec;
  spec.name = "copy";
  spec.iter_vars = {{vi, {0, 5}, IterKind::kSpatial, i}};
  spec.predicate = i < 5;
  spec.alloc_buffers = {t};
  spec.body = Seq({BufferStore(t, BufferLoad(a, {vi}) * 2.0, {0}), BufferStore(b, BufferLoad(t, {0}), {vi})});
  PrimFunc f = MakePrimFunc({a, b}, For(i, 0, 8, ForKind::kSerial, Block(std::move(spec))));
  PrimFunc lowered = LowerBlocks(f);
  const ForNode* loop = lowered->body.as<ForNode>();
  ASSERT_NE(loop, nullptr);
  const AllocateNode* alloc = loop->body.as<AllocateNode>();
  ASSERT_NE(alloc, nullptr);
  EXPECT_EQ(alloc->buffer.get(), t.get());
  ASSERT_NE(alloc->body.as<IfThenElseNode>(), nullptr);

  runtime::Module m = BuildOne("copy", f);
  NDArray out = Zeros<float>({5});
  m["copy"](ArrayOf<float>({1, 2, 3, 4, 5}), out);
  EXPECT_EQ(ValuesOf<float>(out), (std::vector<float>{2, 4, 6, 8, 10}));
}

TEST(FlattenBuffers, RowMajorStridedAndVector) {
  Var n = SizeVar("n"), s = SizeVar("s");
  Buffer a = DeclBuffer("A", {n, 8}), b = DeclBuffer("B", {n, 8}, DataType::Float(32), "global", {s, 2});
  Var i("i");
  Stmt body = Seq(
      {BufferStore(a, BufferLoad(b, {i, 3}), {i, 5}), BufferStore(a, Broadcast(1.0, 8), {i, Ramp(PrimExpr(0), 1, 8)})});
  PrimFunc flat = FlattenBuffers(MakePrimFunc({a, b}, body));
  const SeqNode* seq = flat->body.as<SeqNode>();
  ASSERT_NE(seq, nullptr);
  const BufferStoreNode* store = seq->seq[0].as<BufferStoreNode>();
  ASSERT_EQ(store->indices.size(), 1u);
  EXPECT_EQ(store->buffer->data.get(), a->data.get());  // same storage
  EXPECT_EQ(store->buffer->shape.size(), 1u);
  // A[i, 5] -> A[i * 8 + 5]; B[i, 3] -> B[i * s + 6]
  auto check = [&](const PrimExpr& index, const PrimExpr& stride, int64_t offset) {
    const BinaryNode* add = index.as<BinaryNode>();
    ASSERT_TRUE(add && add->op == BinaryOp::kAdd);
    const BinaryNode* mul = add->a.as<BinaryNode>();
    ASSERT_TRUE(mul && mul->op == BinaryOp::kMul);
    EXPECT_EQ(mul->a.get(), i.get());
    if (AsConstInt(stride)) {
      EXPECT_EQ(*AsConstInt(mul->b), *AsConstInt(stride));
    } else {
      EXPECT_EQ(mul->b.get(), stride.get());
    }
    EXPECT_EQ(*AsConstInt(add->b), offset);
  };
  check(store->indices[0], 8, 5);
  check(store->value.as<BufferLoadNode>()->indices[0], s, 6);
  // A[i, 0:8] -> A[ramp(i * 8, 1, 8)]
  const RampNode* ramp = seq->seq[1].as<BufferStoreNode>()->indices[0].as<RampNode>();
  ASSERT_NE(ramp, nullptr);
  EXPECT_EQ(ramp->lanes, 8);
  EXPECT_EQ(*AsConstInt(ramp->stride), 1);
  // The parameters keep their buffers, with the shapes the wrapper checks.
  EXPECT_EQ(flat->buffer_map[0].second.get(), a.get());
  EXPECT_EQ(FlattenBuffers(flat).get(), flat.get());
}

// A[i*8 + j // 8, (i*8 + j) % 8] flattens to (i*8 + j) // 8 * 8 + (i*8 + j) % 8,
// which is i*8 + j for j in [0, 8).
TEST(SimplifyIndices, UsesLoopRanges) {
  Buffer a = DeclBuffer("A", {4, 8});
  Var i("i"), j("j");
  PrimExpr flat = i * 8 + j;
  Stmt store = BufferStore(a, 1.0, {floordiv(flat, 8), floormod(flat, 8)});
  PrimFunc f = MakePrimFunc({a}, For(i, 0, 4, ForKind::kSerial, For(j, 0, 8, ForKind::kSerial, store)));
  PrimFunc lowered = LowerForCodegen(f);
  const ForNode* inner = lowered->body.as<ForNode>()->body.as<ForNode>();
  ASSERT_NE(inner, nullptr);
  const BufferStoreNode* s = inner->body.as<BufferStoreNode>();
  ASSERT_NE(s, nullptr);
  arith::Analyzer analyzer;
  EXPECT_EQ(ToText(s->indices[0]), ToText(analyzer.Simplify(flat)));
  runtime::Module m = BuildOne("fill", f);
  NDArray out = Zeros<float>({4, 8});
  m["fill"](out);
  EXPECT_EQ(ValuesOf<float>(out), std::vector<float>(32, 1.0f));
}

TEST(FlattenBuffers, NeedsLoweredBlocks) {
  EXPECT_KILN_ERROR(FlattenBuffers(Matmul(2, 2, 2)), "FlattenBuffers: block 'root' must be lowered first");
}

void CheckMatmul(const runtime::Module& m, int64_t n, int64_t k, int64_t p) {
  std::vector<float> a = Iota<float>(n * k, 0.5, -1), b = Iota<float>(k * p, -0.25, 2);
  NDArray c = ArrayOf(std::vector<float>(n * p, 123.0f), {n, p});  // the init clears it
  m["matmul"](ArrayOf(a, {n, k}), ArrayOf(b, {k, p}), c);
  std::vector<float> out = ValuesOf<float>(c);
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j < p; ++j) {
      float want = 0;
      for (int64_t r = 0; r < k; ++r) want += a[i * k + r] * b[r * p + j];
      ASSERT_NEAR(out[i * p + j], want, 1e-4 * std::max(1.0f, std::fabs(want))) << i << ", " << j;
    }
  }
}

TEST(LowerBlocks, MatmulRuns) {
  CheckMatmul(BuildOne("matmul", Matmul(4, 3, 5)), 4, 3, 5);
  Var n = SizeVar("n"), k = SizeVar("k"), p = SizeVar("m");
  runtime::Module symbolic = BuildOne("matmul", Matmul(n, k, p));
  CheckMatmul(symbolic, 4, 3, 5);
  CheckMatmul(symbolic, 33, 17, 65);
  CheckMatmul(symbolic, 1, 1, 1);
}

}  // namespace
}  // namespace kiln::codegen
