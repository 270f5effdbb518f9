// 2-D pooling. max_pool2d and avg_pool2d slide a window like a convolution
// (same output-size rule, with ceil_mode as in PyTorch); adaptive_avg_pool2d
// maps the spatial axes onto a requested output size. The legalizations pad
// data with the reducer's identity and reduce over the window; averages
// divide by the taps counted as PyTorch does. max_pool2d and avg_pool2d
// also take the blocked layout NCHW<b>c (ConvertConvLayout keeps pools
// between blocked convs blocked).
#include "kiln/relax/op/pooling.h"

#include "infer_util.h"
#include "kiln/relax/legalize.h"
#include "kiln/tir/intrinsics.h"
#include "legalize_util.h"

namespace kiln::relax {
namespace {
using namespace infer;

constexpr const char* kSpatial = "HW";

// The layout of max_pool2d / avg_pool2d: an arrangement of NCHW, or the
// blocked NCHW<b>c (rank 5: the window slides over H and W, the channel
// block is carried through like the other axes).
Layout PoolLayout(const CallNode* call) {
  std::string text = StringAttr(call, "layout");
  if (!HasBlocks(text)) return LayoutAttr(call, "layout", 'N', 'C', kSpatial);
  BlockedLayout b = ParseBlockedLayout(text, OpName(call) + ": layout");
  KILN_CHECK(b.Primal() == "NCHW" && b.dims.size() == 5 && b.dims[4].axis == 'C')
      << OpName(call) << ": a blocked layout must be NCHW<c>c (such as NCHW16c), got \"" << text << "\"";
  return Layout{text, 0, 1, {2, 3}};
}

StructInfo InferPool2D(const CallNode* call) {
  CheckNumArgs(call, 1);
  TensorRef data = TensorArg(call, 0);
  Layout layout = PoolLayout(call);
  std::vector<int64_t> window = SpatialAttr(call, "pool_size", 2);
  std::vector<int64_t> strides = SpatialAttr(call, "strides", 2);
  std::vector<int64_t> dilation = SpatialAttr(call, "dilation", 2);
  std::vector<int64_t> padding = PaddingAttr(call, 2);
  bool ceil_mode = BoolAttr(call, "ceil_mode");
  int rank = HasBlocks(layout.text) ? 5 : 4;
  CheckRank(call, 0, data, rank);
  if (!data->shape) return TensorSInfoOfRank(rank, data->dtype);
  Dims out = *data->shape;
  for (size_t i = 0; i < 2; ++i) {
    int axis = layout.spatial[i];
    out[axis] =
        WindowOutDim(call, out[axis], window[i], strides[i], dilation[i], padding[i], padding[i + 2], ceil_mode);
  }
  return TensorSInfo(out, data->dtype);
}

StructInfo InferAdaptivePool2D(const CallNode* call) {
  CheckNumArgs(call, 1);
  TensorRef data = TensorArg(call, 0);
  Layout layout = LayoutAttr(call, "layout", 'N', 'C', kSpatial);
  std::optional<std::vector<int64_t>> size = OptionalIntListAttr(call, "output_size");
  if (size) {
    KILN_CHECK(size->size() == 1 || size->size() == 2)
        << OpName(call) << ": attribute 'output_size' needs 1 or 2 values, got " << size->size();
    if (size->size() == 1) size->push_back(size->front());
    for (int64_t v : *size) KILN_CHECK(v >= 1) << OpName(call) << ": output_size must be positive, got " << v;
  }
  CheckRank(call, 0, data, 4);
  if (!data->shape) return TensorSInfoOfRank(4, data->dtype);
  Dims out = *data->shape;
  for (size_t i = 0; size && i < 2; ++i) out[layout.spatial[i]] = (*size)[i];
  return TensorSInfo(out, data->dtype);
}

// ---- legalization ----

using tir::PrimExpr;
using tir::te::Tensor;

struct PoolParams {
  Layout layout;
  std::vector<int64_t> window, strides, dilation, padding;  // padding: begins, then ends
  bool ceil_mode = false;
};

PoolParams ReadPoolParams(const CallNode* call) {
  return {PoolLayout(call),
          SpatialAttr(call, "pool_size", 2),
          SpatialAttr(call, "strides", 2),
          SpatialAttr(call, "dilation", 2),
          PaddingAttr(call, 2),
          BoolAttr(call, "ceil_mode")};
}

// Whether a window may read outside data: padding, or a ceil_mode window
// reaching past the end (`extent`: the span the windows cover).
bool NeedsPad(const PoolParams& p, size_t s, const PrimExpr& extent, const PrimExpr& in) {
  if (p.padding[s] != 0 || p.padding[s + 2] != 0) return true;
  std::optional<int64_t> e = tir::ConstIntValue(extent), n = tir::ConstIntValue(in);
  return p.ceil_mode && !(e && n && *e <= *n);
}

// data padded with `fill` on the spatial axes, long enough for every window
// of the output (ceil_mode windows may reach past the end padding).
Tensor PadForWindows(const Tensor& data, const PoolParams& p, const std::vector<PrimExpr>& out_shape,
                     const PrimExpr& fill) {
  bool padded = false;
  std::vector<PrimExpr> shape = data.shape();
  for (size_t s = 0; s < 2; ++s) {
    int axis = p.layout.spatial[s];
    // (out - 1) * stride + dilation * (window - 1) + 1
    shape[axis] = AddConst((out_shape[axis] - 1) * PrimExpr(p.strides[s]), p.dilation[s] * (p.window[s] - 1) + 1);
    padded = padded || NeedsPad(p, s, shape[axis], data.shape()[axis]);
  }
  if (!padded) return data;
  return tir::te::compute(
      shape,
      [&](const std::vector<tir::Var>& i) {
        std::vector<PrimExpr> idx(i.begin(), i.end());
        PrimExpr valid;
        for (size_t s = 0; s < 2; ++s) {
          int axis = p.layout.spatial[s];
          idx[axis] = AddConst(i[axis], -p.padding[s]);
          if (p.padding[s] > 0) valid = AndAlso(valid, idx[axis] >= PrimExpr(0));
          valid = AndAlso(valid, idx[axis] < data.shape()[axis]);
        }
        return tir::if_then_else(valid, data[idx], fill);
      },
      "pad");
}

// reduce(padded[n, c, y * s + ky * d, x * s + kx * d]) over the window.
using FWindowReduce = std::function<PrimExpr(PrimExpr, std::vector<tir::te::ReduceAxis>)>;
Tensor WindowReduce(const Tensor& padded, const PoolParams& p, const std::vector<PrimExpr>& out_shape,
                    const FWindowReduce& reduce, const std::string& name) {
  std::vector<tir::te::ReduceAxis> r = {tir::te::reduce_axis({0, PrimExpr(p.window[0])}, "ry"),
                                        tir::te::reduce_axis({0, PrimExpr(p.window[1])}, "rx")};
  return tir::te::compute(
      out_shape,
      [&](const std::vector<tir::Var>& i) {
        std::vector<PrimExpr> idx(i.begin(), i.end());
        for (size_t s = 0; s < 2; ++s) {
          int axis = p.layout.spatial[s];
          idx[axis] = i[axis] * PrimExpr(p.strides[s]) + r[s].var * PrimExpr(p.dilation[s]);
        }
        return reduce(padded[idx], r);
      },
      name);
}

Expr LegalizeMaxPool(BlockBuilder& bb, const CallNode* call) {
  PoolParams p = ReadPoolParams(call);
  std::vector<PrimExpr> out_shape = OutputShape(call);
  return CallTE(bb, call, "max_pool2d", [&](const std::vector<Tensor>& in) {
    Tensor padded = PadForWindows(in[0], p, out_shape, tir::te::min_value(in[0].dtype()));
    return WindowReduce(
        padded, p, out_shape, [](PrimExpr v, auto r) { return tir::te::max(std::move(v), std::move(r)); },
        "max_pool2d");
  });
}

// The number of window taps start + k * d (k in [0, window)) inside [lo, hi).
PrimExpr TapsInside(const PrimExpr& start, int64_t window, int64_t d, const PrimExpr& lo, const PrimExpr& hi) {
  PrimExpr dd(d);
  PrimExpr first = tir::max(PrimExpr(0), tir::floordiv(lo - start + PrimExpr(d - 1), dd));
  PrimExpr last = tir::min(PrimExpr(window - 1), tir::floordiv(hi - PrimExpr(1) - start, dd));
  return tir::max(last - first + PrimExpr(1), PrimExpr(0));
}

// The divisor of a window: its taps inside the data, or (count_include_pad)
// inside the padded extent, as PyTorch counts them.
PrimExpr WindowCount(const Tensor& data, const PoolParams& p, bool include_pad, const std::vector<tir::Var>& i) {
  PrimExpr count(1);
  for (size_t s = 0; s < 2; ++s) {
    int axis = p.layout.spatial[s];
    PrimExpr start = AddConst(i[axis] * PrimExpr(p.strides[s]), -p.padding[s]);
    PrimExpr lo = include_pad ? PrimExpr(-p.padding[s]) : PrimExpr(0);
    PrimExpr hi = include_pad ? AddConst(data.shape()[axis], p.padding[s + 2]) : data.shape()[axis];
    count = count * TapsInside(start, p.window[s], p.dilation[s], lo, hi);
  }
  return count;
}

Expr LegalizeAvgPool(BlockBuilder& bb, const CallNode* call) {
  PoolParams p = ReadPoolParams(call);
  bool include_pad = BoolAttr(call, "count_include_pad");
  std::vector<PrimExpr> out_shape = OutputShape(call);
  return CallTE(bb, call, "avg_pool2d", [&](const std::vector<Tensor>& in) {
    DataType dtype = in[0].dtype();
    Tensor padded = PadForWindows(in[0], p, out_shape, tir::MakeConst(dtype, 0));
    Tensor sum = WindowReduce(
        padded, p, out_shape, [](PrimExpr v, auto r) { return tir::te::sum(std::move(v), std::move(r)); },
        "window_sum");
    return tir::te::compute(
        out_shape,
        [&](const std::vector<tir::Var>& i) {
          return sum[i] / tir::Cast(dtype, tir::max(WindowCount(in[0], p, include_pad, i), PrimExpr(1)));
        },
        "avg_pool2d");
  });
}

// Adaptive window of output index i along an axis of `in` onto `out`:
// [floor(i * in / out), ceil((i + 1) * in / out)).
PrimExpr AdaptiveStart(const PrimExpr& i, const PrimExpr& in, const PrimExpr& out) {
  return tir::floordiv(i * in, out);
}
PrimExpr AdaptiveEnd(const PrimExpr& i, const PrimExpr& in, const PrimExpr& out) {
  return tir::floordiv(AddConst(i, 1) * in + AddConst(out, -1), out);
}

// The longest adaptive window: exact for constant sizes, else a bound.
PrimExpr AdaptiveMaxWindow(const PrimExpr& in, const PrimExpr& out) {
  std::optional<int64_t> n = tir::ConstIntValue(in), m = tir::ConstIntValue(out);
  if (n && m) {
    int64_t longest = 1;
    for (int64_t i = 0; i < *m; ++i) longest = std::max(longest, ((i + 1) * *n + *m - 1) / *m - i * *n / *m);
    return PrimExpr(longest);
  }
  if (DimsEqual(in, out)) return PrimExpr(1);
  return tir::floordiv(in + out - PrimExpr(1), out) + PrimExpr(1);
}

Expr LegalizeAdaptiveAvgPool(BlockBuilder& bb, const CallNode* call) {
  Layout layout = LayoutAttr(call, "layout", 'N', 'C', kSpatial);
  std::vector<PrimExpr> out_shape = OutputShape(call);
  return CallTE(bb, call, "adaptive_avg_pool2d", [&](const std::vector<Tensor>& in) {
    const Tensor& data = in[0];
    std::vector<tir::te::ReduceAxis> r;
    for (size_t s = 0; s < 2; ++s) {
      int axis = layout.spatial[s];
      r.push_back(tir::te::reduce_axis({0, AdaptiveMaxWindow(data.shape()[axis], out_shape[axis])}, s ? "rx" : "ry"));
    }
    auto bounds = [&](const std::vector<tir::Var>& i, size_t s) {
      int axis = layout.spatial[s];
      return std::pair{AdaptiveStart(i[axis], data.shape()[axis], out_shape[axis]),
                       AdaptiveEnd(i[axis], data.shape()[axis], out_shape[axis])};
    };
    Tensor sum = tir::te::compute(
        out_shape,
        [&](const std::vector<tir::Var>& i) {
          std::vector<PrimExpr> idx(i.begin(), i.end());
          PrimExpr valid;
          for (size_t s = 0; s < 2; ++s) {
            auto [start, end] = bounds(i, s);
            idx[layout.spatial[s]] = start + r[s].var;
            valid = AndAlso(valid, idx[layout.spatial[s]] < end);
          }
          return tir::te::sum(tir::if_then_else(valid, data[idx], tir::MakeConst(data.dtype(), 0)), r);
        },
        "window_sum");
    return tir::te::compute(
        out_shape,
        [&](const std::vector<tir::Var>& i) {
          auto [y0, y1] = bounds(i, 0);
          auto [x0, x1] = bounds(i, 1);
          return sum[i] / tir::Cast(data.dtype(), (y1 - y0) * (x1 - x0));
        },
        "adaptive_avg_pool2d");
  });
}

OpRegistration RegisterPool2D(const std::string& name, const std::string& doc) {
  return RegisterOp(name)
      .Describe(doc)
      .Args({"data"})
      .Attr("pool_size", AttrKind::kIntList, {}, "window size: 1 value or (height, width)")
      .Attr("strides", AttrKind::kIntList, IntListAny({1, 1}), "1 value or one per spatial axis")
      .Attr("padding", AttrKind::kIntList, IntListAny({0, 0}), "1, 2 or 4 values (top, left, bottom, right)")
      .Attr("dilation", AttrKind::kIntList, IntListAny({1, 1}), "1 value or one per spatial axis")
      .Attr("ceil_mode", AttrKind::kBool, false, "round the output size up")
      .Attr("layout", AttrKind::kString, "NCHW", "layout of data and of the result")
      .Pattern(OpPattern::kOutEWiseFusable)
      .InferStructInfo(InferPool2D);
}

[[maybe_unused]] const bool kRegistered = [] {
  RegisterPool2D("relax.max_pool2d", "the maximum over each window").Legalize(LegalizeMaxPool);
  RegisterPool2D("relax.avg_pool2d", "the mean over each window")
      .Attr("count_include_pad", AttrKind::kBool, false, "padded elements count in the divisor")
      .Legalize(LegalizeAvgPool);
  RegisterOp("relax.adaptive_avg_pool2d")
      .Describe("the mean over windows that tile the input onto output_size")
      .Args({"data"})
      .Attr("output_size", AttrKind::kOptionalIntList, {}, "1 or 2 values; none keeps the input size")
      .Attr("layout", AttrKind::kString, "NCHW", "layout of data and of the result")
      .Pattern(OpPattern::kOutEWiseFusable)
      .InferStructInfo(InferAdaptivePool2D)
      .Legalize(LegalizeAdaptiveAvgPool);
  return true;
}();

Attrs PoolAttrs(const std::vector<int64_t>& pool_size, const op::PoolOptions& o) {
  return {{"pool_size", IntListAny(pool_size)}, {"strides", IntListAny(o.strides)}, {"padding", IntListAny(o.padding)},
          {"dilation", IntListAny(o.dilation)}, {"ceil_mode", o.ceil_mode},         {"layout", o.layout}};
}
}  // namespace

namespace op {
Expr max_pool2d(Expr data, std::vector<int64_t> pool_size, PoolOptions options) {
  return MakeOpCall("relax.max_pool2d", {std::move(data)}, PoolAttrs(pool_size, options));
}
Expr avg_pool2d(Expr data, std::vector<int64_t> pool_size, PoolOptions options, bool count_include_pad) {
  Attrs attrs = PoolAttrs(pool_size, options).With("count_include_pad", count_include_pad);
  return MakeOpCall("relax.avg_pool2d", {std::move(data)}, attrs);
}
Expr adaptive_avg_pool2d(Expr data, std::optional<std::vector<int64_t>> output_size, std::string layout) {
  return MakeOpCall("relax.adaptive_avg_pool2d", {std::move(data)},
                    {{"output_size", OptionalIntListAny(output_size)}, {"layout", std::move(layout)}});
}
}  // namespace op

}  // namespace kiln::relax
