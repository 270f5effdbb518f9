// resize2d: the spatial axes of an image batch take a new size; the batch
// and channel axes stay. The method and coordinate mapping only matter to
// legalization, but are checked here.
#include "kiln/relax/op/image.h"

#include "infer_util.h"

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
      .InferStructInfo(InferResize2D);
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
