// Shape-manipulating ops: reshape (with -1 matched against symbolic
// factors), permute_dims, concat, split, strided_slice, expand_dims,
// squeeze, flatten, broadcast_to, tile and repeat.
#include "kiln/relax/op/manipulate.h"

#include <limits>

#include "op_test_util.h"

namespace kiln::relax::testing {
namespace {

constexpr int64_t kEnd = std::numeric_limits<int64_t>::max();
constexpr int64_t kBegin = std::numeric_limits<int64_t>::min();

using Ints = std::vector<int64_t>;

TEST(ReshapeOp, StaticShapes) {
  Var x = Tensor("x", {2, 3, 4});
  EXPECT_TRUE(IsTensor(Infer(op::reshape(x, Ints{6, 4})), {6, 4}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::reshape(x, Ints{-1, 4})), {6, 4}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::reshape(x, MakeShapeExpr({4, 6}))), {4, 6}, kF32));
  EXPECT_EQ(OpOf(op::reshape(x, Ints{24}))->pattern, OpPattern::kInjective);
}

TEST(ReshapeOp, SymbolicFactorsMatch) {
  tir::Var n = tir::SizeVar("n"), m = tir::SizeVar("m");
  EXPECT_TRUE(IsTensor(Infer(op::reshape(Tensor("x", {n, 12, 64}), Ints{-1, 768})), {n, 768}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::reshape(Tensor("x", {n, m, 64}), Ints{-1, 64})), {n * m, 64}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::reshape(Tensor("x", {n * 4, 8}), Ints{4, -1})), {4, n * 8}, kF32));
  // Nothing to match: the -1 is the quotient, checked at run time.
  EXPECT_TRUE(IsTensor(Infer(op::reshape(Tensor("x", {n, 6}), Ints{4, -1})), {4, tir::floordiv(n * 6, 4)}, kF32));
  // A shape value keeps its symbolic dims.
  EXPECT_TRUE(IsTensor(Infer(op::reshape(Tensor("x", {n, 768}), MakeShapeExpr({n, 12, 64}))), {n, 12, 64}, kF32));
  EXPECT_TRUE(IsTensorOfRank(Infer(op::reshape(Tensor("x", {n, 8}), MakeVar("s", ShapeSInfoOfRank(3)))), 3, kF32));
  EXPECT_TRUE(IsTensorOfRank(Infer(op::reshape(TensorOfRank("x", 2), Ints{-1})), 1, kF32));
}

TEST(ReshapeOp, Errors) {
  Var x = Tensor("x", {2, 3, 4});
  EXPECT_KILN_ERROR(Infer(op::reshape(x, Ints{5, -1})),
                    "relax.reshape: cannot reshape (2, 3, 4) into (5, -1): 24 elements are not a multiple of 5");
  EXPECT_KILN_ERROR(Infer(op::reshape(x, Ints{5, 5})),
                    "relax.reshape: cannot reshape (2, 3, 4) (24 elements) into (5, 5) (25 elements)");
  EXPECT_KILN_ERROR(Infer(op::reshape(x, Ints{-1, -1})), "relax.reshape: newshape may hold one -1, not two");
  EXPECT_KILN_ERROR(Infer(op::reshape(x, Ints{-2, 12})), "relax.reshape: newshape has -2 at axis 0");
  Expr both = MakeCall(GetOp("reshape"), {x, MakeShapeExpr({24})}, {{"newshape", IntList({24})}});
  EXPECT_KILN_ERROR(Infer(both),
                    "relax.reshape: give the new shape as the argument 'shape' or the attribute "
                    "'newshape', not both");
  EXPECT_KILN_ERROR(Infer(MakeCall(GetOp("reshape"), {x})), "relax.reshape: needs the new shape");
  EXPECT_KILN_ERROR(Infer(op::reshape(x, Tensor("s", {2}))),
                    "relax.reshape: argument 'shape' must be a shape, got a tensor");
}

