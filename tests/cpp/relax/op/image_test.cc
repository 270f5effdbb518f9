// resize2d: spatial axes take the requested (possibly symbolic) size in
// either layout; the method and coordinate mode are checked.
#include "kiln/relax/op/image.h"

#include "op_test_util.h"

namespace kiln::relax::testing {
namespace {

TEST(Resize2dOp, Shapes) {
  tir::Var n = tir::SizeVar("n"), h = tir::SizeVar("h"), w = tir::SizeVar("w");
  EXPECT_TRUE(IsTensor(Infer(op::resize2d(Tensor("x", {1, 3, 32, 32}), {64, 48})), {1, 3, 64, 48}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::resize2d(Tensor("x", {1, 3, 32, 32}), {64})), {1, 3, 64, 64}, kF32));
  EXPECT_TRUE(
      IsTensor(Infer(op::resize2d(Tensor("x", {n, 32, 32, 3}), {h, w}, {.layout = "NHWC", .method = "nearest"})),
               {n, h, w, 3}, kF32));
  EXPECT_TRUE(
      IsTensor(Infer(op::resize2d(Tensor("x", {1, 3, 8, 8}), {16}, {.out_dtype = kF16})), {1, 3, 16, 16}, kF16));
  EXPECT_EQ(OpOf(op::resize2d(Tensor("x", {1, 1, 1, 1}), {2}))->pattern, OpPattern::kInjective);
}

TEST(Resize2dOp, AttributesAndErrors) {
  Attrs attrs = CheckOpAttrs(GetOp("resize2d").get(), {});
  EXPECT_EQ(attrs.Get<std::string>("method", ""), "bilinear");
  EXPECT_EQ(attrs.Get<std::string>("coordinate_transformation_mode", ""), "half_pixel");
  EXPECT_KILN_ERROR(CheckOpAttrs(GetOp("resize2d").get(), {{"method", 1}}),
                    "relax.resize2d: attribute 'method' must be a string, got int");
  Var x = Tensor("x", {1, 3, 32, 32});
  EXPECT_KILN_ERROR(Infer(op::resize2d(x, {64}, {.method = "cubic"})),
                    "relax.resize2d: attribute 'method' must be one of \"nearest\", \"bilinear\"; got \"cubic\"");
  EXPECT_KILN_ERROR(Infer(op::resize2d(x, {64}, {.coordinate_transformation_mode = "tf"})),
                    "relax.resize2d: attribute 'coordinate_transformation_mode' must be one of");
  EXPECT_KILN_ERROR(Infer(op::resize2d(x, {1, 2, 3})), "relax.resize2d: size needs 1 or 2 values, got 3");
  EXPECT_KILN_ERROR(Infer(op::resize2d(Tensor("x", {3, 32, 32}), {64})),
                    "relax.resize2d: argument 'data' must have rank 4, got rank 3");
}

}  // namespace
}  // namespace kiln::relax::testing
