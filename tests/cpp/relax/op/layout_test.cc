// layout_transform and the blocked layouts of conv2d: shapes of blocked and
// unblocked layouts both ways, the layout strings' errors, and the blocked
// conv2d's inference and errors.
#include "kiln/relax/op/layout.h"

#include "kiln/relax/op/conv.h"
#include "op_test_util.h"

namespace kiln::relax::testing {
namespace {

TEST(LayoutTransformOp, Shapes) {
  Var x = Tensor("x", {2, 64, 7, 5});
  EXPECT_TRUE(IsTensor(Infer(op::layout_transform(x, "NCHW", "NCHW16c")), {2, 4, 7, 5, 16}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::layout_transform(x, "NCHW", "NHWC")), {2, 7, 5, 64}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::layout_transform(x, "NCHW", "NCHW")), {2, 64, 7, 5}, kF32));
  Var xb = Tensor("xb", {2, 4, 7, 5, 16});
  EXPECT_TRUE(IsTensor(Infer(op::layout_transform(xb, "NCHW16c", "NCHW")), {2, 64, 7, 5}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::layout_transform(xb, "NCHW16c", "NCHW8c")), {2, 8, 7, 5, 8}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::layout_transform(xb, "NCHW16c", "NHWC")), {2, 7, 5, 64}, kF32));
  // Kernels: both channel axes blocked.
  Var w = Tensor("w", {32, 16, 3, 3});
  EXPECT_TRUE(IsTensor(Infer(op::layout_transform(w, "OIHW", "OIHW8i16o")), {2, 2, 3, 3, 8, 16}, kF32));
  // A bias of shape (C, 1, 1).
  EXPECT_TRUE(IsTensor(Infer(op::layout_transform(Tensor("b", {32, 1, 1}), "CHW", "CHW16c")), {2, 1, 1, 16}, kF32));
  // Symbolic dims: the batch passes through, a channel count known to
  // divide (16 * n) is divided.
  tir::Var n = tir::SizeVar("n");
  EXPECT_TRUE(
      IsTensor(Infer(op::layout_transform(Tensor("y", {n, 32, 4, 4}), "NCHW", "NCHW16c")), {n, 2, 4, 4, 16}, kF32));
  EXPECT_TRUE(IsTensorOfRank(Infer(op::layout_transform(TensorOfRank("z", 4), "NCHW", "NCHW16c")), 5, kF32));
  EXPECT_EQ(OpOf(op::layout_transform(x, "NCHW", "NCHW16c"))->pattern, OpPattern::kInjective);
}

TEST(LayoutTransformOp, Errors) {
  Var x = Tensor("x", {1, 24, 4, 4});
  EXPECT_KILN_ERROR(Infer(op::layout_transform(x, "NCHW", "NCHW16c")),
                    "relax.layout_transform: axis C has extent 24, not a multiple of its block 16 in dst_layout "
                    "\"NCHW16c\"");
  tir::Var c = tir::SizeVar("c");
  EXPECT_KILN_ERROR(Infer(op::layout_transform(Tensor("y", {1, c, 4, 4}), "NCHW", "NCHW16c")),
                    "relax.layout_transform: axis C has extent c, not a multiple of its block 16");
  EXPECT_KILN_ERROR(Infer(op::layout_transform(Tensor("z", {1, 24, 4}), "NCHW", "NCHW8c")),
                    "relax.layout_transform: argument 'x' must have rank 4, got rank 3");
  EXPECT_KILN_ERROR(Infer(op::layout_transform(x, "NCHW", "NHW8c")),
                    "relax.layout_transform: dst_layout \"NHW8c\": the block of axis C needs the axis C too");
  EXPECT_KILN_ERROR(Infer(op::layout_transform(x, "NCHW", "NCDW")),
                    "relax.layout_transform: src_layout \"NCHW\" and dst_layout \"NCDW\" have different axes "
                    "(NCHW vs NCDW)");
  EXPECT_KILN_ERROR(Infer(op::layout_transform(x, "NCHW", "NCHW8")),
                    "relax.layout_transform: dst_layout \"NCHW8\": a block size must be followed by a lower-case axis");
  EXPECT_KILN_ERROR(Infer(op::layout_transform(x, "NCHWC", "NCHW")),
                    "relax.layout_transform: src_layout \"NCHWC\": axis C appears twice");
  EXPECT_KILN_ERROR(Infer(op::layout_transform(x, "NCHW", "NCHW8c4c")),
                    "relax.layout_transform: dst_layout \"NCHW8c4c\": axis C is blocked twice");
  EXPECT_KILN_ERROR(Infer(op::layout_transform(x, "NCHW", "NCHW0c")),
                    "relax.layout_transform: dst_layout \"NCHW0c\": the block of axis C must be positive");
  EXPECT_KILN_ERROR(
      Infer(op::layout_transform(x, "nchw", "NCHW")),
      "relax.layout_transform: src_layout \"nchw\": expected an upper-case axis or a block size, got 'n'");
  EXPECT_KILN_ERROR(
      Infer(op::layout_transform(Tensor("xb", {1, 3, 4, 4, 8}), "NCHW16c", "NCHW")),
      "relax.layout_transform: the block dim of axis C in src_layout \"NCHW16c\" has size 8, expected 16");
}

