// Elementwise unary ops: shape and dtype pass through, float-only ops reject
// integers, gelu and clip check their attributes.
#include "kiln/relax/op/unary.h"

#include <limits>

#include "op_test_util.h"

namespace kiln::relax::testing {
namespace {

TEST(UnaryOps, KeepShapeAndDtype) {
  Var x = Tensor("x", {2, 3});
  for (Expr call : {op::exp(x), op::log(x), op::sqrt(x), op::rsqrt(x), op::tanh(x), op::sigmoid(x), op::erf(x),
                    op::abs(x), op::neg(x), op::relu(x), op::gelu(x), op::silu(x), op::clip(x, 0, 6)}) {
    EXPECT_TRUE(IsTensor(Infer(call), {2, 3}, kF32)) << OpOf(call)->name;
    EXPECT_EQ(OpOf(call)->pattern, OpPattern::kElementwise) << OpOf(call)->name;
    EXPECT_EQ(OpOf(call)->arg_names, std::vector<std::string>{"x"});
  }
}

TEST(UnaryOps, SymbolicShapesAndUnknownsPropagate) {
  tir::Var n = tir::SizeVar("n");
  EXPECT_TRUE(IsTensor(Infer(op::exp(Tensor("x", {n, 4}, kF16))), {n, 4}, kF16));
  EXPECT_TRUE(IsTensorOfRank(Infer(op::tanh(TensorOfRank("x", 3))), 3, kF32));
  EXPECT_TRUE(IsTensorOfRank(Infer(op::relu(TensorOfRank("x", -1, kVoid))), -1, kVoid));
}

TEST(UnaryOps, IntegersOnlyWhereDefined) {
  Var i = Tensor("i", {4}, kI32);
  EXPECT_TRUE(IsTensor(Infer(op::abs(i)), {4}, kI32));
  EXPECT_TRUE(IsTensor(Infer(op::relu(i)), {4}, kI32));
  EXPECT_TRUE(IsTensor(Infer(op::clip(i, -1, 1)), {4}, kI32));
  EXPECT_KILN_ERROR(Infer(op::exp(i)), "relax.exp: argument 'x' must have a float dtype, got int32");
  EXPECT_KILN_ERROR(Infer(op::neg(Tensor("b", {4}, kBool))), "relax.neg: argument 'x' must be numeric, got bool");
}

TEST(UnaryOps, ArgumentsMustBeTensors) {
  Var s = MakeVar("s", ShapeSInfo({2}));
  EXPECT_KILN_ERROR(Infer(op::sqrt(s)), "relax.sqrt: argument 'x' must be a tensor, got a shape");
  Expr two = MakeCall(GetOp("relax.exp"), {Tensor("a", {1}), Tensor("b", {1})});
  EXPECT_KILN_ERROR(Infer(two), "relax.exp takes 1 arguments (x), got 2");
}

TEST(UnaryOps, GeluApproximation) {
  const OpNode* gelu = GetOp("gelu").get();
  Attrs defaults = CheckOpAttrs(gelu, {});
  EXPECT_EQ(defaults.Get<std::string>("approximate", ""), "none");
  Var x = Tensor("x", {8});
  EXPECT_TRUE(IsTensor(Infer(op::gelu(x, "tanh")), {8}, kF32));
  EXPECT_KILN_ERROR(Infer(op::gelu(x, "fast")),
                    "relax.gelu: attribute 'approximate' must be one of \"none\", \"tanh\"; got \"fast\"");
  EXPECT_KILN_ERROR(CheckOpAttrs(gelu, {{"approximate", 1}}), "attribute 'approximate' must be a string, got int");
}

TEST(UnaryOps, ClipBounds) {
  const OpNode* clip = GetOp("clip").get();
  Attrs defaults = CheckOpAttrs(clip, {});
  EXPECT_EQ(defaults.Get<double>("min", 0), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(defaults.Get<double>("max", 0), std::numeric_limits<double>::infinity());
  EXPECT_KILN_ERROR(Infer(op::clip(Tensor("x", {2}), 6, 0)), "relax.clip: min 6 is greater than max 0");
  EXPECT_KILN_ERROR(CheckOpAttrs(clip, {{"min", "zero"}}), "attribute 'min' must be a float, got str");
}

}  // namespace
}  // namespace kiln::relax::testing
