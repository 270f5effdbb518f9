// tir expressions and attribute values in the text format, and the public
// tir::ToText entry points. Operators print infix with the fewest parentheses
// that keep the tree; literals carry a dtype suffix unless int64 or float32.
#include "kiln/tir/printer.h"

#include "../text/array_text.h"
#include "../text/syntax.h"
#include "../text/tir_printer.h"
#include "kiln/ir/module.h"
#include "kiln/runtime/module.h"
#include "kiln/tir/functor.h"

namespace kiln::tir {
namespace {

// Binding strength, loosest first; every operator is left-associative.
// Parts are printed in text order (names are given at first print), never
// inside one `a + b` whose operands C++ may evaluate in either order.
enum Prec : int { kLet, kOr, kAnd, kCompare, kAdd, kMul, kUnary, kPrimary };

int PrecOf(BinaryOp op) {
  switch (op) {
    case BinaryOp::kOr: return kOr;
    case BinaryOp::kAnd: return kAnd;
    case BinaryOp::kAdd:
    case BinaryOp::kSub: return kAdd;
    case BinaryOp::kMul:
    case BinaryOp::kDiv:
    case BinaryOp::kMod:
    case BinaryOp::kFloorDiv:
    case BinaryOp::kFloorMod: return kMul;
    case BinaryOp::kMin:
    case BinaryOp::kMax: return kPrimary;
    default: return kCompare;
  }
}

struct Doc {
  std::string text;
  int prec = kPrimary;
};

class ExprDoc : public ExprFunctor<Doc(const PrimExpr&)> {
 public:
  explicit ExprDoc(const TextPrinter* printer) : p_(printer) {}

  std::string Operand(const PrimExpr& e, int min_prec) {
    Doc d = VisitExpr(e);
    return d.prec < min_prec ? "(" + d.text + ")" : d.text;
  }

 protected:
  Doc VisitExpr_(const IntImmNode* op) override {
    if (op->dtype.is_bool()) return {op->value ? "True" : "False"};
    return {std::to_string(op->value) + text::LiteralSuffix(op->dtype).value_or("")};
  }
  Doc VisitExpr_(const FloatImmNode* op) override {
    return {text::FormatFloat(op->value) + text::LiteralSuffix(op->dtype).value_or("")};
  }
  Doc VisitExpr_(const StringImmNode* op) override { return {text::Quote(op->value)}; }
  Doc VisitExpr_(const VarNode* op) override { return {p_->Use(Var(Ref<PrimExprNode>(runtime::GetRef(op))))}; }
  Doc VisitExpr_(const BinaryNode* op) override {
    if (op->op == BinaryOp::kMin || op->op == BinaryOp::kMax) {
      return {std::string(op->op == BinaryOp::kMin ? "min(" : "max(") + Args({op->a, op->b}) + ")"};
    }
    int prec = PrecOf(op->op);
    std::string a = Operand(op->a, prec);
    return {a + " " + BinaryOpSymbol(op->op) + " " + Operand(op->b, prec + 1), prec};
  }
  Doc VisitExpr_(const NotNode* op) override { return {"!" + Operand(op->a, kUnary), kUnary}; }
  Doc VisitExpr_(const CastNode* op) override { return {op->dtype.str() + "(" + p_->Expr(op->value) + ")"}; }
  Doc VisitExpr_(const SelectNode* op) override {
    return {"select(" + Args({op->condition, op->true_value, op->false_value}) + ")"};
  }
  Doc VisitExpr_(const BufferLoadNode* op) override {
    std::string buffer = p_->BufferName(op->buffer);
    return {buffer + "[" + Args(op->indices) + "]"};
  }
  Doc VisitExpr_(const CallNode* op) override {
    bool plain = text::IsIdentifier(op->op, true) && !text::IsReservedWord(op->op);
    std::string args = plain ? Args(op->args) : text::Quote(op->op) + (op->args.empty() ? "" : ", " + Args(op->args));
    // The dtype is the last argument's unless stated.
    if (op->args.empty() || op->args.back().dtype() != op->dtype) {
      args += std::string(args.empty() ? "" : ", ") + "dtype=" + op->dtype.str();
    }
    return {(plain ? op->op : "call") + "(" + args + ")"};
  }
  Doc VisitExpr_(const RampNode* op) override {
    return {"ramp(" + Args({op->base, op->stride}) + ", " + std::to_string(op->lanes) + ")"};
  }
  Doc VisitExpr_(const BroadcastNode* op) override {
    return {"broadcast(" + p_->Expr(op->value) + ", " + std::to_string(op->lanes) + ")"};
  }
  Doc VisitExpr_(const LetNode* op) override {
    std::string var = p_->Define(op->var, op->value.dtype());
    std::string value = p_->Expr(op->value);
    return {"let " + var + " = " + value + " in " + p_->Expr(op->body), kLet};
  }

