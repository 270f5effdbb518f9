// tir expressions: scalar and vector values of loop programs. Nodes are
// immutable plain structs; factories (IntImm, Add, BufferLoad, ...) check
// their inputs and raise kiln::Error on a user mistake such as mixed dtypes.
// `e.as<AddNode>()`-style downcasts go through the node's kind.
//
// Semantics, once for all of tir:
//  - Integer Div and Mod truncate toward zero (C); FloorDiv and FloorMod
//    round toward negative infinity (Python). Index arithmetic uses the floor
//    forms. Signed overflow is undefined, as in C.
//  - Float arithmetic is IEEE; the code generator may contract a*b+c into an
//    FMA (within IEEE rules) but reassociates only under fast-math.
//  - Comparisons and logical operators produce bool (with the operands'
//    lanes). And and Or evaluate both operands (no short circuit), as Select
//    evaluates both branches; if_then_else (a Call) evaluates only one.
//  - Shapes and indices are int64 unless a program says otherwise.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "kiln/ir/expr.h"
#include "kiln/runtime/data_type.h"

namespace kiln::tir {

using ir::Span;
using runtime::DataType;
using runtime::Ref;

// The one list of expression kinds; visitors and mutators are derived from it.
#define KILN_TIR_EXPR_KINDS(X) \
  X(IntImm)                    \
  X(FloatImm)                  \
  X(StringImm)                 \
  X(Var)                       \
  X(Binary)                    \
  X(Not)                       \
  X(Cast)                      \
  X(Select)                    \
  X(BufferLoad)                \
  X(Call)                      \
  X(Ramp)                      \
  X(Broadcast)                 \
  X(Let)

enum class ExprKind : uint8_t {
#define KILN_X(name) k##name,
  KILN_TIR_EXPR_KINDS(KILN_X)
#undef KILN_X
};

// Binary operators share one node kind; `op` tells them apart.
#define KILN_TIR_BINARY_OPS(X) \
  X(Add, "+")                  \
  X(Sub, "-")                  \
  X(Mul, "*")                  \
  X(Div, "/")                  \
  X(Mod, "%")                  \
  X(FloorDiv, "//")            \
  X(FloorMod, "%%")            \
  X(Min, "min")                \
  X(Max, "max")                \
  X(EQ, "==")                  \
  X(NE, "!=")                  \
  X(LT, "<")                   \
  X(LE, "<=")                  \
  X(GT, ">")                   \
  X(GE, ">=")                  \
  X(And, "&&")                 \
  X(Or, "||")

enum class BinaryOp : uint8_t {
#define KILN_X(name, sym) k##name,
  KILN_TIR_BINARY_OPS(KILN_X)
#undef KILN_X
};
const char* BinaryOpName(BinaryOp op);    // "Add"
const char* BinaryOpSymbol(BinaryOp op);  // "+"
bool IsComparison(BinaryOp op);           // EQ .. GE
bool IsLogical(BinaryOp op);              // And, Or

class PrimExprNode : public ir::BaseExprNode {
 public:
  KILN_OBJECT_TYPE(PrimExprNode, ir::BaseExprNode, "tir.PrimExpr")
  DataType dtype;
  ExprKind kind;

 protected:
  explicit PrimExprNode(ExprKind k) : kind(k) {}
};

class PrimExpr : public Ref<PrimExprNode> {
 public:
  PrimExpr() = default;
  PrimExpr(const Ref<PrimExprNode>& n) : Ref<PrimExprNode>(n) {}
  // Integer literals are int64 immediates; floating literals float32.
  PrimExpr(int64_t value);
  PrimExpr(int value) : PrimExpr(static_cast<int64_t>(value)) {}
  PrimExpr(double value);

