// Normalizations. The result has data's shape and dtype; the parameters
// (gamma, beta, weight, running statistics) must have the shape of the axes
// they scale and data's dtype. The legalizations compute the statistics as
// te reductions into intermediate buffers, then normalize elementwise.
#include "kiln/relax/op/norm.h"

#include <algorithm>

#include "infer_util.h"
#include "kiln/relax/legalize.h"
#include "kiln/tir/intrinsics.h"
#include "legalize_util.h"

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

// ---- legalization ----
//
// Statistics are computed in float32 for narrower floats (float16, bfloat16)
// and in data's dtype otherwise; the variance takes two passes (the mean,
// then the mean square of x - mean), which stays accurate for large means.

using tir::PrimExpr;
using tir::te::Tensor;
using Index = std::vector<PrimExpr>;

DataType AccDtype(DataType t) {
  return t.bits() < 32 ? DataType::Float(32) : t;
}

// Which data elements share one statistic: statistics form a tensor of
// `stat_shape`; statistic s reduces data[data_index(s, r)] over the reduce
// axes r (of `extents`); data element i uses statistic stat_index(i).
struct Grouping {
  Dims stat_shape;
  Dims extents;
  std::function<Index(const std::vector<tir::Var>& s, const Index& r)> data_index;
  std::function<Index(const std::vector<tir::Var>& i)> stat_index;
};

std::vector<tir::te::ReduceAxis> ReduceAxes(const Grouping& g) {
  std::vector<tir::te::ReduceAxis> r;
  for (size_t k = 0; k < g.extents.size(); ++k)
    r.push_back(tir::te::reduce_axis({0, g.extents[k]}, "k" + std::to_string(k)));
  return r;
}

// The mean over each group of f(x, statistic index) for data values x.
using FTerm = std::function<PrimExpr(const PrimExpr& x, const std::vector<tir::Var>& s)>;
Tensor GroupMean(const Tensor& data, const Grouping& g, DataType acc, const FTerm& f, const std::string& name) {
  std::vector<tir::te::ReduceAxis> r = ReduceAxes(g);
  Index rv;
  for (const auto& a : r) rv.push_back(a.var);
  Tensor sum = tir::te::compute(
      g.stat_shape,
      [&](const std::vector<tir::Var>& s) { return tir::te::sum(f(CastTo(acc, data[g.data_index(s, rv)]), s), r); },
      name + "_sum");
  PrimExpr count = tir::Cast(acc, Product(g.extents));
  return tir::te::compute(
      g.stat_shape, [&](const std::vector<tir::Var>& s) { return sum[s] / count; }, name);
}

Tensor Mean(const Tensor& data, const Grouping& g, DataType acc) {
  return GroupMean(
      data, g, acc, [](const PrimExpr& x, const auto&) { return x; }, "mean");
}
Tensor Variance(const Tensor& data, const Grouping& g, DataType acc, const Tensor& mean) {
  auto term = [&](const PrimExpr& x, const std::vector<tir::Var>& s) {
    PrimExpr d = x - mean[s];
    return d * d;
  };
  return GroupMean(data, g, acc, term, "var");
}

// (x - mean) * rsqrt(var + epsilon) * scale(i) + shift(i), in data's dtype.
Tensor Normalize(const Tensor& data, const Grouping& g, const Tensor& mean, const Tensor& var, double epsilon,
                 const std::function<Index(const std::vector<tir::Var>&)>& param_index, const Tensor& scale,
                 const Tensor& shift) {
  DataType acc = mean.dtype();
  return tir::te::compute(
      data.shape(),
      [&](const std::vector<tir::Var>& i) {
        Index s = g.stat_index(i), p = param_index(i);
        PrimExpr y = (CastTo(acc, data[i]) - mean[s]) * tir::rsqrt(var[s] + tir::FloatImm(acc, epsilon));
        return CastTo(data.dtype(), y * CastTo(acc, scale[p]) + CastTo(acc, shift[p]));
      },
      "norm");
}

