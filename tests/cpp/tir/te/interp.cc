// The tir reference interpreter (interp.h): scalar evaluation, statements,
// buffer storage, and the access checks against shapes and block regions.
#include "tir/te/interp.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>

#include "kiln/runtime/error.h"
#include "kiln/tir/arith/int_math.h"
#include "kiln/tir/functor.h"

namespace kiln::testing {

using tir::Buffer;
using tir::DataType;
using tir::PrimExpr;
using tir::Stmt;
using tir::Var;

int64_t HostArray::size() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}
HostArray HostArray::Floats(std::vector<int64_t> shape) {
  HostArray a{std::move(shape), {}, {}};
  a.f.assign(a.size(), 0.0);
  return a;
}
HostArray HostArray::Ints(std::vector<int64_t> shape) {
  HostArray a{std::move(shape), {}, {}};
  a.i.assign(a.size(), 0);
  return a;
}

namespace {
// A scalar: `f` holds it for float dtypes, `i` for integer and bool ones.
struct Value {
  double f = 0;
  int64_t i = 0;
};

Value FloatValue(DataType t, double v) {
  return {t.bits() == 32 ? static_cast<double>(static_cast<float>(v)) : v, 0};
}
// v wrapped to the width of t, as the machine would hold it.
Value IntValue(DataType t, int64_t v) {
  if (t.is_bool()) return {0, v != 0};
  int shift = 64 - t.bits();
  if (shift == 0) return {0, v};
  uint64_t u = static_cast<uint64_t>(v) << shift;
  return {0, t.is_uint() ? static_cast<int64_t>(u >> shift) : static_cast<int64_t>(u) >> shift};
}

// The one-argument math intrinsics.
const std::map<std::string, double (*)(double)>& MathTable() {
  static const std::map<std::string, double (*)(double)> table{
      {"exp", [](double x) { return std::exp(x); }},
      {"log", [](double x) { return std::log(x); }},
      {"sqrt", [](double x) { return std::sqrt(x); }},
      {"tanh", [](double x) { return std::tanh(x); }},
      {"erf", [](double x) { return std::erf(x); }},
      {"fabs", [](double x) { return std::fabs(x); }},
      {"floor", [](double x) { return std::floor(x); }},
      {"ceil", [](double x) { return std::ceil(x); }},
      {"round", [](double x) { return std::nearbyint(x); }},
      {"sigmoid", [](double x) { return 1 / (1 + std::exp(-x)); }},
  };
  return table;
}

double FloatBinary(tir::BinaryOp op, double a, double b) {
  using tir::BinaryOp;
  switch (op) {
    case BinaryOp::kAdd: return a + b;
    case BinaryOp::kSub: return a - b;
    case BinaryOp::kMul: return a * b;
    case BinaryOp::kDiv: return a / b;
    case BinaryOp::kMod: return std::fmod(a, b);
    case BinaryOp::kFloorDiv: return std::floor(a / b);
    case BinaryOp::kFloorMod: return a - std::floor(a / b) * b;
    case BinaryOp::kMin: return std::min(a, b);
    case BinaryOp::kMax: return std::max(a, b);
    case BinaryOp::kEQ: return a == b;
    case BinaryOp::kNE: return a != b;
    case BinaryOp::kLT: return a < b;
    case BinaryOp::kLE: return a <= b;
    case BinaryOp::kGT: return a > b;
    case BinaryOp::kGE: return a >= b;
    default: KILN_THROW() << "interp: float operands for " << tir::BinaryOpName(op);
  }
}

int64_t IntBinary(tir::BinaryOp op, int64_t a, int64_t b) {
  using tir::BinaryOp;
  bool divides = op == BinaryOp::kDiv || op == BinaryOp::kMod || op == BinaryOp::kFloorDiv || op == BinaryOp::kFloorMod;
  KILN_CHECK(!divides || b != 0) << "interp: integer " << tir::BinaryOpName(op) << " by zero";
  switch (op) {
    case BinaryOp::kAdd: return a + b;
    case BinaryOp::kSub: return a - b;
    case BinaryOp::kMul: return a * b;
    case BinaryOp::kDiv: return a / b;
    case BinaryOp::kMod: return a % b;
    case BinaryOp::kFloorDiv: return tir::arith::FloorDiv(a, b);
    case BinaryOp::kFloorMod: return tir::arith::FloorMod(a, b);
    case BinaryOp::kMin: return std::min(a, b);
    case BinaryOp::kMax: return std::max(a, b);
    case BinaryOp::kEQ: return a == b;
    case BinaryOp::kNE: return a != b;
    case BinaryOp::kLT: return a < b;
    case BinaryOp::kLE: return a <= b;
    case BinaryOp::kGT: return a > b;
    case BinaryOp::kGE: return a >= b;
    case BinaryOp::kAnd: return a && b;
    case BinaryOp::kOr: return a || b;
  }
  return 0;
}

// Where a buffer's elements live: a caller's array or one allocated here.
struct Storage {
  HostArray* array;
  std::unique_ptr<HostArray> owned;
};

class Interpreter : public tir::ExprFunctor<Value(const PrimExpr&)>, public tir::StmtFunctor<void(const Stmt&)> {
 public:
  void Bind(const tir::PrimFunc& func, const std::vector<Arg>& args);
  void Run(const Stmt& s) { VisitStmt(s); }

