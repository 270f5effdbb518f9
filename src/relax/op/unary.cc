// Elementwise unary ops: the output has the input's shape and dtype. Most
// are defined for floats only; abs, neg, relu and clip take integers too.
// Each legalizes to one elementwise compute (legalize_util.h).
#include "kiln/relax/op/unary.h"

#include <cmath>
#include <limits>

#include "infer_util.h"
#include "kiln/tir/intrinsics.h"
#include "legalize_util.h"

namespace kiln::relax {
namespace {
using namespace infer;

StructInfo InferUnary(const CallNode* call, bool float_only) {
  CheckNumArgs(call, 1);
  TensorRef x = TensorArg(call, 0);
  if (float_only) RequireFloat(call, 0, x);
  KILN_CHECK(!x->dtype.is_bool()) << OpName(call) << ": argument 'x' must be numeric, got bool";
  return x;
}

using tir::PrimExpr;
// The value of one output element from the input's element.
using UnaryFn = PrimExpr (*)(const CallNode* call, PrimExpr x);

OpRegistration RegisterUnary(const std::string& name, const std::string& doc, bool float_only, UnaryFn fn) {
  std::string hint = KernelName(name);
  return RegisterOp(name)
      .Describe(doc)
      .Args({"x"})
      .Pattern(OpPattern::kElementwise)
      .InferStructInfo([float_only](const CallNode* call) { return InferUnary(call, float_only); })
      .Legalize([hint, fn](BlockBuilder& bb, const CallNode* call) {
        return LegalizeBroadcast(bb, call, hint, [&](const std::vector<PrimExpr>& v) { return fn(call, v[0]); });
      });
}

PrimExpr Exp(const CallNode*, PrimExpr x) {
  return tir::exp(x);
}
PrimExpr Log(const CallNode*, PrimExpr x) {
  return tir::log(x);
}
PrimExpr Sqrt(const CallNode*, PrimExpr x) {
  return tir::sqrt(x);
}
PrimExpr Rsqrt(const CallNode*, PrimExpr x) {
  return tir::rsqrt(x);
}
PrimExpr Tanh(const CallNode*, PrimExpr x) {
  return tir::tanh(x);
}
PrimExpr Sigmoid(const CallNode*, PrimExpr x) {
  return tir::sigmoid(x);
}
PrimExpr Erf(const CallNode*, PrimExpr x) {
  return tir::erf(x);
}
PrimExpr Floor(const CallNode*, PrimExpr x) {
  return tir::floor(x);
}
PrimExpr Ceil(const CallNode*, PrimExpr x) {
  return tir::ceil(x);
}
PrimExpr Round(const CallNode*, PrimExpr x) {
  return tir::round(x);
}
// silu(x) = x * sigmoid(x)
PrimExpr Silu(const CallNode*, PrimExpr x) {
  return x * tir::sigmoid(x);
}
PrimExpr Abs(const CallNode*, PrimExpr x) {
  return tir::abs(x);
}
PrimExpr Neg(const CallNode*, PrimExpr x) {
  return -x;
}
// relu(x) = max(x, 0)
PrimExpr Relu(const CallNode*, PrimExpr x) {
  return tir::max(x, tir::MakeConst(x.dtype(), 0));
}

// gelu(x) = x/2 * (1 + erf(x / sqrt(2)))                              exact
// gelu(x) = x/2 * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3)))         "tanh"
PrimExpr Gelu(const CallNode* call, PrimExpr x) {
  DataType t = x.dtype();
  PrimExpr inner =
      StringAttr(call, "approximate") == "tanh"
          ? tir::tanh(tir::MakeConst(t, std::sqrt(2.0 / M_PI)) * (x + tir::MakeConst(t, 0.044715) * x * x * x))
          : tir::erf(x * tir::MakeConst(t, M_SQRT1_2));
  return tir::MakeConst(t, 0.5) * x * (tir::MakeConst(t, 1) + inner);
}

// clip(x) = min(max(x, lo), hi). For integers the bounds round inwards
// (ceil(lo), floor(hi)); a bound outside the dtype's range is left out.
PrimExpr Clip(const CallNode* call, PrimExpr x) {
  DataType t = x.dtype();
  double lo = FloatAttr(call, "min"), hi = FloatAttr(call, "max");
  if (!t.is_float()) {
    lo = std::ceil(lo);
    hi = std::floor(hi);
  }
  auto representable = [&](double v) {
    if (std::isinf(v)) return false;
    if (t.is_float()) return true;
    double span = std::ldexp(1.0, t.bits() - (t.is_int() ? 1 : 0));
    return t.is_int() ? v >= -span && v < span : v >= 0 && v < span;
  };
  if (representable(lo)) x = tir::max(x, tir::MakeConst(t, lo));
  if (representable(hi)) x = tir::min(x, tir::MakeConst(t, hi));
  return x;
}

StructInfo InferGelu(const CallNode* call) {
  ChoiceAttr(call, "approximate", {"none", "tanh"});
  return InferUnary(call, true);
}

StructInfo InferClip(const CallNode* call) {
  double lo = FloatAttr(call, "min"), hi = FloatAttr(call, "max");
  KILN_CHECK(lo <= hi) << OpName(call) << ": min " << lo << " is greater than max " << hi;
  return InferUnary(call, false);
}

[[maybe_unused]] const bool kRegistered = [] {
  constexpr bool kFloat = true, kAny = false;
  RegisterUnary("relax.exp", "e to the power of x", kFloat, Exp);
  RegisterUnary("relax.log", "natural logarithm", kFloat, Log);
  RegisterUnary("relax.sqrt", "square root", kFloat, Sqrt);
  RegisterUnary("relax.rsqrt", "1 / sqrt(x)", kFloat, Rsqrt);
  RegisterUnary("relax.tanh", "hyperbolic tangent", kFloat, Tanh);
  RegisterUnary("relax.sigmoid", "1 / (1 + exp(-x))", kFloat, Sigmoid);
  RegisterUnary("relax.erf", "the Gauss error function", kFloat, Erf);
  RegisterUnary("relax.floor", "the largest integer not above x", kFloat, Floor);
  RegisterUnary("relax.ceil", "the smallest integer not below x", kFloat, Ceil);
  RegisterUnary("relax.round", "the nearest integer, halves to even", kFloat, Round);
  RegisterUnary("relax.silu", "x * sigmoid(x)", kFloat, Silu);
  RegisterUnary("relax.abs", "absolute value", kAny, Abs);
  RegisterUnary("relax.neg", "-x", kAny, Neg);
  RegisterUnary("relax.relu", "max(x, 0)", kAny, Relu);
  RegisterUnary("relax.gelu", "x * Phi(x), exact (erf) or with the tanh approximation", kFloat, Gelu)
      .Attr("approximate", AttrKind::kString, "none", "\"none\" (erf) or \"tanh\"")
      .InferStructInfo(InferGelu);
  constexpr double kInf = std::numeric_limits<double>::infinity();
  RegisterUnary("relax.clip", "min(max(x, min), max)", kAny, Clip)
      .Attr("min", AttrKind::kFloat, -kInf, "lower bound")
      .Attr("max", AttrKind::kFloat, kInf, "upper bound")
      .InferStructInfo(InferClip);
  return true;
}();
}  // namespace

namespace op {
Expr exp(Expr x) {
  return infer::MakeOpCall("relax.exp", {std::move(x)});
}
Expr log(Expr x) {
  return infer::MakeOpCall("relax.log", {std::move(x)});
}
Expr sqrt(Expr x) {
  return infer::MakeOpCall("relax.sqrt", {std::move(x)});
}
Expr rsqrt(Expr x) {
  return infer::MakeOpCall("relax.rsqrt", {std::move(x)});
}
Expr tanh(Expr x) {
  return infer::MakeOpCall("relax.tanh", {std::move(x)});
}
Expr sigmoid(Expr x) {
  return infer::MakeOpCall("relax.sigmoid", {std::move(x)});
}
Expr erf(Expr x) {
  return infer::MakeOpCall("relax.erf", {std::move(x)});
}
Expr floor(Expr x) {
  return infer::MakeOpCall("relax.floor", {std::move(x)});
}
Expr ceil(Expr x) {
  return infer::MakeOpCall("relax.ceil", {std::move(x)});
}
Expr round(Expr x) {
  return infer::MakeOpCall("relax.round", {std::move(x)});
}
Expr abs(Expr x) {
  return infer::MakeOpCall("relax.abs", {std::move(x)});
}
Expr neg(Expr x) {
  return infer::MakeOpCall("relax.neg", {std::move(x)});
}
Expr relu(Expr x) {
  return infer::MakeOpCall("relax.relu", {std::move(x)});
}
Expr silu(Expr x) {
  return infer::MakeOpCall("relax.silu", {std::move(x)});
}
Expr gelu(Expr x, std::string approximate) {
  return infer::MakeOpCall("relax.gelu", {std::move(x)}, {{"approximate", std::move(approximate)}});
}
Expr clip(Expr x, double min, double max) {
  return infer::MakeOpCall("relax.clip", {std::move(x)}, {{"min", min}, {"max", max}});
}
}  // namespace op

}  // namespace kiln::relax
