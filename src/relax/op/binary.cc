// Broadcasting elementwise ops. Arithmetic keeps the operands' common dtype
// (they must agree), comparisons give bool, logical ops take and give bool,
// and where(condition, a, b) broadcasts all three. Each legalizes to one
// broadcasting compute (legalize_util.h).
#include "kiln/relax/op/binary.h"

#include <cmath>

#include "infer_util.h"
#include "kiln/tir/intrinsics.h"
#include "legalize_util.h"

namespace kiln::relax {
namespace {
using namespace infer;

enum class BinaryKind { kArith, kCompare, kLogical };

StructInfo InferBinary(const CallNode* call, BinaryKind kind) {
  CheckNumArgs(call, 2);
  TensorRef a = TensorArg(call, 0), b = TensorArg(call, 1);
  if (kind == BinaryKind::kLogical) {
    RequireBool(call, 0, a);
    RequireBool(call, 1, b);
    return BroadcastTensors(call, {a, b}, DataType::Bool());
  }
  DataType dtype = SameDtype(call, {a, b});
  return BroadcastTensors(call, {a, b}, kind == BinaryKind::kCompare ? DataType::Bool() : dtype);
}

using tir::PrimExpr;
// The value of one output element from the two operands' elements.
using BinaryFn = PrimExpr (*)(const CallNode* call, PrimExpr a, PrimExpr b);

// Bool operands follow NumPy: add and maximum are `or`, multiply and
// minimum `and`; subtract, divide and power have no bool meaning and raise.
void RejectBool(const CallNode* call, const PrimExpr& a) {
  KILN_CHECK(!a.dtype().is_bool()) << OpName(call) << ": cannot legalize bool operands (use logical ops or astype)";
}

PrimExpr Add(const CallNode*, PrimExpr a, PrimExpr b) {
  return a.dtype().is_bool() ? tir::logical_or(a, b) : a + b;
}
PrimExpr Subtract(const CallNode* call, PrimExpr a, PrimExpr b) {
  RejectBool(call, a);
  return a - b;
}
PrimExpr Multiply(const CallNode*, PrimExpr a, PrimExpr b) {
  return a.dtype().is_bool() ? tir::logical_and(a, b) : a * b;
}
// True division for floats, truncating (C) division for integers.
PrimExpr Divide(const CallNode* call, PrimExpr a, PrimExpr b) {
  RejectBool(call, a);
  return a / b;
}
// Integers go through float64 pow, rounded: exact while |a^b| < 2^53.
PrimExpr Power(const CallNode* call, PrimExpr a, PrimExpr b) {
  RejectBool(call, a);
  if (a.dtype().is_float()) return tir::pow(a, b);
  DataType f64 = DataType::Float(64);
  return tir::Cast(a.dtype(), tir::round(tir::pow(tir::Cast(f64, a), tir::Cast(f64, b))));
}

// The value of a one-element float or integer constant.
std::optional<double> ScalarConstant(const Expr& e) {
  const ConstantNode* c = e.as<ConstantNode>();
  if (!c || c->data.numel() != 1) return std::nullopt;
  DataType dt = c->data.dtype();
  const void* p = c->data.data();
  if (dt == DataType::Float(32)) return *static_cast<const float*>(p);
  if (dt == DataType::Float(64)) return *static_cast<const double*>(p);
  if (dt == DataType::Int(64)) return static_cast<double>(*static_cast<const int64_t*>(p));
  if (dt == DataType::Int(32)) return static_cast<double>(*static_cast<const int32_t*>(p));
  return std::nullopt;
}

// a^e for a float a and a constant e that needs no pow (a libm call per
// lane): whole e with |e| <= 4 as products (and 1 / product), 0.5 as sqrt,
// -0.5 as rsqrt.
std::optional<PrimExpr> PowerByConstant(const PrimExpr& a, double e) {
  if (e == 0.5) return tir::sqrt(a);
  if (e == -0.5) return tir::rsqrt(a);
  if (e != std::floor(e) || std::fabs(e) > 4) return std::nullopt;
  PrimExpr one = tir::MakeConst(a.dtype(), 1);
  int n = static_cast<int>(std::fabs(e));
  PrimExpr p = n == 0 ? one : a;
  for (int i = 1; i < n; ++i) p = p * a;
  return e < 0 ? one / p : p;
}

Expr LegalizePower(BlockBuilder& bb, const CallNode* call) {
  std::optional<double> e = ScalarConstant(call->args[1]);
  DataType dtype = OutputDType(call);
  if (e && dtype.is_float() && PowerByConstant(tir::MakeConst(dtype, 1), *e)) {
    std::vector<PrimExpr> out_shape = OutputShape(call);
    return CallTEOn(bb, call, "power", {call->args[0]}, [&](const std::vector<tir::te::Tensor>& in) {
      return BroadcastCompute(
          out_shape, in, [&](const std::vector<PrimExpr>& v) { return *PowerByConstant(v[0], *e); }, "power");
    });
  }
  return LegalizeBroadcast(bb, call, "power", [&](const std::vector<PrimExpr>& v) { return Power(call, v[0], v[1]); });
}

PrimExpr Maximum(const CallNode*, PrimExpr a, PrimExpr b) {
  return a.dtype().is_bool() ? tir::logical_or(a, b) : tir::max(a, b);
}
PrimExpr Minimum(const CallNode*, PrimExpr a, PrimExpr b) {
  return a.dtype().is_bool() ? tir::logical_and(a, b) : tir::min(a, b);
}
PrimExpr Equal(const CallNode*, PrimExpr a, PrimExpr b) {
  return a == b;
}
PrimExpr NotEqual(const CallNode*, PrimExpr a, PrimExpr b) {
  return a != b;
}
PrimExpr Less(const CallNode*, PrimExpr a, PrimExpr b) {
  return a < b;
}
PrimExpr LessEqual(const CallNode*, PrimExpr a, PrimExpr b) {
  return a <= b;
}
PrimExpr Greater(const CallNode*, PrimExpr a, PrimExpr b) {
  return a > b;
}
PrimExpr GreaterEqual(const CallNode*, PrimExpr a, PrimExpr b) {
  return a >= b;
}
PrimExpr LogicalAnd(const CallNode*, PrimExpr a, PrimExpr b) {
  return tir::logical_and(a, b);
}
PrimExpr LogicalOr(const CallNode*, PrimExpr a, PrimExpr b) {
  return tir::logical_or(a, b);
}

OpRegistration RegisterBinary(const std::string& name, const std::string& doc, BinaryKind kind, BinaryFn fn) {
  std::string hint = KernelName(name);
  OpRegistration reg = RegisterOp(name);
  reg.Describe(doc)
      .Args({"a", "b"})
      .Pattern(OpPattern::kBroadcast)
      .InferStructInfo([kind](const CallNode* call) { return InferBinary(call, kind); })
      .Legalize([hint, fn](BlockBuilder& bb, const CallNode* call) {
        return LegalizeBroadcast(bb, call, hint, [&](const std::vector<PrimExpr>& v) { return fn(call, v[0], v[1]); });
      });
  return reg;
}

StructInfo InferWhere(const CallNode* call) {
  CheckNumArgs(call, 3);
  TensorRef cond = TensorArg(call, 0), a = TensorArg(call, 1), b = TensorArg(call, 2);
  RequireBool(call, 0, cond);
  return BroadcastTensors(call, {cond, a, b}, SameDtype(call, {a, b}));
}

[[maybe_unused]] const bool kRegistered = [] {
  RegisterBinary("relax.add", "a + b", BinaryKind::kArith, Add);
  RegisterBinary("relax.subtract", "a - b", BinaryKind::kArith, Subtract);
  RegisterBinary("relax.multiply", "a * b", BinaryKind::kArith, Multiply);
  RegisterBinary("relax.divide", "a / b (true division for floats, truncating for ints)", BinaryKind::kArith, Divide);
  RegisterBinary("relax.power", "a to the power b", BinaryKind::kArith, Power)
      .Legalize(LegalizePower);  // a constant exponent needs no pow
  RegisterBinary("relax.maximum", "the larger of a and b", BinaryKind::kArith, Maximum);
  RegisterBinary("relax.minimum", "the smaller of a and b", BinaryKind::kArith, Minimum);
  RegisterBinary("relax.equal", "a == b", BinaryKind::kCompare, Equal);
  RegisterBinary("relax.not_equal", "a != b", BinaryKind::kCompare, NotEqual);
  RegisterBinary("relax.less", "a < b", BinaryKind::kCompare, Less);
  RegisterBinary("relax.less_equal", "a <= b", BinaryKind::kCompare, LessEqual);
  RegisterBinary("relax.greater", "a > b", BinaryKind::kCompare, Greater);
  RegisterBinary("relax.greater_equal", "a >= b", BinaryKind::kCompare, GreaterEqual);
  RegisterBinary("relax.logical_and", "a and b, for bool tensors", BinaryKind::kLogical, LogicalAnd);
  RegisterBinary("relax.logical_or", "a or b, for bool tensors", BinaryKind::kLogical, LogicalOr);
  RegisterOp("relax.where")
      .Describe("condition ? a : b, elementwise with broadcasting")
      .Args({"condition", "a", "b"})
      .Pattern(OpPattern::kBroadcast)
      .InferStructInfo(InferWhere)
      .Legalize([](BlockBuilder& bb, const CallNode* call) {
        return LegalizeBroadcast(bb, call, "where",
                                 [](const std::vector<PrimExpr>& v) { return tir::Select(v[0], v[1], v[2]); });
      });
  return true;
}();

Expr Binary(const char* name, Expr a, Expr b) {
  return MakeOpCall(name, {std::move(a), std::move(b)});
}
}  // namespace

namespace op {
Expr add(Expr a, Expr b) {
  return Binary("relax.add", std::move(a), std::move(b));
}
Expr subtract(Expr a, Expr b) {
  return Binary("relax.subtract", std::move(a), std::move(b));
}
Expr multiply(Expr a, Expr b) {
  return Binary("relax.multiply", std::move(a), std::move(b));
}
Expr divide(Expr a, Expr b) {
  return Binary("relax.divide", std::move(a), std::move(b));
}
Expr power(Expr a, Expr b) {
  return Binary("relax.power", std::move(a), std::move(b));
}
Expr maximum(Expr a, Expr b) {
  return Binary("relax.maximum", std::move(a), std::move(b));
}
Expr minimum(Expr a, Expr b) {
  return Binary("relax.minimum", std::move(a), std::move(b));
}
Expr equal(Expr a, Expr b) {
  return Binary("relax.equal", std::move(a), std::move(b));
}
Expr not_equal(Expr a, Expr b) {
  return Binary("relax.not_equal", std::move(a), std::move(b));
}
Expr less(Expr a, Expr b) {
  return Binary("relax.less", std::move(a), std::move(b));
}
Expr less_equal(Expr a, Expr b) {
  return Binary("relax.less_equal", std::move(a), std::move(b));
}
Expr greater(Expr a, Expr b) {
  return Binary("relax.greater", std::move(a), std::move(b));
}
Expr greater_equal(Expr a, Expr b) {
  return Binary("relax.greater_equal", std::move(a), std::move(b));
}
Expr logical_and(Expr a, Expr b) {
  return Binary("relax.logical_and", std::move(a), std::move(b));
}
Expr logical_or(Expr a, Expr b) {
  return Binary("relax.logical_or", std::move(a), std::move(b));
}
Expr where(Expr condition, Expr a, Expr b) {
  return MakeOpCall("relax.where", {std::move(condition), std::move(a), std::move(b)});
}
}  // namespace op

}  // namespace kiln::relax
