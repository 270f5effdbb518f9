// matmul (NumPy semantics) and linear (x @ weight.T + bias): shapes over
// static and symbolic dims, 1-D operands, batch broadcasting, out_dtype.
#include "kiln/relax/op/matmul.h"

#include "op_test_util.h"

namespace kiln::relax::testing {
namespace {

TEST(MatmulOp, NumpyShapes) {
  EXPECT_TRUE(IsTensor(Infer(op::matmul(Tensor("a", {2, 3, 4}), Tensor("b", {4, 5}))), {2, 3, 5}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::matmul(Tensor("a", {4}), Tensor("b", {4, 5}))), {5}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::matmul(Tensor("a", {3, 4}), Tensor("b", {4}))), {3}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::matmul(Tensor("a", {4}), Tensor("b", {4}))), {}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::matmul(Tensor("a", {2, 1, 3, 4}), Tensor("b", {5, 4, 6}))), {2, 5, 3, 6}, kF32));
}

TEST(MatmulOp, SymbolicBatch) {
  tir::Var n = tir::SizeVar("n"), k = tir::SizeVar("k");
  EXPECT_TRUE(IsTensor(Infer(op::matmul(Tensor("x", {n, 784}), Tensor("w", {784, 10}))), {n, 10}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::matmul(Tensor("a", {n, 8, k}), Tensor("b", {n, k, 16}))), {n, 8, 16}, kF32));
}

TEST(MatmulOp, OutDtypeAndUnknowns) {
  Var a = Tensor("a", {2, 3}, DataType::Int(8)), b = Tensor("b", {3, 4}, DataType::Int(8));
  EXPECT_TRUE(IsTensor(Infer(op::matmul(a, b, kI32)), {2, 4}, kI32));
  EXPECT_TRUE(IsTensor(Infer(op::matmul(a, b)), {2, 4}, DataType::Int(8)));
  EXPECT_TRUE(IsTensorOfRank(Infer(op::matmul(TensorOfRank("a", 3), Tensor("b", {4, 5}))), 3, kF32));
  EXPECT_TRUE(IsTensorOfRank(Infer(op::matmul(TensorOfRank("a", 1), TensorOfRank("b", 2))), 1, kF32));
  EXPECT_TRUE(IsTensorOfRank(Infer(op::matmul(TensorOfRank("a", -1), Tensor("b", {4, 5}))), -1, kF32));
}

TEST(MatmulOp, Errors) {
  tir::Var n = tir::SizeVar("n");
  EXPECT_KILN_ERROR(Infer(op::matmul(Tensor("x", {n, 784}), Tensor("w", {783, 10}))),
                    "relax.matmul: the reduction dimensions differ: a has 784 at axis 1 but b has 783 at axis 0");
  EXPECT_KILN_ERROR(Infer(op::matmul(Tensor("x", {8, n}), Tensor("w", {n + 1, 10}))),
                    "relax.matmul: the reduction dimensions differ: a has n at axis 1 but b has n + 1 at axis 0");
  EXPECT_KILN_ERROR(Infer(op::matmul(Tensor("a", {2, 3}), Tensor("b", {3, 4}, kF16))),
                    "relax.matmul: dtypes float32 and float16 differ");
  EXPECT_KILN_ERROR(Infer(op::matmul(Tensor("a", {2, 3}), Tensor("b", {}))),
                    "relax.matmul: argument 'b' must have rank 1 or more, got a scalar");
  EXPECT_KILN_ERROR(Infer(op::matmul(Tensor("a", {2, 3, 4}), Tensor("b", {5, 4, 6}))),
                    "relax.matmul: shapes (2,) and (5,) do not broadcast");
}

TEST(MatmulOp, Attributes) {
  const OpNode* matmul = GetOp("matmul").get();
  EXPECT_EQ(matmul->pattern, OpPattern::kOutEWiseFusable);
  EXPECT_EQ(CheckOpAttrs(matmul, {}).Get<std::string>("out_dtype", "?"), "");
  EXPECT_KILN_ERROR(CheckOpAttrs(matmul, {{"out_dtype", 3}}), "attribute 'out_dtype' must be a string, got int");
  Expr bad = MakeCall(GetOp("matmul"), {Tensor("a", {2, 2}), Tensor("b", {2, 2})}, {{"out_dtype", "float7"}});
  EXPECT_KILN_ERROR(Infer(bad), "relax.matmul: attribute 'out_dtype': unknown dtype \"float7\"");
}

TEST(LinearOp, PyTorchConvention) {
  tir::Var n = tir::SizeVar("n");
  Var x = Tensor("x", {n, 784}), w = Tensor("w", {10, 784}), bias = Tensor("bias", {10});
  EXPECT_TRUE(IsTensor(Infer(op::linear(x, w, bias)), {n, 10}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::linear(x, w)), {n, 10}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::linear(Tensor("x", {2, n, 784}), w)), {2, n, 10}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::linear(Tensor("x", {784}), w)), {10}, kF32));
  EXPECT_EQ(OpOf(op::linear(x, w))->arg_names, (std::vector<std::string>{"x", "weight", "bias"}));
  EXPECT_EQ(OpOf(op::linear(x, w))->pattern, OpPattern::kOutEWiseFusable);
}

TEST(LinearOp, Errors) {
  tir::Var n = tir::SizeVar("n");
  Var x = Tensor("x", {n, 784});
  EXPECT_KILN_ERROR(Infer(op::linear(x, Tensor("w", {10, 783}))),
                    "relax.linear: the reduction dimensions differ: x has 784 at axis 1 but weight has 783 at axis 1");
  EXPECT_KILN_ERROR(Infer(op::linear(x, Tensor("w", {10, 784}), Tensor("b", {5}))),
                    "relax.linear: bias has shape (5,) but the output has 10 features");
  EXPECT_KILN_ERROR(Infer(op::linear(x, Tensor("w", {784}))),
                    "relax.linear: weight must have rank 2 (out_features, in_features), got rank 1");
  EXPECT_KILN_ERROR(Infer(op::linear(x, Tensor("w", {10, 784}, kF16))),
                    "relax.linear: dtypes float32 and float16 differ");
  Expr four = MakeCall(GetOp("linear"), {x, x, x, x});
  EXPECT_KILN_ERROR(Infer(four), "relax.linear takes 2 to 3 arguments (x, weight, bias), got 4");
}

}  // namespace
}  // namespace kiln::relax::testing
