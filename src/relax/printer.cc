// relax expressions, bindings and functions in the text format. Calls name
// ops by their short name with attributes as keywords; every binding shows
// its struct info; dataflow blocks mark the variables that leave them with
// `output`.
#include "kiln/relax/printer.h"

#include "../text/array_text.h"
#include "../text/relax_printer.h"
#include "../text/syntax.h"
#include "kiln/relax/functor.h"
#include "kiln/relax/op.h"
#include "kiln/tir/function.h"
#include "kiln/tir/structural_equal.h"

namespace kiln::relax {

using text::Indent;

namespace {
// True for an op attribute at its declared default: the parser completes
// attributes with their defaults, so these need not print.
bool IsDefaultAttr(const Expr& callee, const std::string& key, const runtime::Any& value) {
  const OpNode* op = callee.as<OpNode>();
  const OpAttrSpec* spec = op ? op->FindAttr(key) : nullptr;
  return spec && tir::StructuralComparator(false).EqualAny(value, spec->default_value);
}
}  // namespace

std::string OpTextName(const std::string& op_name) {
  const std::string prefix = "relax.";
  if (op_name.rfind(prefix, 0) == 0) {
    std::string short_name = op_name.substr(prefix.size());
    if (text::IsIdentifier(short_name) && !text::IsRelaxExprWord(short_name)) return short_name;
  }
  return op_name;
}

namespace {
// One case per node kind (from the kind list in relax/functor.h); `indent`
// is the level of the line the expression starts on.
class ExprDoc : public ExprFunctor<std::string(const Expr&, int)> {
 public:
  ExprDoc(const TextPrinter* p, text::PrintContext* ctx, const tir::TextPrinter* tir) : p_(p), ctx_(ctx), tir_(tir) {}

 protected:
  std::string VisitExpr_(const VarNode* op, int) override {
    const std::string* name = ctx_->names.Find(op);
    return name ? *name : ctx_->names.Assign(op, op->name);
  }
  std::string VisitExpr_(const ConstantNode* op, int) override {
    if (!text::PrintsInline(op->data)) return "meta[" + std::to_string(ctx_->MetaIndex(op->data)) + "]";
    return "const(" + text::InlineArrayText(op->data) + ", " + op->data.dtype().str() + ")";
  }
  std::string VisitExpr_(const TupleNode* op, int indent) override {
    std::string out;
    for (const Expr& f : op->fields) out += (out.empty() ? "" : ", ") + p_->Expr(f, indent);
    return "(" + out + (op->fields.size() == 1 ? ",)" : ")");
  }
  std::string VisitExpr_(const TupleGetItemNode* op, int indent) override {
    return p_->Expr(op->tuple, indent) + "[" + std::to_string(op->index) + "]";
  }
  std::string VisitExpr_(const ShapeExprNode* op, int) override {
    std::string out;
    for (const tir::PrimExpr& v : op->values) out += (out.empty() ? "" : ", ") + tir_->Expr(v);
    return "shape(" + out + ")";
  }
  std::string VisitExpr_(const PrimValueNode* op, int) override { return "prim(" + tir_->Expr(op->value) + ")"; }
  std::string VisitExpr_(const StringImmNode* op, int) override { return text::Quote(op->value); }
  std::string VisitExpr_(const ExternFuncNode* op, int) override {
    return "extern(" + text::Quote(op->global_symbol) + ")";
  }
  std::string VisitExpr_(const CallNode* op, int indent) override { return p_->Call(op, indent); }
  std::string VisitExpr_(const IfNode* op, int indent) override { return p_->If(op, indent); }
  std::string VisitExpr_(const SeqExprNode* op, int indent) override {
    std::string blocks = p_->Blocks(op->blocks, indent + 1);
    return "{\n" + blocks + Indent(indent + 1) + p_->Expr(op->body, indent + 1) + "\n" + Indent(indent) + "}";
  }
  std::string VisitExpr_(const FunctionNode* op, int indent) override {
    return p_->Function(runtime::GetRef(op), "", indent);
  }
  std::string VisitExpr_(const OpNode* op, int) override { return OpTextName(op->name); }
  std::string VisitExpr_(const GlobalVarNode* op, int) override { return tir::GlobalName(op->name); }

