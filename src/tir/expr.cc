// tir expression factories (with their checks) and the folding operators.
#include "kiln/tir/expr.h"

#include <algorithm>
#include <cmath>

#include "kiln/runtime/error.h"

namespace kiln::tir {

using runtime::MakeObject;

const char* BinaryOpName(BinaryOp op) {
  switch (op) {
#define KILN_X(name, sym) \
  case BinaryOp::k##name: return #name;
    KILN_TIR_BINARY_OPS(KILN_X)
#undef KILN_X
  }
  return "?";
}

const char* BinaryOpSymbol(BinaryOp op) {
  switch (op) {
#define KILN_X(name, sym) \
  case BinaryOp::k##name: return sym;
    KILN_TIR_BINARY_OPS(KILN_X)
#undef KILN_X
  }
  return "?";
}

bool IsComparison(BinaryOp op) {
  return op >= BinaryOp::kEQ && op <= BinaryOp::kGE;
}
bool IsLogical(BinaryOp op) {
  return op == BinaryOp::kAnd || op == BinaryOp::kOr;
}

PrimExpr::PrimExpr(int64_t value) : PrimExpr(IntImm(DataType::Int(64), value)) {}
PrimExpr::PrimExpr(double value) : PrimExpr(FloatImm(DataType::Float(32), value)) {}

Var::Var(Ref<PrimExprNode> n) : PrimExpr(std::move(n)) {
  KILN_ICHECK(!get() || PrimExpr::get()->kind == ExprKind::kVar) << "not a Var";
}

Var::Var(std::string name, DataType dtype, Span span) {
  auto n = MakeObject<VarNode>();
  n->name = std::move(name);
  n->dtype = dtype;
  n->span = span;
  *this = Var(Ref<PrimExprNode>(n));
}

Var SizeVar(std::string name, DataType dtype, Span span) {
  KILN_CHECK(dtype.is_int() || dtype.is_uint()) << "size var '" << name << "' must be an integer, not " << dtype;
  auto n = MakeObject<VarNode>();
  n->name = std::move(name);
  n->dtype = dtype;
  n->is_size_var = true;
  n->span = span;
  return Var(Ref<PrimExprNode>(n));
}

PrimExpr IntImm(DataType dtype, int64_t value, Span span) {
  KILN_CHECK(dtype.lanes() == 1 && (dtype.is_int() || dtype.is_uint() || dtype.is_bool()))
      << "IntImm of non-integer dtype " << dtype;
  auto n = MakeObject<IntImmNode>();
  n->dtype = dtype;
  n->value = dtype.is_bool() ? (value != 0) : value;
  n->span = span;
  return PrimExpr(n);
}

PrimExpr FloatImm(DataType dtype, double value, Span span) {
  KILN_CHECK(dtype.lanes() == 1 && dtype.is_float()) << "FloatImm of non-float dtype " << dtype;
  auto n = MakeObject<FloatImmNode>();
  n->dtype = dtype;
  n->value = value;
  n->span = span;
  return PrimExpr(n);
}

PrimExpr StringImm(std::string value, Span span) {
  auto n = MakeObject<StringImmNode>();
  n->dtype = DataType::Handle();
  n->value = std::move(value);
  n->span = span;
  return PrimExpr(n);
}

PrimExpr Bool(bool value, Span span) {
  return IntImm(DataType::Bool(), value, span);
}

PrimExpr Binary(BinaryOp op, PrimExpr a, PrimExpr b, Span span) {
  KILN_CHECK(a && b) << "tir." << BinaryOpName(op) << ": an operand is undefined";
  KILN_CHECK(a.dtype() == b.dtype()) << "tir." << BinaryOpName(op) << ": operands have different dtypes " << a.dtype()
                                     << " and " << b.dtype() << " (cast one of them)";
  if (IsLogical(op)) {
    KILN_CHECK(a.dtype().is_bool()) << "tir." << BinaryOpName(op) << ": operands must be bool, not " << a.dtype();
  }
  auto n = MakeObject<BinaryNode>();
  n->op = op;
  n->dtype = IsComparison(op) ? DataType::Bool(a.dtype().lanes()) : a.dtype();
  n->a = std::move(a);
  n->b = std::move(b);
  n->span = span;
  return PrimExpr(n);
}

PrimExpr Not(PrimExpr a, Span span) {
  KILN_CHECK(a && a.dtype().is_bool()) << "tir.Not: operand must be bool";
  auto n = MakeObject<NotNode>();
  n->dtype = a.dtype();
  n->a = std::move(a);
  n->span = span;
  return PrimExpr(n);
}

PrimExpr Cast(DataType dtype, PrimExpr value, Span span) {
  KILN_CHECK(value) << "tir.Cast: the value is undefined";
  KILN_CHECK(dtype.lanes() == value.dtype().lanes())
      << "tir.Cast: cannot cast " << value.dtype() << " to " << dtype << " (lanes differ)";
  auto n = MakeObject<CastNode>();
  n->dtype = dtype;
  n->value = std::move(value);
  n->span = span;
  return PrimExpr(n);
}

PrimExpr Select(PrimExpr condition, PrimExpr true_value, PrimExpr false_value, Span span) {
  KILN_CHECK(condition && condition.dtype().is_bool()) << "tir.Select: the condition must be bool";
  KILN_CHECK(true_value && false_value && true_value.dtype() == false_value.dtype())
      << "tir.Select: branches have different dtypes";
  auto n = MakeObject<SelectNode>();
  n->dtype = true_value.dtype();
  n->condition = std::move(condition);
  n->true_value = std::move(true_value);
  n->false_value = std::move(false_value);
  n->span = span;
  return PrimExpr(n);
}

Buffer DeclBuffer(std::string name, std::vector<PrimExpr> shape, DataType dtype, std::string scope,
                  std::vector<PrimExpr> strides, PrimExpr elem_offset, Span span) {
  for (size_t i = 0; i < shape.size(); ++i) {
    KILN_CHECK(shape[i] && (shape[i].dtype().is_int() || shape[i].dtype().is_uint()))
        << "buffer '" << name << "': dimension " << i << " must be an integer expression";
    if (const int64_t* v = AsConstInt(shape[i])) {
      KILN_CHECK(*v >= 0) << "buffer '" << name << "': negative dimension " << *v << " at axis " << i;
    }
  }
  KILN_CHECK(strides.empty() || strides.size() == shape.size())
      << "buffer '" << name << "': " << strides.size() << " strides for " << shape.size() << " dimensions";
  KILN_CHECK(scope == "global" || scope == "shared" || scope == "local" || scope == "global.workspace")
      << "buffer '" << name << "': unknown scope \"" << scope << "\" (expected global, shared or local)";
  auto n = MakeObject<BufferNode>();
  n->name = name;
  n->data = Var(name + "_data", DataType::Handle(), span);
  n->dtype = dtype;
  n->shape = std::move(shape);
  n->strides = std::move(strides);
  n->elem_offset = elem_offset ? elem_offset : PrimExpr(int64_t{0});
  n->scope = std::move(scope);
  n->align = std::max<int64_t>(1, dtype.bytes());
  n->span = span;
  return Buffer(n);
}

PrimExpr BufferLoad(Buffer buffer, std::vector<PrimExpr> indices, Span span) {
  KILN_CHECK(buffer) << "tir.BufferLoad: the buffer is undefined";
  KILN_CHECK(indices.size() == buffer->shape.size())
      << "load of buffer '" << buffer->name << "' with " << indices.size() << " indices; it has "
      << buffer->shape.size() << " dimensions";
  int lanes = 1;
  for (const PrimExpr& i : indices) {
    KILN_CHECK(i && (i.dtype().is_int() || i.dtype().is_uint()))
        << "load of buffer '" << buffer->name << "': indices must be integers";
    if (i.dtype().lanes() > 1) lanes = i.dtype().lanes();
  }
  auto n = MakeObject<BufferLoadNode>();
  n->dtype = buffer->dtype.with_lanes(buffer->dtype.lanes() * lanes);
  n->buffer = std::move(buffer);
  n->indices = std::move(indices);
  n->span = span;
  return PrimExpr(n);
}

PrimExpr Call(DataType dtype, std::string op, std::vector<PrimExpr> args, Span span) {
  KILN_CHECK(!op.empty()) << "tir.Call: the intrinsic needs a name";
  for (const PrimExpr& a : args) KILN_CHECK(a) << "tir.Call " << op << ": an argument is undefined";
  auto n = MakeObject<CallNode>();
  n->dtype = dtype;
  n->op = std::move(op);
  n->args = std::move(args);
  n->span = span;
  return PrimExpr(n);
}

PrimExpr Ramp(PrimExpr base, PrimExpr stride, int lanes, Span span) {
  KILN_CHECK(lanes > 1) << "tir.Ramp: lanes must be more than 1, got " << lanes;
  KILN_CHECK(base && stride && base.dtype() == stride.dtype() && base.dtype().lanes() == 1)
      << "tir.Ramp: base and stride must be scalars of one dtype";
  auto n = MakeObject<RampNode>();
  n->dtype = base.dtype().with_lanes(lanes);
  n->base = std::move(base);
  n->stride = std::move(stride);
  n->lanes = lanes;
  n->span = span;
  return PrimExpr(n);
}

PrimExpr Broadcast(PrimExpr value, int lanes, Span span) {
  KILN_CHECK(lanes > 1) << "tir.Broadcast: lanes must be more than 1, got " << lanes;
  KILN_CHECK(value && value.dtype().lanes() == 1) << "tir.Broadcast: the value must be a scalar";
  auto n = MakeObject<BroadcastNode>();
  n->dtype = value.dtype().with_lanes(lanes);
  n->value = std::move(value);
  n->lanes = lanes;
  n->span = span;
  return PrimExpr(n);
}

PrimExpr Let(Var var, PrimExpr value, PrimExpr body, Span span) {
  KILN_CHECK(var && value && body) << "tir.Let: an operand is undefined";
  KILN_CHECK(var.dtype() == value.dtype()) << "tir.Let: variable '" << var.name() << "' of dtype " << var.dtype()
                                           << " bound to a value of dtype " << value.dtype();
  auto n = MakeObject<LetNode>();
  n->dtype = body.dtype();
  n->var = std::move(var);
  n->value = std::move(value);
  n->body = std::move(body);
  n->span = span;
  return PrimExpr(n);
}

PrimExpr MakeConst(DataType dtype, double v) {
  PrimExpr scalar =
      dtype.is_float() ? FloatImm(dtype.element_of(), v) : IntImm(dtype.element_of(), static_cast<int64_t>(v));
  return dtype.lanes() > 1 ? Broadcast(scalar, dtype.lanes()) : scalar;
}

std::optional<int64_t> ConstIntValue(const PrimExpr& e) {
  if (const int64_t* v = AsConstInt(e)) return *v;
  return std::nullopt;
}

const int64_t* AsConstInt(const PrimExpr& e) {
  const IntImmNode* n = e.as<IntImmNode>();
  return n ? &n->value : nullptr;
}

namespace {
// An immediate adopts the dtype of the other operand, so `x + 1` works for
// an int32 x and `y * 2` for a float y.
void Unify(PrimExpr& a, PrimExpr& b) {
  if (a.dtype() == b.dtype()) return;
  auto adapt = [](PrimExpr& imm, const PrimExpr& other) {
    DataType t = other.dtype();
    if (t.lanes() != 1) return false;
    if (const IntImmNode* i = imm.as<IntImmNode>(); i && (t.is_int() || t.is_uint() || t.is_float())) {
      imm = t.is_float() ? FloatImm(t, static_cast<double>(i->value)) : IntImm(t, i->value);
      return true;
    }
    if (const FloatImmNode* f = imm.as<FloatImmNode>(); f && t.is_float()) {
      imm = FloatImm(t, f->value);
      return true;
    }
    return false;
  };
  if (a.as<IntImmNode>() || a.as<FloatImmNode>()) {
    if (adapt(a, b)) return;
  }
  if (b.as<IntImmNode>() || b.as<FloatImmNode>()) adapt(b, a);
}

int64_t FloorDivInt(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

// Folds two int immediates; returns an empty handle when it cannot.
PrimExpr FoldInts(BinaryOp op, const PrimExpr& a, const PrimExpr& b) {
  const int64_t* x = AsConstInt(a);
  const int64_t* y = AsConstInt(b);
  if (!x || !y || a.dtype().is_bool()) return PrimExpr();
  DataType t = a.dtype();
  switch (op) {
    case BinaryOp::kAdd: return IntImm(t, *x + *y);
    case BinaryOp::kSub: return IntImm(t, *x - *y);
    case BinaryOp::kMul: return IntImm(t, *x * *y);
    case BinaryOp::kDiv: return *y == 0 ? PrimExpr() : IntImm(t, *x / *y);
    case BinaryOp::kMod: return *y == 0 ? PrimExpr() : IntImm(t, *x % *y);
    case BinaryOp::kFloorDiv: return *y == 0 ? PrimExpr() : IntImm(t, FloorDivInt(*x, *y));
    case BinaryOp::kFloorMod: return *y == 0 ? PrimExpr() : IntImm(t, *x - FloorDivInt(*x, *y) * *y);
    case BinaryOp::kMin: return IntImm(t, std::min(*x, *y));
    case BinaryOp::kMax: return IntImm(t, std::max(*x, *y));
    case BinaryOp::kEQ: return Bool(*x == *y);
    case BinaryOp::kNE: return Bool(*x != *y);
    case BinaryOp::kLT: return Bool(*x < *y);
    case BinaryOp::kLE: return Bool(*x <= *y);
    case BinaryOp::kGT: return Bool(*x > *y);
    case BinaryOp::kGE: return Bool(*x >= *y);
    default: return PrimExpr();
  }
}

bool IsConst(const PrimExpr& e, int64_t v) {
  const int64_t* x = AsConstInt(e);
  return x && *x == v;
}

PrimExpr Fold(BinaryOp op, PrimExpr a, PrimExpr b) {
  Unify(a, b);
  if (PrimExpr f = FoldInts(op, a, b)) return f;
  bool is_int = a.dtype().is_int() || a.dtype().is_uint();
  switch (op) {
    case BinaryOp::kAdd:
      if (IsConst(b, 0)) return a;  // x + 0 -> x
      if (IsConst(a, 0)) return b;  // 0 + x -> x
      break;
    case BinaryOp::kSub:
      if (IsConst(b, 0)) return a;  // x - 0 -> x
      break;
    case BinaryOp::kMul:
      if (IsConst(b, 1)) return a;                       // x * 1 -> x
      if (IsConst(a, 1)) return b;                       // 1 * x -> x
      if (is_int && (IsConst(a, 0) || IsConst(b, 0))) {  // x * 0 -> 0 (ints only: NaN * 0 is NaN)
        return IntImm(a.dtype(), 0);
      }
      break;
    case BinaryOp::kDiv:
    case BinaryOp::kFloorDiv:
      if (IsConst(b, 1)) return a;  // x / 1 -> x
      break;
    case BinaryOp::kFloorMod:
      if (IsConst(b, 1)) return IntImm(a.dtype(), 0);  // x %% 1 -> 0
      break;
    default: break;
  }
  return Binary(op, std::move(a), std::move(b));
}
}  // namespace

PrimExpr operator+(PrimExpr a, PrimExpr b) {
  return Fold(BinaryOp::kAdd, std::move(a), std::move(b));
}
PrimExpr operator-(PrimExpr a, PrimExpr b) {
  return Fold(BinaryOp::kSub, std::move(a), std::move(b));
}
PrimExpr operator*(PrimExpr a, PrimExpr b) {
  return Fold(BinaryOp::kMul, std::move(a), std::move(b));
}
PrimExpr operator/(PrimExpr a, PrimExpr b) {
  return Fold(BinaryOp::kDiv, std::move(a), std::move(b));
}
PrimExpr operator%(PrimExpr a, PrimExpr b) {
  return Fold(BinaryOp::kMod, std::move(a), std::move(b));
}
PrimExpr operator==(PrimExpr a, PrimExpr b) {
  return Fold(BinaryOp::kEQ, std::move(a), std::move(b));
}
PrimExpr operator!=(PrimExpr a, PrimExpr b) {
  return Fold(BinaryOp::kNE, std::move(a), std::move(b));
}
PrimExpr operator<(PrimExpr a, PrimExpr b) {
  return Fold(BinaryOp::kLT, std::move(a), std::move(b));
}
PrimExpr operator<=(PrimExpr a, PrimExpr b) {
  return Fold(BinaryOp::kLE, std::move(a), std::move(b));
}
PrimExpr operator>(PrimExpr a, PrimExpr b) {
  return Fold(BinaryOp::kGT, std::move(a), std::move(b));
}
PrimExpr operator>=(PrimExpr a, PrimExpr b) {
  return Fold(BinaryOp::kGE, std::move(a), std::move(b));
}
PrimExpr logical_and(PrimExpr a, PrimExpr b) {
  return Fold(BinaryOp::kAnd, std::move(a), std::move(b));
}
PrimExpr logical_or(PrimExpr a, PrimExpr b) {
  return Fold(BinaryOp::kOr, std::move(a), std::move(b));
}
PrimExpr floordiv(PrimExpr a, PrimExpr b) {
  return Fold(BinaryOp::kFloorDiv, std::move(a), std::move(b));
}
PrimExpr floormod(PrimExpr a, PrimExpr b) {
  return Fold(BinaryOp::kFloorMod, std::move(a), std::move(b));
}
PrimExpr min(PrimExpr a, PrimExpr b) {
  return Fold(BinaryOp::kMin, std::move(a), std::move(b));
}
PrimExpr max(PrimExpr a, PrimExpr b) {
  return Fold(BinaryOp::kMax, std::move(a), std::move(b));
}
PrimExpr logical_not(PrimExpr a) {
  return Not(std::move(a));
}
PrimExpr operator-(PrimExpr a) {
  if (const int64_t* v = AsConstInt(a)) return IntImm(a.dtype(), -*v);
  if (const FloatImmNode* f = a.as<FloatImmNode>()) return FloatImm(a.dtype(), -f->value);
  return MakeConst(a.dtype(), 0) - a;
}

}  // namespace kiln::tir
