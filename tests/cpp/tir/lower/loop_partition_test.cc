// LoopPartition: split tails (an if, or a block predicate once lowered), a
// lower bound that makes a head, the peeled first iteration of a reduction
// init, and the loops it leaves alone; compared with the expected programs.
#include "common/test_util.h"
#include "kiln/tir/arith/analyzer.h"
#include "kiln/tir/lower.h"
#include "kiln/tir/printer.h"
#include "kiln/tir/structural_equal.h"
#include "kiln/tir/te.h"
#include "tir/lower/lower_test_util.h"

namespace kiln::tir {
namespace {

const DataType f32 = DataType::Float(32);

// B = A * 2 + 1 over `n` elements, written with te: one block per element.
PrimFunc Scale(PrimExpr n) {
  te::Tensor a = te::placeholder({n}, f32, "A");
  te::Tensor b = te::compute(
      {n}, [&](Var i) { return a(i) * 2.0 + 1.0; }, "B");
  return te::create_prim_func({a}, {b});
}

bool HasIf(const Stmt& s) {
  struct Finder : StmtVisitor {
    bool found = false;
    void VisitStmt_(const IfThenElseNode*) override { found = true; }
  } finder;
  finder.VisitStmt(s);
  return finder.found;
}

// 20 elements split by 8: the block predicate i0_o*8 + i0_i < 20 fails only
// in the last outer iteration, which runs alone with its inner loop split
// in turn at 4.
TEST(LoopPartition, SplitTailWithBlockPredicate) {
  PrimFunc f = LowerBlocks(testing::SplitLoop(Scale(20), "i0", 8, ForKind::kSerial));
  PrimFunc partitioned = LoopPartition(f);

  Buffer a = DeclBuffer("A", {20}), b = DeclBuffer("B", {20});
  auto body = [&](const PrimExpr& i) { return BufferStore(b, BufferLoad(a, {i}) * 2.0 + 1.0, {i}); };
  Var o("i0_o"), i("i0_i"), t("i0_i");
  PrimExpr last = Binary(BinaryOp::kMul, PrimExpr(2), PrimExpr(8));  // i0_o * 8 with i0_o = 2
  Stmt expected = Seq({
      For(o, 0, 2, ForKind::kSerial, For(i, 0, 8, ForKind::kSerial, body(o * 8 + i))),
      For(i, 0, 4, ForKind::kSerial, body(last + i)),
      For(t, 4, 4, ForKind::kSerial, IfThenElse(last + t < 20, body(last + t))),
  });
  EXPECT_STRUCT_EQ(partitioned, MakePrimFunc({a, b}, expected));
}

// With a symbolic n the main loop runs n // 8 times without the check.
TEST(LoopPartition, SymbolicTailWithIf) {
  Var n = SizeVar("n");
  Buffer a = DeclBuffer("A", {n}), b = DeclBuffer("B", {n});
  Var o("o"), i("i");
  PrimExpr idx = o * 8 + i;
  Stmt guarded = IfThenElse(idx < n, BufferStore(b, BufferLoad(a, {idx}), {idx}));
  PrimFunc f =
      MakePrimFunc({a, b}, For(o, 0, floordiv(n + 7, 8), ForKind::kSerial, For(i, 0, 8, ForKind::kSerial, guarded)));
  PrimFunc partitioned = LoopPartition(f);
  const SeqNode* parts = partitioned->body.as<SeqNode>();
  ASSERT_NE(parts, nullptr) << ToText(partitioned);
  ASSERT_EQ(parts->seq.size(), 2u);
  const ForNode* main = parts->seq[0].as<ForNode>();
  ASSERT_NE(main, nullptr);
  arith::Analyzer analyzer;
  EXPECT_TRUE(analyzer.CanProveEqual(main->extent, floordiv(n, 8))) << ToText(main->extent);
  EXPECT_STRUCT_EQ(main->body, For(i, 0, 8, ForKind::kSerial, BufferStore(b, BufferLoad(a, {idx}), {idx})));
  EXPECT_TRUE(HasIf(parts->seq[1]));
}

// i >= 3 fails in a head: [0, 3) keeps the check, [3, 10) drops it.
TEST(LoopPartition, HeadForALowerBound) {
  Buffer a = DeclBuffer("A", {10}), b = DeclBuffer("B", {10});
  Var i("i"), h("i");
  auto copy = [&](const Var& v) { return BufferStore(b, BufferLoad(a, {v}), {v}); };
  PrimFunc f = MakePrimFunc({a, b}, For(i, 0, 10, ForKind::kSerial, IfThenElse(i >= 3, copy(i))));
  Stmt expected = Seq({For(h, 0, 3, ForKind::kSerial, IfThenElse(h >= 3, copy(h))),  //
                       For(i, 3, 7, ForKind::kSerial, copy(i))});
  EXPECT_STRUCT_EQ(LoopPartition(f), MakePrimFunc({a, b}, expected));
}

// The init of a reduction, `if k == 0`, runs in a peeled first iteration;
// the other iterations lose the check.
TEST(LoopPartition, PeelsTheReductionInit) {
  Buffer a = DeclBuffer("A", {4, 6}), b = DeclBuffer("B", {4});
  Var i("i"), k("k");
  auto update = [&](const PrimExpr& r) { return BufferStore(b, BufferLoad(b, {i}) + BufferLoad(a, {i, r}), {i}); };
  Stmt init = BufferStore(b, 0.0, {i});
  PrimFunc f =
      MakePrimFunc({a, b}, For(i, 0, 4, ForKind::kSerial,
                               For(k, 0, 6, ForKind::kSerial, Seq({IfThenElse(k == PrimExpr(0), init), update(k)}))));
  Stmt expected =
      For(i, 0, 4, ForKind::kSerial, Seq({init, update(PrimExpr(0)), For(k, 1, 5, ForKind::kSerial, update(k))}));
  EXPECT_STRUCT_EQ(LoopPartition(f), MakePrimFunc({a, b}, expected));
}

TEST(LoopPartition, LeavesOtherLoopsAlone) {
  Buffer a = DeclBuffer("A", {16});
  Var i("i");
  // A condition that is not a linear comparison of i.
  PrimFunc parity = MakePrimFunc(
      {a}, For(i, 0, 16, ForKind::kSerial, IfThenElse(floormod(i, 2) == PrimExpr(0), BufferStore(a, 1.0, {i}))));
  EXPECT_EQ(LoopPartition(parity).get(), parity.get());
  // A vectorized loop keeps its constant extent.
  PrimFunc vec = MakePrimFunc({a}, For(i, 0, 16, ForKind::kVectorized, IfThenElse(i < 10, BufferStore(a, 1.0, {i}))));
  EXPECT_EQ(LoopPartition(vec).get(), vec.get());
  // A bound that depends on data.
  Buffer n = DeclBuffer("N", {1}, DataType::Int(64));
  PrimFunc data = MakePrimFunc(
      {a, n}, For(i, 0, 16, ForKind::kSerial, IfThenElse(BufferLoad(a, {i}) < 0.0f, BufferStore(a, 0.0, {i}))));
  EXPECT_EQ(LoopPartition(data).get(), data.get());
}

}  // namespace
}  // namespace kiln::tir
