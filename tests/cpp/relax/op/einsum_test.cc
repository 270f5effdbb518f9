// einsum: matmul, batched matmul, transposes, outer products, reductions,
// implicit outputs and "..." broadcasting, and malformed subscripts.
#include "kiln/relax/op/einsum.h"

#include "op_test_util.h"

namespace kiln::relax::testing {
namespace {

TEST(EinsumOp, CommonForms) {
  tir::Var n = tir::SizeVar("n");
  Var a = Tensor("a", {2, 3}), b = Tensor("b", {3, 4});
  EXPECT_TRUE(IsTensor(Infer(op::einsum({a, b}, "ij,jk->ik")), {2, 4}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::einsum({a, b}, "ij,jk")), {2, 4}, kF32));  // implicit output
  EXPECT_TRUE(
      IsTensor(Infer(op::einsum({Tensor("x", {n, 2, 3}), Tensor("y", {n, 3, 4})}, "bij,bjk->bik")), {n, 2, 4}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::einsum({a}, "ij->ji")), {3, 2}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::einsum({Tensor("u", {3}), Tensor("v", {4})}, "i,j->ij")), {3, 4}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::einsum({a}, "ij->")), {}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::einsum({a}, "i j -> i")), {2}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::einsum({Tensor("s", {3, 3})}, "ii->i")), {3}, kF32));
  EXPECT_EQ(OpOf(op::einsum({a}, "ij"))->pattern, OpPattern::kOutEWiseFusable);
}

TEST(EinsumOp, Ellipsis) {
  Var a = Tensor("a", {5, 1, 2, 3}), b = Tensor("b", {4, 3, 6});
  EXPECT_TRUE(IsTensor(Infer(op::einsum({a, b}, "...ij,...jk->...ik")), {5, 4, 2, 6}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::einsum({a}, "i...->...i")), {1, 2, 3, 5}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::einsum({a, b}, "...ij,...jk")), {5, 4, 2, 6}, kF32));
  EXPECT_TRUE(IsTensorOfRank(Infer(op::einsum({TensorOfRank("u", 3), b}, "...ij,...jk->...ik")), -1, kF32));
  EXPECT_TRUE(IsTensorOfRank(Infer(op::einsum({TensorOfRank("u", 2), b}, "ij,kjl->ikl")), 3, kF32));
}

TEST(EinsumOp, Errors) {
  Var a = Tensor("a", {2, 3});
  EXPECT_KILN_ERROR(Infer(op::einsum({a, Tensor("b", {4, 5})}, "ij,jk->ik")),
                    "relax.einsum: 'j' has size 4 in operand 1 but size 3 before");
  EXPECT_KILN_ERROR(Infer(op::einsum({a}, "ij,jk->ik")),
                    "relax.einsum: the subscripts name 2 operands but 1 are given");
  EXPECT_KILN_ERROR(Infer(op::einsum({Tensor("c", {2, 3, 4})}, "ij->i")),
                    "relax.einsum: operand 0 has rank 3 but its subscripts name 2 axes");
  EXPECT_KILN_ERROR(Infer(op::einsum({a}, "ij->k")), "relax.einsum: the output names 'k', which no operand has");
  EXPECT_KILN_ERROR(Infer(op::einsum({a}, "ij->ii")), "relax.einsum: the output names 'i' twice");
  EXPECT_KILN_ERROR(Infer(op::einsum({a}, "i#j")), "relax.einsum: bad character '#' in the subscripts");
  EXPECT_KILN_ERROR(Infer(op::einsum({a, Tensor("b", {3, 4}, kF16)}, "ij,jk")),
                    "relax.einsum: dtypes float32 and float16 differ");
  EXPECT_KILN_ERROR(CheckOpAttrs(GetOp("einsum").get(), {}), "relax.einsum: missing attribute 'subscripts'");
}

}  // namespace
}  // namespace kiln::relax::testing
