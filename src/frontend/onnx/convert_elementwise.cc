// Converters of the elementwise ONNX ops: unary math and activations,
// broadcasting arithmetic and comparisons, Where, Cast and Clip. Integer
// arithmetic on known elements (shape computations) is done at import time
// on tir expressions.
#include <cmath>

#include "importer.h"
#include "kiln/relax/op/binary.h"
#include "kiln/relax/op/cast.h"
#include "kiln/relax/op/unary.h"

namespace kiln::frontend::onnx {
namespace {

namespace op = relax::op;

// A scalar constant of `dtype` as a relax constant.
Expr Scalar(double value, DataType dtype) {
  NDArray a = NDArray::Empty({}, dtype, runtime::Device::CPU());
  if (dtype == DataType::Float(32)) {
    *static_cast<float*>(a.data()) = static_cast<float>(value);
  } else if (dtype == DataType::Float(64)) {
    *static_cast<double*>(a.data()) = value;
  } else if (dtype == DataType::Int(64)) {
    *static_cast<int64_t*>(a.data()) = static_cast<int64_t>(value);
  } else if (dtype == DataType::Int(32)) {
    *static_cast<int32_t*>(a.data()) = static_cast<int32_t>(value);
  } else if (dtype.is_bool()) {
    *static_cast<uint8_t*>(a.data()) = value != 0;
  } else {
    KILN_THROW() << "a scalar of dtype " << dtype.str() << " is not supported here";
  }
  return relax::MakeConstant(a);
}

Converter Unary(Expr (*f)(Expr)) {
  return [f](NodeContext& ctx) -> std::vector<Value> { return {f(ctx.Tensor(0))}; };
}

// Elementwise `f` of two known integer lists (NumPy broadcasting of a
// scalar or a one-element list against a list).
std::optional<Value> KnownBinary(NodeContext& ctx, PrimExpr (*f)(PrimExpr, PrimExpr)) {
  auto a = ctx.KnownElems(0), b = ctx.KnownElems(1);
  if (!a || !b) return std::nullopt;
  size_t n = std::max(a->size(), b->size());
  if ((a->size() != n && a->size() != 1) || (b->size() != n && b->size() != 1)) return std::nullopt;
  Dims out;
  for (size_t i = 0; i < n; ++i) out.push_back(SimplifyDim(f((*a)[a->size() == 1 ? 0 : i], (*b)[b->size() == 1 ? 0 : i])));
  bool scalar = ctx.In(0).known_is_scalar && ctx.In(1).known_is_scalar;
  return KnownInts(out, scalar, ctx.In(0).known_dtype);
}

PrimExpr KAdd(PrimExpr a, PrimExpr b) { return a + b; }
PrimExpr KSub(PrimExpr a, PrimExpr b) { return a - b; }
PrimExpr KMul(PrimExpr a, PrimExpr b) { return a * b; }
PrimExpr KDiv(PrimExpr a, PrimExpr b) { return tir::floordiv(a, b); }  // dims are non-negative
PrimExpr KMod(PrimExpr a, PrimExpr b) { return tir::floormod(a, b); }
PrimExpr KEq(PrimExpr a, PrimExpr b) { return tir::Cast(DataType::Int(64), a == b); }

Converter Binary(Expr (*f)(Expr, Expr), PrimExpr (*known)(PrimExpr, PrimExpr) = nullptr) {
  return [f, known](NodeContext& ctx) -> std::vector<Value> {
    if (known) {
      if (auto v = KnownBinary(ctx, known)) return {*v};
    }
    if (f == nullptr) ctx.Fail("supported on known integer values (shape computations) only");
    return {f(ctx.Tensor(0), ctx.Tensor(1))};
  };
}

// Max, Min, Sum: variadic, folded left.
Converter Variadic(Expr (*f)(Expr, Expr)) {
  return [f](NodeContext& ctx) -> std::vector<Value> {
    Expr acc = ctx.Tensor(0);
    for (size_t i = 1; i < ctx.num_inputs(); ++i) acc = ctx.Emit(f(acc, ctx.Tensor(i)));
    return {acc};
  };
}

std::vector<Value> ConvertEqual(NodeContext& ctx) {
  if (auto v = KnownBinary(ctx, KEq)) {
    v->known_dtype = DataType::Bool();
    return {*v};
  }
  return {op::equal(ctx.Tensor(0), ctx.Tensor(1))};
}

std::vector<Value> ConvertWhere(NodeContext& ctx) {
  auto c = ctx.KnownElems(0), a = ctx.KnownElems(1), b = ctx.KnownElems(2);
  if (c && a && b) {
    size_t n = std::max({c->size(), a->size(), b->size()});
    auto at = [n](const Dims& d, size_t i) { return d[d.size() == 1 ? 0 : i]; };
    bool ok = true;
    Dims out;
    for (size_t i = 0; i < n && ok; ++i) {
      auto cv = ConstIntValue(at(*c, i));
      ok = cv.has_value();
      if (ok) out.push_back(*cv ? at(*a, i) : at(*b, i));
    }
    if (ok) return {KnownInts(out, ctx.In(1).known_is_scalar && ctx.In(2).known_is_scalar, ctx.In(1).known_dtype)};
  }
  return {op::where(ctx.Tensor(0), ctx.Tensor(1), ctx.Tensor(2))};
}

std::vector<Value> ConvertCast(NodeContext& ctx, DataType to) {
  const Value& in = ctx.In(0);
  if (in.known && (to.is_int() || to.is_uint())) {
    Value v = KnownInts(*in.known, in.known_is_scalar, to);
    return {v};
  }
  if (ctx.Dtype(0) == to) return {ctx.Tensor(0)};
  return {op::astype(ctx.Tensor(0), to)};
}

std::vector<Value> ConvertClip(NodeContext& ctx) {
  Expr x = ctx.Tensor(0);
  double lo = -INFINITY, hi = INFINITY;
  if (ctx.opset() < 11) {
    lo = ctx.Float("min", -INFINITY);
    hi = ctx.Float("max", INFINITY);
    return {op::clip(x, lo, hi)};
  }
  // From opset 11 the bounds are optional inputs, possibly tensors.
  std::optional<double> clo = ctx.ConstScalar(1), chi = ctx.ConstScalar(2);
  bool tensor_lo = ctx.Has(1) && !clo, tensor_hi = ctx.Has(2) && !chi;
  if (!tensor_lo && !tensor_hi) return {op::clip(x, clo.value_or(-INFINITY), chi.value_or(INFINITY))};
  if (ctx.Has(1)) x = ctx.Emit(op::maximum(x, ctx.Tensor(1)));
  if (ctx.Has(2)) x = ctx.Emit(op::minimum(x, ctx.Tensor(2)));
  return {x};
}

std::vector<Value> ConvertPow(NodeContext& ctx) {
  Expr x = ctx.Tensor(0);
  std::optional<double> e = ctx.ConstScalar(1);
  if (e && *e == 2.0) return {op::multiply(x, x)};
  if (e && *e == 1.0) return {x};
  if (e && *e == 0.5) return {op::sqrt(x)};
  Expr y = ctx.Tensor(1);
  if (ctx.Dtype(1) != ctx.Dtype(0)) y = ctx.Emit(op::astype(y, ctx.Dtype(0)));
  return {op::power(x, y)};
}

std::vector<Value> ConvertReciprocal(NodeContext& ctx) {
  return {op::divide(Scalar(1.0, ctx.Dtype(0)), ctx.Tensor(0))};
}

std::vector<Value> ConvertLeakyRelu(NodeContext& ctx) {
  Expr x = ctx.Tensor(0);
  DataType dt = ctx.Dtype(0);
  Expr neg = ctx.Emit(op::multiply(x, Scalar(ctx.Float("alpha", 0.01), dt)));
  Expr pos = ctx.Emit(op::greater(x, Scalar(0, dt)));
  return {op::where(pos, x, neg)};
}

// clip(alpha * x + beta, 0, 1)
Expr HardSigmoid(NodeContext& ctx, Expr x, double alpha, double beta) {
  DataType dt = ctx.Dtype(0);
  Expr y = ctx.Emit(op::add(ctx.Emit(op::multiply(x, Scalar(alpha, dt))), Scalar(beta, dt)));
  return ctx.Emit(op::clip(y, 0, 1));
}

std::vector<Value> ConvertHardSigmoid(NodeContext& ctx) {
  return {HardSigmoid(ctx, ctx.Tensor(0), ctx.Float("alpha", 0.2), ctx.Float("beta", 0.5))};
}

std::vector<Value> ConvertHardSwish(NodeContext& ctx) {
  Expr x = ctx.Tensor(0);
  return {op::multiply(x, HardSigmoid(ctx, x, 1.0 / 6, 0.5))};
}

std::vector<Value> ConvertGelu(NodeContext& ctx) {
  std::string approx = ctx.String("approximate", "none");
  if (approx != "none" && approx != "tanh") ctx.Fail("approximate '" + approx + "' is not 'none' or 'tanh'");
  return {op::gelu(ctx.Tensor(0), approx)};
}

std::vector<Value> ConvertSoftplus(NodeContext& ctx) {
  // log(1 + exp(x)), written as relu(x) + log(1 + exp(-|x|)) to stay finite.
  Expr x = ctx.Tensor(0);
  DataType dt = ctx.Dtype(0);
  Expr e = ctx.Emit(op::exp(ctx.Emit(op::neg(ctx.Emit(op::abs(x))))));
  Expr l = ctx.Emit(op::log(ctx.Emit(op::add(e, Scalar(1, dt)))));
  return {op::add(ctx.Emit(op::relu(x)), l)};
}

std::vector<Value> ConvertMish(NodeContext& ctx) {
  Expr x = ctx.Tensor(0);
  Expr sp = ConvertSoftplus(ctx)[0].expr;
  return {op::multiply(x, ctx.Emit(op::tanh(ctx.Emit(sp))))};
}

std::vector<Value> ConvertElu(NodeContext& ctx) {
  Expr x = ctx.Tensor(0);
  DataType dt = ctx.Dtype(0);
  Expr em1 = ctx.Emit(op::subtract(ctx.Emit(op::exp(x)), Scalar(1, dt)));
  Expr neg = ctx.Emit(op::multiply(em1, Scalar(ctx.Float("alpha", 1.0), dt)));
  return {op::where(ctx.Emit(op::greater(x, Scalar(0, dt))), x, neg)};
}

std::vector<Value> ConvertPRelu(NodeContext& ctx) {
  Expr x = ctx.Tensor(0);
  Expr neg = ctx.Emit(op::multiply(x, ctx.Tensor(1)));
  return {op::where(ctx.Emit(op::greater(x, Scalar(0, ctx.Dtype(0)))), x, neg)};
}

std::vector<Value> ConvertIsNaN(NodeContext& ctx) {
  Expr x = ctx.Tensor(0);
  return {op::not_equal(x, x)};
}

std::vector<Value> ConvertNot(NodeContext& ctx) { return {op::equal(ctx.Tensor(0), Scalar(0, DataType::Bool()))}; }

std::vector<Value> ConvertIdentity(NodeContext& ctx) { return {ctx.In(0)}; }

std::vector<Value> ConvertDropout(NodeContext& ctx) {
  if (ctx.node().output_size() > 1 && !ctx.node().output(1).empty()) ctx.Fail("the mask output is not supported");
  return {ctx.In(0)};
}

}  // namespace

Expr ScalarConstant(double value, DataType dtype) { return Scalar(value, dtype); }

void AddElementwiseConverters(ConverterTable& t) {
  t["Relu"] = Unary(op::relu);
  t["Sigmoid"] = Unary(op::sigmoid);
  t["Tanh"] = Unary(op::tanh);
  t["Exp"] = Unary(op::exp);
  t["Log"] = Unary(op::log);
  t["Sqrt"] = Unary(op::sqrt);
  t["Abs"] = Unary(op::abs);
  t["Neg"] = Unary(op::neg);
  t["Erf"] = Unary(op::erf);
  t["Reciprocal"] = ConvertReciprocal;
  t["LeakyRelu"] = ConvertLeakyRelu;
  t["HardSigmoid"] = ConvertHardSigmoid;
  t["HardSwish"] = ConvertHardSwish;
  t["Gelu"] = ConvertGelu;
  t["Softplus"] = ConvertSoftplus;
  t["Mish"] = ConvertMish;
  t["Elu"] = ConvertElu;
  t["PRelu"] = ConvertPRelu;
  t["IsNaN"] = ConvertIsNaN;
  t["Not"] = ConvertNot;
  t["Identity"] = ConvertIdentity;
  t["Dropout"] = ConvertDropout;
  t["Add"] = Binary(op::add, KAdd);
  t["Sub"] = Binary(op::subtract, KSub);
  t["Mul"] = Binary(op::multiply, KMul);
  t["Div"] = Binary(op::divide, KDiv);
  t["Mod"] = Binary(nullptr, KMod);
  t["Pow"] = ConvertPow;
  t["Max"] = Variadic(op::maximum);
  t["Min"] = Variadic(op::minimum);
  t["Sum"] = Variadic(op::add);
  t["Equal"] = ConvertEqual;
  t["Less"] = Binary(op::less);
  t["LessOrEqual"] = Binary(op::less_equal);
  t["Greater"] = Binary(op::greater);
  t["GreaterOrEqual"] = Binary(op::greater_equal);
  t["And"] = Binary(op::logical_and);
  t["Or"] = Binary(op::logical_or);
  t["Where"] = ConvertWhere;
  t["Cast"] = [](NodeContext& ctx) { return ConvertCast(ctx, ToDataType(static_cast<int32_t>(ctx.Int("to")), ctx.Where())); };
  t["CastLike"] = [](NodeContext& ctx) { return ConvertCast(ctx, ctx.Dtype(1)); };
  t["Clip"] = ConvertClip;
}

}  // namespace kiln::frontend::onnx