// Statistics over `axes` (in the attribute's order); the other axes index them.
Grouping AxesGrouping(const CallNode* call, const Dims& shape) {
  std::vector<int> axes = NormalizeAxes(call, IntListAttr(call, "axes"), static_cast<int>(shape.size()));
  std::vector<int> kept;
  for (int d = 0; d < static_cast<int>(shape.size()); ++d) {
    if (std::find(axes.begin(), axes.end(), d) == axes.end()) kept.push_back(d);
  }
  Grouping g;
  for (int d : kept) g.stat_shape.push_back(shape[d]);
  for (int d : axes) g.extents.push_back(shape[d]);
  g.data_index = [=](const std::vector<tir::Var>& s, const Index& r) {
    Index i(shape.size());
    for (size_t k = 0; k < kept.size(); ++k) i[kept[k]] = s[k];
    for (size_t k = 0; k < axes.size(); ++k) i[axes[k]] = r[k];
    return i;
  };
  g.stat_index = [=](const std::vector<tir::Var>& i) {
    Index s;
    for (int d : kept) s.push_back(i[d]);
    return s;
  };
  return g;
}

// data's indices at the normalized axes: where gamma and beta are read.
std::function<Index(const std::vector<tir::Var>&)> AxesParamIndex(const CallNode* call, size_t ndim) {
  std::vector<int> axes = NormalizeAxes(call, IntListAttr(call, "axes"), static_cast<int>(ndim));
  return [axes](const std::vector<tir::Var>& i) {
    Index p;
    for (int d : axes) p.push_back(i[d]);
    return p;
  };
}

Expr LegalizeLayerNorm(BlockBuilder& bb, const CallNode* call) {
  double epsilon = FloatAttr(call, "epsilon");
  return CallTE(bb, call, "layer_norm", [&](const std::vector<Tensor>& in) {
    Grouping g = AxesGrouping(call, in[0].shape());
    DataType acc = AccDtype(in[0].dtype());
    Tensor mean = Mean(in[0], g, acc);
    Tensor var = Variance(in[0], g, acc, mean);
    return Normalize(in[0], g, mean, var, epsilon, AxesParamIndex(call, in[0].ndim()), in[1], in[2]);
  });
}

Expr LegalizeRMSNorm(BlockBuilder& bb, const CallNode* call) {
  double epsilon = FloatAttr(call, "epsilon");
  return CallTE(bb, call, "rms_norm", [&](const std::vector<Tensor>& in) {
    const Tensor &data = in[0], &weight = in[1];
    Grouping g = AxesGrouping(call, data.shape());
    DataType acc = AccDtype(data.dtype());
    Tensor ms = GroupMean(
        data, g, acc, [](const PrimExpr& x, const auto&) { return x * x; }, "mean_square");
    auto param_index = AxesParamIndex(call, data.ndim());
    return tir::te::compute(
        data.shape(),
        [&](const std::vector<tir::Var>& i) {
          PrimExpr scale = tir::rsqrt(ms[g.stat_index(i)] + tir::FloatImm(acc, epsilon));
          return CastTo(data.dtype(), CastTo(acc, data[i]) * scale * CastTo(acc, weight[param_index(i)]));
        },
        "rms_norm");
  });
}

// Statistics per (kept axes..., group): over the group's channels and `axes`.
Grouping GroupNormGrouping(const CallNode* call, const Dims& shape) {
  int ndim = static_cast<int>(shape.size());
  int channel = NormalizeAxis(call, IntAttr(call, "channel_axis"), ndim);
  PrimExpr groups(IntAttr(call, "num_groups"));
  std::vector<int> axes, kept;
  if (auto given = OptionalIntListAttr(call, "axes")) {
    axes = NormalizeAxes(call, *given, ndim);
  } else {
    for (int d = 1; d < ndim; ++d) {
      if (d != channel) axes.push_back(d);
    }
  }
  for (int d = 0; d < ndim; ++d) {
    if (d != channel && std::find(axes.begin(), axes.end(), d) == axes.end()) kept.push_back(d);
  }
  PrimExpr per_group = tir::floordiv(shape[channel], groups);
  Grouping g;
  for (int d : kept) g.stat_shape.push_back(shape[d]);
  g.stat_shape.push_back(groups);
  g.extents.push_back(per_group);
  for (int d : axes) g.extents.push_back(shape[d]);
  g.data_index = [=](const std::vector<tir::Var>& s, const Index& r) {
    Index i(shape.size());
    for (size_t k = 0; k < kept.size(); ++k) i[kept[k]] = s[k];
    i[channel] = s.back() * per_group + r[0];
    for (size_t k = 0; k < axes.size(); ++k) i[axes[k]] = r[k + 1];
    return i;
  };
  g.stat_index = [=](const std::vector<tir::Var>& i) {
    Index s;
    for (int d : kept) s.push_back(i[d]);
    s.push_back(tir::floordiv(i[channel], per_group));
    return s;
  };
  return g;
}

