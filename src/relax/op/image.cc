// resize2d: the spatial axes of an image batch take a new size; the batch
// and channel axes stay. The method and coordinate mapping only matter to
// legalization, but are checked here.
#include "kiln/relax/op/image.h"

#include "infer_util.h"
#include "kiln/relax/legalize.h"
#include "kiln/tir/intrinsics.h"
#include "legalize_util.h"

namespace kiln::relax {
namespace {
using namespace infer;

StructInfo InferResize2D(const CallNode* call) {
  CheckNumArgs(call, 2);
  TensorRef data = TensorArg(call, 0);
  Ref<ShapeStructInfoNode> size = ShapeArg(call, 1);
  Layout layout = LayoutAttr(call, "layout", 'N', 'C', "HW");
  ChoiceAttr(call, "method", {"nearest", "bilinear"});
  ChoiceAttr(call, "coordinate_transformation_mode",
             {"half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric"});
  ChoiceAttr(call, "rounding_method", {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"});
  DataType dtype = OptionalDtypeAttr(call, "out_dtype");
  if (dtype.is_void()) dtype = data->dtype;
  CheckRank(call, 0, data, 4);
  KILN_CHECK(size->ndim < 0 || size->ndim == 1 || size->ndim == 2)
      << OpName(call) << ": size needs 1 or 2 values, got " << size->ndim;
  if (!data->shape || !size->values) return TensorSInfoOfRank(4, dtype);
  Dims out = *data->shape;
  const Dims& hw = *size->values;
  out[layout.spatial[0]] = hw.front();
  out[layout.spatial[1]] = hw.back();
  return TensorSInfo(out, dtype);
}

// ---- legalization ----
//
// Each output pixel maps to an input coordinate per spatial axis (the
// coordinate transformation mode, computed in float32, float64 for float64
// data); nearest rounds it to one input pixel, bilinear blends the two
// neighbours on each axis. Neighbour indices are clamped into the input,
// which is how the edges are handled.

using tir::PrimExpr;
using tir::Var;
using tir::te::Tensor;

struct ResizeAttrs {
  Layout layout;
  std::string method, mode, rounding;
  DataType compute_dtype, out_dtype;
};

// The input coordinate that output index x maps to on an axis resized from
// `in` to `out`.
PrimExpr SourceCoord(const ResizeAttrs& a, const PrimExpr& x, const PrimExpr& in, const PrimExpr& out) {
  DataType f = a.compute_dtype;
  PrimExpr xf = tir::Cast(f, x), in_f = tir::Cast(f, in), out_f = tir::Cast(f, out);
  PrimExpr half = tir::MakeConst(f, 0.5), one = tir::MakeConst(f, 1), zero = tir::MakeConst(f, 0);
  PrimExpr has_two = out > tir::IntImm(out.dtype(), 1);
  if (a.mode == "asymmetric") return xf * (in_f / out_f);
  if (a.mode == "align_corners") return tir::Select(has_two, xf * ((in_f - one) / (out_f - one)), zero);
  PrimExpr centered = (xf + half) * (in_f / out_f) - half;
  return a.mode == "pytorch_half_pixel" ? tir::Select(has_two, centered, zero) : centered;
}

// The input pixel nearest to `coord` under the rounding method.
PrimExpr NearestIndex(const ResizeAttrs& a, const PrimExpr& coord, const PrimExpr& in) {
  PrimExpr half = tir::MakeConst(coord.dtype(), 0.5);
  PrimExpr r = a.rounding == "round_prefer_floor"  ? tir::ceil(coord - half)
               : a.rounding == "round_prefer_ceil" ? tir::floor(coord + half)
               : a.rounding == "floor"             ? tir::floor(coord)
                                                   : tir::ceil(coord);
  return ClampIndex(tir::Cast(in.dtype(), r), in);
}

// The two input pixels around `coord` and the weight of the second.
struct Neighbours {
  PrimExpr lo, hi, weight;
};
Neighbours LinearNeighbours(const PrimExpr& coord, const PrimExpr& in) {
  PrimExpr c = tir::max(coord, tir::MakeConst(coord.dtype(), 0));
  PrimExpr lo = tir::floor(c);
  PrimExpr i = tir::Cast(in.dtype(), lo);
  return {ClampIndex(i, in), ClampIndex(i + tir::IntImm(in.dtype(), 1), in), c - lo};
}

PrimExpr ToOutput(const ResizeAttrs& a, PrimExpr v) {
  if (v.dtype() == a.out_dtype) return v;
  if (!a.out_dtype.is_float() && v.dtype().is_float()) v = tir::round(v);
  return tir::Cast(a.out_dtype, v);
}

PrimExpr ResizePixel(const ResizeAttrs& a, const Tensor& data, const Dims& out, const std::vector<Var>& i) {
  int h = a.layout.spatial[0], w = a.layout.spatial[1];
  const Dims& in = data.shape();
  PrimExpr ch = SourceCoord(a, i[h], in[h], out[h]), cw = SourceCoord(a, i[w], in[w], out[w]);
  std::vector<PrimExpr> j(i.begin(), i.end());
  auto read = [&](const PrimExpr& y, const PrimExpr& x) {
    j[h] = y;
    j[w] = x;
    return CastTo(a.compute_dtype, data[j]);
  };
  if (a.method == "nearest") {
    j[h] = NearestIndex(a, ch, in[h]);
    j[w] = NearestIndex(a, cw, in[w]);
    return ToOutput(a, data[j]);
  }
  Neighbours y = LinearNeighbours(ch, in[h]), x = LinearNeighbours(cw, in[w]);
  PrimExpr one = tir::MakeConst(a.compute_dtype, 1);
  PrimExpr top = read(y.lo, x.lo) * (one - x.weight) + read(y.lo, x.hi) * x.weight;
  PrimExpr bottom = read(y.hi, x.lo) * (one - x.weight) + read(y.hi, x.hi) * x.weight;
  return ToOutput(a, top * (one - y.weight) + bottom * y.weight);
}

Expr LegalizeResize2D(BlockBuilder& bb, const CallNode* call) {
  Dims out = OutputShape(call);
  ResizeAttrs a{LayoutAttr(call, "layout", 'N', 'C', "HW"),
                StringAttr(call, "method"),
                StringAttr(call, "coordinate_transformation_mode"),
                StringAttr(call, "rounding_method"),
                {},
                OutputDType(call)};
  return CallTEOn(bb, call, "resize2d", {call->args[0]}, [&](const std::vector<Tensor>& in) {
    a.compute_dtype = in[0].dtype() == DataType::Float(64) ? DataType::Float(64) : DataType::Float(32);
    return tir::te::compute(
        out, [&](const std::vector<Var>& i) { return ResizePixel(a, in[0], out, i); }, "resize2d");
  });
}

[[maybe_unused]] const bool kRegistered = [] {
  RegisterOp("relax.resize2d")
      .Describe("resizes the spatial axes of an image batch")
      .Args({"data", "size"})
      .Attr("layout", AttrKind::kString, "NCHW", "layout of data and of the result")
      .Attr("method", AttrKind::kString, "bilinear", "nearest or bilinear")
      .Attr("coordinate_transformation_mode", AttrKind::kString, "half_pixel",
            "half_pixel, pytorch_half_pixel, align_corners or asymmetric")
      .Attr("rounding_method", AttrKind::kString, "round_prefer_floor",
            "for nearest: round_prefer_floor, round_prefer_ceil, floor or ceil")
      .Attr("out_dtype", AttrKind::kString, "", "dtype of the result (\"\": data's dtype)")
      .Pattern(OpPattern::kInjective)
      .InferStructInfo(InferResize2D)
      .Legalize(LegalizeResize2D);
  return true;
}();
}  // namespace

namespace op {
Expr resize2d(Expr data, Expr size, ResizeOptions o) {
  return MakeOpCall("relax.resize2d", {std::move(data), std::move(size)},
                    {{"layout", o.layout},
                     {"method", o.method},
                     {"coordinate_transformation_mode", o.coordinate_transformation_mode},
                     {"rounding_method", o.rounding_method},
                     {"out_dtype", OptionalDtypeAny(o.out_dtype)}});
}
Expr resize2d(Expr data, std::vector<tir::PrimExpr> size, ResizeOptions options) {
  return resize2d(std::move(data), MakeShapeExpr(std::move(size)), std::move(options));
}
}  // namespace op

}  // namespace kiln::relax
