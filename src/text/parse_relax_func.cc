// relax bodies and functions: bindings `name: struct info = value` (with
// match_cast), flat binding blocks, `with dataflow { ... }` and `with block
// { ... }`, the result (after `return` in a function), and functions with
// their parameters, return struct info and attributes.
#include "kiln/relax/struct_info_analysis.h"
#include "kiln/relax/struct_info.h"
#include "parser_impl.h"
#include "syntax.h"

namespace kiln::text {

Parser::SeqParts Parser::SeqBody(bool is_function) {
  Nest nest(this);
  Frame frame(this);
  SeqParts parts;
  bool flat = false;  // the last block is a plain one that takes more bindings
  while (true) {
    SkipNewlines();
    if (Check("with")) {
      parts.blocks.push_back(WithBlock());
      flat = false;
    } else if (AtBinding()) {
      if (!flat) parts.blocks.emplace_back();
      flat = true;
      parts.blocks.back().bindings.push_back(BindingLine(false));
    } else {
      break;
    }
  }
  if (is_function) Expect("return", "to end the function (return <value>)");
  parts.result = RelaxExpr();
  return parts;
}

relax::Expr Parser::SeqOf(const SeqParts& parts, const Token& at) {
  relax::Expr seq = Build(at, [&] { return relax::MakeSeqExpr(parts.blocks, parts.result, at.span); });
  seq->struct_info = parts.result.struct_info();
  return seq;
}

relax::Expr Parser::BodyExpr(const SeqParts& parts, const Token& at) {
  return parts.blocks.empty() ? parts.result : SeqOf(parts, at);
}

relax::Expr Parser::NestedSeq(const Token& open) {
  SeqParts parts = SeqBody(false);
  ExpectClose(open, "}");
  return SeqOf(parts, open);
}

bool Parser::AtBinding() const {
  const Token& t = Peek();
  if (t.kind != TokenKind::kIdent) return false;
  if (t.Is("output") && Peek(1).kind == TokenKind::kIdent) return true;
  return Peek(1).Is(":") || Peek(1).Is("=");
}

relax::BindingBlock Parser::WithBlock() {
  Next();
  const Token& kind = Next();
  if (!kind.Is("dataflow") && !kind.Is("block"))
    Fail(kind, "expected 'dataflow' or 'block' after with, got " + Describe(kind));
  const Token& open = Expect("{", "to open the block");
  Nest nest(this);
  relax::BindingBlock block;
  block.is_dataflow = kind.Is("dataflow");
  while (true) {
    SkipNewlines();
    if (Check("}") || Peek().kind == TokenKind::kEnd) break;
    if (!AtBinding()) Fail(Peek(), "expected a binding (name: struct info = value), got " + Describe(Peek()));
    block.bindings.push_back(BindingLine(block.is_dataflow));
  }
  ExpectClose(open, "}");
  EndStatement();
  // Dataflow variables are not visible after their block.
  for (const relax::Binding& b : block.bindings) {
    if (b.var->is_dataflow) Undefine(b.var.name());
  }
  return block;
}

relax::Binding Parser::BindingLine(bool in_dataflow) {
  bool output = false;
  if (Check("output") && Peek(1).kind == TokenKind::kIdent) {
    const Token& marker = Next();
    if (!in_dataflow) Fail(marker, "'output' marks a variable that leaves a dataflow block; this is not in one");
    output = true;
  }
  const Token& name = ExpectName("a variable");
  ir::StructInfo sinfo;
  if (Accept(":")) sinfo = StructInfo();
  Expect("=", "after the variable");
  relax::Binding b;
  if (Check("match_cast")) {
    Next();
    const Token& open = Expect("(", "after match_cast");
    b.value = RelaxExpr();
    Expect(",", "between the value and the struct info of match_cast");
    b.match_cast = StructInfo();
    ExpectClose(open, ")");
  } else {
    b.value = RelaxExpr();
  }
  EndStatement();
  if (!sinfo) sinfo = b.match_cast ? b.match_cast : InferBinding(b.value, name);
  bool dataflow = in_dataflow && !output;
  b.var = dataflow ? relax::MakeDataflowVar(name.text, sinfo, name.span) : relax::MakeVar(name.text, sinfo, name.span);
  Define(name, {{}, {}, b.var});
  return b;
}

ir::StructInfo Parser::InferBinding(const relax::Expr& value, const Token& name) const {
  if (value.struct_info()) return value.struct_info();
  const relax::CallNode* call = value.as<relax::CallNode>();
  if (call && call->op.as<ir::GlobalVarNode>()) {
    if (auto f = call->op.struct_info().As<relax::FuncStructInfoNode>()) return relax::CallReturnSInfo(f.get(), call->args);
  }
  Fail(name, "cannot infer the struct info of '" + name.text + "'; annotate it (" + name.text + ": Tensor(...) = ...)");
}

relax::Function Parser::RelaxFunction(const Token& at, bool is_pure, bool top_level) {
  std::unique_ptr<FunctionFrame> function_scope;
  std::unique_ptr<Frame> nested_scope;
  if (top_level) {
    function_scope = std::make_unique<FunctionFrame>(this);
    if (Check("[")) DeclList();
  } else {
    nested_scope = std::make_unique<Frame>(this);
  }
  const Token& open = Expect("(", "to open the parameters");
  std::vector<relax::Var> params;
  while (!Check(")")) {
    const Token& name = ExpectName("a parameter");
    Expect(":", "after the parameter (parameters need struct info)");
    ir::StructInfo sinfo = StructInfo();
    params.push_back(relax::MakeVar(name.text, sinfo, name.span));
    Define(name, {{}, {}, params.back()});
    if (!Accept(",")) break;
  }
  ExpectClose(open, ")");
  ir::StructInfo ret;
  if (Accept("->")) ret = StructInfo();
  const Token& body_open = Expect("{", "to open the function's body");
  SkipNewlines();
  ir::Attrs attrs;
  if (Accept("attrs")) {
    attrs = AttrDict();
    EndStatement();
  }
  relax::Expr body = BodyExpr(SeqBody(true), body_open);
  ExpectClose(body_open, "}");
  return Build(at, [&] { return relax::MakeFunction(params, body, ret, is_pure, attrs, at.span); });
}

}  // namespace kiln::text
