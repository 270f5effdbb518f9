// Buffer declarations and PrimFuncs: prim @name[decls](A: Buffer(...), n: int64) { ... }.
// Scalar parameters are visible in the whole signature, so a buffer's shape
// may name one that comes later.
#include <algorithm>

#include "parser_impl.h"
#include "syntax.h"

namespace kiln::text {
namespace {

// A copy of `b` with another data variable or alignment.
tir::Buffer WithStorage(const tir::Buffer& b, const tir::Var& data, int64_t align) {
  auto n = runtime::MakeObject<tir::BufferNode>();
  n->name = b->name;
  n->data = data ? data : b->data;
  n->dtype = b->dtype;
  n->shape = b->shape;
  n->strides = b->strides;
  n->elem_offset = b->elem_offset;
  n->scope = b->scope;
  n->align = align;
  n->span = b->span;
  return tir::Buffer(n);
}

}  // namespace

tir::Buffer Parser::BufferType(const Token& name, bool view) {
  Expect("Buffer", "as the type of a buffer");
  const Token& open = Expect("(", "after Buffer");
  DeclContext decl(this, true);
  std::vector<tir::PrimExpr> shape = ExprTuple("the buffer's shape");
  Expect(",", "after the shape");
  DataType dtype = DType("for the buffer's elements");
  std::vector<tir::PrimExpr> strides;
  tir::PrimExpr offset;
  std::string scope = "global";
  std::optional<int64_t> align;  // DeclBuffer's unless given
  tir::Var data;
  while (Accept(",") && !Check(")")) {
    const Token& key = ExpectKind(TokenKind::kIdent, "strides=, offset=, scope=, align= or data=");
    Expect("=", "after " + key.text);
    if (key.Is("strides")) {
      strides = ExprTuple("the strides");
    } else if (key.Is("offset")) {
      offset = PrimExpr();
    } else if (key.Is("scope")) {
      scope = ExpectKind(TokenKind::kString, "a scope such as \"shared\"").text;
    } else if (key.Is("align")) {
      align = ExpectInt("an alignment in bytes");
    } else if (key.Is("data")) {
      DeclContext use(this, false);
      const Token& at = Peek();
      tir::PrimExpr value = PrimExpr();
      if (!value.as<tir::VarNode>()) Fail(at, "data= takes a variable (another buffer's B.data)");
      data = tir::Var(value);
    } else {
      Fail(key, "unknown buffer argument '" + key.text + "' (expected strides, offset, scope, align or data)");
    }
  }
  ExpectClose(open, ")");
  if (view && !data) Fail(name, "decl_buffer '" + name.text + "' needs data= (the storage it views, e.g. A.data)");
  tir::Buffer b =
      Build(name, [&] { return tir::DeclBuffer(name.text, shape, dtype, scope, strides, offset, name.span); });
  return data || (align && *align != b->align) ? WithStorage(b, data, align.value_or(b->align)) : b;
}

tir::PrimFunc Parser::PrimFunc(const Token& at) {
  FunctionFrame scope(this);
  if (Check("[")) DeclList();
  const Token& open = Expect("(", "to open the parameters");
  std::unordered_map<std::string, tir::Var> scalars = ScalarParams();
  std::vector<tir::Var> params;
  std::vector<std::pair<tir::Var, tir::Buffer>> buffer_map;
  while (!Check(")")) {
    const Token& name = ExpectName("a parameter");
    Expect(":", "after the parameter's name");
    if (Check("Buffer")) {
      tir::Buffer b = BufferType(name);
      tir::Var handle(name.text + "_handle", DataType::Handle(), name.span);
      params.push_back(handle);
      buffer_map.emplace_back(handle, b);
      Define(name, {{}, b, {}});
    } else {
      ParseVarType();  // read already by ScalarParams
      auto scalar = scalars.find(name.text);
      if (scalar == scalars.end()) Fail(name, "malformed parameter '" + name.text + "'");
      params.push_back(scalar->second);
    }
    if (!Accept(",")) break;
  }
  ExpectClose(open, ")");
  const Token& body_open = Expect("{", "to open the function's body");
  SkipNewlines();
  ir::Attrs attrs;
  if (Accept("attrs")) {
    attrs = AttrDict();
    EndStatement();
  }
  tir::Stmt body = StmtList();
  ExpectClose(body_open, "}");
  return Build(at, [&] { return tir::MakePrimFunc(params, buffer_map, body, attrs, at.span); });
}

std::unordered_map<std::string, tir::Var> Parser::ScalarParams() {
  std::unordered_map<std::string, tir::Var> scalars;
  size_t saved = pos_;
  int depth = 0;
  for (size_t i = pos_; i + 2 < tokens_.size() && depth >= 0; ++i) {
    const Token& t = tokens_[i];
    if (t.Is("(") || t.Is("[") || t.Is("{")) ++depth;
    if (t.Is(")") || t.Is("]") || t.Is("}")) --depth;
    bool scalar = depth == 0 && t.kind == TokenKind::kIdent && tokens_[i + 1].Is(":") && !tokens_[i + 2].Is("Buffer");
    if (!scalar || (i > saved && !tokens_[i - 1].Is(",") && !tokens_[i - 1].Is("("))) continue;
    pos_ = i + 2;
    tir::Var var = NewVar(t, ParseVarType(), DataType::Int(64));
    Define(t, {var, {}, {}});
    scalars.emplace(t.text, var);
  }
  pos_ = saved;
  return scalars;
}

void Parser::DeclList() {
  const Token& open = Next();
  while (!Check("]")) {
    const Token& name = ExpectName("a symbolic variable");
    Expect(":", "after the variable (declarations need a type)");
    tir::Var var = NewVar(name, ParseVarType(), DataType::Int(64));
    Define(name, {var, {}, {}}, /*in_function_scope=*/true);
    if (!Accept(",")) break;
  }
  ExpectClose(open, "]");
}

}  // namespace kiln::text