TEST(Conv2dBlockedOp, Shapes) {
  Var x = Tensor("x", {1, 4, 56, 56, 16}), w = Tensor("w", {2, 4, 3, 3, 16, 16});
  op::ConvOptions o{.padding = {1}, .data_layout = "NCHW16c", .kernel_layout = "OIHW16i16o"};
  EXPECT_TRUE(IsTensor(Infer(op::conv2d(x, w, o)), {1, 2, 56, 56, 16}, kF32));
  o.strides = {2};
  EXPECT_TRUE(IsTensor(Infer(op::conv2d(x, w, o)), {1, 2, 28, 28, 16}, kF32));
  // Different input and output blocks.
  Expr c = op::conv2d(x, Tensor("w8", {4, 4, 1, 1, 16, 8}),
                      {.data_layout = "NCHW16c", .kernel_layout = "OIHW16i8o", .out_layout = "NCHW8c"});
  EXPECT_TRUE(IsTensor(Infer(c), {1, 4, 56, 56, 8}, kF32));
  tir::Var n = tir::SizeVar("n");
  EXPECT_TRUE(IsTensor(Infer(op::conv2d(Tensor("y", {n, 4, 8, 8, 16}), Tensor("w1", {2, 4, 1, 1, 16, 16}),
                                        {.data_layout = "NCHW16c", .kernel_layout = "OIHW16i16o"})),
                       {n, 2, 8, 8, 16}, kF32));
  const OpNode* conv = GetOp("conv2d").get();
  EXPECT_EQ(CheckOpAttrs(conv, {}).Get<std::string>("out_layout", "x"), "");
}

TEST(Conv2dBlockedOp, Errors) {
  Var x = Tensor("x", {1, 4, 8, 8, 16}), w = Tensor("w", {2, 4, 3, 3, 16, 16});
  auto conv = [&](const Var& data, const Var& weight, op::ConvOptions o) { return Infer(op::conv2d(data, weight, o)); };
  EXPECT_KILN_ERROR(conv(x, w, {.data_layout = "NHWC16c", .kernel_layout = "OIHW16i16o"}),
                    "relax.conv2d: a blocked data_layout must be NCHW<c>c (such as NCHW16c), got \"NHWC16c\"");
  EXPECT_KILN_ERROR(conv(x, w, {.data_layout = "NCHW16c", .kernel_layout = "OIHW"}),
                    "relax.conv2d: with a blocked data_layout, kernel_layout must be OIHW<i>i<o>o");
  EXPECT_KILN_ERROR(conv(x, w, {.data_layout = "NCHW16c", .kernel_layout = "OIHW8i16o"}),
                    "relax.conv2d: kernel_layout \"OIHW8i16o\" blocks the input channels by 8 but data_layout "
                    "\"NCHW16c\" by 16");
  EXPECT_KILN_ERROR(conv(x, w, {.data_layout = "NCHW16c", .kernel_layout = "OIHW16i16o", .out_layout = "NCHW8c"}),
                    "relax.conv2d: out_layout \"NCHW8c\" blocks the output channels by 8 but kernel_layout "
                    "\"OIHW16i16o\" by 16");
  EXPECT_KILN_ERROR(conv(x, w, {.groups = 2, .data_layout = "NCHW16c", .kernel_layout = "OIHW16i16o"}),
                    "relax.conv2d: a blocked depthwise conv2d (groups 2) takes kernel_layout OIHW1i<b>o with <b> the "
                    "data's block 16 (such as OIHW1i16o), got \"OIHW16i16o\"");
  // Depthwise: groups = the 64 channels, kernel (C / 16, 1, KH, KW, 1, 16).
  Var wd = Tensor("wd", {4, 1, 3, 3, 1, 16});
  EXPECT_EQ(relax::StructInfoString(
                conv(x, wd, {.padding = {1}, .groups = 64, .data_layout = "NCHW16c", .kernel_layout = "OIHW1i16o"})),
            "Tensor((1, 4, 8, 8, 16), float32)");
  EXPECT_KILN_ERROR(conv(x, wd, {.groups = 32, .data_layout = "NCHW16c", .kernel_layout = "OIHW1i16o"}),
                    "relax.conv2d: a blocked conv2d with groups 32 must be depthwise (groups = the 64 channels of "
                    "data)");
  EXPECT_KILN_ERROR(
      conv(x, Tensor("w2", {2, 3, 3, 3, 16, 16}), {.data_layout = "NCHW16c", .kernel_layout = "OIHW16i16o"}),
      "relax.conv2d: data has 4 channel blocks but weight expects 3");
  EXPECT_KILN_ERROR(
      conv(x, Tensor("w3", {2, 4, 3, 3, 16, 8}), {.data_layout = "NCHW16c", .kernel_layout = "OIHW16i16o"}),
      "relax.conv2d: the output-channel block of weight (axis 5) has size 8, expected the block 16");
  EXPECT_KILN_ERROR(conv(Tensor("x4", {1, 64, 8, 8}), w, {.data_layout = "NCHW16c", .kernel_layout = "OIHW16i16o"}),
                    "relax.conv2d: argument 'data' must have rank 5, got rank 4");
  EXPECT_KILN_ERROR(conv(Tensor("x5", {1, 64, 8, 8}), Tensor("w5", {16, 64, 3, 3}), {.out_layout = "NHWC"}),
                    "relax.conv2d: out_layout \"NHWC\" differs from data_layout \"NCHW\"");
}

}  // namespace
}  // namespace kiln::relax::testing
