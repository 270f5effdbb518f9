// Normalizations: the result has data's shape; parameters must match the
// axes they scale; group and batch norm check channels.
#include "kiln/relax/op/norm.h"

#include "op_test_util.h"

namespace kiln::relax::testing {
namespace {

TEST(LayerNormOp, Shapes) {
  tir::Var n = tir::SizeVar("n");
  Var x = Tensor("x", {n, 128, 768});
  EXPECT_TRUE(IsTensor(Infer(op::layer_norm(x, Tensor("g", {768}), Tensor("b", {768}))), {n, 128, 768}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::layer_norm(x, Tensor("g", {128, 768}), Tensor("b", {128, 768}), {-2, -1})),
                       {n, 128, 768}, kF32));
  EXPECT_EQ(OpOf(op::layer_norm(x, x, x))->pattern, OpPattern::kOutEWiseFusable);
  Attrs attrs = CheckOpAttrs(GetOp("layer_norm").get(), {});
  EXPECT_EQ(attrs.Get<double>("epsilon", 0), 1e-5);
  EXPECT_EQ(attrs.Find("axes")->Cast<std::vector<Any>>()[0].Cast<int64_t>(), -1);
  EXPECT_KILN_ERROR(CheckOpAttrs(GetOp("layer_norm").get(), {{"epsilon", "small"}}),
                    "relax.layer_norm: attribute 'epsilon' must be a float, got str");
}

TEST(LayerNormOp, Errors) {
  Var x = Tensor("x", {2, 768});
  EXPECT_KILN_ERROR(Infer(op::layer_norm(x, Tensor("g", {512}), Tensor("b", {768}))),
                    "relax.layer_norm: gamma has shape (512,) but the axes of data it scales have (768,)");
  EXPECT_KILN_ERROR(Infer(op::layer_norm(x, Tensor("g", {1, 768}), Tensor("b", {768}))),
                    "relax.layer_norm: argument 'gamma' must have rank 1, got rank 2");
  EXPECT_KILN_ERROR(Infer(op::layer_norm(x, Tensor("g", {768}, kF16), Tensor("b", {768}))),
                    "relax.layer_norm: dtypes float32 and float16 differ");
  EXPECT_KILN_ERROR(Infer(op::layer_norm(x, Tensor("g", {768}), Tensor("b", {768}), {2})),
                    "relax.layer_norm: axis 2 is out of range for rank 2");
}

TEST(RmsNormOp, Shapes) {
  tir::Var n = tir::SizeVar("n");
  EXPECT_TRUE(IsTensor(Infer(op::rms_norm(Tensor("x", {n, 4096}, kF16), Tensor("w", {4096}, kF16))), {n, 4096}, kF16));
  EXPECT_KILN_ERROR(Infer(op::rms_norm(Tensor("x", {n, 8}, kI32), Tensor("w", {8}, kI32))),
                    "relax.rms_norm: argument 'data' must have a float dtype, got int32");
  EXPECT_KILN_ERROR(Infer(op::rms_norm(Tensor("x", {n, 8}), Tensor("w", {8}), {-1}, -1.0)),
                    "relax.rms_norm: epsilon must not be negative");
}

TEST(GroupNormOp, Shapes) {
  Var x = Tensor("x", {2, 32, 8, 8});
  EXPECT_TRUE(IsTensor(Infer(op::group_norm(x, Tensor("g", {32}), Tensor("b", {32}), 8)), {2, 32, 8, 8}, kF32));
  tir::Var n = tir::SizeVar("n"), l = tir::SizeVar("l");
  EXPECT_TRUE(IsTensor(Infer(op::group_norm(Tensor("y", {n, l, 64}), Tensor("g", {64}), Tensor("b", {64}), 4, -1)),
                       {n, l, 64}, kF32));
  EXPECT_KILN_ERROR(Infer(op::group_norm(Tensor("x", {2, 30, 8, 8}), Tensor("g", {30}), Tensor("b", {30}), 8)),
                    "relax.group_norm: 30 channels do not divide into 8 groups");
  EXPECT_KILN_ERROR(Infer(op::group_norm(x, Tensor("g", {32}), Tensor("b", {16}), 8)),
                    "relax.group_norm: beta has shape (16,) but the axes of data it scales have (32,)");
  EXPECT_KILN_ERROR(Infer(op::group_norm(x, Tensor("g", {32}), Tensor("b", {32}), 8, 1, std::vector<int64_t>{1, 2})),
                    "relax.group_norm: axes must not include the channel axis 1");
  EXPECT_KILN_ERROR(CheckOpAttrs(GetOp("group_norm").get(), {}), "relax.group_norm: missing attribute 'num_groups'");
}

TEST(BatchNormOp, Shapes) {
  tir::Var n = tir::SizeVar("n"), h = tir::SizeVar("h");
  Var c = Tensor("c", {64});
  EXPECT_TRUE(IsTensor(Infer(op::batch_norm(Tensor("x", {n, 64, h, h}), c, c, c, c)), {n, 64, h, h}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::batch_norm(Tensor("x", {n, h, h, 64}), c, c, c, c, -1)), {n, h, h, 64}, kF32));
  EXPECT_KILN_ERROR(Infer(op::batch_norm(Tensor("x", {n, 64, h, h}), c, c, c, Tensor("v", {32}))),
                    "relax.batch_norm: moving_var has shape (32,) but the axes of data it scales have (64,)");
  EXPECT_EQ(OpOf(op::batch_norm(c, c, c, c, c))->arg_names,
            (std::vector<std::string>{"data", "gamma", "beta", "moving_mean", "moving_var"}));
  EXPECT_EQ(CheckOpAttrs(GetOp("batch_norm").get(), {}).Get<int64_t>("axis", 0), 1);
}

}  // namespace
}  // namespace kiln::relax::testing
