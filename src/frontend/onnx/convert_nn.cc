// Converters of the ONNX neural-network ops: convolutions, Gemm and MatMul,
// pooling, the normalizations, Softmax, Resize and Einsum.
#include <cmath>

#include "importer.h"
#include "kiln/relax/op/binary.h"
#include "kiln/relax/op/conv.h"
#include "kiln/relax/op/einsum.h"
#include "kiln/relax/op/image.h"
#include "kiln/relax/op/manipulate.h"
#include "kiln/relax/op/matmul.h"
#include "kiln/relax/op/norm.h"
#include "kiln/relax/op/pooling.h"
#include "kiln/relax/op/reduce.h"
#include "kiln/relax/op/softmax.h"

namespace kiln::frontend::onnx {
namespace {

namespace op = relax::op;

// The spatial dims of input 0 as constants; raises when symbolic (padding
// modes that need them).
std::vector<int64_t> ConstSpatial(NodeContext& ctx) {
  Dims dims = ctx.Shape(0);
  std::vector<int64_t> out;
  for (size_t i = 2; i < dims.size(); ++i) {
    auto c = ConstIntValue(dims[i]);
    if (!c) ctx.Fail("auto_pad needs constant spatial dims");
    out.push_back(*c);
  }
  return out;
}

// The explicit pads (all begins, then all ends) of a window op, from `pads`
// or `auto_pad`.
std::vector<int64_t> Pads(NodeContext& ctx, const std::vector<int64_t>& kernel, const std::vector<int64_t>& strides,
                          const std::vector<int64_t>& dilations) {
  size_t n = kernel.size();
  std::string auto_pad = ctx.String("auto_pad", "NOTSET");
  if (auto_pad == "NOTSET") {
    std::vector<int64_t> pads = ctx.Ints("pads").value_or(std::vector<int64_t>(2 * n, 0));
    if (pads.size() != 2 * n) ctx.Fail("pads needs " + std::to_string(2 * n) + " values");
    return pads;
  }
  if (auto_pad == "VALID") return std::vector<int64_t>(2 * n, 0);
  if (auto_pad != "SAME_UPPER" && auto_pad != "SAME_LOWER") ctx.Fail("auto_pad '" + auto_pad + "' is not supported");
  std::vector<int64_t> in = ConstSpatial(ctx), pads(2 * n);
  for (size_t i = 0; i < n; ++i) {
    int64_t out = (in[i] + strides[i] - 1) / strides[i];
    int64_t total = std::max<int64_t>(0, (out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - in[i]);
    int64_t small = total / 2, big = total - small;
    pads[i] = auto_pad == "SAME_UPPER" ? small : big;
    pads[i + n] = auto_pad == "SAME_UPPER" ? big : small;
  }
  return pads;
}

std::vector<int64_t> IntsOr(NodeContext& ctx, const std::string& name, size_t n, int64_t fallback) {
  std::vector<int64_t> v = ctx.Ints(name).value_or(std::vector<int64_t>(n, fallback));
  if (v.size() != n) ctx.Fail(name + " needs " + std::to_string(n) + " values");
  return v;
}

// x + bias along axis 1 of a rank-`rank` result.
Expr AddChannelBias(NodeContext& ctx, Expr x, Expr bias, int64_t rank) {
  std::vector<int64_t> axes;
  for (int64_t i = 1; i < rank - 1; ++i) axes.push_back(i);
  return op::add(x, ctx.Emit(op::expand_dims(bias, axes)));
}

std::vector<Value> ConvertConv(NodeContext& ctx) {
  int64_t rank = ctx.Rank(0);
  size_t n = static_cast<size_t>(rank - 2);
  if (n != 1 && n != 2) ctx.Fail("only 1-D and 2-D convolutions are supported, not " + std::to_string(n) + "-D");
  Dims w = ctx.Shape(1);
  std::vector<int64_t> kernel;
  for (size_t i = 2; i < w.size(); ++i) kernel.push_back(ConstIntValue(w[i]).value_or(1));
  op::ConvOptions o;
  o.strides = IntsOr(ctx, "strides", n, 1);
  o.dilation = IntsOr(ctx, "dilations", n, 1);
  o.padding = Pads(ctx, kernel, o.strides, o.dilation);
  o.groups = ctx.Int("group", 1);
  Expr y = ctx.Emit(n == 1 ? op::conv1d(ctx.Tensor(0), ctx.Tensor(1), o) : op::conv2d(ctx.Tensor(0), ctx.Tensor(1), o));
  if (ctx.Has(2)) return {AddChannelBias(ctx, y, ctx.Tensor(2), rank)};
  return {y};
}

std::vector<Value> ConvertConvTranspose(NodeContext& ctx) {
  int64_t rank = ctx.Rank(0);
  if (rank != 4) ctx.Fail("only 2-D transposed convolutions are supported");
  if (ctx.HasAttr("output_shape")) ctx.Fail("output_shape is not supported");
  op::ConvOptions o;
  o.strides = IntsOr(ctx, "strides", 2, 1);
  o.dilation = IntsOr(ctx, "dilations", 2, 1);
  std::string auto_pad = ctx.String("auto_pad", "NOTSET");
  if (auto_pad != "NOTSET" && auto_pad != "VALID") ctx.Fail("auto_pad '" + auto_pad + "' is not supported");
  o.padding = IntsOr(ctx, "pads", 4, 0);
  o.groups = ctx.Int("group", 1);
  std::vector<int64_t> output_padding = IntsOr(ctx, "output_padding", 2, 0);
  Expr y = ctx.Emit(op::conv2d_transpose(ctx.Tensor(0), ctx.Tensor(1), o, output_padding));
  if (ctx.Has(2)) return {AddChannelBias(ctx, y, ctx.Tensor(2), rank)};
  return {y};
}

std::vector<Value> ConvertGemm(NodeContext& ctx) {
  double alpha = ctx.Float("alpha", 1.0), beta = ctx.Float("beta", 1.0);
  bool trans_a = ctx.Int("transA", 0) != 0, trans_b = ctx.Int("transB", 0) != 0;
  Expr a = ctx.Tensor(0), b = ctx.Tensor(1);
  DataType dt = ctx.Dtype(0);
  // A flattened by a Reshape: multiply the tensor before it (the batch dims
  // broadcast), and flatten the result instead.
  Expr unflat = ctx.In(0).reshaped_from;
  Dims a_dims = ctx.Shape(0);
  if (unflat.get() && !trans_a && (!ctx.Has(2) || ctx.Rank(2) <= 1) && a_dims.size() == 2) {
    // The leading dims of the tensor before the flattening: those whose
    // product is A's rows ([b, s, 4, 16] -> [b * s, 64] gives [b, s]).
    auto t = unflat.struct_info().As<relax::TensorStructInfoNode>();
    const Dims* d = t && t->shape ? &*t->shape : nullptr;
    for (size_t p = d ? d->size() - 1 : 0; p >= 2; --p) {
      PrimExpr rows = 1, cols = 1;
      for (size_t i = 0; i < d->size(); ++i) (i < p ? rows : cols) = (i < p ? rows : cols) * (*d)[i];
      if (!SameDim(SimplifyDim(rows), a_dims[0]) || !SameDim(SimplifyDim(cols), a_dims[1])) continue;
      if (p == d->size() - 1) {
        a = unflat;
      } else {
        Dims lead(d->begin(), d->begin() + p);
        lead.push_back(a_dims[1]);
        a = ctx.Emit(op::reshape(unflat, relax::MakeShapeExpr(lead)));
      }
      unflat = a;
      break;
    }
  }
  if (trans_a) a = ctx.Emit(op::permute_dims(a));
  Expr y;
  bool fused_bias = ctx.Has(2) && beta == 1.0 && alpha == 1.0 && trans_b && ctx.Rank(2) == 1;
  if (trans_b) {
    y = ctx.Emit(op::linear(a, b, fused_bias ? ctx.Tensor(2) : Expr()));
  } else {
    y = ctx.Emit(op::matmul(a, b));
  }
  if (alpha != 1.0) y = ctx.Emit(op::multiply(y, ScalarConstant(alpha, dt)));
  if (ctx.Has(2) && !fused_bias) {
    Expr c = ctx.Tensor(2);
    if (beta != 1.0) c = ctx.Emit(op::multiply(c, ScalarConstant(beta, dt)));
    y = ctx.Emit(op::add(y, c));
  }
  if (a.get() == unflat.get()) {
    auto t = y.struct_info().As<relax::TensorStructInfoNode>();
    Value flat = ctx.Emit(op::reshape(y, relax::MakeShapeExpr({a_dims[0], t->shape->back()})));
    flat.reshaped_from = y;
    return {flat};
  }
  return {y};
}

std::vector<Value> ConvertMatMul(NodeContext& ctx) { return {op::matmul(ctx.Tensor(0), ctx.Tensor(1))}; }

op::PoolOptions PoolAttrs(NodeContext& ctx, std::vector<int64_t>* kernel) {
  if (ctx.Rank(0) != 4) ctx.Fail("only 2-D pooling is supported");
  *kernel = ctx.Ints("kernel_shape").value_or(std::vector<int64_t>{});
  if (kernel->size() != 2) ctx.Fail("kernel_shape needs 2 values");
  op::PoolOptions o;
  o.strides = IntsOr(ctx, "strides", 2, 1);
  o.dilation = IntsOr(ctx, "dilations", 2, 1);
  o.padding = Pads(ctx, *kernel, o.strides, o.dilation);
  // Pool padding is (top, left, bottom, right): begins then ends, as ONNX.
  o.ceil_mode = ctx.Int("ceil_mode", 0) != 0;
  return o;
}

std::vector<Value> ConvertMaxPool(NodeContext& ctx) {
  if (ctx.node().output_size() > 1 && !ctx.node().output(1).empty()) ctx.Fail("the Indices output is not supported");
  if (ctx.Int("storage_order", 0) != 0) ctx.Fail("storage_order 1 is not supported");
  std::vector<int64_t> kernel;
  op::PoolOptions o = PoolAttrs(ctx, &kernel);
  return {op::max_pool2d(ctx.Tensor(0), kernel, o)};
}

std::vector<Value> ConvertAveragePool(NodeContext& ctx) {
  std::vector<int64_t> kernel;
  op::PoolOptions o = PoolAttrs(ctx, &kernel);
  return {op::avg_pool2d(ctx.Tensor(0), kernel, o, ctx.Int("count_include_pad", 0) != 0)};
}

std::vector<int64_t> SpatialAxes(NodeContext& ctx) {
  std::vector<int64_t> axes;
  for (int64_t i = 2; i < ctx.Rank(0); ++i) axes.push_back(i);
  return axes;
}

std::vector<Value> ConvertBatchNorm(NodeContext& ctx) {
  if (ctx.Int("training_mode", 0) != 0) ctx.Fail("training_mode 1 is not supported");
  return {op::batch_norm(ctx.Tensor(0), ctx.Tensor(1), ctx.Tensor(2), ctx.Tensor(3), ctx.Tensor(4), 1,
                         ctx.Float("epsilon", 1e-5))};
}

std::vector<Value> ConvertLayerNorm(NodeContext& ctx) {
  for (int i = 1; i < ctx.node().output_size(); ++i) {
    if (!ctx.node().output(i).empty()) ctx.Fail("the Mean and InvStdDev outputs are not supported");
  }
  int64_t rank = ctx.Rank(0);
  int64_t axis = ctx.NormAxis(ctx.Int("axis", -1), rank);
  std::vector<int64_t> axes;
  for (int64_t i = axis; i < rank; ++i) axes.push_back(i);
  Expr x = ctx.Tensor(0), scale = ctx.Tensor(1);
  Expr bias = ctx.Has(2) ? ctx.Tensor(2) : ctx.Emit(op::multiply(scale, ScalarConstant(0, ctx.Dtype(1))));
  return {op::layer_norm(x, scale, bias, axes, ctx.Float("epsilon", 1e-5))};
}

std::vector<Value> ConvertInstanceNorm(NodeContext& ctx) {
  auto c = ConstIntValue(ctx.Shape(0).at(1));
  if (!c) ctx.Fail("the channel dim must be constant");
  return {op::group_norm(ctx.Tensor(0), ctx.Tensor(1), ctx.Tensor(2), *c, 1, std::nullopt, ctx.Float("epsilon", 1e-5))};
}

// Softmax and LogSoftmax; before opset 13 the input is seen as 2-D,
// flattened at `axis` (default 1).
Converter SoftmaxLike(Expr (*f)(Expr, int64_t)) {
  return [f](NodeContext& ctx) -> std::vector<Value> {
    int64_t rank = ctx.Rank(0);
    if (ctx.opset() >= 13) return {f(ctx.Tensor(0), ctx.NormAxis(ctx.Int("axis", -1), rank))};
    int64_t axis = ctx.NormAxis(ctx.Int("axis", 1), rank);
    if (axis == rank - 1) return {f(ctx.Tensor(0), axis)};
    Dims dims = ctx.Shape(0);
    PrimExpr a = 1, b = 1;
    for (int64_t i = 0; i < rank; ++i) (i < axis ? a : b) = (i < axis ? a : b) * dims[i];
    Expr flat = ctx.Emit(op::reshape(ctx.Tensor(0), relax::MakeShapeExpr({SimplifyDim(a), SimplifyDim(b)})));
    Expr y = ctx.Emit(f(flat, 1));
    return {op::reshape(y, relax::MakeShapeExpr(dims))};
  };
}

std::vector<Value> ConvertResize(NodeContext& ctx) {
  if (ctx.Rank(0) != 4) ctx.Fail("only 4-D (NCHW) inputs are supported");
  Dims dims = ctx.Shape(0);
  op::ResizeOptions o;
  std::string mode = ctx.String("mode", "nearest");
  if (mode == "linear") {
    o.method = "bilinear";
  } else if (mode == "nearest") {
    o.method = "nearest";
  } else {
    ctx.Fail("mode '" + mode + "' is not supported");
  }
  o.coordinate_transformation_mode = ctx.String("coordinate_transformation_mode", "half_pixel");
  const std::string& ct = o.coordinate_transformation_mode;
  if (ct != "half_pixel" && ct != "pytorch_half_pixel" && ct != "align_corners" && ct != "asymmetric") {
    ctx.Fail("coordinate_transformation_mode '" + ct + "' is not supported");
  }
  o.rounding_method = ctx.String("nearest_mode", "round_prefer_floor");
  if (ctx.Int("antialias", 0) != 0) ctx.Fail("antialias is not supported");
  Dims size;
  bool has_sizes = ctx.Has(3) && ctx.In(3).known && !ctx.In(3).known->empty();
  if (has_sizes) {
    const Dims& s = *ctx.In(3).known;
    if (s.size() != 4) ctx.Fail("sizes needs 4 values");
    size = {s[2], s[3]};
  } else {
    if (!ctx.Has(2) || !ctx.In(2).constant.defined()) ctx.Fail("needs constant scales or sizes");
    const NDArray& sc = ctx.In(2).constant;
    if (sc.numel() != 4 || sc.dtype() != DataType::Float(32)) ctx.Fail("scales needs 4 float32 values");
    const float* p = static_cast<const float*>(sc.data());
    for (int i = 2; i < 4; ++i) {
      auto d = ConstIntValue(dims[i]);
      if (!d) ctx.Fail("scales on a symbolic spatial dim are not supported; give sizes");
      size.push_back(static_cast<int64_t>(std::floor(static_cast<double>(*d) * p[i])));
    }
  }
  return {op::resize2d(ctx.Tensor(0), size, o)};
}

std::vector<Value> ConvertEinsum(NodeContext& ctx) {
  std::vector<Expr> operands;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) operands.push_back(ctx.Tensor(i));
  return {op::einsum(operands, ctx.String("equation"))};
}

}  // namespace

void AddNNConverters(ConverterTable& t) {
  t["Conv"] = ConvertConv;
  t["ConvTranspose"] = ConvertConvTranspose;
  t["Gemm"] = ConvertGemm;
  t["MatMul"] = ConvertMatMul;
  t["MaxPool"] = ConvertMaxPool;
  t["AveragePool"] = ConvertAveragePool;
  t["GlobalAveragePool"] = [](NodeContext& ctx) -> std::vector<Value> {
    if (ctx.Rank(0) == 4) return {op::adaptive_avg_pool2d(ctx.Tensor(0), std::vector<int64_t>{1, 1})};
    return {op::mean(ctx.Tensor(0), SpatialAxes(ctx), true)};
  };
  t["GlobalMaxPool"] = [](NodeContext& ctx) -> std::vector<Value> {
    return {op::max(ctx.Tensor(0), SpatialAxes(ctx), true)};
  };
  t["BatchNormalization"] = ConvertBatchNorm;
  t["LayerNormalization"] = ConvertLayerNorm;
  t["InstanceNormalization"] = ConvertInstanceNorm;
  t["Softmax"] = SoftmaxLike(op::softmax);
  t["LogSoftmax"] = SoftmaxLike(op::log_softmax);
  t["Resize"] = ConvertResize;
  t["Einsum"] = ConvertEinsum;
}

}  // namespace kiln::frontend::onnx