TEST(PermuteDimsOp, Shapes) {
  tir::Var n = tir::SizeVar("n");
  Var x = Tensor("x", {2, 3, 4});
  EXPECT_TRUE(IsTensor(Infer(op::permute_dims(x, Ints{1, 0, 2})), {3, 2, 4}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::permute_dims(x)), {4, 3, 2}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::permute_dims(Tensor("y", {n, 8}), Ints{-1, 0})), {8, n}, kF32));
  EXPECT_TRUE(IsTensorOfRank(Infer(op::permute_dims(TensorOfRank("u", -1), Ints{1, 0})), 2, kF32));
  EXPECT_KILN_ERROR(Infer(op::permute_dims(x, Ints{0, 0, 1})), "relax.permute_dims: axis 0 appears more than once");
  EXPECT_KILN_ERROR(Infer(op::permute_dims(x, Ints{0, 1})),
                    "relax.permute_dims: axes has 2 entries for a tensor of rank 3");
}

TEST(ConcatOp, Shapes) {
  tir::Var n = tir::SizeVar("n"), m = tir::SizeVar("m");
  EXPECT_TRUE(IsTensor(Infer(op::concat({Tensor("a", {2, 3}), Tensor("b", {4, 3})})), {6, 3}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::concat({Tensor("a", {n, 3}), Tensor("b", {m, 3})})), {n + m, 3}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::concat({Tensor("a", {n, 3}), Tensor("b", {n, 5})}, -1)), {n, 8}, kF32));
  EXPECT_TRUE(IsTensorOfRank(Infer(op::concat({Tensor("a", {2, 3}), TensorOfRank("b", -1)})), 2, kF32));
  Var tuple = MakeVar("t", TupleSInfo({TensorSInfo({1, 2}, kF32), TensorSInfo({1, 2}, kF32)}));
  EXPECT_TRUE(IsTensor(Infer(MakeCall(GetOp("concat"), {tuple}, {{"axis", 1}})), {1, 4}, kF32));
  EXPECT_EQ(OpOf(op::concat({tuple}))->arg_names, std::vector<std::string>{"tensors"});
}

TEST(ConcatOp, Errors) {
  EXPECT_KILN_ERROR(Infer(op::concat({Tensor("a", {2, 3}), Tensor("b", {2, 4})})),
                    "relax.concat: tensor 1 has 4 at axis 1 but tensor 0 has 3");
  EXPECT_KILN_ERROR(Infer(op::concat({Tensor("a", {2, 3}), Tensor("b", {2})})),
                    "relax.concat: tensor 1 has rank 1 but an earlier one has 2");
  EXPECT_KILN_ERROR(Infer(op::concat({Tensor("a", {2}), Tensor("b", {2}, kI32)})),
                    "relax.concat: dtypes float32 and int32 differ");
  EXPECT_KILN_ERROR(Infer(op::concat({})), "relax.concat: needs at least one tensor");
  EXPECT_KILN_ERROR(Infer(MakeCall(GetOp("concat"), {Tensor("a", {2})})),
                    "relax.concat: argument 'tensors' must be a tuple of tensors, got a tensor");
}

// The fields of a tuple struct info.
std::vector<StructInfo> Fields(const StructInfo& s) {
  auto tuple = s.As<TupleStructInfoNode>();
  return tuple ? tuple->fields : std::vector<StructInfo>();
}

TEST(SplitOp, SectionsAndIndices) {
  tir::Var n = tir::SizeVar("n");
  std::vector<StructInfo> parts = Fields(Infer(op::split(Tensor("x", {10, 6}), 2, 1)));
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_TRUE(IsTensor(parts[0], {10, 3}, kF32));
  EXPECT_TRUE(IsTensor(parts[1], {10, 3}, kF32));
  parts = Fields(Infer(op::split_at(Tensor("x", {10, 6}), {2, 5})));
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_TRUE(IsTensor(parts[0], {2, 6}, kF32));
  EXPECT_TRUE(IsTensor(parts[1], {3, 6}, kF32));
  EXPECT_TRUE(IsTensor(parts[2], {5, 6}, kF32));
  parts = Fields(Infer(op::split_at(Tensor("x", {n, 6}), {2})));
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_TRUE(IsTensor(parts[1], {n - 2, 6}, kF32));
  parts = Fields(Infer(op::split(Tensor("x", {n, 6}), 2)));
  EXPECT_TRUE(IsTensor(parts[0], {tir::floordiv(n, 2), 6}, kF32));
  parts = Fields(Infer(op::split(TensorOfRank("x", 2), 3)));
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_TRUE(IsTensorOfRank(parts[2], 2, kF32));
  EXPECT_EQ(OpOf(op::split(Tensor("x", {2}), 2))->pattern, OpPattern::kInjective);
}

