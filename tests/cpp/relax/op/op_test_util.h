// Helpers for the op-library tests: tensor variables, running inference the
// way normalization does (check the attributes, then the op's inference), and
// comparing inferred shapes with expected symbolic dims.
#pragma once

#include <string>
#include <vector>

#include "common/test_util.h"
#include "kiln/relax/op.h"
#include "kiln/tir/structural_equal.h"

namespace kiln::relax::testing {

using runtime::Any;
using tir::PrimExpr;

inline Var Tensor(const std::string& name, std::vector<PrimExpr> shape, DataType dtype = DataType::Float(32)) {
  return MakeVar(name, TensorSInfo(std::move(shape), dtype));
}
inline Var TensorOfRank(const std::string& name, int ndim, DataType dtype = DataType::Float(32)) {
  return MakeVar(name, TensorSInfoOfRank(ndim, dtype));
}

inline const OpNode* OpOf(const Expr& call) {
  return call.as<CallNode>()->op.as<OpNode>();
}

// What normalization does to a call of an op.
inline StructInfo Infer(const Expr& call) {
  const CallNode* node = call.as<CallNode>();
  CheckOpAttrs(OpOf(call), node->attrs);
  return OpOf(call)->infer_struct_info(node);
}

// The same dim expression (free vars as the same objects).
inline bool SameDim(const PrimExpr& a, const PrimExpr& b) {
  return tir::StructuralEqual(a, b);
}

// EXPECT_TRUE(IsTensor(sinfo, {n, 10}, DataType::Float(32)));
inline ::testing::AssertionResult IsTensor(const StructInfo& sinfo, const std::vector<PrimExpr>& shape,
                                           DataType dtype) {
  auto t = sinfo.As<TensorStructInfoNode>();
  if (!t) return ::testing::AssertionFailure() << "not a tensor";
  if (t->dtype != dtype) return ::testing::AssertionFailure() << "dtype " << t->dtype << ", expected " << dtype;
  if (!t->shape) return ::testing::AssertionFailure() << "shape unknown (rank " << t->ndim << ")";
  if (t->shape->size() != shape.size()) {
    return ::testing::AssertionFailure() << "rank " << t->shape->size() << ", expected " << shape.size();
  }
  for (size_t i = 0; i < shape.size(); ++i) {
    if (!SameDim((*t->shape)[i], shape[i])) return ::testing::AssertionFailure() << "dim " << i << " differs";
  }
  return ::testing::AssertionSuccess();
}

// A tensor whose shape is unknown, of rank `ndim` (-1: unknown).
inline ::testing::AssertionResult IsTensorOfRank(const StructInfo& sinfo, int ndim, DataType dtype) {
  auto t = sinfo.As<TensorStructInfoNode>();
  if (!t) return ::testing::AssertionFailure() << "not a tensor";
  if (t->dtype != dtype) return ::testing::AssertionFailure() << "dtype " << t->dtype << ", expected " << dtype;
  if (t->shape) return ::testing::AssertionFailure() << "shape is known";
  if (t->ndim != ndim) return ::testing::AssertionFailure() << "rank " << t->ndim << ", expected " << ndim;
  return ::testing::AssertionSuccess();
}

inline Any IntList(std::vector<int64_t> values) {
  return Any(std::vector<Any>(values.begin(), values.end()));
}

constexpr DataType kF32 = DataType::Float(32);
constexpr DataType kF16 = DataType::Float(16);
constexpr DataType kI64 = DataType::Int(64);
constexpr DataType kI32 = DataType::Int(32);
constexpr DataType kBool = DataType::Bool();
constexpr DataType kVoid = DataType();

}  // namespace kiln::relax::testing
