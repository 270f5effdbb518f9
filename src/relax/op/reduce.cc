// Reductions. The result drops the reduced axes, or keeps them with size 1
// under keepdims; reducing all axes gives a scalar (rank 0). mean and
// variance need floats; argmax and argmin give int64 indices.
#include "kiln/relax/op/reduce.h"

#include <algorithm>

#include "infer_util.h"

namespace kiln::relax {
namespace {
using namespace infer;

// The reduction of `t` over `axes` (none: all of them).
StructInfo ReduceTensor(const CallNode* call, const TensorRef& t, const std::optional<std::vector<int64_t>>& axes,
                        bool keepdims, DataType dtype) {
  if (!axes && !keepdims) return TensorSInfo({}, dtype);
  if (t->ndim < 0) return TensorSInfoOfRank(-1, dtype);
  std::vector<int> reduced;
  if (axes) {
    reduced = NormalizeAxes(call, *axes, t->ndim);
  } else {
    for (int i = 0; i < t->ndim; ++i) reduced.push_back(i);
  }
  int ndim = keepdims ? t->ndim : t->ndim - static_cast<int>(reduced.size());
  if (!t->shape) return TensorSInfoOfRank(ndim, dtype);
  Dims out;
  for (int i = 0; i < t->ndim; ++i) {
    bool is_reduced = std::find(reduced.begin(), reduced.end(), i) != reduced.end();
    if (!is_reduced) out.push_back((*t->shape)[i]);
    if (is_reduced && keepdims) out.push_back(int64_t{1});
  }
  return TensorSInfo(out, dtype);
}

StructInfo InferReduce(const CallNode* call, bool float_only) {
  CheckNumArgs(call, 1);
  TensorRef x = TensorArg(call, 0);
  if (float_only) RequireFloat(call, 0, x);
  return ReduceTensor(call, x, OptionalIntListAttr(call, "axis"), BoolAttr(call, "keepdims"), x->dtype);
}

StructInfo InferArgReduce(const CallNode* call) {
  CheckNumArgs(call, 1);
  TensorRef x = TensorArg(call, 0);
  std::optional<int64_t> axis = OptionalIntAttr(call, "axis");
  std::optional<std::vector<int64_t>> axes;
  if (axis) axes = std::vector<int64_t>{*axis};
  return ReduceTensor(call, x, axes, BoolAttr(call, "keepdims"), DataType::Int(64));
}

OpRegistration RegisterReduce(const std::string& name, const std::string& doc, bool float_only) {
  return RegisterOp(name)
      .Describe(doc)
      .Args({"x"})
      .Attr("axis", AttrKind::kOptionalIntList, {}, "axes to reduce; none: all")
      .Attr("keepdims", AttrKind::kBool, false, "keep reduced axes with size 1")
      .Pattern(OpPattern::kReduction)
      .InferStructInfo([float_only](const CallNode* call) { return InferReduce(call, float_only); });
}

void RegisterArgReduce(const std::string& name, const std::string& doc) {
  RegisterOp(name)
      .Describe(doc)
      .Args({"x"})
      .Attr("axis", AttrKind::kOptionalInt, {}, "the axis to search; none: the flattened tensor")
      .Attr("keepdims", AttrKind::kBool, false, "keep the reduced axis with size 1")
      .Pattern(OpPattern::kReduction)
      .InferStructInfo(InferArgReduce);
}

[[maybe_unused]] const bool kRegistered = [] {
  RegisterReduce("relax.sum", "sum over axes", false);
  RegisterReduce("relax.mean", "mean over axes", true);
  RegisterReduce("relax.max", "maximum over axes", false);
  RegisterReduce("relax.min", "minimum over axes", false);
  RegisterReduce("relax.prod", "product over axes", false);
  RegisterReduce("relax.variance", "variance over axes", true)
      .Attr("correction", AttrKind::kInt, 0, "subtracted from the count in the divisor (1: unbiased)");
  RegisterArgReduce("relax.argmax", "index of the maximum along an axis");
  RegisterArgReduce("relax.argmin", "index of the minimum along an axis");
  return true;
}();

Expr Reduce(const char* name, Expr x, const op::Axes& axis, bool keepdims) {
  return MakeOpCall(name, {std::move(x)}, {{"axis", OptionalIntListAny(axis)}, {"keepdims", keepdims}});
}
Expr ArgReduce(const char* name, Expr x, std::optional<int64_t> axis, bool keepdims) {
  return MakeOpCall(name, {std::move(x)}, {{"axis", OptionalIntAny(axis)}, {"keepdims", keepdims}});
}
}  // namespace

namespace op {
Expr sum(Expr x, Axes axis, bool keepdims) {
  return Reduce("relax.sum", std::move(x), axis, keepdims);
}
Expr mean(Expr x, Axes axis, bool keepdims) {
  return Reduce("relax.mean", std::move(x), axis, keepdims);
}
Expr max(Expr x, Axes axis, bool keepdims) {
  return Reduce("relax.max", std::move(x), axis, keepdims);
}
Expr min(Expr x, Axes axis, bool keepdims) {
  return Reduce("relax.min", std::move(x), axis, keepdims);
}
Expr prod(Expr x, Axes axis, bool keepdims) {
  return Reduce("relax.prod", std::move(x), axis, keepdims);
}
Expr variance(Expr x, Axes axis, bool keepdims, int64_t correction) {
  return MakeOpCall("relax.variance", {std::move(x)},
                    {{"axis", OptionalIntListAny(axis)}, {"keepdims", keepdims}, {"correction", correction}});
}
Expr argmax(Expr x, std::optional<int64_t> axis, bool keepdims) {
  return ArgReduce("relax.argmax", std::move(x), axis, keepdims);
}
Expr argmin(Expr x, std::optional<int64_t> axis, bool keepdims) {
  return ArgReduce("relax.argmin", std::move(x), axis, keepdims);
}
}  // namespace op

}  // namespace kiln::relax