Expr LegalizeGroupNorm(BlockBuilder& bb, const CallNode* call) {
  double epsilon = FloatAttr(call, "epsilon");
  return CallTE(bb, call, "group_norm", [&](const std::vector<Tensor>& in) {
    const Tensor& data = in[0];
    Grouping g = GroupNormGrouping(call, data.shape());
    DataType acc = AccDtype(data.dtype());
    Tensor mean = Mean(data, g, acc);
    Tensor var = Variance(data, g, acc, mean);
    int channel = NormalizeAxis(call, IntAttr(call, "channel_axis"), static_cast<int>(data.ndim()));
    auto param_index = [channel](const std::vector<tir::Var>& i) { return Index{i[channel]}; };
    return Normalize(data, g, mean, var, epsilon, param_index, in[1], in[2]);
  });
}

// (x - moving_mean[c]) * rsqrt(moving_var[c] + epsilon) * gamma[c] + beta[c]
Expr LegalizeBatchNorm(BlockBuilder& bb, const CallNode* call) {
  double epsilon = FloatAttr(call, "epsilon");
  return CallTE(bb, call, "batch_norm", [&](const std::vector<Tensor>& in) {
    const Tensor &data = in[0], &gamma = in[1], &beta = in[2], &mean = in[3], &var = in[4];
    int axis = NormalizeAxis(call, IntAttr(call, "axis"), static_cast<int>(data.ndim()));
    DataType acc = AccDtype(data.dtype());
    return tir::te::compute(
        data.shape(),
        [&](const std::vector<tir::Var>& i) {
          const tir::Var& c = i[axis];
          PrimExpr scale = tir::rsqrt(CastTo(acc, var(c)) + tir::FloatImm(acc, epsilon)) * CastTo(acc, gamma(c));
          PrimExpr y = (CastTo(acc, data[i]) - CastTo(acc, mean(c))) * scale + CastTo(acc, beta(c));
          return CastTo(data.dtype(), y);
        },
        "batch_norm");
  });
}

[[maybe_unused]] const bool kRegistered = [] {
  RegisterOp("relax.layer_norm")
      .Describe("(x - mean) / sqrt(var + epsilon) * gamma + beta over the given axes")
      .Args({"data", "gamma", "beta"})
      .Attr("axes", AttrKind::kIntList, IntListAny({-1}), "the normalized axes")
      .Attr("epsilon", AttrKind::kFloat, 1e-5, "added to the variance")
      .Pattern(OpPattern::kOutEWiseFusable)
      .InferStructInfo([](const CallNode* call) { return InferAxesNorm(call, 3); })
      .Legalize(LegalizeLayerNorm);
  RegisterOp("relax.rms_norm")
      .Describe("x / sqrt(mean(x^2) + epsilon) * weight over the given axes")
      .Args({"data", "weight"})
      .Attr("axes", AttrKind::kIntList, IntListAny({-1}), "the normalized axes")
      .Attr("epsilon", AttrKind::kFloat, 1e-5, "added to the mean square")
      .Pattern(OpPattern::kOutEWiseFusable)
      .InferStructInfo([](const CallNode* call) { return InferAxesNorm(call, 2); })
      .Legalize(LegalizeRMSNorm);
  RegisterOp("relax.group_norm")
      .Describe("layer norm over groups of channels, then per-channel gamma and beta")
      .Args({"data", "gamma", "beta"})
      .Attr("num_groups", AttrKind::kInt, {}, "groups the channels split into")
      .Attr("channel_axis", AttrKind::kInt, 1, "the channel axis")
      .Attr("axes", AttrKind::kOptionalIntList, {}, "axes normalized with each group; none: all but 0 and channels")
      .Attr("epsilon", AttrKind::kFloat, 1e-5, "added to the variance")
      .Pattern(OpPattern::kOutEWiseFusable)
      .InferStructInfo(InferGroupNorm)
      .Legalize(LegalizeGroupNorm);
  RegisterOp("relax.batch_norm")
      .Describe("inference batch norm with running statistics, along the channel axis")
      .Args({"data", "gamma", "beta", "moving_mean", "moving_var"})
      .Attr("axis", AttrKind::kInt, 1, "the channel axis")
      .Attr("epsilon", AttrKind::kFloat, 1e-5, "added to the variance")
      .Pattern(OpPattern::kOutEWiseFusable)
      .InferStructInfo([](const CallNode* call) { return InferChannelNorm(call, 5, "axis"); })
      .Legalize(LegalizeBatchNorm);
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
