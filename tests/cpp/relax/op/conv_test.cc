// Convolutions: output sizes for strides, padding, dilation and groups in
// both layouts, symbolic spatial dims, the transposed form, and errors.
#include "kiln/relax/op/conv.h"

#include "op_test_util.h"

namespace kiln::relax::testing {
namespace {

TEST(Conv2dOp, StaticShapes) {
  Var x = Tensor("x", {1, 3, 224, 224}), w = Tensor("w", {64, 3, 7, 7});
  EXPECT_TRUE(IsTensor(Infer(op::conv2d(x, w, {.strides = {2}, .padding = {3}})), {1, 64, 112, 112}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::conv2d(x, w)), {1, 64, 218, 218}, kF32));
  // Padding as (top, left, bottom, right).
  EXPECT_TRUE(
      IsTensor(Infer(op::conv2d(Tensor("x", {1, 1, 10, 10}), Tensor("w", {1, 1, 3, 3}), {.padding = {1, 0, 2, 0}})),
               {1, 1, 11, 8}, kF32));
  // Depthwise: 32 groups of one channel.
  EXPECT_TRUE(IsTensor(
      Infer(op::conv2d(Tensor("x", {1, 32, 56, 56}), Tensor("w", {32, 1, 3, 3}), {.padding = {1}, .groups = 32})),
      {1, 32, 56, 56}, kF32));
}

TEST(Conv2dOp, ChannelsLastLayouts) {
  Var x = Tensor("x", {1, 224, 224, 3}), w = Tensor("w", {7, 7, 3, 64});
  Expr call = op::conv2d(x, w, {.strides = {2, 2}, .padding = {3, 3}, .data_layout = "NHWC", .kernel_layout = "HWIO"});
  EXPECT_TRUE(IsTensor(Infer(call), {1, 112, 112, 64}, kF32));
}

TEST(Conv2dOp, SymbolicSpatialDims) {
  tir::Var n = tir::SizeVar("n"), h = tir::SizeVar("h"), wd = tir::SizeVar("w");
  Var x = Tensor("x", {n, 3, h, wd}), w = Tensor("w", {16, 3, 3, 3});
  EXPECT_TRUE(IsTensor(Infer(op::conv2d(x, w, {.padding = {1}})), {n, 16, h, wd}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::conv2d(x, w, {.strides = {2}, .padding = {1}})),
                       {n, 16, tir::floordiv(h + 1, 2), tir::floordiv(wd + 1, 2)}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::conv2d(x, w, {.dilation = {2}})), {n, 16, h - 4, wd - 4}, kF32));
}

TEST(Conv2dOp, OutDtypeAndUnknowns) {
  Var x = Tensor("x", {1, 3, 8, 8}, DataType::Int(8)), w = Tensor("w", {4, 3, 3, 3}, DataType::Int(8));
  EXPECT_TRUE(IsTensor(Infer(op::conv2d(x, w, {.out_dtype = kI32})), {1, 4, 6, 6}, kI32));
  EXPECT_TRUE(IsTensorOfRank(Infer(op::conv2d(TensorOfRank("x", 4), Tensor("w", {4, 3, 3, 3}))), 4, kF32));
}

TEST(Conv2dOp, Errors) {
  Var w = Tensor("w", {4, 4, 3, 3});
  EXPECT_KILN_ERROR(Infer(op::conv2d(Tensor("x", {1, 3, 8, 8}), w)),
                    "relax.conv2d: data has 3 channels but weight expects 4 (in_channels 4 x groups 1)");
  EXPECT_KILN_ERROR(Infer(op::conv2d(Tensor("x", {1, 3, 2, 2}), Tensor("w", {4, 3, 5, 5}))),
                    "relax.conv2d: the output would have -2 elements along an axis of size 2");
  EXPECT_KILN_ERROR(Infer(op::conv2d(Tensor("x", {1, 4, 8, 8}), w, {.data_layout = "NCHX"})),
                    "relax.conv2d: data_layout \"NCHX\" is not an arrangement of the letters NCHW");
  EXPECT_KILN_ERROR(Infer(op::conv2d(Tensor("x", {4, 8, 8}), w)),
                    "relax.conv2d: argument 'data' must have rank 4, got rank 3");
  EXPECT_KILN_ERROR(Infer(op::conv2d(Tensor("x", {1, 4, 8, 8}), Tensor("w", {6, 1, 3, 3}), {.groups = 4})),
                    "relax.conv2d: the 6 output channels do not divide into 4 groups");
  EXPECT_KILN_ERROR(Infer(op::conv2d(Tensor("x", {1, 4, 8, 8}), w, {.padding = {1, 2, 3}})),
                    "relax.conv2d: attribute 'padding' needs 1, 2 or 4 values, got 3");
  EXPECT_KILN_ERROR(Infer(op::conv2d(Tensor("x", {1, 4, 8, 8}), w, {.strides = {0}})),
                    "relax.conv2d: attribute 'strides' must be positive, got 0");
}

