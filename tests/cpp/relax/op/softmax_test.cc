// softmax and log_softmax: shape kept, float only, axis checked.
#include "kiln/relax/op/softmax.h"

#include "op_test_util.h"

namespace kiln::relax::testing {
namespace {

TEST(SoftmaxOps, KeepShape) {
  tir::Var n = tir::SizeVar("n");
  Var x = Tensor("x", {n, 12, 128, 128}, kF16);
  for (Expr call : {op::softmax(x), op::log_softmax(x, 1)}) {
    EXPECT_TRUE(IsTensor(Infer(call), {n, 12, 128, 128}, kF16)) << OpOf(call)->name;
    EXPECT_EQ(OpOf(call)->pattern, OpPattern::kOutEWiseFusable);
  }
  EXPECT_TRUE(IsTensorOfRank(Infer(op::softmax(TensorOfRank("u", -1), 7)), -1, kF32));
}

TEST(SoftmaxOps, Errors) {
  EXPECT_KILN_ERROR(Infer(op::softmax(Tensor("x", {2, 3}), 2)), "relax.softmax: axis 2 is out of range for rank 2");
  EXPECT_KILN_ERROR(Infer(op::log_softmax(Tensor("x", {2, 3}, kI32))),
                    "relax.log_softmax: argument 'x' must have a float dtype, got int32");
}

TEST(SoftmaxOps, Attributes) {
  EXPECT_EQ(CheckOpAttrs(GetOp("softmax").get(), {}).Get<int64_t>("axis", 0), -1);
  EXPECT_KILN_ERROR(CheckOpAttrs(GetOp("softmax").get(), {{"axis", 1.5}}),
                    "attribute 'axis' must be an int, got float");
}

}  // namespace
}  // namespace kiln::relax::testing