TEST(SplitOp, Errors) {
  Var x = Tensor("x", {10, 6});
  EXPECT_KILN_ERROR(Infer(op::split(x, 4, 1)), "relax.split: an axis of size 6 does not split into 4 equal sections");
  EXPECT_KILN_ERROR(Infer(op::split_at(x, {5, 2})),
                    "relax.split: indices must be non-negative and non-decreasing, got 2 at 1");
  Expr both = MakeCall(GetOp("split"), {x}, {{"sections", 2}, {"indices", IntList({1})}});
  EXPECT_KILN_ERROR(Infer(both), "relax.split: give exactly one of the attributes 'sections' and 'indices'");
  EXPECT_KILN_ERROR(Infer(op::split(x, 0)), "relax.split: sections must be positive, got 0");
}

TEST(StridedSliceOp, PythonSlices) {
  Var x = Tensor("x", {10, 20});
  EXPECT_TRUE(IsTensor(Infer(op::strided_slice(x, {0, 1}, {2, -5}, {8, kEnd})), {6, 5}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::strided_slice(x, {0}, {2}, {8}, Ints{2})), {3, 20}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::strided_slice(x, {1}, {-1}, {kBegin}, Ints{-1})), {10, 20}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::strided_slice(x, {0}, {5}, {100})), {5, 20}, kF32));  // clamped
  EXPECT_TRUE(IsTensor(Infer(op::strided_slice(x, {0}, {7}, {3})), {0, 20}, kF32));    // empty
  EXPECT_EQ(OpOf(op::strided_slice(x, {0}, {0}, {1}))->pattern, OpPattern::kInjective);
}

TEST(StridedSliceOp, SymbolicDims) {
  tir::Var n = tir::SizeVar("n");
  Var x = Tensor("x", {n, 16});
  EXPECT_TRUE(IsTensor(Infer(op::strided_slice(x, {0}, {1}, {kEnd})), {n - 1, 16}, kF32));
  EXPECT_TRUE(
      IsTensor(Infer(op::strided_slice(x, {0}, {0}, {-1}, Ints{2})), {tir::floordiv((n - 1) + 1, 2), 16}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::strided_slice(x, {0}, {2}, {6})), {4, 16}, kF32));
}

TEST(StridedSliceOp, Errors) {
  Var x = Tensor("x", {10, 20});
  EXPECT_KILN_ERROR(Infer(op::strided_slice(x, {0}, {0}, {5}, Ints{0})), "relax.strided_slice: a stride is 0");
  EXPECT_KILN_ERROR(Infer(op::strided_slice(x, {0, 1}, {0}, {5, 5})),
                    "relax.strided_slice: axes, begin, end and strides need one entry each, got 2, 1, 2 and 2");
  EXPECT_KILN_ERROR(Infer(op::strided_slice(x, {2}, {0}, {5})),
                    "relax.strided_slice: axis 2 is out of range for rank 2");
  EXPECT_KILN_ERROR(CheckOpAttrs(GetOp("strided_slice").get(), {{"axes", IntList({0})}}),
                    "relax.strided_slice: missing attribute 'begin'");
}

