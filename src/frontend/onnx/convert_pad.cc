// The ONNX Pad converter (opsets 11 to 21: pads, constant_value and, from
// opset 18, axes as inputs). Each padded axis becomes a concat of the input
// with its border parts, made of existing relax ops: `constant` fills with
// full, `edge` repeats the first/last slice, `reflect` and `wrap` take
// slices of the input (reflect mirrors without the edge element, as NumPy's
// "reflect"). Negative pads crop with strided_slice first.
#include <limits>

#include "importer.h"
#include "kiln/relax/op/create.h"
#include "kiln/relax/op/manipulate.h"

namespace kiln::frontend::onnx {

namespace {

constexpr int64_t kToEnd = std::numeric_limits<int64_t>::max();

// The two border parts of x along `axis` for `before` and `after` (> = 0)
// padded elements of `mode`.
std::pair<Expr, Expr> Borders(NodeContext& ctx, const Expr& x, const Dims& dims, int64_t axis, int64_t before,
                              int64_t after, const std::string& mode, double value, DataType dtype) {
  auto slice = [&](int64_t b, int64_t e, int64_t s) {
    return ctx.Emit(relax::op::strided_slice(x, {axis}, {b}, {e}, std::vector<int64_t>{s}));
  };
  auto fill = [&](int64_t n) {
    Dims shape = dims;
    shape[axis] = n;
    return Expr(ctx.Emit(relax::op::full(shape, value, dtype)));
  };
  auto size = ConstIntValue(dims[axis]);
  if (mode == "constant") return {before ? fill(before) : Expr(), after ? fill(after) : Expr()};
  if (size && *size == 0) ctx.Fail("mode '" + mode + "' cannot pad axis " + std::to_string(axis) + " of size 0");
  if (mode == "edge") {
    Expr b = before ? Expr(ctx.Emit(relax::op::repeat(slice(0, 1, 1), before, axis))) : Expr();
    Expr a = after ? Expr(ctx.Emit(relax::op::repeat(slice(-1, kToEnd, 1), after, axis))) : Expr();
    return {b, a};
  }
  if (mode == "reflect") {
    if (size && (before >= *size || after >= *size)) {
      ctx.Fail("mode 'reflect' pads axis " + std::to_string(axis) + " (size " + std::to_string(*size) + ") by " +
               std::to_string(std::max(before, after)) + ", more than its size - 1");
    }
    // x[before:0:-1] and x[-2:-2-after:-1] (Python slicing).
    return {before ? Expr(slice(before, 0, -1)) : Expr(), after ? Expr(slice(-2, -2 - after, -1)) : Expr()};
  }
  if (mode == "wrap") {
    if (size && (before > *size || after > *size)) {
      ctx.Fail("mode 'wrap' pads axis " + std::to_string(axis) + " (size " + std::to_string(*size) +
               ") by more than its size");
    }
    return {before ? Expr(slice(-before, kToEnd, 1)) : Expr(), after ? Expr(slice(0, after, 1)) : Expr()};
  }
  ctx.Fail("unsupported mode '" + mode + "' (constant, reflect, edge and wrap are)");
}

std::vector<Value> ConvertPad(NodeContext& ctx) {
  std::string mode = ctx.String("mode", "constant");
  if (mode != "constant" && mode != "reflect" && mode != "edge" && mode != "wrap") {
    ctx.Fail("unsupported mode '" + mode + "' (constant, reflect, edge and wrap are)");
  }
  if (mode == "wrap" && ctx.opset() < 19) ctx.Fail("mode 'wrap' needs opset 19 or later");
  int64_t rank = ctx.Rank(0);
  std::vector<int64_t> pads = ctx.ConstInts(1, "pads");
  std::vector<int64_t> axes;
  if (ctx.Has(3)) {
    for (int64_t a : ctx.ConstInts(3, "axes")) axes.push_back(ctx.NormAxis(a, rank));
  } else {
    for (int64_t a = 0; a < rank; ++a) axes.push_back(a);
  }
  if (pads.size() != 2 * axes.size()) {
    ctx.Fail("pads has " + std::to_string(pads.size()) + " values, " + std::to_string(2 * axes.size()) +
             " are needed (begins, then ends, one per axis)");
  }
  DataType dtype = ctx.Dtype(0);
  double value = 0.0;
  if (ctx.Has(2)) {
    std::optional<double> c = ctx.ConstScalar(2);
    if (!c) ctx.Fail("constant_value must be a constant scalar");
    value = *c;
  }
  Expr x = ctx.Tensor(0);
  size_t n = axes.size();
  for (size_t i = 0; i < n; ++i) {
    int64_t axis = axes[i], before = pads[i], after = pads[i + n];
    if (before < 0 || after < 0) {  // negative pads crop
      x = ctx.Emit(relax::op::strided_slice(x, {axis}, {before < 0 ? -before : 0}, {after < 0 ? after : kToEnd}));
      before = std::max<int64_t>(before, 0);
      after = std::max<int64_t>(after, 0);
    }
    if (before == 0 && after == 0) continue;
    Dims dims = *x.struct_info().As<relax::TensorStructInfoNode>()->shape;
    auto [b, a] = Borders(ctx, x, dims, axis, before, after, mode, value, dtype);
    std::vector<Expr> parts;
    if (b.get()) parts.push_back(b);
    parts.push_back(x);
    if (a.get()) parts.push_back(a);
    x = ctx.Emit(relax::op::concat(parts, axis));
  }
  return {Value(x)};
}

}  // namespace

void AddPadConverters(ConverterTable& table) { table["Pad"] = ConvertPad; }

}  // namespace kiln::frontend::onnx
