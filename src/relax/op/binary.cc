// Broadcasting elementwise ops. Arithmetic keeps the operands' common dtype
// (they must agree), comparisons give bool, logical ops take and give bool,
// and where(condition, a, b) broadcasts all three.
#include "kiln/relax/op/binary.h"

#include "infer_util.h"

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

void RegisterBinary(const std::string& name, const std::string& doc, BinaryKind kind) {
  RegisterOp(name)
      .Describe(doc)
      .Args({"a", "b"})
      .Pattern(OpPattern::kBroadcast)
      .InferStructInfo([kind](const CallNode* call) { return InferBinary(call, kind); });
}

StructInfo InferWhere(const CallNode* call) {
  CheckNumArgs(call, 3);
  TensorRef cond = TensorArg(call, 0), a = TensorArg(call, 1), b = TensorArg(call, 2);
  RequireBool(call, 0, cond);
  return BroadcastTensors(call, {cond, a, b}, SameDtype(call, {a, b}));
}

[[maybe_unused]] const bool kRegistered = [] {
  RegisterBinary("relax.add", "a + b", BinaryKind::kArith);
  RegisterBinary("relax.subtract", "a - b", BinaryKind::kArith);
  RegisterBinary("relax.multiply", "a * b", BinaryKind::kArith);
  RegisterBinary("relax.divide", "a / b (true division for floats, truncating for ints)", BinaryKind::kArith);
  RegisterBinary("relax.power", "a to the power b", BinaryKind::kArith);
  RegisterBinary("relax.maximum", "the larger of a and b", BinaryKind::kArith);
  RegisterBinary("relax.minimum", "the smaller of a and b", BinaryKind::kArith);
  RegisterBinary("relax.equal", "a == b", BinaryKind::kCompare);
  RegisterBinary("relax.not_equal", "a != b", BinaryKind::kCompare);
  RegisterBinary("relax.less", "a < b", BinaryKind::kCompare);
  RegisterBinary("relax.less_equal", "a <= b", BinaryKind::kCompare);
  RegisterBinary("relax.greater", "a > b", BinaryKind::kCompare);
  RegisterBinary("relax.greater_equal", "a >= b", BinaryKind::kCompare);
  RegisterBinary("relax.logical_and", "a and b, for bool tensors", BinaryKind::kLogical);
  RegisterBinary("relax.logical_or", "a or b, for bool tensors", BinaryKind::kLogical);
  RegisterOp("relax.where")
      .Describe("condition ? a : b, elementwise with broadcasting")
      .Args({"condition", "a", "b"})
      .Pattern(OpPattern::kBroadcast)
      .InferStructInfo(InferWhere);
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
