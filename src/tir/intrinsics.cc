// Intrinsic calls with their dtype checks.
#include "kiln/tir/intrinsics.h"

#include "kiln/runtime/error.h"

namespace kiln::tir {
namespace {
PrimExpr FloatUnary(const char* name, PrimExpr x) {
  KILN_CHECK(x) << name << ": the operand is undefined";
  KILN_CHECK(x.dtype().is_float()) << name << ": expects a float operand, got " << x.dtype();
  DataType t = x.dtype();
  return Call(t, name, {std::move(x)});
}
}  // namespace

PrimExpr exp(PrimExpr x) {
  return FloatUnary("exp", std::move(x));
}
PrimExpr log(PrimExpr x) {
  return FloatUnary("log", std::move(x));
}
PrimExpr sqrt(PrimExpr x) {
  return FloatUnary("sqrt", std::move(x));
}
PrimExpr rsqrt(PrimExpr x) {
  return FloatUnary("rsqrt", std::move(x));
}
PrimExpr tanh(PrimExpr x) {
  return FloatUnary("tanh", std::move(x));
}
PrimExpr sigmoid(PrimExpr x) {
  return FloatUnary("sigmoid", std::move(x));
}
PrimExpr erf(PrimExpr x) {
  return FloatUnary("erf", std::move(x));
}
PrimExpr floor(PrimExpr x) {
  return FloatUnary("floor", std::move(x));
}
PrimExpr ceil(PrimExpr x) {
  return FloatUnary("ceil", std::move(x));
}
PrimExpr round(PrimExpr x) {
  return FloatUnary("round", std::move(x));
}

PrimExpr pow(PrimExpr x, PrimExpr y) {
  KILN_CHECK(x && y && x.dtype().is_float() && x.dtype() == y.dtype())
      << "pow: expects two float operands of one dtype";
  DataType t = x.dtype();
  return Call(t, "pow", {std::move(x), std::move(y)});
}

PrimExpr abs(PrimExpr x) {
  KILN_CHECK(x) << "abs: the operand is undefined";
  if (x.dtype().is_uint() || x.dtype().is_bool()) return x;  // |x| = x
  if (x.dtype().is_int()) return Select(x < 0, -x, x);       // |x| = x < 0 ? -x : x
  KILN_CHECK(x.dtype().is_float()) << "abs: expects a number, got " << x.dtype();
  DataType t = x.dtype();
  return Call(t, "fabs", {std::move(x)});
}

PrimExpr if_then_else(PrimExpr cond, PrimExpr then_value, PrimExpr else_value) {
  KILN_CHECK(cond && cond.dtype().is_bool()) << "if_then_else: the condition must be bool";
  KILN_CHECK(then_value && else_value && then_value.dtype() == else_value.dtype())
      << "if_then_else: branches must have one dtype";
  DataType t = then_value.dtype();
  return Call(t, "if_then_else", {std::move(cond), std::move(then_value), std::move(else_value)});
}

PrimExpr likely(PrimExpr cond) {
  KILN_CHECK(cond && cond.dtype().is_bool()) << "likely: the condition must be bool";
  DataType t = cond.dtype();
  return Call(t, "likely", {std::move(cond)});
}

}  // namespace kiln::tir