 private:
  const TextPrinter* p_;
  text::PrintContext* ctx_;
  const tir::TextPrinter* tir_;
};
}  // namespace

std::string TextPrinter::Expr(const relax::Expr& expr, int indent) const {
  if (!expr) return "None";
  KILN_CHECK(!expr.as<tir::PrimFuncNode>()) << "a tir function has no text form inside a relax expression";
  return ExprDoc(this, ctx_, &tir_).VisitExpr(expr, indent);
}

std::string TextPrinter::Call(const CallNode* call, int indent) const {
  std::string callee = Expr(call->op, indent), out;
  for (const relax::Expr& a : call->args) out += (out.empty() ? "" : ", ") + Expr(a, indent);
  for (const auto& [key, value] : call->attrs.items()) {
    if (IsDefaultAttr(call->op, key, value)) continue;
    KILN_CHECK(text::IsIdentifier(key)) << "call attribute name \"" << key << "\" is not an identifier";
    out += (out.empty() ? "" : ", ") + key + "=" + tir_.AttrValue(value);
  }
  if (!call->sinfo_args.empty()) {
    std::string list;
    for (const ir::StructInfo& s : call->sinfo_args) list += (list.empty() ? "" : ", ") + StructInfo(s);
    out += (out.empty() ? "" : ", ") + std::string("sinfo_args=[") + list + "]";
  }
  return callee + "(" + out + ")";
}

std::string TextPrinter::If(const IfNode* op, int indent) const {
  std::string out = "if " + Expr(op->condition, indent) + " {\n";
  out += Body(op->true_branch, "", indent + 1) + Indent(indent) + "} else {\n";
  return out + Body(op->false_branch, "", indent + 1) + Indent(indent) + "}";
}

std::string TextPrinter::Body(const relax::Expr& body, const std::string& final_word, int indent) const {
  const SeqExprNode* seq = body.as<SeqExprNode>();
  // With no bindings the braces hold the result alone; a sequence without
  // blocks then prints as a nested `{ ... }` so that it stays one.
  bool inline_seq = seq && !seq->blocks.empty();
  std::string out = inline_seq ? Blocks(seq->blocks, indent) : "";
  const relax::Expr& result = inline_seq ? seq->body : body;
  return out + Indent(indent) + final_word + Expr(result, indent) + "\n";
}

std::string TextPrinter::Blocks(const std::vector<BindingBlock>& blocks, int indent) const {
  std::string out;
  bool prev_flat = false;
  for (const BindingBlock& block : blocks) {
    // Plain blocks print flat unless that would merge them with the one
    // before or lose an empty one.
    bool flat = !block.is_dataflow && !block.bindings.empty() && !prev_flat;
    int inner = flat ? indent : indent + 1;
    if (!flat) out += Indent(indent) + (block.is_dataflow ? "with dataflow {\n" : "with block {\n");
    for (const relax::Binding& b : block.bindings) out += Binding(b, block.is_dataflow, inner);
    if (!flat) out += Indent(indent) + "}\n";
    prev_flat = flat;
  }
  return out;
}

std::string TextPrinter::Binding(const relax::Binding& b, bool in_dataflow, int indent) const {
  // The annotation comes first in the text, so it is printed first: a size
  // var it mentions is defined there.
  std::string sinfo = b.var.struct_info() ? ": " + StructInfo(b.var.struct_info()) : "";
  std::string value = Expr(b.value, indent);
  if (b.match_cast) value = "match_cast(" + value + ", " + StructInfo(b.match_cast) + ")";
  std::string name = ctx_->names.Assign(b.var.get(), b.var.name());
  bool output = in_dataflow && !b.var->is_dataflow;
  return Indent(indent) + (output ? "output " : "") + name + sinfo + " = " + value + "\n";
}

std::string TextPrinter::Function(const relax::Function& func, const std::string& name, int indent) const {
  bool top_level = !name.empty();
  if (top_level) ctx_->StartFunction();
  std::string params;
  for (const Var& p : func->params) {
    std::string sinfo = StructInfo(p.struct_info());
    params += (params.empty() ? "" : ", ") + ctx_->names.Assign(p.get(), p.name()) + ": " + sinfo;
  }
  std::string ret = StructInfo(func->ret_struct_info);
  std::string body;
  if (!func->attrs.empty()) body += Indent(indent + 1) + "attrs " + tir_.AttrDict(func->attrs) + "\n";
  body += Body(func->body, "return ", indent + 1);
  std::string head = std::string(func->is_pure ? "" : "impure ") + "func";
  if (top_level) head += " " + tir::GlobalName(name) + tir_.DeclList();
  std::string text = head + "(" + params + ") -> " + ret + " {\n" + body + Indent(indent) + "}";
  return top_level ? Indent(indent) + text + "\n" : text;
}

std::string ToText(const relax::Expr& expr) {
  text::PrintContext ctx;
  return TextPrinter(&ctx).Expr(expr, 0);
}

}  // namespace kiln::relax
