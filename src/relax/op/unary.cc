// Elementwise unary ops: the output has the input's shape and dtype. Most
// are defined for floats only; abs, neg, relu and clip take integers too.
#include "kiln/relax/op/unary.h"

#include <limits>

#include "infer_util.h"

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

OpRegistration RegisterUnary(const std::string& name, const std::string& doc, bool float_only) {
  return RegisterOp(name)
      .Describe(doc)
      .Args({"x"})
      .Pattern(OpPattern::kElementwise)
      .InferStructInfo([float_only](const CallNode* call) { return InferUnary(call, float_only); });
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
  RegisterUnary("relax.exp", "e to the power of x", kFloat);
  RegisterUnary("relax.log", "natural logarithm", kFloat);
  RegisterUnary("relax.sqrt", "square root", kFloat);
  RegisterUnary("relax.rsqrt", "1 / sqrt(x)", kFloat);
  RegisterUnary("relax.tanh", "hyperbolic tangent", kFloat);
  RegisterUnary("relax.sigmoid", "1 / (1 + exp(-x))", kFloat);
  RegisterUnary("relax.erf", "the Gauss error function", kFloat);
  RegisterUnary("relax.silu", "x * sigmoid(x)", kFloat);
  RegisterUnary("relax.abs", "absolute value", kAny);
  RegisterUnary("relax.neg", "-x", kAny);
  RegisterUnary("relax.relu", "max(x, 0)", kAny);
  RegisterUnary("relax.gelu", "x * Phi(x), exact (erf) or with the tanh approximation", kFloat)
      .Attr("approximate", AttrKind::kString, "none", "\"none\" (erf) or \"tanh\"")
      .InferStructInfo(InferGelu);
  constexpr double kInf = std::numeric_limits<double>::infinity();
  RegisterUnary("relax.clip", "min(max(x, min), max)", kAny)
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