 private:
  std::string Args(const std::vector<PrimExpr>& args) {
    std::string out;
    for (const PrimExpr& a : args) out += (out.empty() ? "" : ", ") + p_->Expr(a);
    return out;
  }

  const TextPrinter* p_;
};

}  // namespace

std::string TextPrinter::Expr(const PrimExpr& expr) const {
  if (!expr) return "None";
  return ExprDoc(this).Operand(expr, kLet);
}

std::string TextPrinter::Tuple(const std::vector<PrimExpr>& values) const {
  std::string out = "(";
  for (size_t i = 0; i < values.size(); ++i) out += (i ? ", " : "") + Expr(values[i]);
  return out + (values.size() == 1 ? ",)" : ")");
}

std::string TextPrinter::Use(const Var& var) const {
  if (const std::string* name = ctx_->names.Find(var.get())) return *name;
  auto owner = ctx_->data_owner.find(var.get());
  if (owner != ctx_->data_owner.end()) return BufferName(Buffer(runtime::GetRef(owner->second))) + ".data";
  bool implicit = ctx_->in_decl && var->is_size_var && var.dtype() == DataType::Int(64);
  if (!implicit) ctx_->declared.push_back(var);
  return ctx_->names.Assign(var.get(), var.name());
}

std::string TextPrinter::Define(const Var& var, DataType default_dtype) const {
  const std::string& name = ctx_->names.Assign(var.get(), var.name());
  bool plain_default = !var->is_size_var && var.dtype() == default_dtype;
  return plain_default ? name : name + ": " + VarType(var);
}

std::string TextPrinter::VarType(const Var& var) const {
  return var->is_size_var ? "SizeVar(" + var.dtype().str() + ")" : var.dtype().str();
}

std::string TextPrinter::DeclList() const {
  if (ctx_->declared.empty()) return "";
  std::string out = "[";
  for (size_t i = 0; i < ctx_->declared.size(); ++i) {
    const Var& v = ctx_->declared[i];
    out += (i ? ", " : "") + *ctx_->names.Find(v.get()) + ": " + VarType(v);
  }
  return out + "]";
}

std::string TextPrinter::AttrDict(const ir::Attrs& attrs) const {
  std::string out = "{";
  for (const auto& [key, value] : attrs.items()) {
    out += (out.size() > 1 ? ", " : "") + text::Quote(key) + ": " + AttrValue(value);
  }
  return out + "}";
}

std::string TextPrinter::AttrValue(const runtime::Any& value) const {
  using K = runtime::Any::Kind;
  switch (value.kind()) {
    case K::kNone: return "None";
    case K::kInt: return std::to_string(value.AsInt());
    case K::kFloat: return text::FormatFloat(value.AsFloat());
    case K::kBool: return value.AsInt() ? "True" : "False";
    case K::kDataType: return value.AsDataType().str();
    case K::kDevice: return "device(" + text::Quote(value.AsDevice().str()) + ")";
    case K::kObject: break;
  }
  const runtime::ObjectRef& obj = value.AsObject();
  if (auto s = obj.As<runtime::StrObj>()) return text::Quote(s->value);
  if (auto shape = obj.As<runtime::ShapeObj>()) {
    std::string out;
    for (int64_t d : shape->dims) out += (out.empty() ? "" : ", ") + std::to_string(d);
    return "shape(" + out + ")";
  }
  if (auto list = obj.As<runtime::ArrayObj>()) {
    std::string out;
    for (const runtime::Any& item : list->items) out += (out.empty() ? "" : ", ") + AttrValue(item);
    return "[" + out + "]";
  }
  if (auto array = obj.As<runtime::NDArrayObj>()) {
    return "meta[" + std::to_string(ctx_->MetaIndex(runtime::NDArray(array))) + "]";
  }
  if (auto expr = obj.As<PrimExprNode>()) return "tir(" + Expr(PrimExpr(expr)) + ")";
  // Compiled code (RunCodegen's "external_mods") prints as what it is; it
  // has no text to parse back, as a compiled object file would not.
  if (auto m = obj.As<runtime::ModuleObj>()) return "runtime_module(" + text::Quote(m->kind()) + ")";
  auto gv = obj.As<ir::GlobalVarNode>();
  KILN_CHECK(gv) << "an attribute value of type " << value.TypeName() << " has no text form";
  return GlobalName(gv->name);
}

std::string GlobalName(const std::string& name) {
  return "@" + (text::IsIdentifier(name, true) ? name : text::Quote(name));
}

std::string ToText(const PrimExpr& expr) {
  text::PrintContext ctx;
  return TextPrinter(&ctx).Expr(expr);
}

std::string ToText(const Stmt& stmt) {
  text::PrintContext ctx;
  std::string out;
  TextPrinter(&ctx).Body(stmt, 0, &out);
  return out;
}

std::string ToText(const PrimFunc& func, const std::string& name) {
  text::PrintContext ctx;
  return TextPrinter(&ctx).PrimFunc(func, name, 0);
}

}  // namespace kiln::tir
