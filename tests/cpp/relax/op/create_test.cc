// Tensor-creating ops: zeros/ones/full from a (symbolic) shape, the *_like
// forms, arange lengths from constant and symbolic bounds, tril and triu.
#include "kiln/relax/op/create.h"

#include "op_test_util.h"

namespace kiln::relax::testing {
namespace {

TEST(FullOps, FromShape) {
  tir::Var n = tir::SizeVar("n");
  EXPECT_TRUE(IsTensor(Infer(op::zeros({n, 4})), {n, 4}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::ones({2, 3}, kI32)), {2, 3}, kI32));
  EXPECT_TRUE(IsTensor(Infer(op::full({2, 3}, 1.5, kF16)), {2, 3}, kF16));
  EXPECT_TRUE(IsTensorOfRank(Infer(op::zeros(MakeVar("s", ShapeSInfoOfRank(2)))), 2, kF32));
  EXPECT_EQ(OpOf(op::zeros({1}))->pattern, OpPattern::kInjective);
  EXPECT_EQ(CheckOpAttrs(GetOp("zeros").get(), {}).Get<DataType>("dtype", kVoid), kF32);
  EXPECT_KILN_ERROR(Infer(op::zeros(Tensor("x", {2}))), "relax.zeros: argument 'shape' must be a shape, got a tensor");
  EXPECT_KILN_ERROR(CheckOpAttrs(GetOp("full").get(), {}), "relax.full: missing attribute 'fill_value'");
  EXPECT_KILN_ERROR(CheckOpAttrs(GetOp("ones").get(), {{"dtype", 1}}), "attribute 'dtype' must be a dtype, got int");
}

TEST(FullOps, LikeAnotherTensor) {
  tir::Var n = tir::SizeVar("n");
  Var x = Tensor("x", {n, 3}, kI32);
  EXPECT_TRUE(IsTensor(Infer(op::zeros_like(x)), {n, 3}, kI32));
  EXPECT_TRUE(IsTensor(Infer(op::ones_like(x, kF32)), {n, 3}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::full_like(x, 7)), {n, 3}, kI32));
  EXPECT_TRUE(IsTensorOfRank(Infer(op::zeros_like(TensorOfRank("u", -1, kVoid))), -1, kVoid));
  EXPECT_EQ(OpOf(op::zeros_like(x))->pattern, OpPattern::kElementwise);
  EXPECT_KILN_ERROR(Infer(op::full_like(MakeVar("s", ShapeSInfo({2})), 1)),
                    "relax.full_like: argument 'x' must be a tensor, got a shape");
}

TEST(ArangeOp, Lengths) {
  tir::Var n = tir::SizeVar("n");
  EXPECT_TRUE(IsTensor(Infer(op::arange(10)), {10}, kI64));
  EXPECT_TRUE(IsTensor(Infer(op::arange(0, 10, 3)), {4}, kI64));
  EXPECT_TRUE(IsTensor(Infer(op::arange(10, 0, -3)), {4}, kI64));
  EXPECT_TRUE(IsTensor(Infer(op::arange(5, 2)), {0}, kI64));
  EXPECT_TRUE(IsTensor(Infer(op::arange(0.0, 1.0, 0.25)), {4}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::arange(0, 4, 1, kF16)), {4}, kF16));
  EXPECT_TRUE(IsTensor(Infer(op::arange(n)), {n}, kI64));
  EXPECT_TRUE(IsTensor(Infer(op::arange(2, n)), {n - 2}, kI64));
  EXPECT_TRUE(IsTensor(Infer(op::arange(0, n, 2)), {tir::floordiv(n + 1, 2)}, kI64));
  EXPECT_TRUE(IsTensorOfRank(Infer(op::arange(0, n, tir::SizeVar("s"))), 1, kI64));
  EXPECT_EQ(OpOf(op::arange(1))->arg_names, (std::vector<std::string>{"start", "end", "step"}));
}

TEST(ArangeOp, Errors) {
  EXPECT_KILN_ERROR(Infer(op::arange(0, 10, 0)), "relax.arange: step must not be 0");
  Expr bad = MakeCall(GetOp("arange"), {MakePrimValue(0), Tensor("x", {1}), MakePrimValue(1)});
  EXPECT_KILN_ERROR(Infer(bad), "relax.arange: argument 'end' must be a scalar, got a tensor");
}

TEST(TriangleOps, Shapes) {
  tir::Var n = tir::SizeVar("n");
  Var x = Tensor("x", {2, n, n});
  EXPECT_TRUE(IsTensor(Infer(op::tril(x)), {2, n, n}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::triu(x, 1)), {2, n, n}, kF32));
  EXPECT_KILN_ERROR(Infer(op::tril(Tensor("v", {3}))), "relax.tril: argument 'x' must have rank 2 or more, got rank 1");
  EXPECT_EQ(CheckOpAttrs(GetOp("triu").get(), {}).Get<int64_t>("k", -1), 0);
  EXPECT_EQ(OpOf(op::tril(x))->pattern, OpPattern::kInjective);
}

}  // namespace
}  // namespace kiln::relax::testing
