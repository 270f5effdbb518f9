// Indexing ops: take along an axis or the flattened data, gather_elements
// and scatter_elements, with their checks of indices and updates.
#include "kiln/relax/op/index.h"

#include "op_test_util.h"

namespace kiln::relax::testing {
namespace {

TEST(TakeOp, Shapes) {
  tir::Var n = tir::SizeVar("n");
  Var table = Tensor("table", {100, 64}), ids = Tensor("ids", {n, 7}, kI64);
  EXPECT_TRUE(IsTensor(Infer(op::take(table, ids, 0)), {n, 7, 64}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::take(table, ids, -1)), {100, n, 7}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::take(table, ids)), {n, 7}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::take(table, Tensor("i", {}, kI32), 0)), {64}, kF32));
  EXPECT_TRUE(IsTensorOfRank(Infer(op::take(table, TensorOfRank("i", 2, kI64), 0)), 3, kF32));
  EXPECT_EQ(OpOf(op::take(table, ids))->pattern, OpPattern::kInjective);
}

TEST(TakeOp, Errors) {
  Var table = Tensor("table", {100, 64});
  EXPECT_KILN_ERROR(Infer(op::take(table, Tensor("i", {3}), 0)),
                    "relax.take: argument 'indices' must have an integer dtype, got float32");
  EXPECT_KILN_ERROR(Infer(op::take(table, Tensor("i", {3}, kI64), 2)), "relax.take: axis 2 is out of range for rank 2");
  EXPECT_KILN_ERROR(CheckOpAttrs(GetOp("take").get(), {{"axis", "0"}}),
                    "attribute 'axis' must be an int or None, got str");
}

TEST(GatherElementsOp, Shapes) {
  tir::Var n = tir::SizeVar("n");
  EXPECT_TRUE(IsTensor(Infer(op::gather_elements(Tensor("x", {4, 5}), Tensor("i", {4, n}, kI64), 1)), {4, n}, kF32));
  EXPECT_KILN_ERROR(Infer(op::gather_elements(Tensor("x", {4, 5}), Tensor("i", {4}, kI64))),
                    "relax.gather_elements: indices has rank 1 but data has rank 2");
  EXPECT_KILN_ERROR(Infer(op::gather_elements(Tensor("x", {4, 5}), Tensor("i", {4, 2}, kI64), 2)),
                    "relax.gather_elements: axis 2 is out of range for rank 2");
  EXPECT_EQ(OpOf(op::gather_elements(Tensor("x", {1}), Tensor("i", {1}, kI64)))->pattern, OpPattern::kInjective);
}

TEST(ScatterElementsOp, Shapes) {
  Var x = Tensor("x", {4, 5}), idx = Tensor("i", {2, 5}, kI64), upd = Tensor("u", {2, 5});
  EXPECT_TRUE(IsTensor(Infer(op::scatter_elements(x, idx, upd, 0, "add")), {4, 5}, kF32));
  tir::Var n = tir::SizeVar("n"), k = tir::SizeVar("k");
  EXPECT_TRUE(IsTensor(Infer(op::scatter_elements(Tensor("y", {n, 5}), Tensor("j", {k, 5}, kI64), Tensor("v", {k, 5}))),
                       {n, 5}, kF32));
  EXPECT_EQ(CheckOpAttrs(GetOp("scatter_elements").get(), {}).Get<std::string>("reduction", ""), "update");
  EXPECT_EQ(OpOf(op::scatter_elements(x, idx, upd))->pattern, OpPattern::kOpaque);
  EXPECT_KILN_ERROR(Infer(op::scatter_elements(x, idx, upd, 0, "sub")),
                    "relax.scatter_elements: attribute 'reduction' must be one of \"update\", \"add\", \"mul\", "
                    "\"mean\", \"max\", \"min\"; got \"sub\"");
  EXPECT_KILN_ERROR(Infer(op::scatter_elements(x, idx, Tensor("u", {2, 4}))),
                    "relax.scatter_elements: indices (2, 5) and updates (2, 4) must have one shape");
  EXPECT_KILN_ERROR(Infer(op::scatter_elements(x, idx, Tensor("u", {2, 5}, kF16))),
                    "relax.scatter_elements: dtypes float32 and float16 differ");
}

}  // namespace
}  // namespace kiln::relax::testing