TEST(ExpandDimsSqueezeOps, Shapes) {
  tir::Var n = tir::SizeVar("n");
  Var x = Tensor("x", {2, 3});
  EXPECT_TRUE(IsTensor(Infer(op::expand_dims(x, {0, 3})), {1, 2, 3, 1}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::expand_dims(x, {-1})), {2, 3, 1}, kF32));
  EXPECT_KILN_ERROR(Infer(op::expand_dims(x, {4})), "relax.expand_dims: axis 4 is out of range for rank 3");
  EXPECT_TRUE(IsTensor(Infer(op::expand_dims(Tensor("z", {n, 8}), {1})), {n, 1, 8}, kF32));
  Var y = Tensor("y", {1, 3, 1});
  EXPECT_TRUE(IsTensor(Infer(op::squeeze(y)), {3}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::squeeze(y, Ints{0})), {3, 1}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::squeeze(Tensor("z", {n, 1}), Ints{1})), {n}, kF32));
  EXPECT_TRUE(IsTensorOfRank(Infer(op::squeeze(Tensor("z", {n, 1}))), -1, kF32));  // n may be 1
  EXPECT_KILN_ERROR(Infer(op::squeeze(y, Ints{1})), "relax.squeeze: axis 1 has size 3, not 1");
  EXPECT_EQ(OpOf(op::squeeze(y))->pattern, OpPattern::kInjective);
  EXPECT_EQ(OpOf(op::expand_dims(y, {0}))->pattern, OpPattern::kInjective);
}

TEST(FlattenOp, Shapes) {
  tir::Var n = tir::SizeVar("n");
  Var x = Tensor("x", {2, 3, 4, 5});
  EXPECT_TRUE(IsTensor(Infer(op::flatten(x)), {120}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::flatten(x, 1)), {2, 60}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::flatten(x, 1, 2)), {2, 12, 5}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::flatten(Tensor("y", {n, 3, 4}), 1)), {n, 12}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::flatten(Tensor("y", {n, 3, 4}))), {(n * 3) * 4}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::flatten(Tensor("s", {}))), {1}, kF32));
  EXPECT_KILN_ERROR(Infer(op::flatten(x, 2, 1)), "relax.flatten: start_dim 2 comes after end_dim 1");
}

TEST(BroadcastToOp, Shapes) {
  tir::Var n = tir::SizeVar("n");
  EXPECT_TRUE(IsTensor(Infer(op::broadcast_to(Tensor("x", {3, 1}), {2, 3, 4})), {2, 3, 4}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::broadcast_to(Tensor("x", {1, 4}), {n, 4})), {n, 4}, kF32));
  EXPECT_KILN_ERROR(Infer(op::broadcast_to(Tensor("x", {3, 4}), {2, 5})),
                    "relax.broadcast_to: cannot broadcast (3, 4) to (2, 5): 4 vs 5 at axis 1 of the result");
  EXPECT_KILN_ERROR(Infer(op::broadcast_to(Tensor("x", {1, 3, 4}), {3, 4})),
                    "relax.broadcast_to: cannot broadcast a tensor of rank 3 to rank 2");
  EXPECT_EQ(OpOf(op::broadcast_to(Tensor("x", {1}), {2}))->pattern, OpPattern::kBroadcast);
}

TEST(TileRepeatOps, Shapes) {
  tir::Var n = tir::SizeVar("n");
  Var x = Tensor("x", {2, 3});
  EXPECT_TRUE(IsTensor(Infer(op::tile(x, {2})), {2, 6}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::tile(x, {2, 1, 2})), {2, 2, 6}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::tile(Tensor("y", {n, 3}), {2, 1})), {n * 2, 3}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::repeat(x, 2, 1)), {2, 6}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::repeat(x, 2)), {12}, kF32));
  EXPECT_TRUE(IsTensor(Infer(op::repeat(Tensor("y", {n, 3}), 2, 0)), {n * 2, 3}, kF32));
  EXPECT_KILN_ERROR(Infer(op::repeat(x, -1, 0)), "relax.repeat: repeats must not be negative, got -1");
  EXPECT_KILN_ERROR(Infer(op::tile(x, {-2})), "relax.tile: repeats must not be negative, got -2");
  EXPECT_KILN_ERROR(CheckOpAttrs(GetOp("repeat").get(), {}), "relax.repeat: missing attribute 'repeats'");
  EXPECT_EQ(OpOf(op::tile(x, {1}))->pattern, OpPattern::kInjective);
  EXPECT_EQ(OpOf(op::repeat(x, 1))->pattern, OpPattern::kInjective);
}

}  // namespace
}  // namespace kiln::relax::testing
