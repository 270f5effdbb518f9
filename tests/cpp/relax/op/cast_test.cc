// astype: shape kept, dtype from the attribute (which is required).
#include "kiln/relax/op/cast.h"

#include "op_test_util.h"

namespace kiln::relax::testing {
namespace {

TEST(AstypeOp, ChangesDtypeOnly) {
  tir::Var n = tir::SizeVar("n");
  EXPECT_TRUE(IsTensor(Infer(op::astype(Tensor("x", {n, 3}), kI32)), {n, 3}, kI32));
  EXPECT_TRUE(IsTensor(Infer(op::astype(Tensor("x", {2}, kVoid), kF16)), {2}, kF16));
  EXPECT_TRUE(IsTensorOfRank(Infer(op::astype(TensorOfRank("x", -1), kBool)), -1, kBool));
  EXPECT_EQ(OpOf(op::astype(Tensor("x", {1}), kF16))->pattern, OpPattern::kElementwise);
}

TEST(AstypeOp, Errors) {
  const OpNode* astype = GetOp("astype").get();
  EXPECT_KILN_ERROR(CheckOpAttrs(astype, {}), "relax.astype: missing attribute 'dtype'");
  EXPECT_KILN_ERROR(CheckOpAttrs(astype, {{"dtype", 3}}), "attribute 'dtype' must be a dtype, got int");
  EXPECT_KILN_ERROR(Infer(op::astype(MakeVar("t", TupleSInfo({})), kF32)),
                    "relax.astype: argument 'x' must be a tensor, got a tuple");
}

}  // namespace
}  // namespace kiln::relax::testing
