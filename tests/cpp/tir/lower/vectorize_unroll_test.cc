// VectorizeLoops and UnrollLoops: the vector code and copies they make,
// compared with the expected programs (elementwise, the GEMM micro-kernel's
// reduction form, selects for guarded stores, inner loops), and the loops
// they leave for LLVM's hints (what cannot be vector code safely, symbolic
// or too large extents).
#include "common/test_util.h"
#include "kiln/tir/lower.h"
#include "kiln/tir/printer.h"
#include "kiln/tir/structural_equal.h"
#include "tir/lower/lower_test_util.h"

namespace kiln::tir {
namespace {

const DataType f32 = DataType::Float(32);

PrimExpr Lanes8(const PrimExpr& base) {
  return Ramp(base, PrimExpr(1), 8);
}

// for i: for j in vectorized(8): B[i, j] = A[i, j] * 2 + 1
//   -> for i: B[i, ramp(0, 1, 8)] = A[i, ramp(0, 1, 8)] * x8(2) + x8(1)
TEST(VectorizeLoops, Elementwise) {
  Buffer a = DeclBuffer("A", {4, 8}), b = DeclBuffer("B", {4, 8});
  Var i("i"), j("j");
  PrimFunc f = MakePrimFunc(
      {a, b}, For(i, 0, 4, ForKind::kSerial,
                  For(j, 0, 8, ForKind::kVectorized, BufferStore(b, BufferLoad(a, {i, j}) * 2.0 + 1.0, {i, j}))));
  PrimExpr r = Lanes8(PrimExpr(0));
  Stmt expected = For(
      i, 0, 4, ForKind::kSerial,
      BufferStore(
          b,
          Binary(BinaryOp::kAdd, Binary(BinaryOp::kMul, BufferLoad(a, {i, r}), Broadcast(2.0, 8)), Broadcast(1.0, 8)),
          {i, r}));
  EXPECT_STRUCT_EQ(VectorizeLoops(f), MakePrimFunc({a, b}, expected));
}

// The micro-kernel's update over j in a tile of C_local:
//   C_local[i, ramp] = C_local[i, ramp] + broadcast(A[i, k]) * B[k, ramp]
// with j's loop at a symbolic min (j0 * 8) and an inner loop over k kept.
TEST(VectorizeLoops, GemmMicroKernel) {
  Var n = SizeVar("n");
  Buffer a = DeclBuffer("A", {4, n}), b = DeclBuffer("B", {n, 16});
  Buffer c = DeclBuffer("C_local", {4, 16}, f32, "local");
  Var i("i"), j("j"), k("k"), j0("j0");
  auto update = [&](const PrimExpr& col, const PrimExpr& a_ik) {
    return BufferStore(c, BufferLoad(c, {i, col}) + a_ik * BufferLoad(b, {k, col}), {i, col});
  };
  Stmt scalar = For(k, 0, n, ForKind::kSerial, update(j, BufferLoad(a, {i, k})));
  PrimFunc f = MakePrimFunc(
      {a, b},
      For(j0, 0, 2, ForKind::kSerial, For(i, 0, 4, ForKind::kSerial, For(j, j0 * 8, 8, ForKind::kVectorized, scalar))));
  Stmt vector = For(k, 0, n, ForKind::kSerial, update(Lanes8(j0 * 8), Broadcast(BufferLoad(a, {i, k}), 8)));
  PrimFunc expected = MakePrimFunc({a, b}, For(j0, 0, 2, ForKind::kSerial, For(i, 0, 4, ForKind::kSerial, vector)));
  EXPECT_STRUCT_EQ(VectorizeLoops(f), expected);
}

// An if on the loop variable around a store: a select where every lane's
// store and loads stay in bounds.
TEST(VectorizeLoops, GuardedStoresBecomeSelects) {
  Buffer a = DeclBuffer("A", {8}), b = DeclBuffer("B", {8}), t = DeclBuffer("T", {8}, f32, "local");
  Var j("j");
  PrimExpr r = Lanes8(PrimExpr(0));
  // Both branches store to B[j]: B[j] = select(j < 3, A[j], 0).
  PrimFunc both =
      MakePrimFunc({a, b}, For(j, 0, 8, ForKind::kVectorized,
                               IfThenElse(j < 3, BufferStore(b, BufferLoad(a, {j}), {j}), BufferStore(b, 0.0, {j}))));
  PrimExpr cond = Binary(BinaryOp::kLT, r, Broadcast(PrimExpr(3), 8));
  EXPECT_STRUCT_EQ(VectorizeLoops(both),
                   MakePrimFunc({a, b}, BufferStore(b, Select(cond, BufferLoad(a, {r}), Broadcast(0.0, 8)), {r})));
  // One branch, a local buffer: T[j] = select(j < 3, A[j], T[j]).
  PrimFunc local = MakePrimFunc({a, b}, Allocate(t, For(j, 0, 8, ForKind::kVectorized,
                                                        IfThenElse(j < 3, BufferStore(t, BufferLoad(a, {j}), {j})))));
  EXPECT_STRUCT_EQ(
      VectorizeLoops(local),
      MakePrimFunc({a, b}, Allocate(t, BufferStore(t, Select(cond, BufferLoad(a, {r}), BufferLoad(t, {r})), {r}))));
}

// What stays a serial loop with the vectorize hint, unchanged.
TEST(VectorizeLoops, FallsBackWhenUnsafe) {
  Var n = SizeVar("n");
  Buffer a = DeclBuffer("A", {n}), b = DeclBuffer("B", {n}), s = DeclBuffer("S", {1});
  Var j("j"), k("k");
  auto same = [](const Stmt& body, const std::vector<Buffer>& bufs) {
    PrimFunc f = MakePrimFunc(bufs, body);
    EXPECT_EQ(VectorizeLoops(f).get(), f.get()) << ToText(f);
  };
  // A symbolic extent.
  same(For(j, 0, n, ForKind::kVectorized, BufferStore(b, BufferLoad(a, {j}), {j})), {a, b});
  // A tail guard on a global store: lanes past n must not be touched.
  same(For(j, 0, 8, ForKind::kVectorized, IfThenElse(j < n, BufferStore(b, BufferLoad(a, {j}), {j}))), {a, b});
  // A sum into one element (a reduction over the lanes).
  same(For(j, 0, 8, ForKind::kVectorized, BufferStore(s, BufferLoad(s, {0}) + BufferLoad(a, {j}), {0})), {a, s});
  // A loop-carried dependence: B[j + 1] = B[j] + 1.
  same(For(j, 0, 8, ForKind::kVectorized, BufferStore(b, BufferLoad(b, {j}) + 1.0, {j + 1})), {b});
  // Lanes that collide: B[j / 2] = A[j].
  same(For(j, 0, 8, ForKind::kVectorized, BufferStore(b, BufferLoad(a, {j}), {floordiv(j, 2)})), {a, b});
  // An inner loop whose range depends on the variable: LLVM vectorizes
  // innermost loops only, so the outer one becomes a plain serial loop.
  Stmt inner = For(k, 0, j, ForKind::kSerial, BufferStore(b, BufferLoad(a, {k}), {j}));
  PrimFunc nested = MakePrimFunc({a, b}, For(j, 0, 8, ForKind::kVectorized, inner));
  EXPECT_STRUCT_EQ(VectorizeLoops(nested), MakePrimFunc({a, b}, For(j, 0, 8, ForKind::kSerial, inner)));
  // A call with no vector form.
  same(For(j, 0, 8, ForKind::kVectorized,
           BufferStore(b, Call(f32, "call_extern", {StringImm("f"), BufferLoad(a, {j})}), {j})),
       {a, b});
}

// for i in unrolled(3): B[i] = A[i] * i  ->  B[0] = A[0] * 0; B[1] = ...; B[2] = ...
TEST(UnrollLoops, CopiesTheBody) {
  Buffer a = DeclBuffer("A", {3}), b = DeclBuffer("B", {3});
  Var i("i");
  auto body = [&](const PrimExpr& v) { return BufferStore(b, BufferLoad(a, {v}) * Cast(f32, v), {v}); };
  PrimFunc f = MakePrimFunc({a, b}, For(i, 0, 3, ForKind::kUnrolled, body(i)));
  Stmt expected = Seq({body(PrimExpr(0)), body(PrimExpr(1)), body(PrimExpr(2))});
  EXPECT_STRUCT_EQ(UnrollLoops(f), MakePrimFunc({a, b}, expected));
}

// Conditions the value decides are folded; a loop at a symbolic min gets
// min + k; nested unrolled loops multiply.
TEST(UnrollLoops, FoldsConditionsAndNests) {
  Var n = SizeVar("n");
  Buffer b = DeclBuffer("B", {n, 2});
  Var i("i"), j("j");
  Stmt store = IfThenElse(j < 1, BufferStore(b, 1.0, {i, j}), BufferStore(b, 2.0, {i, j}));
  PrimFunc f = MakePrimFunc({b}, For(i, n - 2, 2, ForKind::kUnrolled, For(j, 0, 2, ForKind::kUnrolled, store)));
  PrimFunc unrolled = UnrollLoops(f);
  const SeqNode* seq = unrolled->body.as<SeqNode>();
  ASSERT_NE(seq, nullptr) << ToText(unrolled);
  ASSERT_EQ(seq->seq.size(), 4u);
  const BufferStoreNode* last = seq->seq[3].as<BufferStoreNode>();
  ASSERT_NE(last, nullptr);
  EXPECT_EQ(ToText(last->value), "2.0");
  EXPECT_EQ(ToText(last->indices[0]), "n - 1");
  EXPECT_EQ(ConstIntValue(last->indices[1]), 1);
}

TEST(UnrollLoops, KeepsLoopsItCannotUnroll) {
  Var n = SizeVar("n");
  Buffer b = DeclBuffer("B", {n});
  Var i("i");
  PrimFunc symbolic = MakePrimFunc({b}, For(i, 0, n, ForKind::kUnrolled, BufferStore(b, 1.0, {i})));
  EXPECT_EQ(UnrollLoops(symbolic).get(), symbolic.get());
  PrimFunc long_loop = MakePrimFunc({b}, For(i, 0, 1000, ForKind::kUnrolled, BufferStore(b, 1.0, {i})));
  EXPECT_EQ(UnrollLoops(long_loop).get(), long_loop.get());
}

// The whole pipeline on the tiled matmul: one 14x32 tile of C_local, in
// vector code at constant offsets only, the init peeled out of the k loop.
TEST(LowerForCodegen, TiledMatmulAccumulatesInATileAtConstantOffsets) {
  testing::TiledMatmul g = testing::MakeTiledMatmul(28, 64, 16, 14, 32, ForKind::kUnrolled, ForKind::kVectorized);
  PrimFunc lowered = LowerForCodegen(g.func);
  struct Check : StmtVisitor {
    const AllocateNode* alloc = nullptr;
    int tile_accesses = 0;
    bool constant = true;
    int ifs = 0;
    void VisitStmt_(const AllocateNode* op) override {
      alloc = op;
      StmtVisitor::VisitStmt_(op);
    }
    void VisitStmt_(const IfThenElseNode* op) override {
      ++ifs;
      StmtVisitor::VisitStmt_(op);
    }
    void Access(const Buffer& buf, const PrimExpr& index) {
      if (!alloc || buf->data.get() != alloc->buffer->data.get()) return;
      ++tile_accesses;
      const RampNode* r = index.as<RampNode>();
      constant = constant && r && AsConstInt(r->base) && ConstIntValue(r->stride) == 1;
    }
    void VisitExpr_(const BufferLoadNode* op) override {
      Access(op->buffer, op->indices[0]);
      StmtVisitor::VisitExpr_(op);
    }
    void VisitStmt_(const BufferStoreNode* op) override {
      Access(op->buffer, op->indices[0]);
      StmtVisitor::VisitStmt_(op);
    }
  } check;
  check.VisitStmt(lowered->body);
  ASSERT_NE(check.alloc, nullptr) << ToText(lowered);
  EXPECT_EQ(ConstIntValue(check.alloc->buffer->shape[0]), 14 * 32);
  // Per tile: 14 rows zeroed, updated in the peeled iteration and the loop, and written back.
  EXPECT_EQ(check.tile_accesses, 14 * (1 + 2 + 2 + 1));
  EXPECT_TRUE(check.constant) << ToText(lowered);
  EXPECT_EQ(check.ifs, 0) << ToText(lowered);
}

}  // namespace
}  // namespace kiln::tir
