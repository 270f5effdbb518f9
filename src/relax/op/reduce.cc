// Reductions. The result drops the reduced axes, or keeps them with size 1
// under keepdims; reducing all axes gives a scalar (rank 0). mean and
// variance need floats; argmax and argmin give int64 indices. Legalized as te
// reductions; mean and variance divide afterwards (variance in two passes),
// argmax/argmin take the extreme value, then the smallest flat index where
// the value equals it.
#include "kiln/relax/op/reduce.h"

#include <algorithm>

#include "infer_util.h"
#include "kiln/relax/legalize.h"
#include "legalize_util.h"

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

OpRegistration RegisterArgReduce(const std::string& name, const std::string& doc) {
  return RegisterOp(name)
      .Describe(doc)
      .Args({"x"})
      .Attr("axis", AttrKind::kOptionalInt, {}, "the axis to search; none: the flattened tensor")
      .Attr("keepdims", AttrKind::kBool, false, "keep the reduced axis with size 1")
      .Pattern(OpPattern::kReduction)
      .InferStructInfo(InferArgReduce);
}

// ---- legalization ----

using tir::PrimExpr;
using tir::te::ReduceAxis;
using tir::te::Tensor;

// The reduced axes (ascending) of a call on a tensor of rank `ndim`.
struct Reduced {
  std::vector<int> axes;
  bool keepdims = false;
};

Reduced ReducedAxes(const CallNode* call, int ndim, bool single_axis) {
  Reduced out{{}, BoolAttr(call, "keepdims")};
  std::optional<std::vector<int64_t>> axes;
  if (single_axis) {
    if (auto axis = OptionalIntAttr(call, "axis")) axes = std::vector<int64_t>{*axis};
  } else {
    axes = OptionalIntListAttr(call, "axis");
  }
  if (axes) {
    out.axes = NormalizeAxes(call, *axes, ndim);
    std::sort(out.axes.begin(), out.axes.end());
  } else {
    for (int d = 0; d < ndim; ++d) out.axes.push_back(d);
  }
  return out;
}

bool IsReduced(const Reduced& red, int d) {
  return std::find(red.axes.begin(), red.axes.end(), d) != red.axes.end();
}

// One reduce axis per reduced axis of x.
std::vector<ReduceAxis> ReduceAxesOf(const Tensor& x, const Reduced& red) {
  std::vector<ReduceAxis> r;
  for (int d : red.axes) r.push_back(tir::te::reduce_axis({0, x.shape()[d]}, "k" + std::to_string(d)));
  return r;
}

// The element of x for output index i and reduce axes r.
std::vector<PrimExpr> DataIndex(const Tensor& x, const Reduced& red, const std::vector<tir::Var>& i,
                                const std::vector<ReduceAxis>& r) {
  std::vector<PrimExpr> idx;
  size_t pos = 0, k = 0;
  for (int d = 0; d < static_cast<int>(x.ndim()); ++d) {
    if (IsReduced(red, d)) {
      idx.push_back(r[k++].var);
      if (red.keepdims) ++pos;
    } else {
      idx.push_back(i[pos++]);
    }
  }
  return idx;
}

// f(source, axes) is a te reduction; reducing no axes leaves the source.
using FReduce = std::function<PrimExpr(PrimExpr source, std::vector<ReduceAxis> axes)>;
using FSource = std::function<PrimExpr(const std::vector<tir::Var>& i, const std::vector<PrimExpr>& x_index)>;
Tensor ReduceCompute(const Tensor& x, const Reduced& red, const std::vector<PrimExpr>& out_shape, const FReduce& f,
                     const FSource& source, const std::string& name) {
  std::vector<ReduceAxis> r = ReduceAxesOf(x, red);
  return tir::te::compute(
      out_shape,
      [&](const std::vector<tir::Var>& i) {
        PrimExpr value = source(i, DataIndex(x, red, i, r));
        return r.empty() ? value : f(value, r);
      },
      name);
}

FSource Element(const Tensor& x) {
  return [x](const std::vector<tir::Var>&, const std::vector<PrimExpr>& idx) { return x[idx]; };
}

// The number of elements each output element reduces.
PrimExpr ReducedCount(const Tensor& x, const Reduced& red) {
  PrimExpr count(1);
  for (int d : red.axes) count = count * x.shape()[d];
  return count;
}

Expr LegalizeReduce(BlockBuilder& bb, const CallNode* call, const std::string& name, const FReduce& f) {
  std::vector<PrimExpr> out_shape = OutputShape(call);
  return CallTE(bb, call, name, [&](const std::vector<Tensor>& in) {
    Reduced red = ReducedAxes(call, static_cast<int>(in[0].ndim()), false);
    return ReduceCompute(in[0], red, out_shape, f, Element(in[0]), name);
  });
}

// On bool, a sum is "any" (max) and a product "all" (min), as a cast of
// NumPy's integer result back to bool gives.
FReduce Sum() {
  return [](PrimExpr v, std::vector<ReduceAxis> r) {
    return v.dtype().is_bool() ? tir::te::max(std::move(v), std::move(r)) : tir::te::sum(std::move(v), std::move(r));
  };
}
FReduce Prod() {
  return [](PrimExpr v, std::vector<ReduceAxis> r) {
    return v.dtype().is_bool() ? tir::te::min(std::move(v), std::move(r)) : tir::te::prod(std::move(v), std::move(r));
  };
}

