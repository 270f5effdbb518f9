// tir expressions: factories, their checks, and the folding operators.
#include "kiln/tir/expr.h"

#include "common/test_util.h"

namespace kiln::tir {
namespace {

TEST(TirExpr, LiteralsAreInt64AndFloat32) {
  PrimExpr i = 3;
  PrimExpr f = 2.5;
  EXPECT_EQ(i.dtype(), DataType::Int(64));
  EXPECT_EQ(*AsConstInt(i), 3);
  EXPECT_EQ(f.dtype(), DataType::Float(32));
  EXPECT_EQ(f.as<FloatImmNode>()->value, 2.5);
}

TEST(TirExpr, OperatorsFoldConstants) {
  Var n("n");
  EXPECT_EQ(*ConstIntValue(PrimExpr(3) + PrimExpr(4)), 7);
  EXPECT_EQ(*ConstIntValue(floordiv(-7, 2)), -4);
  EXPECT_EQ(*ConstIntValue(floormod(-7, 2)), 1);
  EXPECT_EQ(*ConstIntValue(PrimExpr(-7) / PrimExpr(2)), -3);  // truncating
  EXPECT_EQ((n + 0).get(), n.get());                          // x + 0 -> x
  EXPECT_EQ((n * 1).get(), n.get());                          // x * 1 -> x
  EXPECT_EQ(*ConstIntValue(n * 0), 0);                        // x * 0 -> 0
  PrimExpr sum = n + 1;
  const BinaryNode* add = sum.as<BinaryNode>();
  ASSERT_NE(add, nullptr);
  EXPECT_EQ(add->op, BinaryOp::kAdd);
  EXPECT_EQ((n < 4).dtype(), DataType::Bool());
}

TEST(TirExpr, LiteralsAdoptTheOtherDtype) {
  Var i("i", DataType::Int(32));
  Var x("x", DataType::Float(16));
  EXPECT_EQ((i + 1).dtype(), DataType::Int(32));
  EXPECT_EQ((x * 2).dtype(), DataType::Float(16));
  EXPECT_EQ((x + 0.5).dtype(), DataType::Float(16));
}

TEST(TirExpr, MixedDtypesAreAnError) {
  Var i("i", DataType::Int(32));
  Var j("j", DataType::Int(64));
  EXPECT_KILN_ERROR(i + j, "tir.Add: operands have different dtypes int32 and int64");
  EXPECT_KILN_ERROR(Binary(BinaryOp::kAnd, i, i), "tir.And: operands must be bool");
  EXPECT_KILN_ERROR(Select(i, i, i), "condition must be bool");
  EXPECT_KILN_ERROR(Ramp(i, j, 4), "scalars of one dtype");
  EXPECT_KILN_ERROR(Broadcast(i, 1), "lanes must be more than 1");
}

TEST(TirExpr, BufferLoadChecksIndices) {
  Var n = SizeVar("n");
  Buffer a = DeclBuffer("A", {n, 4}, DataType::Float(32));
  PrimExpr load = BufferLoad(a, {Var("i"), 2});
  EXPECT_EQ(load.dtype(), DataType::Float(32));
  EXPECT_KILN_ERROR(BufferLoad(a, {1}), "load of buffer 'A' with 1 indices; it has 2 dimensions");
  EXPECT_KILN_ERROR(BufferLoad(a, {1, 2.0}), "indices must be integers");
  PrimExpr vec = BufferLoad(a, {0, Ramp(PrimExpr(0), PrimExpr(1), 4)});
  EXPECT_EQ(vec.dtype(), DataType::Float(32, 4));
}

TEST(TirExpr, BufferChecks) {
  EXPECT_KILN_ERROR(DeclBuffer("B", {PrimExpr(2.0)}), "dimension 0 must be an integer expression");
  EXPECT_KILN_ERROR(DeclBuffer("B", {-1}), "negative dimension -1");
  EXPECT_KILN_ERROR(DeclBuffer("B", {4}, DataType::Float(32), "texture"), "unknown scope \"texture\"");
  Buffer b = DeclBuffer("B", {4});
  EXPECT_EQ(b->data.dtype(), DataType::Handle());
  EXPECT_EQ(*AsConstInt(b->elem_offset), 0);
}

TEST(TirExpr, VarsAreDistinctObjects) {
  Var a("x"), b("x");
  EXPECT_NE(a.get(), b.get());
  EXPECT_TRUE(SizeVar("n")->is_size_var);
  EXPECT_KILN_ERROR(SizeVar("f", DataType::Float(32)), "size var 'f' must be an integer");
}

}  // namespace
}  // namespace kiln::tir