 protected:
#define KILN_X(name) Value VisitExpr_(const tir::name##Node* op) override;
  KILN_TIR_EXPR_KINDS(KILN_X)
#undef KILN_X
#define KILN_X(name) void VisitStmt_(const tir::name##Node* op) override;
  KILN_TIR_STMT_KINDS(KILN_X)
#undef KILN_X

 private:
  int64_t Int(const PrimExpr& e) { return VisitExpr(e).i; }
  bool IsFloat(const Buffer& b) const { return b->dtype.is_float(); }
  void SetVar(const Var& v, int64_t value) { env_[v.get()] = {0, value}; }
  void BindBuffer(const Buffer& b, HostArray* array);
  void Allocate(const Buffer& b);
  // The flat position of buffer[indices], checked against shape and regions.
  int64_t Offset(const Buffer& b, const std::vector<PrimExpr>& indices, bool is_store);
  void CheckRegion(const Buffer& b, const std::vector<int64_t>& index, bool is_store);

  std::unordered_map<const tir::VarNode*, Value> env_;
  std::unordered_map<const tir::VarNode*, Storage> storage_;  // by the buffer's data var
  std::vector<const tir::BlockNode*> blocks_;                 // enclosing blocks, innermost last
};

// ---- binding ----

void Interpreter::Bind(const tir::PrimFunc& func, const std::vector<Arg>& args) {
  const auto& params = func->params;
  KILN_CHECK(args.size() == params.size())
      << "interp: " << args.size() << " arguments for " << params.size() << " parameters";
  std::vector<std::pair<Buffer, HostArray*>> buffers;
  for (size_t p = 0; p < params.size(); ++p) {
    const std::string& name = params[p].name();
    Buffer b = func->BufferOf(params[p]);
    if (!b) {
      KILN_CHECK(std::holds_alternative<int64_t>(args[p])) << "interp: parameter '" << name << "' takes a scalar";
      SetVar(params[p], std::get<int64_t>(args[p]));
      continue;
    }
    KILN_CHECK(std::holds_alternative<HostArray*>(args[p])) << "interp: parameter '" << name << "' takes an array";
    HostArray* a = std::get<HostArray*>(args[p]);
    KILN_CHECK(a->shape.size() == b->shape.size())
        << "interp: buffer '" << b->name << "' has " << b->shape.size() << " dimensions; the array " << a->shape.size();
    for (size_t d = 0; d < a->shape.size(); ++d) {
      const tir::VarNode* v = b->shape[d].as<tir::VarNode>();
      if (!v) continue;
      auto [it, fresh] = env_.emplace(v, Value{0, a->shape[d]});
      KILN_CHECK(fresh || it->second.i == a->shape[d])
          << "interp: buffer '" << b->name << "' dimension " << d << " is " << a->shape[d] << ", but '" << v->name
          << "' is " << it->second.i;
    }
    buffers.emplace_back(b, a);
  }
  for (const auto& [b, a] : buffers) BindBuffer(b, a);
}

void Interpreter::BindBuffer(const Buffer& b, HostArray* array) {
  for (size_t d = 0; d < b->shape.size(); ++d) {
    KILN_CHECK(Int(b->shape[d]) == array->shape[d]) << "interp: buffer '" << b->name << "' dimension " << d << " is "
                                                    << Int(b->shape[d]) << "; the array's " << array->shape[d];
  }
  size_t held = IsFloat(b) ? array->f.size() : array->i.size();
  KILN_CHECK(static_cast<int64_t>(held) == array->size())
      << "interp: the array for buffer '" << b->name << "' holds " << held << " " << (IsFloat(b) ? "floats" : "ints")
      << " for " << array->size() << " elements";
  storage_[b->data.get()] = {array, nullptr};
}

// Fresh storage: NaN for floats, so that reading what was never written shows.
void Interpreter::Allocate(const Buffer& b) {
  std::vector<int64_t> shape;
  for (const PrimExpr& d : b->shape) shape.push_back(Int(d));
  auto owned = std::make_unique<HostArray>(IsFloat(b) ? HostArray::Floats(shape) : HostArray::Ints(shape));
  std::fill(owned->f.begin(), owned->f.end(), NAN);
  HostArray* array = owned.get();
  storage_[b->data.get()] = {array, std::move(owned)};
}

// ---- access checks ----

int64_t Interpreter::Offset(const Buffer& b, const std::vector<PrimExpr>& indices, bool is_store) {
  std::vector<int64_t> index;
  for (const PrimExpr& i : indices) index.push_back(Int(i));
  int64_t offset = Int(b->elem_offset), stride = 1;
  for (size_t d = index.size(); d-- > 0;) {
    int64_t extent = Int(b->shape[d]);
    KILN_CHECK(index[d] >= 0 && index[d] < extent)
        << "interp: " << (is_store ? "store to " : "load of ") << "buffer '" << b->name << "' at index " << index[d]
        << " of dimension " << d << ", whose extent is " << extent;
    offset += index[d] * (b->strides.empty() ? stride : Int(b->strides[d]));
    stride *= extent;
  }
  CheckRegion(b, index, is_store);
  return offset;
}

void Interpreter::CheckRegion(const Buffer& b, const std::vector<int64_t>& index, bool is_store) {
  if (blocks_.empty() || (blocks_.back()->reads.empty() && blocks_.back()->writes.empty())) return;
  const tir::BlockNode* block = blocks_.back();
  auto inside = [&](const tir::BufferRegion& r) {
    if (r.buffer.get() != b.get()) return false;
    for (size_t d = 0; d < index.size(); ++d) {
      int64_t min = Int(r.region[d].min);
      if (index[d] < min || index[d] >= min + Int(r.region[d].extent)) return false;
    }
    return true;
  };
  bool ok = false;
  for (const tir::BufferRegion& r : block->writes) ok |= inside(r);
  if (!is_store) {
    for (const tir::BufferRegion& r : block->reads) ok |= inside(r);
  }
  std::string at;
  for (int64_t i : index) at += (at.empty() ? "" : ", ") + std::to_string(i);
  KILN_CHECK(ok) << "interp: block '" << block->name << "' " << (is_store ? "stores to " : "loads ") << b->name << "["
                 << at << "] outside the regions it declares";
}

// ---- expressions ----

Value Interpreter::VisitExpr_(const tir::IntImmNode* op) {
  return {0, op->value};
}
Value Interpreter::VisitExpr_(const tir::FloatImmNode* op) {
  return {op->value, 0};
}
Value Interpreter::VisitExpr_(const tir::StringImmNode*) {
  KILN_THROW() << "interp: a string is not a value";
}
Value Interpreter::VisitExpr_(const tir::VarNode* op) {
  auto it = env_.find(op);
  KILN_CHECK(it != env_.end()) << "interp: variable '" << op->name << "' has no value";
  return it->second;
}
Value Interpreter::VisitExpr_(const tir::BinaryNode* op) {
  Value a = VisitExpr(op->a), b = VisitExpr(op->b);
  if (!op->a.dtype().is_float()) return IntValue(op->dtype, IntBinary(op->op, a.i, b.i));
  double r = FloatBinary(op->op, a.f, b.f);
  return tir::IsComparison(op->op) ? Value{0, r != 0} : FloatValue(op->dtype, r);
}
Value Interpreter::VisitExpr_(const tir::NotNode* op) {
  return {0, !VisitExpr(op->a).i};
}
Value Interpreter::VisitExpr_(const tir::CastNode* op) {
  Value v = VisitExpr(op->value);
  bool from_float = op->value.dtype().is_float();
  if (op->dtype.is_float()) return FloatValue(op->dtype, from_float ? v.f : static_cast<double>(v.i));
  if (op->dtype.is_bool()) return {0, from_float ? v.f != 0 : v.i != 0};
  return IntValue(op->dtype, from_float ? static_cast<int64_t>(v.f) : v.i);
}
Value Interpreter::VisitExpr_(const tir::SelectNode* op) {
  Value c = VisitExpr(op->condition), t = VisitExpr(op->true_value), f = VisitExpr(op->false_value);
  return c.i ? t : f;
}
Value Interpreter::VisitExpr_(const tir::BufferLoadNode* op) {
  int64_t offset = Offset(op->buffer, op->indices, false);
  auto it = storage_.find(op->buffer->data.get());
  KILN_CHECK(it != storage_.end()) << "interp: buffer '" << op->buffer->name << "' has no storage here";
  const HostArray& a = *it->second.array;
  return IsFloat(op->buffer) ? Value{a.f.at(offset), 0} : Value{0, a.i.at(offset)};
}
Value Interpreter::VisitExpr_(const tir::CallNode* op) {
  if (op->op == "if_then_else")
    return VisitExpr(op->args.at(0)).i ? VisitExpr(op->args.at(1)) : VisitExpr(op->args.at(2));
  if (op->op == "likely") return VisitExpr(op->args.at(0));
  KILN_CHECK(op->dtype.is_float()) << "interp: unsupported intrinsic '" << op->op << "' of dtype " << op->dtype;
  if (op->op == "pow") return FloatValue(op->dtype, std::pow(VisitExpr(op->args.at(0)).f, VisitExpr(op->args.at(1)).f));
  auto it = MathTable().find(op->op);
  KILN_CHECK(it != MathTable().end() && op->args.size() == 1) << "interp: unsupported intrinsic '" << op->op << "'";
  return FloatValue(op->dtype, it->second(VisitExpr(op->args[0]).f));
}
Value Interpreter::VisitExpr_(const tir::RampNode*) {
  KILN_THROW() << "interp: vector expressions (ramp) are not supported";
}
Value Interpreter::VisitExpr_(const tir::BroadcastNode*) {
  KILN_THROW() << "interp: vector expressions (broadcast) are not supported";
}
Value Interpreter::VisitExpr_(const tir::LetNode* op) {
  env_[op->var.get()] = VisitExpr(op->value);
  return VisitExpr(op->body);
}

// ---- statements ----

void Interpreter::VisitStmt_(const tir::BufferStoreNode* op) {
  int64_t offset = Offset(op->buffer, op->indices, true);
  Value v = VisitExpr(op->value);
  auto it = storage_.find(op->buffer->data.get());
  KILN_CHECK(it != storage_.end()) << "interp: buffer '" << op->buffer->name << "' has no storage here";
  HostArray& a = *it->second.array;
  if (IsFloat(op->buffer)) {
    a.f.at(offset) = FloatValue(op->buffer->dtype, v.f).f;
  } else {
    a.i.at(offset) = IntValue(op->buffer->dtype, v.i).i;
  }
}
void Interpreter::VisitStmt_(const tir::ForNode* op) {
  int64_t min = Int(op->min), extent = Int(op->extent);
  for (int64_t i = min; i < min + extent; ++i) {
    SetVar(op->loop_var, i);
    VisitStmt(op->body);
  }
}
void Interpreter::VisitStmt_(const tir::WhileNode* op) {
  while (Int(op->condition)) VisitStmt(op->body);
}
void Interpreter::VisitStmt_(const tir::SeqNode* op) {
  for (const Stmt& s : op->seq) VisitStmt(s);
}
void Interpreter::VisitStmt_(const tir::IfThenElseNode* op) {
  if (Int(op->condition)) {
    VisitStmt(op->then_case);
  } else if (op->else_case) {
    VisitStmt(op->else_case);
  }
}
void Interpreter::VisitStmt_(const tir::LetStmtNode* op) {
  env_[op->var.get()] = VisitExpr(op->value);
  VisitStmt(op->body);
}
void Interpreter::VisitStmt_(const tir::AllocateNode* op) {
  Allocate(op->buffer);
  VisitStmt(op->body);
  storage_.erase(op->buffer->data.get());
}
void Interpreter::VisitStmt_(const tir::DeclBufferNode* op) {
  VisitStmt(op->body);  // storage is found by the data variable, which the view shares
}
void Interpreter::VisitStmt_(const tir::EvaluateNode* op) {
  VisitExpr(op->value);
}
void Interpreter::VisitStmt_(const tir::BlockNode* op) {
  bool at_start = true;  // every reduce variable at its domain's min
  for (const tir::IterVar& iv : op->iter_vars) {
    int64_t v = Int(iv.binding), min = Int(iv.dom.min), extent = Int(iv.dom.extent);
    KILN_CHECK(v >= min && v < min + extent) << "interp: block '" << op->name << "' binds '" << iv.var.name() << "' to "
                                             << v << ", outside [" << min << ", " << min + extent << ")";
    SetVar(iv.var, v);
    at_start &= iv.kind == tir::IterKind::kSpatial || v == min;
  }
  if (op->predicate && !Int(op->predicate)) return;
  for (const Buffer& b : op->alloc_buffers) Allocate(b);
  blocks_.push_back(op);
  if (op->init && at_start) VisitStmt(op->init);
  VisitStmt(op->body);
  blocks_.pop_back();
  for (const Buffer& b : op->alloc_buffers) storage_.erase(b->data.get());
}
}  // namespace

void RunPrimFunc(const tir::PrimFunc& func, const std::vector<Arg>& args) {
  Interpreter interp;
  interp.Bind(func, args);
  interp.Run(func->body);
}

}  // namespace kiln::testing