// sum / count; variance: the sum of (x - mean)^2 over count - correction.
Expr LegalizeMeanOrVariance(BlockBuilder& bb, const CallNode* call, bool variance) {
  std::vector<PrimExpr> out_shape = OutputShape(call);
  return CallTE(bb, call, variance ? "variance" : "mean", [&](const std::vector<Tensor>& in) {
    const Tensor& x = in[0];
    Reduced red = ReducedAxes(call, static_cast<int>(x.ndim()), false);
    PrimExpr count = ReducedCount(x, red);
    Tensor sum = ReduceCompute(x, red, out_shape, Sum(), Element(x), "sum");
    Tensor mean = tir::te::compute(
        out_shape, [&](const std::vector<tir::Var>& i) { return sum[i] / tir::Cast(x.dtype(), count); }, "mean");
    if (!variance) return mean;
    auto square_diff = [&](const std::vector<tir::Var>& i, const std::vector<PrimExpr>& idx) {
      PrimExpr d = x[idx] - mean[i];
      return d * d;
    };
    Tensor sq = ReduceCompute(x, red, out_shape, Sum(), square_diff, "square_sum");
    PrimExpr divisor = tir::Cast(x.dtype(), count - PrimExpr(IntAttr(call, "correction")));
    return tir::te::compute(
        out_shape, [&](const std::vector<tir::Var>& i) { return sq[i] / divisor; }, "variance");
  });
}

// The row-major flat index of idx within x's reduced axes.
PrimExpr FlatIndex(const Tensor& x, const Reduced& red, const std::vector<PrimExpr>& idx) {
  PrimExpr flat(0);
  for (int d : red.axes) flat = flat * x.shape()[d] + idx[d];
  return flat;
}

// m = max (min) over the axes; then the smallest flat index where x == m.
Expr LegalizeArgReduce(BlockBuilder& bb, const CallNode* call, bool is_max) {
  std::vector<PrimExpr> out_shape = OutputShape(call);
  std::string name = is_max ? "argmax" : "argmin";
  return CallTE(bb, call, name, [&](const std::vector<Tensor>& in) {
    const Tensor& x = in[0];
    Reduced red = ReducedAxes(call, static_cast<int>(x.ndim()), true);
    FReduce extreme = [is_max](PrimExpr v, std::vector<ReduceAxis> r) {
      return is_max ? tir::te::max(std::move(v), std::move(r)) : tir::te::min(std::move(v), std::move(r));
    };
    Tensor m = ReduceCompute(x, red, out_shape, extreme, Element(x), is_max ? "max" : "min");
    DataType index_dtype = DataType::Int(64);
    auto first_at = [&](const std::vector<tir::Var>& i, const std::vector<PrimExpr>& idx) {
      PrimExpr flat = CastTo(index_dtype, FlatIndex(x, red, idx));
      return tir::Select(x[idx] == m[i], flat, tir::te::max_value(index_dtype));
    };
    FReduce smallest = [](PrimExpr v, std::vector<ReduceAxis> r) { return tir::te::min(std::move(v), std::move(r)); };
    return ReduceCompute(x, red, out_shape, smallest, first_at, name);
  });
}

[[maybe_unused]] const bool kRegistered = [] {
  auto legalize = [](std::string name, FReduce f) {
    return [name, f](BlockBuilder& bb, const CallNode* call) { return LegalizeReduce(bb, call, name, f); };
  };
  RegisterReduce("relax.sum", "sum over axes", false).Legalize(legalize("sum", Sum()));
  RegisterReduce("relax.mean", "mean over axes", true).Legalize([](BlockBuilder& bb, const CallNode* call) {
    return LegalizeMeanOrVariance(bb, call, false);
  });
  RegisterReduce("relax.max", "maximum over axes", false)
      .Legalize(legalize("max", [](PrimExpr v, std::vector<ReduceAxis> r) { return tir::te::max(v, r); }));
  RegisterReduce("relax.min", "minimum over axes", false)
      .Legalize(legalize("min", [](PrimExpr v, std::vector<ReduceAxis> r) { return tir::te::min(v, r); }));
  RegisterReduce("relax.prod", "product over axes", false).Legalize(legalize("prod", Prod()));
  RegisterReduce("relax.variance", "variance over axes", true)
      .Attr("correction", AttrKind::kInt, 0, "subtracted from the count in the divisor (1: unbiased)")
      .Legalize([](BlockBuilder& bb, const CallNode* call) { return LegalizeMeanOrVariance(bb, call, true); });
  RegisterArgReduce("relax.argmax", "index of the maximum along an axis")
      .Legalize([](BlockBuilder& bb, const CallNode* call) { return LegalizeArgReduce(bb, call, true); });
  RegisterArgReduce("relax.argmin", "index of the minimum along an axis")
      .Legalize([](BlockBuilder& bb, const CallNode* call) { return LegalizeArgReduce(bb, call, false); });
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
