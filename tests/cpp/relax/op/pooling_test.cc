// Pooling: window output sizes (with ceil_mode and PyTorch's last-window
// rule), layouts, symbolic dims, adaptive output sizes, and errors.
#include "kiln/relax/op/pooling.h"

#include "op_test_util.h"

namespace kiln::relax::testing {
namespace {

TEST(Pool2dOp, WindowShapes) {
  Var x = Tensor("x", {1, 64, 112, 112});
  EXPECT_TRUE(IsTensor(Infer(op::max_pool2d(x, {3}, {.strides = {2}, .padding = {1}})), {1, 64, 56, 56}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::avg_pool2d(x, {2, 2}, {.strides = {2, 2}})), {1, 64, 56, 56}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::max_pool2d(Tensor("x", {1, 32, 32, 16}), {2}, {.strides = {2}, .layout = "NHWC"})),
                       {1, 16, 16, 16}, kF32));
}

TEST(Pool2dOp, CeilMode) {
  Var x = Tensor("x", {1, 1, 5, 5});
  EXPECT_TRUE(IsTensor(Infer(op::max_pool2d(x, {2}, {.strides = {2}})), {1, 1, 2, 2}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::max_pool2d(x, {2}, {.strides = {2}, .ceil_mode = true})), {1, 1, 3, 3}, kF32));
  // A last window that would start past the input is dropped (as in PyTorch).
  EXPECT_TRUE(IsTensor(Infer(op::max_pool2d(x, {1}, {.strides = {3}, .ceil_mode = true})), {1, 1, 2, 2}, kF32));
}

TEST(Pool2dOp, SymbolicDims) {
  tir::Var n = tir::SizeVar("n"), h = tir::SizeVar("h");
  Var x = Tensor("x", {n, 3, h, 32});
  EXPECT_TRUE(IsTensor(Infer(op::avg_pool2d(x, {2}, {.strides = {2}})), {n, 3, tir::floordiv(h, 2), 16}, kF32));
  auto ceil = Infer(op::max_pool2d(x, {2}, {.strides = {2}, .ceil_mode = true})).As<TensorStructInfoNode>();
  ASSERT_TRUE(ceil && ceil->shape);
  EXPECT_NE((*ceil->shape)[2].as<tir::SelectNode>(), nullptr);  // decided at run time
  EXPECT_TRUE(SameDim((*ceil->shape)[3], 16));
}

TEST(Pool2dOp, Errors) {
  EXPECT_KILN_ERROR(Infer(op::max_pool2d(Tensor("x", {1, 1, 2, 2}), {3})),
                    "relax.max_pool2d: the output would have 0 elements along an axis of size 2");
  EXPECT_KILN_ERROR(Infer(op::avg_pool2d(Tensor("x", {1, 3, 4}), {2})),
                    "relax.avg_pool2d: argument 'data' must have rank 4, got rank 3");
  EXPECT_KILN_ERROR(Infer(op::max_pool2d(Tensor("x", {1, 1, 4, 4}), {2, 2, 2})),
                    "relax.max_pool2d: attribute 'pool_size' needs 1 or 2 values, got 3");
  EXPECT_KILN_ERROR(Infer(op::max_pool2d(Tensor("x", {1, 1, 4, 4}), {2}, {.layout = "CHWX"})),
                    "relax.max_pool2d: layout \"CHWX\" is not an arrangement of the letters NCHW");
  EXPECT_KILN_ERROR(Infer(op::max_pool2d(Tensor("x", {1, 1, 4, 4}), {2}, {.layout = "CHWN2"})),
                    "relax.max_pool2d: layout \"CHWN2\": a block size must be followed by a lower-case axis");
  // Blocked: NCHW<b>c only, rank 5.
  EXPECT_EQ(relax::StructInfoString(Infer(op::max_pool2d(Tensor("x", {2, 4, 9, 9, 16}), {3},
                                                  {.strides = {2}, .padding = {1}, .layout = "NCHW16c"}))),
            "Tensor((2, 4, 5, 5, 16), float32)");
  EXPECT_KILN_ERROR(Infer(op::max_pool2d(Tensor("x", {2, 9, 9, 4, 16}), {3}, {.layout = "NHWC16c"})),
                    "relax.max_pool2d: a blocked layout must be NCHW<c>c (such as NCHW16c), got \"NHWC16c\"");
  EXPECT_KILN_ERROR(Infer(op::avg_pool2d(Tensor("x", {2, 4, 9, 9}), {3}, {.layout = "NCHW16c"})),
                    "relax.avg_pool2d: argument 'data' must have rank 5, got rank 4");
}

TEST(Pool2dOp, Attributes) {
  const OpNode* max_pool = GetOp("max_pool2d").get();
  const OpNode* avg_pool = GetOp("avg_pool2d").get();
  EXPECT_KILN_ERROR(CheckOpAttrs(max_pool, {}), "relax.max_pool2d: missing attribute 'pool_size'");
  Attrs attrs = CheckOpAttrs(avg_pool, {{"pool_size", IntList({2, 2})}});
  EXPECT_FALSE(attrs.Get<bool>("count_include_pad", true));
  EXPECT_FALSE(attrs.Get<bool>("ceil_mode", true));
  EXPECT_EQ(attrs.Get<std::string>("layout", ""), "NCHW");
  EXPECT_KILN_ERROR(CheckOpAttrs(max_pool, {{"pool_size", IntList({2})}, {"count_include_pad", true}}),
                    "relax.max_pool2d: unknown attribute 'count_include_pad'");
  EXPECT_KILN_ERROR(CheckOpAttrs(avg_pool, {{"pool_size", IntList({2})}, {"ceil_mode", 1}}),
                    "attribute 'ceil_mode' must be a bool, got int");
  EXPECT_EQ(max_pool->pattern, OpPattern::kOutEWiseFusable);
  EXPECT_EQ(avg_pool->pattern, OpPattern::kOutEWiseFusable);
}

TEST(AdaptiveAvgPool2dOp, OutputSize) {
  tir::Var n = tir::SizeVar("n");
  EXPECT_TRUE(IsTensor(Infer(op::adaptive_avg_pool2d(Tensor("x", {n, 512, 7, 7}), std::vector<int64_t>{1})),
                       {n, 512, 1, 1}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::adaptive_avg_pool2d(Tensor("x", {n, 512, 7, 7}))), {n, 512, 7, 7}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::adaptive_avg_pool2d(Tensor("x", {1, 8, 8, 4}), std::vector<int64_t>{2, 3}, "NHWC")),
                       {1, 2, 3, 4}, kF32));
  EXPECT_KILN_ERROR(Infer(op::adaptive_avg_pool2d(Tensor("x", {1, 8, 8, 4}), std::vector<int64_t>{0})),
                    "relax.adaptive_avg_pool2d: output_size must be positive, got 0");
  EXPECT_EQ(OpOf(op::adaptive_avg_pool2d(Tensor("x", {1, 1, 1, 1})))->pattern, OpPattern::kOutEWiseFusable);
}

}  // namespace
}  // namespace kiln::relax::testing
