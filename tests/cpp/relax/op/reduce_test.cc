// Reductions: axes (none, negative, several), keepdims, dtypes of mean and
// argmax, symbolic and unknown shapes, and errors.
#include "kiln/relax/op/reduce.h"

#include "op_test_util.h"

namespace kiln::relax::testing {
namespace {

op::Axes Ax(std::vector<int64_t> axes) {
  return axes;
}

TEST(ReduceOps, Axes) {
  Var x = Tensor("x", {2, 3, 4});
  for (Expr call : {op::sum(x, Ax({1})), op::mean(x, Ax({1})), op::max(x, Ax({1})), op::min(x, Ax({1})),
                    op::prod(x, Ax({1})), op::variance(x, Ax({1}))}) {
    EXPECT_TRUE(IsTensor(Infer(call), {2, 4}, kF32)) << OpOf(call)->name;
    EXPECT_EQ(OpOf(call)->pattern, OpPattern::kReduction);
  }
  EXPECT_TRUE(IsTensor(Infer(op::sum(x, Ax({1}), true)), {2, 1, 4}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::sum(x)), {}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::sum(x, std::nullopt, true)), {1, 1, 1}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::max(x, Ax({-1, 0}))), {3}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::sum(x, Ax({}))), {2, 3, 4}, kF32));
}

TEST(ReduceOps, ArgReductionsGiveInt64) {
  Var x = Tensor("x", {2, 3, 4});
  EXPECT_TRUE(IsTensor(Infer(op::argmax(x, 1)), {2, 4}, kI64));
  EXPECT_TRUE(IsTensor(Infer(op::argmin(x, -1, true)), {2, 3, 1}, kI64));
  EXPECT_TRUE(IsTensor(Infer(op::argmax(x)), {}, kI64));
  EXPECT_TRUE(IsTensor(Infer(op::argmin(x, std::nullopt, true)), {1, 1, 1}, kI64));
  EXPECT_EQ(OpOf(op::argmax(x))->pattern, OpPattern::kReduction);
}

TEST(ReduceOps, SymbolicAndUnknown) {
  tir::Var n = tir::SizeVar("n");
  Var x = Tensor("x", {n, 128});
  EXPECT_TRUE(IsTensor(Infer(op::sum(x, Ax({1}))), {n}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::mean(x, Ax({0}), true)), {1, 128}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::argmax(x, 1, true)), {n, 1}, kI64));
  EXPECT_TRUE(IsTensorOfRank(Infer(op::sum(TensorOfRank("u", -1), Ax({1}))), -1, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::sum(TensorOfRank("u", -1))), {}, kF32));
  EXPECT_TRUE(IsTensorOfRank(Infer(op::sum(TensorOfRank("u", 3), Ax({0}))), 2, kF32));
}

TEST(ReduceOps, Errors) {
  Var x = Tensor("x", {2, 3, 4});
  EXPECT_KILN_ERROR(Infer(op::sum(x, Ax({3}))),
                    "relax.sum: axis 3 is out of range for rank 3 (expected -3 <= axis < 3)");
  EXPECT_KILN_ERROR(Infer(op::sum(x, Ax({1, -2}))), "relax.sum: axis 1 appears more than once");
  EXPECT_KILN_ERROR(Infer(op::mean(Tensor("i", {4}, kI32))),
                    "relax.mean: argument 'x' must have a float dtype, got int32");
  EXPECT_KILN_ERROR(Infer(op::argmax(x, 5)), "relax.argmax: axis 5 is out of range for rank 3");
}

TEST(ReduceOps, Attributes) {
  const OpNode* sum = GetOp("sum").get();
  Attrs attrs = CheckOpAttrs(sum, {});
  EXPECT_TRUE(attrs.Find("axis")->is_none());
  EXPECT_FALSE(attrs.Get<bool>("keepdims", true));
  EXPECT_EQ(CheckOpAttrs(GetOp("variance").get(), {}).Get<int64_t>("correction", -1), 0);
  EXPECT_KILN_ERROR(CheckOpAttrs(sum, {{"axis", 1}}), "attribute 'axis' must be a list of ints or None, got int");
  EXPECT_KILN_ERROR(CheckOpAttrs(GetOp("argmax").get(), {{"axis", IntList({1})}}),
                    "attribute 'axis' must be an int or None, got list");
}

}  // namespace
}  // namespace kiln::relax::testing
