// Modules: `module { attrs {...}  func ... prim ... meta {...} }`, the meta
// section of large constants, and the public entry points of
// kiln/text/parser.h.
#include "array_text.h"
#include "kiln/text/parser.h"
#include "parser_impl.h"
#include "syntax.h"

namespace kiln::text {

ir::IRModule Parser::Module() {
  SkipNewlines();
  Expect("module", "at the start of the text");
  const Token& open = Expect("{", "after module");
  std::optional<size_t> meta_at = ScanModule();
  size_t meta_end = 0;
  if (meta_at) {
    size_t saved = pos_;
    pos_ = *meta_at;
    MetaSection();
    meta_end = pos_;
    pos_ = saved;
  }
  SkipNewlines();
  ir::Attrs attrs;
  if (Accept("attrs")) {
    attrs = AttrDict();
    EndStatement();
  }
  std::vector<std::pair<ir::GlobalVar, ir::BaseFunc>> functions;
  while (true) {
    SkipNewlines();
    if (Check("}") || Peek().kind == TokenKind::kEnd) break;
    if (meta_at && pos_ == *meta_at) {
      pos_ = meta_end;
      continue;
    }
    bool is_pure = !Accept("impure");
    const Token& kind = Next();
    if (!kind.Is("func") && !kind.Is("prim")) Fail(kind, "expected func, prim or meta, got " + Describe(kind));
    if (!is_pure && kind.Is("prim")) Fail(kind, "'impure' goes with relax functions (func)");
    const Token& name = ExpectKind(TokenKind::kGlobal, "the function's name (@name)");
    auto gv = globals_.find(name.text);
    if (gv == globals_.end()) Fail(name, "malformed function @" + name.text);
    ir::BaseFunc func =
        kind.Is("prim") ? ir::BaseFunc(PrimFunc(kind)) : ir::BaseFunc(RelaxFunction(kind, is_pure, true));
    gv->second->struct_info = func->struct_info;
    functions.emplace_back(gv->second, func);
    EndStatement();
  }
  ExpectClose(open, "}");
  ExpectEnd();
  return Build(open, [&] { return ir::IRModule(functions, attrs); });
}

std::optional<size_t> Parser::ScanModule() {
  std::optional<size_t> meta;
  int depth = 0;
  for (size_t i = pos_; i + 1 < tokens_.size() && depth >= 0; ++i) {
    const Token& t = tokens_[i];
    const Token& next = tokens_[i + 1];
    if (depth == 0 && (t.Is("func") || t.Is("prim")) && next.kind == TokenKind::kGlobal) {
      if (globals_.count(next.text)) Fail(next, "function @" + next.text + " is defined twice");
      globals_.emplace(next.text, ir::MakeGlobalVar(next.text, next.span));
    }
    if (depth == 0 && t.Is("meta") && next.Is("{")) {
      if (meta) Fail(t, "a module has one meta section");
      meta = i;
    }
    if (t.Is("(") || t.Is("[") || t.Is("{")) ++depth;
    if (t.Is(")") || t.Is("]") || t.Is("}")) --depth;
  }
  return meta;
}

void Parser::MetaSection() {
  Next();
  const Token& open = Expect("{", "after meta");
  while (true) {
    SkipNewlines();
    if (Check("}") || Peek().kind == TokenKind::kEnd) break;
    const Token& index = Peek();
    if (ExpectInt("the number of a meta entry") != static_cast<int64_t>(meta_.size())) {
      Fail(index, "meta entries are numbered 0, 1, 2, ... in order; expected " + std::to_string(meta_.size()));
    }
    Expect("=", "after the entry's number");
    Expect("array", "(a meta entry is array((shape), dtype, \"base64\"))");
    const Token& paren = Expect("(", "after array");
    const Token& shape_open = Expect("(", "to open the array's shape");
    std::vector<int64_t> shape;
    while (!Check(")")) {
      shape.push_back(ExpectInt("a dimension"));
      if (!Accept(",")) break;
    }
    ExpectClose(shape_open, ")");
    Expect(",", "after the shape");
    DataType dtype = DType("of the array");
    Expect(",", "after the dtype");
    const Token& first = ExpectKind(TokenKind::kString, "the array's bytes in base64");
    std::string data = first.text;
    while (Peek().kind == TokenKind::kString) data += Next().text;
    ExpectClose(paren, ")");
    EndStatement();
    std::string error;
    runtime::NDArray array = Build(first, [&] { return ArrayFromBase64(shape, dtype, data, &error); });
    if (!array.defined()) Fail(first, "meta[" + index.text + "]: " + error);
    meta_.push_back(array);
  }
  ExpectClose(open, "}");
}

tir::PrimExpr Parser::OnlyPrimExpr(const std::vector<tir::Var>& free_vars) {
  for (const tir::Var& v : free_vars) frames_[0][v.name()] = {v, {}, {}};
  SkipNewlines();
  tir::PrimExpr e = PrimExpr();
  ExpectEnd();
  return e;
}

relax::Expr Parser::OnlyRelaxExpr(const std::vector<relax::Var>& free_vars, const std::vector<tir::Var>& free_dims) {
  for (const tir::Var& v : free_dims) frames_[0][v.name()] = {v, {}, {}};
  for (const relax::Var& v : free_vars) frames_[0][v.name()] = {{}, {}, v};
  SkipNewlines();
  relax::Expr e = RelaxExpr();
  ExpectEnd();
  return e;
}

ir::StructInfo Parser::OnlyStructInfo() {
  SkipNewlines();
  ir::StructInfo s = StructInfo();
  ExpectEnd();
  return s;
}

ir::IRModule Parse(const std::string& text, const std::string& source_name) {
  return Parser(text, source_name).Module();
}

tir::PrimExpr ParsePrimExpr(const std::string& text, const std::vector<tir::Var>& free_vars,
                            const std::string& source_name) {
  return Parser(text, source_name).OnlyPrimExpr(free_vars);
}

relax::Expr ParseRelaxExpr(const std::string& text, const std::vector<relax::Var>& free_vars,
                           const std::vector<tir::Var>& free_dims, const std::string& source_name) {
  return Parser(text, source_name).OnlyRelaxExpr(free_vars, free_dims);
}

ir::StructInfo ParseStructInfo(const std::string& text, const std::string& source_name) {
  return Parser(text, source_name).OnlyStructInfo();
}

}  // namespace kiln::text