TEST(Conv2dOp, Attributes) {
  const OpNode* conv = GetOp("conv2d").get();
  Attrs attrs = CheckOpAttrs(conv, {});
  EXPECT_EQ(attrs.Get<std::string>("data_layout", ""), "NCHW");
  EXPECT_EQ(attrs.Get<std::string>("kernel_layout", ""), "OIHW");
  EXPECT_EQ(attrs.Get<int64_t>("groups", 0), 1);
  EXPECT_EQ(attrs.Find("strides")->Cast<std::vector<Any>>().size(), 2u);
  EXPECT_EQ(conv->pattern, OpPattern::kOutEWiseFusable);
  EXPECT_EQ(conv->arg_names, (std::vector<std::string>{"data", "weight"}));
  EXPECT_KILN_ERROR(CheckOpAttrs(conv, {{"strides", 2}}), "attribute 'strides' must be a list of ints, got int");
  EXPECT_EQ(CheckOpAttrs(GetOp("conv1d").get(), {}).Get<std::string>("data_layout", ""), "NCW");
  EXPECT_EQ(CheckOpAttrs(GetOp("conv2d_transpose").get(), {}).Get<std::string>("kernel_layout", ""), "IOHW");
}

TEST(Conv1dOp, Shapes) {
  tir::Var n = tir::SizeVar("n"), l = tir::SizeVar("l");
  EXPECT_TRUE(IsTensor(Infer(op::conv1d(Tensor("x", {2, 4, 100}), Tensor("w", {8, 4, 5}), {.dilation = {2}})),
                       {2, 8, 92}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::conv1d(Tensor("x", {n, l, 4}), Tensor("w", {3, 4, 8}),
                                        {.padding = {1}, .data_layout = "NWC", .kernel_layout = "WIO"})),
                       {n, l, 8}, kF32));
  EXPECT_KILN_ERROR(Infer(op::conv1d(Tensor("x", {2, 4, 100}), Tensor("w", {8, 4, 5}), {.padding = {1, 2, 3}})),
                    "relax.conv1d: attribute 'padding' needs 1 or 2 values, got 3");
}

TEST(Conv2dTransposeOp, Shapes) {
  Var x = Tensor("x", {1, 16, 7, 7}), w = Tensor("w", {16, 8, 3, 3});
  EXPECT_TRUE(IsTensor(Infer(op::conv2d_transpose(x, w, {.strides = {2}, .padding = {1}}, {1})), {1, 8, 14, 14}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::conv2d_transpose(x, w)), {1, 8, 9, 9}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::conv2d_transpose(x, Tensor("w", {16, 4, 3, 3}), {.groups = 2})), {1, 8, 9, 9}, kF32));
  tir::Var n = tir::SizeVar("n"), h = tir::SizeVar("h");
  EXPECT_TRUE(
      IsTensor(Infer(op::conv2d_transpose(Tensor("x", {n, 16, h, h}), w, {.strides = {2}, .padding = {1}}, {1})),
               {n, 8, h * 2, h * 2}, kF32));
  EXPECT_EQ(OpOf(op::conv2d_transpose(x, w))->pattern, OpPattern::kOutEWiseFusable);
}

TEST(Conv2dTransposeOp, Errors) {
  Var x = Tensor("x", {1, 16, 7, 7});
  EXPECT_KILN_ERROR(Infer(op::conv2d_transpose(x, Tensor("w", {8, 8, 3, 3}))),
                    "relax.conv2d_transpose: data has 16 channels but weight expects 8");
  EXPECT_KILN_ERROR(Infer(op::conv2d_transpose(x, Tensor("w", {16, 8, 3, 3}), {.strides = {2}}, {2})),
                    "relax.conv2d_transpose: output_padding 2 must be smaller than the stride 2 or the dilation 1");
  EXPECT_KILN_ERROR(
      Infer(op::conv2d_transpose(Tensor("x", {1, 16, 1, 1}), Tensor("w", {16, 8, 1, 1}), {.padding = {1}})),
      "relax.conv2d_transpose: the output would have -1 elements along an axis of size 1");
}

}  // namespace
}  // namespace kiln::relax::testing
