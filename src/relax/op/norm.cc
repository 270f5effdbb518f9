// Normalizations. The result has data's shape and dtype; the parameters
// (gamma, beta, weight, running statistics) must have the shape of the axes
// they scale and data's dtype.
#include "kiln/relax/op/norm.h"

#include "infer_util.h"

namespace kiln::relax {
namespace {
using namespace infer;

// Reads data and its parameters (arguments 1..n-1) with one common float dtype.
std::vector<TensorRef> NormArgs(const CallNode* call, size_t num_args) {
  CheckNumArgs(call, num_args);
  std::vector<TensorRef> ts;
  for (size_t i = 0; i < num_args; ++i) ts.push_back(TensorArg(call, i));
  RequireFloat(call, 0, ts[0]);
  SameDtype(call, ts);
  KILN_CHECK(FloatAttr(call, "epsilon") >= 0) << OpName(call) << ": epsilon must not be negative";
  return ts;
}

// Parameter i must have shape `expected` (data's dims at the axes it scales).
void CheckParam(const CallNode* call, size_t i, const TensorRef& param, const Dims& expected) {
  if (!param->shape) return;
  for (size_t k = 0; k < expected.size(); ++k) {
    KILN_CHECK(!DimsDiffer((*param->shape)[k], expected[k]))
        << OpName(call) << ": " << ArgName(call, i) << " has shape " << ShapeString(*param->shape)
        << " but the axes of data it scales have " << ShapeString(expected);
  }
}

// data's dims at `axes` (none when data's shape is unknown).
std::optional<Dims> DimsAt(const TensorRef& data, const std::vector<int>& axes) {
  if (!data->shape) return std::nullopt;
  Dims out;
  for (int a : axes) out.push_back((*data->shape)[a]);
  return out;
}

// layer_norm and rms_norm: every argument after data scales the axes.
StructInfo InferAxesNorm(const CallNode* call, size_t num_args) {
  std::vector<TensorRef> ts = NormArgs(call, num_args);
  std::vector<int64_t> axes = IntListAttr(call, "axes");
  if (ts[0]->ndim < 0) return ts[0];
  std::optional<Dims> expected = DimsAt(ts[0], NormalizeAxes(call, axes, ts[0]->ndim));
  for (size_t i = 1; i < num_args; ++i) {
    CheckRank(call, i, ts[i], static_cast<int>(axes.size()));
    if (expected) CheckParam(call, i, ts[i], *expected);
  }
  return ts[0];
}

// group_norm and batch_norm: every argument after data is (C,).
StructInfo InferChannelNorm(const CallNode* call, size_t num_args, const std::string& axis_attr) {
  std::vector<TensorRef> ts = NormArgs(call, num_args);
  if (ts[0]->ndim < 0) return ts[0];
  int axis = NormalizeAxis(call, IntAttr(call, axis_attr), ts[0]->ndim);
  std::optional<Dims> channels = DimsAt(ts[0], {axis});
  for (size_t i = 1; i < num_args; ++i) {
    CheckRank(call, i, ts[i], 1);
    if (channels) CheckParam(call, i, ts[i], *channels);
  }
  return ts[0];
}

StructInfo InferGroupNorm(const CallNode* call) {
  StructInfo out = InferChannelNorm(call, 3, "channel_axis");
  TensorRef data = TensorArg(call, 0);
  int64_t groups = IntAttr(call, "num_groups");
  KILN_CHECK(groups >= 1) << OpName(call) << ": num_groups must be positive, got " << groups;
  if (data->ndim < 0) return out;
  int channel_axis = NormalizeAxis(call, IntAttr(call, "channel_axis"), data->ndim);
  if (auto axes = OptionalIntListAttr(call, "axes")) {
    for (int a : NormalizeAxes(call, *axes, data->ndim)) {
      KILN_CHECK(a != channel_axis) << OpName(call) << ": axes must not include the channel axis " << channel_axis;
    }
  }
  if (!data->shape) return out;
  const int64_t* c = tir::AsConstInt((*data->shape)[channel_axis]);
  KILN_CHECK(!c || *c % groups == 0) << OpName(call) << ": " << *c << " channels do not divide into " << groups
                                     << " groups";
  return out;
}

[[maybe_unused]] const bool kRegistered = [] {
  RegisterOp("relax.layer_norm")
      .Describe("(x - mean) / sqrt(var + epsilon) * gamma + beta over the given axes")
      .Args({"data", "gamma", "beta"})
      .Attr("axes", AttrKind::kIntList, IntListAny({-1}), "the normalized axes")
      .Attr("epsilon", AttrKind::kFloat, 1e-5, "added to the variance")
      .Pattern(OpPattern::kOutEWiseFusable)
      .InferStructInfo([](const CallNode* call) { return InferAxesNorm(call, 3); });
  RegisterOp("relax.rms_norm")
      .Describe("x / sqrt(mean(x^2) + epsilon) * weight over the given axes")
      .Args({"data", "weight"})
      .Attr("axes", AttrKind::kIntList, IntListAny({-1}), "the normalized axes")
      .Attr("epsilon", AttrKind::kFloat, 1e-5, "added to the mean square")
      .Pattern(OpPattern::kOutEWiseFusable)
      .InferStructInfo([](const CallNode* call) { return InferAxesNorm(call, 2); });
  RegisterOp("relax.group_norm")
      .Describe("layer norm over groups of channels, then per-channel gamma and beta")
      .Args({"data", "gamma", "beta"})
      .Attr("num_groups", AttrKind::kInt, {}, "groups the channels split into")
      .Attr("channel_axis", AttrKind::kInt, 1, "the channel axis")
      .Attr("axes", AttrKind::kOptionalIntList, {}, "axes normalized with each group; none: all but 0 and channels")
      .Attr("epsilon", AttrKind::kFloat, 1e-5, "added to the variance")
      .Pattern(OpPattern::kOutEWiseFusable)
      .InferStructInfo(InferGroupNorm);
  RegisterOp("relax.batch_norm")
      .Describe("inference batch norm with running statistics, along the channel axis")
      .Args({"data", "gamma", "beta", "moving_mean", "moving_var"})
      .Attr("axis", AttrKind::kInt, 1, "the channel axis")
      .Attr("epsilon", AttrKind::kFloat, 1e-5, "added to the variance")
      .Pattern(OpPattern::kOutEWiseFusable)
      .InferStructInfo([](const CallNode* call) { return InferChannelNorm(call, 5, "axis"); });
  return true;
}();
}  // namespace

namespace op {
Expr layer_norm(Expr data, Expr gamma, Expr beta, std::vector<int64_t> axes, double epsilon) {
  return MakeOpCall("relax.layer_norm", {std::move(data), std::move(gamma), std::move(beta)},
                    {{"axes", IntListAny(axes)}, {"epsilon", epsilon}});
}
Expr rms_norm(Expr data, Expr weight, std::vector<int64_t> axes, double epsilon) {
  return MakeOpCall("relax.rms_norm", {std::move(data), std::move(weight)},
                    {{"axes", IntListAny(axes)}, {"epsilon", epsilon}});
}
Expr group_norm(Expr data, Expr gamma, Expr beta, int64_t num_groups, int64_t channel_axis,
                std::optional<std::vector<int64_t>> axes, double epsilon) {
  return MakeOpCall("relax.group_norm", {std::move(data), std::move(gamma), std::move(beta)},
                    {{"num_groups", num_groups},
                     {"channel_axis", channel_axis},
                     {"axes", OptionalIntListAny(axes)},
                     {"epsilon", epsilon}});
}
Expr batch_norm(Expr data, Expr gamma, Expr beta, Expr moving_mean, Expr moving_var, int64_t axis, double epsilon) {
  return MakeOpCall("relax.batch_norm",
                    {std::move(data), std::move(gamma), std::move(beta), std::move(moving_mean), std::move(moving_var)},
                    {{"axis", axis}, {"epsilon", epsilon}});
}
}  // namespace op

}  // namespace kiln::relax
