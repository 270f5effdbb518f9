// Convolutions over n spatial axes in any arrangement of the layout letters
// (NCHW, NHWC; OIHW, HWIO, ...). The output keeps the data layout, with the
// batch, the kernel's output channels and the window output sizes. Each
// legalizes to a padded (for the transpose also stride-dilated) copy of data
// and one te sum over the group's channels and the kernel window.
//
// conv2d also takes blocked layouts: data NCHW<c>c, kernel OIHW<c>i<o>o and
// result (out_layout) NCHW<o>c, where the channel axes are split into outer
// blocks and <c> or <o> inner indices; and, for a depthwise conv (groups =
// channels, one output channel per input channel), data NCHW<b>c, kernel
// OIHW1i<b>o and result NCHW<b>c. See ConvertConvLayout, which rewrites
// NCHW convolutions into these.
#include "kiln/relax/op/conv.h"

#include <cctype>

#include "infer_util.h"
#include "kiln/relax/legalize.h"
#include "kiln/tir/intrinsics.h"
#include "legalize_util.h"

namespace kiln::relax {
namespace {
using namespace infer;
using tir::PrimExpr;

struct ConvParams {
  Layout data, kernel;
  std::vector<int64_t> strides, dilation, padding, output_padding;
  int64_t groups = 1;
  // Blocked conv2d: the input-channel block (data c, kernel i) and the
  // output-channel block (kernel o, result c); 0 for plain layouts.
  int64_t in_block = 0, out_block = 0;
  // A blocked depthwise conv2d (groups > 1): kernel i is 1 and the data and
  // result blocks are one block b.
  bool depthwise = false;
};

// Whether `l` is `primal` followed by blocks of the axes `blocks`, in order.
bool IsBlockedForm(const BlockedLayout& l, const std::string& primal, const std::string& blocks) {
  if (l.Primal() != primal || l.dims.size() != primal.size() + blocks.size()) return false;
  for (size_t i = 0; i < blocks.size(); ++i) {
    if (l.dims[primal.size() + i].axis != blocks[i]) return false;
  }
  return true;
}

// The blocked conv2d layouts: data NCHW<c>c, kernel OIHW<c>i<o>o, result
// NCHW<o>c (out_layout, by default data_layout).
void ReadBlockedLayouts(const CallNode* call, ConvParams& p) {
  const std::string& name = OpName(call);
  BlockedLayout data = ParseBlockedLayout(StringAttr(call, "data_layout"), name + ": data_layout");
  BlockedLayout kernel = ParseBlockedLayout(StringAttr(call, "kernel_layout"), name + ": kernel_layout");
  std::string out_text = StringAttr(call, "out_layout");
  BlockedLayout out = ParseBlockedLayout(out_text.empty() ? data.text : out_text, name + ": out_layout");
  KILN_CHECK(IsBlockedForm(data, "NCHW", "C"))
      << name << ": a blocked data_layout must be NCHW<c>c (such as NCHW16c), got \"" << data.text << "\"";
  KILN_CHECK(IsBlockedForm(kernel, "OIHW", "IO"))
      << name << ": with a blocked data_layout, kernel_layout must be OIHW<i>i<o>o (such as OIHW16i16o), got \""
      << kernel.text << "\"";
  KILN_CHECK(IsBlockedForm(out, "NCHW", "C"))
      << name << ": a blocked out_layout must be NCHW<o>c (such as NCHW16c), got \"" << out.text << "\"";
  p.in_block = data.BlockOf('C');
  p.out_block = kernel.BlockOf('O');
  p.depthwise = p.groups != 1;
  if (p.depthwise) {
    KILN_CHECK(kernel.BlockOf('I') == 1 && p.out_block == p.in_block)
        << name << ": a blocked depthwise conv2d (groups " << p.groups << ") takes kernel_layout OIHW1i<b>o with <b> "
        << "the data's block " << p.in_block << " (such as OIHW1i" << p.in_block << "o), got \"" << kernel.text << "\"";
  } else {
    KILN_CHECK(kernel.BlockOf('I') == p.in_block)
        << name << ": kernel_layout \"" << kernel.text << "\" blocks the input channels by " << kernel.BlockOf('I')
        << " but data_layout \"" << data.text << "\" by " << p.in_block;
  }
  KILN_CHECK(out.BlockOf('C') == p.out_block)
      << name << ": out_layout \"" << out.text << "\" blocks the output channels by " << out.BlockOf('C')
      << " but kernel_layout \"" << kernel.text << "\" by " << p.out_block;
  p.data = Layout{data.text, 0, 1, {2, 3}};
  p.kernel = Layout{kernel.text, 0, 1, {2, 3}};
}

ConvParams ReadParams(const CallNode* call, const std::string& spatial_letters, bool transpose) {
  size_t n = spatial_letters.size();
  ConvParams p;
  p.strides = SpatialAttr(call, "strides", n);
  p.dilation = SpatialAttr(call, "dilation", n);
  p.padding = PaddingAttr(call, n);
  p.groups = IntAttr(call, "groups");
  KILN_CHECK(p.groups >= 1) << OpName(call) << ": groups must be positive, got " << p.groups;
  bool has_out_layout = CalledOp(call)->FindAttr("out_layout") != nullptr;
  if (has_out_layout && HasBlocks(StringAttr(call, "data_layout"))) {
    ReadBlockedLayouts(call, p);
    return p;
  }
  p.data = LayoutAttr(call, "data_layout", 'N', 'C', spatial_letters);
  p.kernel = LayoutAttr(call, "kernel_layout", 'O', 'I', spatial_letters);
  if (has_out_layout) {
    std::string out = StringAttr(call, "out_layout");
    KILN_CHECK(out.empty() || out == p.data.text)
        << OpName(call) << ": out_layout \"" << out << "\" differs from data_layout \"" << p.data.text
        << "\"; only blocked layouts (NCHW<c>c) may change the channel block";
  }
  if (transpose) {
    p.output_padding = IntListAttr(call, "output_padding");
    if (p.output_padding.size() == 1) p.output_padding.assign(n, p.output_padding[0]);
    KILN_CHECK(p.output_padding.size() == n) << OpName(call) << ": attribute 'output_padding' needs 1 or " << n
                                             << " values, got " << p.output_padding.size();
    for (size_t i = 0; i < n; ++i) {
      KILN_CHECK(p.output_padding[i] >= 0 &&
                 (p.output_padding[i] < p.strides[i] || p.output_padding[i] < p.dilation[i]))
          << OpName(call) << ": output_padding " << p.output_padding[i] << " must be smaller than the stride "
          << p.strides[i] << " or the dilation " << p.dilation[i];
    }
  }
  return p;
}

// `dim` must be a multiple of groups when known.
void CheckDivisible(const CallNode* call, const PrimExpr& dim, int64_t groups, const char* what) {
  const int64_t* v = tir::AsConstInt(dim);
  KILN_CHECK(!v || *v % groups == 0) << OpName(call) << ": the " << *v << " " << what << " do not divide into "
                                     << groups << " groups";
}

// Channels of a convolution: data C == kernel I * groups; gives kernel O.
PrimExpr ConvChannels(const CallNode* call, const ConvParams& p, const Dims& d, const Dims& w) {
  const PrimExpr& in = d[p.data.inner];
  PrimExpr expected = w[p.kernel.inner] * PrimExpr(p.groups);
  KILN_CHECK(!DimsDiffer(in, expected)) << OpName(call) << ": data has " << DimString(in)
                                        << " channels but weight expects " << DimString(expected) << " (in_channels "
                                        << DimString(w[p.kernel.inner]) << " x groups " << p.groups << ")";
  CheckDivisible(call, w[p.kernel.outer], p.groups, "output channels");
  return w[p.kernel.outer];
}

// Channels of a transposed convolution: data C == kernel I; gives O * groups.
PrimExpr ConvTransposeChannels(const CallNode* call, const ConvParams& p, const Dims& d, const Dims& w) {
  const PrimExpr& in = d[p.data.inner];
  KILN_CHECK(!DimsDiffer(in, w[p.kernel.inner])) << OpName(call) << ": data has " << DimString(in)
                                                 << " channels but weight expects " << DimString(w[p.kernel.inner]);
  CheckDivisible(call, in, p.groups, "input channels");
  return w[p.kernel.outer] * PrimExpr(p.groups);
}

// (in - 1) * stride - pad + dilation * (k - 1) + output_padding + 1
PrimExpr TransposedDim(const CallNode* call, const ConvParams& p, size_t i, const PrimExpr& in,
                       const PrimExpr& window) {
  int64_t s = p.strides[i], pad = p.padding[i] + p.padding[i + p.strides.size()];
  // == in * s + d * (k - 1) + (1 + op - pad - s), constants folded together
  PrimExpr extra = PrimExpr(p.dilation[i]) * (window - 1);
  int64_t c = 1 + p.output_padding[i] - pad - s;
  const int64_t* e = tir::AsConstInt(extra);
  PrimExpr out = e ? AddConst(in * PrimExpr(s), *e + c) : AddConst(in * PrimExpr(s) + extra, c);
  const int64_t* v = tir::AsConstInt(out);
  KILN_CHECK(!v || *v > 0) << OpName(call) << ": the output would have " << *v << " elements along an axis of size "
                           << DimString(in);
  return out;
}

// Blocked conv2d: data [N, C/c, H, W, c], weight [O/o, C/c, KH, KW, c, o],
// result [N, O/o, OH, OW, o]. Depthwise: data [N, C/b, H, W, b], weight
// [C/b, 1, KH, KW, 1, b], result [N, C/b, OH, OW, b], groups C.
StructInfo InferBlockedConv2d(const CallNode* call, const ConvParams& p, const TensorRef& data, const TensorRef& weight,
                              DataType dtype) {
  CheckRank(call, 0, data, 5);
  CheckRank(call, 1, weight, 6);
  if (!data->shape || !weight->shape) return TensorSInfoOfRank(5, dtype);
  const Dims &d = *data->shape, &w = *weight->shape;
  auto check_size = [&](const PrimExpr& dim, int64_t size, const char* what, const char* expected = "the block ") {
    KILN_CHECK(!DimsDiffer(dim, PrimExpr(size)))
        << OpName(call) << ": " << what << " has size " << DimString(dim) << ", expected " << expected << size;
  };
  check_size(d[4], p.in_block, "the channel block of data (axis 4)");
  check_size(w[5], p.out_block, "the output-channel block of weight (axis 5)");
  if (p.depthwise) {
    check_size(w[1], 1, "the input-channel blocks of a depthwise weight (axis 1)", "");
    check_size(w[4], 1, "the input-channel block of a depthwise weight (axis 4)", "");
    KILN_CHECK(!DimsDiffer(d[1], w[0])) << OpName(call) << ": data has " << DimString(d[1])
                                        << " channel blocks but the depthwise weight " << DimString(w[0]);
    PrimExpr channels = d[1] * PrimExpr(p.in_block);
    KILN_CHECK(!DimsDiffer(channels, PrimExpr(p.groups)))
        << OpName(call) << ": a blocked conv2d with groups " << p.groups << " must be depthwise (groups = the "
        << DimString(channels) << " channels of data)";
  } else {
    check_size(w[4], p.in_block, "the input-channel block of weight (axis 4)");
    KILN_CHECK(!DimsDiffer(d[1], w[1])) << OpName(call) << ": data has " << DimString(d[1])
                                        << " channel blocks but weight expects " << DimString(w[1]);
  }
  Dims out = {d[0], w[0], PrimExpr(), PrimExpr(), PrimExpr(p.out_block)};
  for (size_t i = 0; i < 2; ++i) {
    out[2 + i] = WindowOutDim(call, d[2 + i], w[2 + i], p.strides[i], p.dilation[i], p.padding[i], p.padding[i + 2]);
  }
  return TensorSInfo(out, dtype);
}

StructInfo InferConv(const CallNode* call, const std::string& spatial_letters, bool transpose) {
  CheckNumArgs(call, 2);
  TensorRef data = TensorArg(call, 0), weight = TensorArg(call, 1);
  DataType dtype = OutDtype(call, {data, weight});
  ConvParams p = ReadParams(call, spatial_letters, transpose);
  if (p.in_block != 0) return InferBlockedConv2d(call, p, data, weight, dtype);
  int ndim = static_cast<int>(spatial_letters.size()) + 2;
  CheckRank(call, 0, data, ndim);
  CheckRank(call, 1, weight, ndim);
  if (!data->shape || !weight->shape) return TensorSInfoOfRank(ndim, dtype);
  const Dims &d = *data->shape, &w = *weight->shape;
  Dims out(ndim);
  out[p.data.outer] = d[p.data.outer];
  out[p.data.inner] = transpose ? ConvTransposeChannels(call, p, d, w) : ConvChannels(call, p, d, w);
  for (size_t i = 0; i < spatial_letters.size(); ++i) {
    const PrimExpr& in = d[p.data.spatial[i]];
    const PrimExpr& window = w[p.kernel.spatial[i]];
    out[p.data.spatial[i]] = transpose ? TransposedDim(call, p, i, in, window)
                                       : WindowOutDim(call, in, window, p.strides[i], p.dilation[i], p.padding[i],
                                                      p.padding[i + spatial_letters.size()]);
  }
  return TensorSInfo(out, dtype);
}

// ---- legalization ----
//
// conv:      out[n, o, y] = sum_{c, k} pad(data)[n, g * Cg + c, y * s + k * d] * w[o, c, k],
//            g = o / (O / groups), Cg = weight's in-channels (per group)
// transpose: the same convolution over data dilated by s and padded by
//            d * (k - 1) - pad on each side, with the kernel flipped and its
//            in/out roles swapped per group

using tir::te::Tensor;

// How data is laid out before the window slides over it: along spatial axis
// i, element p of the padded tensor is data element (p - lo[i]) / step[i]
// when that is a whole in-range index, else zero.
struct PadSpec {
  std::vector<PrimExpr> lo, extent;
  std::vector<int64_t> step;
};

PrimExpr PaddedValue(const Tensor& data, const Layout& layout, const PadSpec& pad, const std::vector<tir::Var>& i) {
  std::vector<PrimExpr> idx(i.begin(), i.end());
  PrimExpr valid;
  for (size_t s = 0; s < layout.spatial.size(); ++s) {
    int axis = layout.spatial[s];
    int64_t step = pad.step[s];
    PrimExpr q = i[axis] - pad.lo[s];
    const PrimExpr& in = data.shape()[axis];
    std::optional<int64_t> lo = tir::ConstIntValue(pad.lo[s]);
    if (!lo || *lo > 0) valid = AndAlso(valid, q >= PrimExpr(0));
    valid = AndAlso(valid, q < (step == 1 ? in : AddConst((in - 1) * PrimExpr(step), 1)));
    if (step != 1) valid = AndAlso(valid, tir::floormod(q, PrimExpr(step)) == PrimExpr(0));
    idx[axis] = step == 1 ? q : tir::floordiv(q, PrimExpr(step));
  }
  return tir::if_then_else(valid, data[idx], tir::MakeConst(data.dtype(), 0));
}

bool IsIdentityPad(const Tensor& data, const Layout& layout, const PadSpec& pad) {
  for (size_t s = 0; s < layout.spatial.size(); ++s) {
    if (!IsConstDim(pad.lo[s], 0) || pad.step[s] != 1 || !DimsEqual(pad.extent[s], data.shape()[layout.spatial[s]])) {
      return false;
    }
  }
  return true;
}

Tensor Pad(const Tensor& data, const Layout& layout, const PadSpec& pad) {
  if (IsIdentityPad(data, layout, pad)) return data;
  std::vector<PrimExpr> shape = data.shape();
  for (size_t s = 0; s < layout.spatial.size(); ++s) shape[layout.spatial[s]] = pad.extent[s];
  return tir::te::compute(
      shape, [&](const std::vector<tir::Var>& i) { return PaddedValue(data, layout, pad, i); }, "pad");
}

// The reduce axes: the channels of a group, then the kernel's spatial axes.
std::vector<tir::te::ReduceAxis> ConvReduceAxes(const Tensor& w, const Layout& kl, const PrimExpr& channels,
                                                const std::string& spatial_letters) {
  std::vector<tir::te::ReduceAxis> axes = {tir::te::reduce_axis({0, channels}, "rc")};
  for (size_t s = 0; s < kl.spatial.size(); ++s) {
    std::string name = std::string("r") + static_cast<char>(std::tolower(spatial_letters[s]));
    axes.push_back(tir::te::reduce_axis({0, w.shape()[kl.spatial[s]]}, name));
  }
  return axes;
}

PrimExpr GroupOf(const PrimExpr& channel, const PrimExpr& per_group, int64_t groups) {
  return groups == 1 ? PrimExpr(0) : tir::floordiv(channel, per_group);
}

Tensor ConvCompute(const CallNode* call, const ConvParams& p, const std::string& spatial_letters, const Tensor& data,
                   const Tensor& w) {
  size_t n = spatial_letters.size();
  PadSpec pad{{}, {}, std::vector<int64_t>(n, 1)};
  for (size_t s = 0; s < n; ++s) {
    pad.lo.push_back(p.padding[s]);
    pad.extent.push_back(AddConst(data.shape()[p.data.spatial[s]], p.padding[s] + p.padding[s + n]));
  }
  Tensor padded = Pad(data, p.data, pad);
  const Layout &dl = p.data, &kl = p.kernel;
  PrimExpr in_per_group = w.shape()[kl.inner];
  PrimExpr out_per_group = p.groups == 1 ? w.shape()[kl.outer] : tir::floordiv(w.shape()[kl.outer], PrimExpr(p.groups));
  std::vector<tir::te::ReduceAxis> r = ConvReduceAxes(w, kl, in_per_group, spatial_letters);
  DataType dtype = OutputDType(call);
  return tir::te::compute(
      OutputShape(call),
      [&](const std::vector<tir::Var>& i) {
        std::vector<PrimExpr> di(i.begin(), i.end()), wi(i.size());
        PrimExpr o = i[dl.inner];
        di[dl.inner] = GroupOf(o, out_per_group, p.groups) * in_per_group + r[0].var;
        wi[kl.outer] = o;
        wi[kl.inner] = r[0].var;
        for (size_t s = 0; s < n; ++s) {
          di[dl.spatial[s]] = i[dl.spatial[s]] * PrimExpr(p.strides[s]) + r[s + 1].var * PrimExpr(p.dilation[s]);
          wi[kl.spatial[s]] = r[s + 1].var;
        }
        return tir::te::sum(CastTo(dtype, padded[di]) * CastTo(dtype, w[wi]), r);
      },
      KernelName(OpName(call)));
}

// out[n, ob, y, x, oi] = sum_{cb, kh, kw, ci} pad(data)[n, cb, y * s + kh * d, x * s + kw * d, ci]
//                                             * w[ob, cb, kh, kw, ci, oi]
// The reduction runs over channel blocks, the window, then the channels of a
// block, the order the blocked schedule keeps. Depthwise, cb and ci have
// extent 1 and data is read at the output's own channel:
//   pad(data)[n, ob, y * s + kh * d, x * s + kw * d, oi]
Tensor BlockedConvCompute(const CallNode* call, const ConvParams& p, const Tensor& data, const Tensor& w) {
  PadSpec pad{{}, {}, {1, 1}};
  for (size_t s = 0; s < 2; ++s) {
    pad.lo.push_back(p.padding[s]);
    pad.extent.push_back(AddConst(data.shape()[2 + s], p.padding[s] + p.padding[s + 2]));
  }
  Tensor padded = Pad(data, p.data, pad);
  std::vector<tir::te::ReduceAxis> r = {
      tir::te::reduce_axis({0, w.shape()[1]}, "rcb"), tir::te::reduce_axis({0, w.shape()[2]}, "rh"),
      tir::te::reduce_axis({0, w.shape()[3]}, "rw"), tir::te::reduce_axis({0, w.shape()[4]}, "rci")};
  DataType dtype = OutputDType(call);
  return tir::te::compute(
      OutputShape(call),
      [&](const std::vector<tir::Var>& i) {
        PrimExpr y = i[2] * PrimExpr(p.strides[0]) + r[1].var * PrimExpr(p.dilation[0]);
        PrimExpr x = i[3] * PrimExpr(p.strides[1]) + r[2].var * PrimExpr(p.dilation[1]);
        std::vector<PrimExpr> di = p.depthwise ? std::vector<PrimExpr>{i[0], i[1], y, x, i[4]}
                                               : std::vector<PrimExpr>{i[0], r[0].var, y, x, r[3].var};
        std::vector<PrimExpr> wi = {i[1], r[0].var, r[1].var, r[2].var, r[3].var, i[4]};
        return tir::te::sum(CastTo(dtype, padded[di]) * CastTo(dtype, w[wi]), r);
      },
      KernelName(OpName(call)));
}

Tensor ConvTransposeCompute(const CallNode* call, const ConvParams& p, const std::string& spatial_letters,
                            const Tensor& data, const Tensor& w) {
  size_t n = spatial_letters.size();
  const Layout &dl = p.data, &kl = p.kernel;
  std::vector<PrimExpr> out_shape = OutputShape(call);
  std::vector<PrimExpr> reach;  // d * (k - 1) per spatial axis
  PadSpec pad{{}, {}, p.strides};
  for (size_t s = 0; s < n; ++s) {
    reach.push_back(PrimExpr(p.dilation[s]) * (w.shape()[kl.spatial[s]] - 1));
    pad.lo.push_back(AddConst(reach[s], -p.padding[s]));
    pad.extent.push_back(out_shape[dl.spatial[s]] + reach[s]);
  }
  Tensor padded = Pad(data, dl, pad);
  PrimExpr in_per_group =
      p.groups == 1 ? data.shape()[dl.inner] : tir::floordiv(data.shape()[dl.inner], PrimExpr(p.groups));
  PrimExpr out_per_group = w.shape()[kl.outer];
  std::vector<tir::te::ReduceAxis> r = ConvReduceAxes(w, kl, in_per_group, spatial_letters);
  DataType dtype = OutputDType(call);
  return tir::te::compute(
      out_shape,
      [&](const std::vector<tir::Var>& i) {
        std::vector<PrimExpr> di(i.begin(), i.end()), wi(i.size());
        PrimExpr o = i[dl.inner];
        PrimExpr c = GroupOf(o, out_per_group, p.groups) * in_per_group + r[0].var;
        di[dl.inner] = c;
        wi[kl.inner] = c;
        wi[kl.outer] = p.groups == 1 ? o : tir::floormod(o, out_per_group);
        for (size_t s = 0; s < n; ++s) {
          di[dl.spatial[s]] = i[dl.spatial[s]] + r[s + 1].var * PrimExpr(p.dilation[s]);
          wi[kl.spatial[s]] = AddConst(w.shape()[kl.spatial[s]], -1) - r[s + 1].var;
        }
        return tir::te::sum(CastTo(dtype, padded[di]) * CastTo(dtype, w[wi]), r);
      },
      KernelName(OpName(call)));
}

Expr LegalizeConv(BlockBuilder& bb, const CallNode* call, const std::string& spatial_letters, bool transpose) {
  ConvParams p = ReadParams(call, spatial_letters, transpose);
  return CallTE(bb, call, KernelName(OpName(call)), [&](const std::vector<Tensor>& in) {
    if (p.in_block != 0) return BlockedConvCompute(call, p, in[0], in[1]);
    return transpose ? ConvTransposeCompute(call, p, spatial_letters, in[0], in[1])
                     : ConvCompute(call, p, spatial_letters, in[0], in[1]);
  });
}

void RegisterConv(const std::string& name, const std::string& doc, const std::string& spatial_letters, bool transpose) {
  size_t n = spatial_letters.size();
  OpRegistration reg = RegisterOp(name);
  reg.Describe(doc)
      .Args({"data", "weight"})
      .Attr("strides", AttrKind::kIntList, IntListAny(std::vector<int64_t>(n, 1)), "1 or one per spatial axis")
      .Attr("padding", AttrKind::kIntList, IntListAny(std::vector<int64_t>(n, 0)),
            "1, one per spatial axis, or all begins then all ends")
      .Attr("dilation", AttrKind::kIntList, IntListAny(std::vector<int64_t>(n, 1)), "1 or one per spatial axis");
  if (transpose) {
    reg.Attr("output_padding", AttrKind::kIntList, IntListAny(std::vector<int64_t>(n, 0)),
             "added to the end of each output spatial axis");
  }
  reg.Attr("groups", AttrKind::kInt, 1, "channel groups")
      .Attr("data_layout", AttrKind::kString, "NC" + spatial_letters, "layout of data and of the result")
      .Attr("kernel_layout", AttrKind::kString, (transpose ? "IO" : "OI") + spatial_letters, "layout of weight");
  if (name == "relax.conv2d") {
    reg.Attr("out_layout", AttrKind::kString, "",
             "layout of the result (\"\": data_layout); differs only in the block of blocked layouts");
  }
  reg.Attr("out_dtype", AttrKind::kString, "", "dtype of the result (\"\": the operands' dtype)")
      .Pattern(OpPattern::kOutEWiseFusable)
      .InferStructInfo(
          [spatial_letters, transpose](const CallNode* call) { return InferConv(call, spatial_letters, transpose); })
      .Legalize([spatial_letters, transpose](BlockBuilder& bb, const CallNode* call) {
        return LegalizeConv(bb, call, spatial_letters, transpose);
      });
}

[[maybe_unused]] const bool kRegistered = [] {
  RegisterConv("relax.conv1d", "1-D convolution", "W", false);
  RegisterConv("relax.conv2d", "2-D convolution", "HW", false);
  RegisterConv("relax.conv2d_transpose", "2-D transposed convolution (the gradient of conv2d)", "HW", true);
  return true;
}();

Attrs ConvAttrs(const op::ConvOptions& o) {
  Attrs attrs = {{"strides", IntListAny(o.strides)},
                 {"padding", IntListAny(o.padding)},
                 {"dilation", IntListAny(o.dilation)},
                 {"groups", o.groups},
                 {"out_dtype", OptionalDtypeAny(o.out_dtype)}};
  if (!o.data_layout.empty()) attrs = attrs.With("data_layout", o.data_layout);
  if (!o.kernel_layout.empty()) attrs = attrs.With("kernel_layout", o.kernel_layout);
  if (!o.out_layout.empty()) attrs = attrs.With("out_layout", o.out_layout);
  return attrs;
}
}  // namespace

namespace op {
Expr conv1d(Expr data, Expr weight, ConvOptions options) {
  return MakeOpCall("relax.conv1d", {std::move(data), std::move(weight)}, ConvAttrs(options));
}
Expr conv2d(Expr data, Expr weight, ConvOptions options) {
  return MakeOpCall("relax.conv2d", {std::move(data), std::move(weight)}, ConvAttrs(options));
}
Expr conv2d_transpose(Expr data, Expr weight, ConvOptions options, std::vector<int64_t> output_padding) {
  Attrs attrs = ConvAttrs(options).With("output_padding", IntListAny(output_padding));
  return MakeOpCall("relax.conv2d_transpose", {std::move(data), std::move(weight)}, attrs);
}
}  // namespace op

}  // namespace kiln::relax
