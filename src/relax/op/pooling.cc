// 2-D pooling. max_pool2d and avg_pool2d slide a window like a convolution
// (same output-size rule, with ceil_mode as in PyTorch); adaptive_avg_pool2d
// maps the spatial axes onto a requested output size.
#include "kiln/relax/op/pooling.h"

#include "infer_util.h"

namespace kiln::relax {
namespace {
using namespace infer;

constexpr const char* kSpatial = "HW";

StructInfo InferPool2D(const CallNode* call) {
  CheckNumArgs(call, 1);
  TensorRef data = TensorArg(call, 0);
  Layout layout = LayoutAttr(call, "layout", 'N', 'C', kSpatial);
  std::vector<int64_t> window = SpatialAttr(call, "pool_size", 2);
  std::vector<int64_t> strides = SpatialAttr(call, "strides", 2);
  std::vector<int64_t> dilation = SpatialAttr(call, "dilation", 2);
  std::vector<int64_t> padding = PaddingAttr(call, 2);
  bool ceil_mode = BoolAttr(call, "ceil_mode");
  CheckRank(call, 0, data, 4);
  if (!data->shape) return TensorSInfoOfRank(4, data->dtype);
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
  RegisterPool2D("relax.max_pool2d", "the maximum over each window");
  RegisterPool2D("relax.avg_pool2d", "the mean over each window")
      .Attr("count_include_pad", AttrKind::kBool, false, "padded elements count in the divisor");
  RegisterOp("relax.adaptive_avg_pool2d")
      .Describe("the mean over windows that tile the input onto output_size")
      .Args({"data"})
      .Attr("output_size", AttrKind::kOptionalIntList, {}, "1 or 2 values; none keeps the input size")
      .Attr("layout", AttrKind::kString, "NCHW", "layout of data and of the result")
      .Pattern(OpPattern::kOutEWiseFusable)
      .InferStructInfo(InferAdaptivePool2D);
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
