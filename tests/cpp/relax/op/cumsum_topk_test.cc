// cumsum (shape kept, or flattened without an axis) and topk (a tuple of
// values and indices with k along the axis).
#include "kiln/relax/op/cumsum_topk.h"

#include "op_test_util.h"

namespace kiln::relax::testing {
namespace {

TEST(CumsumOp, Shapes) {
  tir::Var n = tir::SizeVar("n");
  EXPECT_TRUE(IsTensor(Infer(op::cumsum(Tensor("x", {2, 3}), 1)), {2, 3}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::cumsum(Tensor("x", {2, 3}))), {6}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::cumsum(Tensor("x", {n, 3}, kI32), 0, kI64)), {n, 3}, kI64));
  EXPECT_TRUE(IsTensor(Infer(op::cumsum(Tensor("x", {n, 3}))), {n * 3}, kF32));
  EXPECT_KILN_ERROR(Infer(op::cumsum(Tensor("x", {2, 3}), 2)), "relax.cumsum: axis 2 is out of range for rank 2");
  EXPECT_FALSE(CheckOpAttrs(GetOp("cumsum").get(), {}).Get<bool>("exclusive", true));
  EXPECT_EQ(OpOf(op::cumsum(Tensor("x", {1})))->pattern, OpPattern::kOpaque);
}

TEST(TopkOp, ValuesAndIndices) {
  tir::Var n = tir::SizeVar("n");
  auto tuple = Infer(op::topk(Tensor("x", {n, 10}), 3)).As<TupleStructInfoNode>();
  ASSERT_TRUE(tuple);
  ASSERT_EQ(tuple->fields.size(), 2u);
  EXPECT_TRUE(IsTensor(tuple->fields[0], {n, 3}, kF32));
  EXPECT_TRUE(IsTensor(tuple->fields[1], {n, 3}, kI64));
  tuple = Infer(op::topk(Tensor("x", {5, n}), 2, 0, false, kI32)).As<TupleStructInfoNode>();
  EXPECT_TRUE(IsTensor(tuple->fields[1], {2, n}, kI32));
  EXPECT_EQ(OpOf(op::topk(Tensor("x", {1}), 1))->pattern, OpPattern::kOpaque);
}

TEST(TopkOp, Errors) {
  EXPECT_KILN_ERROR(Infer(op::topk(Tensor("x", {5, 10}), 6, 0)), "relax.topk: k = 6 exceeds the size 5 of axis 0");
  EXPECT_KILN_ERROR(Infer(op::topk(Tensor("x", {5, 10}), 0)), "relax.topk: k must be positive, got 0");
  EXPECT_KILN_ERROR(Infer(op::topk(Tensor("x", {5}), 1, 0, true, kF32)),
                    "relax.topk: index_dtype must be an integer dtype, got float32");
  EXPECT_KILN_ERROR(CheckOpAttrs(GetOp("topk").get(), {}), "relax.topk: missing attribute 'k'");
}

}  // namespace
}  // namespace kiln::relax::testing
