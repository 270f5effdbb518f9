// Broadcasting elementwise ops: NumPy broadcasting over static and symbolic
// dims, dtype agreement, bool results of comparisons, where.
#include "kiln/relax/op/binary.h"

#include "op_test_util.h"

namespace kiln::relax::testing {
namespace {

TEST(BinaryOps, ArithmeticBroadcasts) {
  Var a = Tensor("a", {4, 1, 3}), b = Tensor("b", {5, 1});
  for (Expr call : {op::add(a, b), op::subtract(a, b), op::multiply(a, b), op::divide(a, b), op::power(a, b),
                    op::maximum(a, b), op::minimum(a, b)}) {
    EXPECT_TRUE(IsTensor(Infer(call), {4, 5, 3}, kF32)) << OpOf(call)->name;
    EXPECT_EQ(OpOf(call)->pattern, OpPattern::kBroadcast);
    EXPECT_EQ(OpOf(call)->arg_names, (std::vector<std::string>{"a", "b"}));
  }
  EXPECT_TRUE(IsTensor(Infer(op::add(Tensor("s", {}), Tensor("v", {7}))), {7}, kF32));
}

TEST(BinaryOps, ComparisonsGiveBool) {
  Var a = Tensor("a", {2, 3}, kI32), b = Tensor("b", {3}, kI32);
  for (Expr call : {op::equal(a, b), op::not_equal(a, b), op::less(a, b), op::less_equal(a, b), op::greater(a, b),
                    op::greater_equal(a, b)}) {
    EXPECT_TRUE(IsTensor(Infer(call), {2, 3}, kBool)) << OpOf(call)->name;
  }
  EXPECT_TRUE(IsTensorOfRank(Infer(op::less(TensorOfRank("x", -1, kVoid), b)), -1, kBool));
}

TEST(BinaryOps, LogicalOpsTakeBool) {
  Var p = Tensor("p", {4}, kBool), q = Tensor("q", {2, 1}, kBool);
  EXPECT_TRUE(IsTensor(Infer(op::logical_and(p, q)), {2, 4}, kBool));
  EXPECT_TRUE(IsTensor(Infer(op::logical_or(p, q)), {2, 4}, kBool));
  EXPECT_KILN_ERROR(Infer(op::logical_or(p, Tensor("f", {4}))),
                    "relax.logical_or: argument 'b' must have a bool dtype, got float32");
}

TEST(BinaryOps, SymbolicBroadcasting) {
  tir::Var n = tir::SizeVar("n"), m = tir::SizeVar("m");
  // 1 with n gives n; n with n gives n.
  EXPECT_TRUE(IsTensor(Infer(op::add(Tensor("a", {n, 1}), Tensor("b", {1, 8}))), {n, 8}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::add(Tensor("a", {n, 8}), Tensor("b", {n, 8}))), {n, 8}, kF32));
  // A constant other than 1 wins over a symbolic dim; two symbols keep the first.
  EXPECT_TRUE(IsTensor(Infer(op::add(Tensor("a", {n}), Tensor("b", {8}))), {8}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::add(Tensor("a", {n}), Tensor("b", {m}))), {n}, kF32));
  // Equal dims are found by the symbolic analyzer.
  EXPECT_TRUE(IsTensor(Infer(op::add(Tensor("a", {n * 2}), Tensor("b", {n + n}))), {n * 2}, kF32));
  // n and n + 1 differ, but either may be 1: the run-time check decides.
  EXPECT_TRUE(IsTensor(Infer(op::add(Tensor("a", {n}), Tensor("b", {n + 1}))), {n}, kF32));
}

TEST(BinaryOps, UnknownsPropagate) {
  EXPECT_TRUE(IsTensorOfRank(Infer(op::add(TensorOfRank("a", 2), Tensor("b", {3, 4}))), 2, kF32));
  EXPECT_TRUE(IsTensorOfRank(Infer(op::add(TensorOfRank("a", 3), TensorOfRank("b", 2))), 3, kF32));
  EXPECT_TRUE(IsTensorOfRank(Infer(op::add(TensorOfRank("a", -1), Tensor("b", {3}))), -1, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::add(Tensor("a", {3}, kVoid), Tensor("b", {3}))), {3}, kVoid));
}

TEST(BinaryOps, Errors) {
  EXPECT_KILN_ERROR(Infer(op::add(Tensor("a", {2, 3}), Tensor("b", {4, 3}))),
                    "relax.add: shapes (2, 3) and (4, 3) do not broadcast: 2 at axis 0 vs 4 at axis 0");
  EXPECT_KILN_ERROR(Infer(op::add(Tensor("a", {3}), Tensor("b", {3}, kF16))),
                    "relax.add: dtypes float32 and float16 differ");
  EXPECT_KILN_ERROR(Infer(op::multiply(Tensor("a", {3}), MakeVar("t", TupleSInfo({})))),
                    "relax.multiply: argument 'b' must be a tensor, got a tuple");
  EXPECT_KILN_ERROR(CheckOpAttrs(GetOp("add").get(), {{"axis", 1}}),
                    "relax.add: unknown attribute 'axis' (it takes none)");
}

TEST(WhereOp, BroadcastsThreeWays) {
  tir::Var n = tir::SizeVar("n");
  Var cond = Tensor("c", {n, 1}, kBool), a = Tensor("a", {1, 4}), b = Tensor("b", {4});
  EXPECT_TRUE(IsTensor(Infer(op::where(cond, a, b)), {n, 4}, kF32));
  EXPECT_EQ(OpOf(op::where(cond, a, b))->pattern, OpPattern::kBroadcast);
  EXPECT_KILN_ERROR(Infer(op::where(a, a, b)), "relax.where: argument 'condition' must have a bool dtype, got float32");
  EXPECT_KILN_ERROR(Infer(op::where(cond, a, Tensor("i", {4}, kI32))), "relax.where: dtypes float32 and int32 differ");
  EXPECT_KILN_ERROR(Infer(op::where(cond, a, Tensor("b", {3}))),
                    "relax.where: shapes (n, 4) and (3,) do not broadcast");
}

}  // namespace
}  // namespace kiln::relax::testing
