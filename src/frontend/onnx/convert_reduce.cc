// Converters of the ONNX reductions: ReduceSum/Mean/Max/Min/Prod, ReduceL2,
// ReduceSumSquare, ArgMax and ArgMin. Axes are an attribute before opset 13
// (ReduceSum) or 18 (the others), an optional input after.
#include "importer.h"
#include "kiln/relax/op/binary.h"
#include "kiln/relax/op/reduce.h"
#include "kiln/relax/op/unary.h"

namespace kiln::frontend::onnx {
namespace {

namespace op = relax::op;
using ReduceFn = Expr (*)(Expr, op::Axes, bool);

// The axes of a reduction (none: all), normalized; `noop` when the axes
// input is empty and noop_with_empty_axes is set.
op::Axes ReduceAxes(NodeContext& ctx, int64_t axes_input_from, bool* noop) {
  std::optional<std::vector<int64_t>> axes;
  *noop = false;
  if (ctx.opset() < axes_input_from) {
    axes = ctx.Ints("axes");
  } else if (ctx.Has(1)) {
    axes = ctx.ConstInts(1, "axes");
  }
  if (!axes || axes->empty()) {
    *noop = ctx.opset() >= axes_input_from && ctx.Int("noop_with_empty_axes", 0) != 0;
    return std::nullopt;
  }
  for (int64_t& a : *axes) a = ctx.NormAxis(a, ctx.Rank(0));
  return axes;
}

Converter Reduce(ReduceFn f, int64_t axes_input_from) {
  return [f, axes_input_from](NodeContext& ctx) -> std::vector<Value> {
    bool noop = false;
    op::Axes axes = ReduceAxes(ctx, axes_input_from, &noop);
    if (noop) return {ctx.Tensor(0)};
    return {f(ctx.Tensor(0), axes, ctx.Int("keepdims", 1) != 0)};
  };
}

std::vector<Value> ConvertSumSquare(NodeContext& ctx, bool root) {
  bool noop = false;
  op::Axes axes = ReduceAxes(ctx, 18, &noop);
  Expr x = ctx.Tensor(0);
  Expr sq = ctx.Emit(op::multiply(x, x));
  if (noop) return {root ? op::abs(x) : sq};
  Expr s = ctx.Emit(op::sum(sq, axes, ctx.Int("keepdims", 1) != 0));
  return {root ? op::sqrt(s) : s};
}

Converter ArgReduce(Expr (*f)(Expr, std::optional<int64_t>, bool)) {
  return [f](NodeContext& ctx) -> std::vector<Value> {
    if (ctx.Int("select_last_index", 0) != 0) ctx.Fail("select_last_index 1 is not supported");
    int64_t axis = ctx.NormAxis(ctx.Int("axis", 0), ctx.Rank(0));
    return {f(ctx.Tensor(0), axis, ctx.Int("keepdims", 1) != 0)};
  };
}

}  // namespace

void AddReduceConverters(ConverterTable& t) {
  t["ReduceSum"] = Reduce(op::sum, 13);
  t["ReduceMean"] = Reduce(op::mean, 18);
  t["ReduceMax"] = Reduce(op::max, 18);
  t["ReduceMin"] = Reduce(op::min, 18);
  t["ReduceProd"] = Reduce(op::prod, 18);
  t["ReduceL2"] = [](NodeContext& ctx) { return ConvertSumSquare(ctx, true); };
  t["ReduceSumSquare"] = [](NodeContext& ctx) { return ConvertSumSquare(ctx, false); };
  t["ArgMax"] = ArgReduce(op::argmax);
  t["ArgMin"] = ArgReduce(op::argmin);
}

}  // namespace kiln::frontend::onnx