  DataType dtype() const { return get()->dtype; }
  ExprKind kind() const { return get()->kind; }
  // The node as T when it is one, else nullptr.
  template <typename T>
  const T* as() const {
    return get() != nullptr && get()->kind == T::kKind ? static_cast<const T*>(get()) : nullptr;
  }
};

#define KILN_TIR_EXPR_NODE(Name, key)                  \
  KILN_OBJECT_TYPE(Name##Node, PrimExprNode, key)      \
  static constexpr ExprKind kKind = ExprKind::k##Name; \
  Name##Node() : PrimExprNode(kKind) {}

class IntImmNode : public PrimExprNode {
 public:
  KILN_TIR_EXPR_NODE(IntImm, "tir.IntImm")
  int64_t value = 0;
};
class FloatImmNode : public PrimExprNode {
 public:
  KILN_TIR_EXPR_NODE(FloatImm, "tir.FloatImm")
  double value = 0;
};
class StringImmNode : public PrimExprNode {
 public:
  KILN_TIR_EXPR_NODE(StringImm, "tir.StringImm")
  std::string value;
};

// A variable. Identity is the object: two Vars with one name are different
// variables. A size var is known to be non-negative (a dimension).
class VarNode : public PrimExprNode {
 public:
  KILN_TIR_EXPR_NODE(Var, "tir.Var")
  std::string name;
  bool is_size_var = false;
};
class Var : public PrimExpr {
 public:
  Var() = default;
  explicit Var(Ref<PrimExprNode> n);  // checks that n is a VarNode
  Var(std::string name, DataType dtype = DataType::Int(64), Span span = {});
  const VarNode* get() const { return static_cast<const VarNode*>(PrimExpr::get()); }
  const VarNode* operator->() const { return get(); }
  const std::string& name() const { return get()->name; }
};
Var SizeVar(std::string name, DataType dtype = DataType::Int(64), Span span = {});

class BinaryNode : public PrimExprNode {
 public:
  KILN_TIR_EXPR_NODE(Binary, "tir.Binary")
  BinaryOp op = BinaryOp::kAdd;
  PrimExpr a, b;
};
class NotNode : public PrimExprNode {
 public:
  KILN_TIR_EXPR_NODE(Not, "tir.Not")
  PrimExpr a;
};
class CastNode : public PrimExprNode {
 public:
  KILN_TIR_EXPR_NODE(Cast, "tir.Cast")
  PrimExpr value;
};
class SelectNode : public PrimExprNode {
 public:
  KILN_TIR_EXPR_NODE(Select, "tir.Select")
  PrimExpr condition, true_value, false_value;
};

// A memory region with a shape and an element dtype. `data` is the pointer
// variable (dtype handle) of its storage; several buffers may view one data.
// Strides empty means compact row-major. Scopes: "global", "shared", "local".
class BufferNode : public runtime::Object {
 public:
  KILN_OBJECT_TYPE(BufferNode, runtime::Object, "tir.Buffer")
  std::string name;
  Var data;
  DataType dtype;
  std::vector<PrimExpr> shape;
  std::vector<PrimExpr> strides;
  PrimExpr elem_offset;  // in elements
  std::string scope = "global";
  // Bytes of alignment the data is known to have. Buffers declared by users
  // (parameters) promise only element alignment, so NumPy and PyTorch arrays
  // pass without copies; storage Kiln allocates is 64-byte aligned.
  int64_t align = 1;
  Span span;
};
class Buffer : public Ref<BufferNode> {
 public:
  Buffer() = default;
  explicit Buffer(Ref<BufferNode> n) : Ref<BufferNode>(std::move(n)) {}
  const std::string& name() const { return get()->name; }
  DataType dtype() const { return get()->dtype; }
  const std::vector<PrimExpr>& shape() const { return get()->shape; }
  const std::string& scope() const { return get()->scope; }
};
// A new buffer with its own data variable; raises on a non-integer dimension.
Buffer DeclBuffer(std::string name, std::vector<PrimExpr> shape, DataType dtype = DataType::Float(32),
                  std::string scope = "global", std::vector<PrimExpr> strides = {}, PrimExpr elem_offset = {},
                  Span span = {});

class BufferLoadNode : public PrimExprNode {
 public:
  KILN_TIR_EXPR_NODE(BufferLoad, "tir.BufferLoad")
  Buffer buffer;
  std::vector<PrimExpr> indices;
};

// A call of an intrinsic by name: math ("exp", "sqrt", "tanh", "erf", "pow",
// "fabs", "floor", "ceil", "round", "log", "sigmoid"), control
// ("if_then_else", "likely"), "reinterpret", or an external C function
// ("call_extern" with the symbol as first argument).
class CallNode : public PrimExprNode {
 public:
  KILN_TIR_EXPR_NODE(Call, "tir.Call")
  std::string op;
  std::vector<PrimExpr> args;
};
// A vector of `lanes` values base, base + stride, ...
class RampNode : public PrimExprNode {
 public:
  KILN_TIR_EXPR_NODE(Ramp, "tir.Ramp")
  PrimExpr base, stride;
  int lanes = 1;
};
class BroadcastNode : public PrimExprNode {
 public:
  KILN_TIR_EXPR_NODE(Broadcast, "tir.Broadcast")
  PrimExpr value;
  int lanes = 1;
};
class LetNode : public PrimExprNode {
 public:
  KILN_TIR_EXPR_NODE(Let, "tir.Let")
  Var var;
  PrimExpr value, body;
};

// Factories. Each checks dtypes and raises kiln::Error naming the operator.
PrimExpr IntImm(DataType dtype, int64_t value, Span span = {});
PrimExpr FloatImm(DataType dtype, double value, Span span = {});
PrimExpr StringImm(std::string value, Span span = {});
PrimExpr Bool(bool value, Span span = {});
// Exactly the node (no folding): the printer and parser round-trip through it.
PrimExpr Binary(BinaryOp op, PrimExpr a, PrimExpr b, Span span = {});
PrimExpr Not(PrimExpr a, Span span = {});
PrimExpr Cast(DataType dtype, PrimExpr value, Span span = {});
PrimExpr Select(PrimExpr condition, PrimExpr true_value, PrimExpr false_value, Span span = {});
PrimExpr BufferLoad(Buffer buffer, std::vector<PrimExpr> indices, Span span = {});
PrimExpr Call(DataType dtype, std::string op, std::vector<PrimExpr> args, Span span = {});
PrimExpr Ramp(PrimExpr base, PrimExpr stride, int lanes, Span span = {});
PrimExpr Broadcast(PrimExpr value, int lanes, Span span = {});
PrimExpr Let(Var var, PrimExpr value, PrimExpr body, Span span = {});

// A constant of `dtype` (int, uint, float or bool) with value v.
PrimExpr MakeConst(DataType dtype, double v);
// A pointer to the value of an integer immediate, or nullptr. The pointer
// lives as long as the node: calling this on a temporary would dangle, so
// that overload is deleted (bind the expression to a variable first).
const int64_t* AsConstInt(const PrimExpr& e);
const int64_t* AsConstInt(PrimExpr&& e) = delete;
// The value itself (safe on temporaries).
std::optional<int64_t> ConstIntValue(const PrimExpr& e);

// Arithmetic with light constant folding (int immediates fold; x + 0 is x),
// for code that builds expressions, e.g. legalizations written with te.
// Operands of different widths are an error: cast explicitly.
PrimExpr operator+(PrimExpr a, PrimExpr b);
PrimExpr operator-(PrimExpr a, PrimExpr b);
PrimExpr operator*(PrimExpr a, PrimExpr b);
PrimExpr operator-(PrimExpr a);
PrimExpr operator/(PrimExpr a, PrimExpr b);  // truncating for ints
PrimExpr operator%(PrimExpr a, PrimExpr b);
PrimExpr operator==(PrimExpr a, PrimExpr b);
PrimExpr operator!=(PrimExpr a, PrimExpr b);
PrimExpr operator<(PrimExpr a, PrimExpr b);
PrimExpr operator<=(PrimExpr a, PrimExpr b);
PrimExpr operator>(PrimExpr a, PrimExpr b);
PrimExpr operator>=(PrimExpr a, PrimExpr b);
// Named, not &&, || and !: those stay the truth tests of a handle.
PrimExpr logical_and(PrimExpr a, PrimExpr b);
PrimExpr logical_or(PrimExpr a, PrimExpr b);
PrimExpr logical_not(PrimExpr a);
PrimExpr floordiv(PrimExpr a, PrimExpr b);
PrimExpr floormod(PrimExpr a, PrimExpr b);
PrimExpr min(PrimExpr a, PrimExpr b);
PrimExpr max(PrimExpr a, PrimExpr b);

// A half-open range [min, min + extent).
struct Range {
  PrimExpr min, extent;
};

}  // namespace kiln::tir
