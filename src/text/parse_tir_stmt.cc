// tir statements: for, while, if, let, alloc, decl_buffer, blocks with their
// headers, buffer stores and expression statements. A `let`, `alloc` or
// `decl_buffer` without braces takes the rest of its block as its body; that
// is parsed in a loop, so long chains of them do not nest the parser.
#include "kiln/tir/stmt.h"
#include "parser_impl.h"
#include "syntax.h"

namespace kiln::text {
namespace {

std::optional<tir::ForKind> ForKindNamed(const Token& t) {
  static const std::pair<const char*, tir::ForKind> kKinds[] = {{"range", tir::ForKind::kSerial},
                                                                {"parallel", tir::ForKind::kParallel},
                                                                {"vectorized", tir::ForKind::kVectorized},
                                                                {"unrolled", tir::ForKind::kUnrolled},
                                                                {"thread_binding", tir::ForKind::kThreadBinding}};
  for (const auto& [word, kind] : kKinds) {
    if (t.Is(word)) return kind;
  }
  return std::nullopt;
}

}  // namespace

tir::Stmt Parser::StmtList() {
  std::vector<std::vector<tir::Stmt>> before;  // the statements ahead of each flat head
  std::vector<ScopedHead> heads;
  std::vector<std::unique_ptr<Frame>> scopes;
  std::vector<tir::Stmt> items;
  while (true) {
    SkipNewlines();
    if (Check("}") || Peek().kind == TokenKind::kEnd) break;
    if (!Check("let") && !Check("alloc") && !Check("decl_buffer")) {
      items.push_back(Statement());
      continue;
    }
    ScopedHead head = Check("let") ? LetHead() : BufferHead();
    auto scope = std::make_unique<Frame>(this);
    DefineHead(head);
    if (Check("{")) {
      items.push_back(Wrap(head, Braced("the body")));
      EndStatement();
      continue;
    }
    EndStatement();
    before.push_back(std::move(items));
    items.clear();
    heads.push_back(head);
    scopes.push_back(std::move(scope));
  }
  if (!heads.empty() && items.empty()) {
    Fail(*heads.back().at, "'" + heads.back().at->text + "' needs statements after it (its body) or braces");
  }
  tir::Stmt body = tir::Seq(std::move(items));
  for (size_t i = heads.size(); i-- > 0;) {
    before[i].push_back(Wrap(heads[i], body));
    body = tir::Seq(std::move(before[i]));
  }
  return body;
}

tir::Stmt Parser::Braced(const std::string& what) {
  const Token& open = Expect("{", "to open " + what);
  Nest nest(this);
  Frame frame(this);
  tir::Stmt body = StmtList();
  ExpectClose(open, "}");
  return body;
}

tir::Stmt Parser::Statement() {
  Nest nest(this);
  const Token& t = Peek();
  tir::Stmt s;
  if (t.Is("for")) {
    s = ForStmt();
  } else if (t.Is("while")) {
    Next();
    tir::PrimExpr condition = PrimExpr();
    tir::Stmt body = Braced("the loop body");
    s = Build(t, [&] { return tir::While(condition, body, t.span); });
  } else if (t.Is("if")) {
    s = IfStmt();
  } else if (t.Is("block")) {
    s = BlockStmt();
  } else if (AtStore()) {
    s = Store();
  } else {
    tir::PrimExpr value = PrimExpr();
    s = Build(t, [&] { return tir::Evaluate(value, t.span); });
  }
  EndStatement();
  return s;
}

tir::Stmt Parser::ForStmt() {
  const Token& at = Next();
  const Token& name = ExpectName("a loop variable");
  std::optional<VarType> type = OptionalVarType();
  Expect("in", "after the loop variable");
  const Token& kind_token = Next();
  std::optional<tir::ForKind> kind = ForKindNamed(kind_token);
  if (!kind) {
    Fail(kind_token, "expected range, parallel, vectorized, unrolled or thread_binding, got " + Describe(kind_token));
  }
  const Token& open = Expect("(", "after " + kind_token.text);
  tir::PrimExpr first = PrimExpr(), extent;
  std::string thread;
  ir::Attrs annotations;
  while (Accept(",") && !Check(")")) {
    const Token& key = ExpectKind(TokenKind::kIdent, "extent=, thread= or annotations=");
    Expect("=", "after " + key.text);
    if (key.Is("extent")) {
      extent = PrimExpr();
    } else if (key.Is("thread")) {
      thread = ExpectKind(TokenKind::kString, "a thread tag such as \"threadIdx.x\"").text;
    } else if (key.Is("annotations")) {
      annotations = AttrDict();
    } else {
      Fail(key, "unknown loop argument '" + key.text + "' (expected extent, thread or annotations)");
    }
  }
  ExpectClose(open, ")");
  tir::PrimExpr min = extent ? first : tir::PrimExpr();
  if (!extent) extent = first;
  if (!extent.dtype().is_int() && !extent.dtype().is_uint()) Fail(open, "a loop extent must be an integer");
  if (!min) min = Build(open, [&] { return tir::IntImm(extent.dtype(), 0, open.span); });
  Unify(&min, &extent);
  tir::Var var = NewVar(name, type, extent.dtype());
  Frame frame(this);
  Define(name, {var, {}, {}});
  tir::Stmt body = Braced("the loop body");
  return Build(at, [&] { return tir::For(var, min, extent, *kind, body, thread, annotations, at.span); });
}

tir::Stmt Parser::IfStmt() {
  const Token& at = Next();
  tir::PrimExpr condition = PrimExpr();
  tir::Stmt then_case = Braced("the then branch"), else_case;
  if (Peek().kind == TokenKind::kNewline && Peek(1).Is("else")) Next();
  if (Accept("else")) else_case = Braced("the else branch");
  return Build(at, [&] { return tir::IfThenElse(condition, then_case, else_case, at.span); });
}

bool Parser::AtStore() const {
  int depth = 0;
  for (size_t i = pos_; i < tokens_.size(); ++i) {
    const Token& t = tokens_[i];
    if (t.kind == TokenKind::kNewline || t.kind == TokenKind::kEnd || (depth == 0 && t.Is("}"))) return false;
    if (depth == 0 && t.Is("=")) return true;
    if (t.Is("(") || t.Is("[") || t.Is("{")) ++depth;
    if (t.Is(")") || t.Is("]") || t.Is("}")) --depth;
  }
  return false;
}

tir::Stmt Parser::Store() {
  const Token& name = ExpectKind(TokenKind::kIdent, "a buffer element to assign (A[i] = value)");
  const Named* named = Lookup(name.text);
  if (!named) Fail(name, "undefined name '" + name.text + "'");
  if (!named->buffer)
    Fail(name, "'" + name.text + "' is not a buffer: only buffer elements can be assigned (bind a value with let)");
  const Token& open = Expect("[", "after the buffer (a store is A[i] = value)");
  std::vector<tir::PrimExpr> indices = CallArgs(open, nullptr);
  Expect("=", "after the buffer element");
  tir::PrimExpr value = Adapt(PrimExpr(), named->buffer->dtype);
  return Build(name, [&] { return tir::BufferStore(named->buffer, value, indices, name.span); });
}

Parser::ScopedHead Parser::LetHead() {
  ScopedHead head;
  head.at = &Next();
  const Token& name = ExpectName("a let variable");
  head.name = &name;
  std::optional<VarType> type = OptionalVarType();
  Expect("=", "after the let variable");
  head.value = PrimExpr();
  if (type) head.value = Adapt(head.value, type->dtype);
  head.var = NewVar(name, type, head.value.dtype());
  return head;
}

Parser::ScopedHead Parser::BufferHead() {
  ScopedHead head;
  head.at = &Next();
  const Token& name = ExpectName("a buffer");
  head.name = &name;
  Expect(":", "after the buffer's name");
  bool view = head.at->Is("decl_buffer");
  head.buffer = BufferType(name, view);
  return head;
}

void Parser::DefineHead(const ScopedHead& head) {
  Define(*head.name, head.buffer ? Named{{}, head.buffer, {}} : Named{head.var, {}, {}});
}

tir::Stmt Parser::Wrap(const ScopedHead& head, tir::Stmt body) {
  const Token& at = *head.at;
  if (!head.buffer) return Build(at, [&] { return tir::LetStmt(head.var, head.value, body, at.span); });
  if (at.Is("alloc")) return Build(at, [&] { return tir::Allocate(head.buffer, body, at.span); });
  return Build(at, [&] { return tir::DeclBuffer(head.buffer, body, at.span); });
}

tir::Stmt Parser::BlockStmt() {
  const Token& at = Next();
  tir::BlockSpec spec;
  spec.name = ExpectKind(TokenKind::kString, "the block's name (a string)").text;
  spec.span = at.span;
  const Token& open = Expect("{", "to open the block");
  Nest nest(this);
  Frame frame(this);
  while (true) {
    SkipNewlines();
    if (!BlockHeaderItem(&spec)) break;
    EndStatement();
  }
  spec.body = StmtList();
  ExpectClose(open, "}");
  return Build(at, [&] { return tir::Block(spec); });
}

bool Parser::BlockHeaderItem(tir::BlockSpec* spec) {
  const Token& t = Peek();
  auto once = [&](bool seen) {
    if (seen) Fail(t, "a block has one '" + t.text + "'");
  };
  if (t.kind == TokenKind::kIdent && (Peek(1).Is("=") || Peek(1).Is(":"))) {
    spec->iter_vars.push_back(IterVarLine());
  } else if (t.Is("reads") || t.Is("writes")) {
    Next();
    auto& regions = t.Is("reads") ? spec->reads : spec->writes;
    once(!regions.empty());
    regions = Regions();
  } else if (t.Is("alloc_buffer")) {
    Next();
    const Token& name = ExpectName("a buffer");
    Expect(":", "after the buffer's name");
    spec->alloc_buffers.push_back(BufferType(name));
    Define(name, {{}, spec->alloc_buffers.back(), {}});
  } else if (t.Is("where")) {
    Next();
    once(static_cast<bool>(spec->predicate));
    const Token& open = Expect("(", "after where");
    spec->predicate = PrimExpr();
    ExpectClose(open, ")");
  } else if (t.Is("annotations")) {
    Next();
    once(!spec->annotations.empty());
    const Token& open = Expect("(", "after annotations");
    spec->annotations = AttrDict();
    ExpectClose(open, ")");
  } else if (t.Is("init")) {
    Next();
    once(static_cast<bool>(spec->init));
    spec->init = Braced("the block's init");
  } else {
    return false;
  }
  return true;
}

tir::IterVar Parser::IterVarLine() {
  const Token& name = ExpectName("an iteration variable");
  std::optional<VarType> type = OptionalVarType();
  Expect("=", "after the iteration variable");
  const Token& kind = Next();
  if (!kind.Is("spatial") && !kind.Is("reduce"))
    Fail(kind, "expected spatial(...) or reduce(...), got " + Describe(kind));
  const Token& open = Expect("(", "after " + kind.text);
  tir::IterVar iv;
  iv.kind = kind.Is("reduce") ? tir::IterKind::kReduce : tir::IterKind::kSpatial;
  iv.dom.extent = PrimExpr();
  Expect(",", "between the extent and the binding");
  iv.binding = PrimExpr();
  if (Accept(",") && !Check(")")) {
    Expect("min", "(the only keyword of an iteration variable)");
    Expect("=", "after min");
    iv.dom.min = PrimExpr();
    Accept(",");
  }
  ExpectClose(open, ")");
  if (!iv.dom.min) iv.dom.min = Build(open, [&] { return tir::IntImm(iv.dom.extent.dtype(), 0, open.span); });
  iv.var = NewVar(name, type, iv.binding.dtype());
  Define(name, {iv.var, {}, {}});
  return iv;
}

std::vector<tir::BufferRegion> Parser::Regions() {
  const Token& open = Expect("(", "to list buffer regions");
  std::vector<tir::BufferRegion> regions;
  while (!Check(")")) {
    const Token& name = ExpectKind(TokenKind::kIdent, "a buffer");
    const Named* named = Lookup(name.text);
    if (!named || !named->buffer) Fail(name, "'" + name.text + "' is not a buffer in scope");
    tir::BufferRegion region{named->buffer, {}};
    const Token& bracket = Expect("[", "after the buffer");
    while (!Check("]")) {
      tir::Range range{PrimExpr(), {}};
      if (Accept(":")) {
        Expect("+", "(a region is min:+extent)");
        range.extent = PrimExpr();
      } else {
        range.extent = Build(bracket, [&] { return tir::IntImm(range.min.dtype(), 1, bracket.span); });
      }
      region.region.push_back(range);
      if (!Accept(",")) break;
    }
    ExpectClose(bracket, "]");
    regions.push_back(std::move(region));
    if (!Accept(",")) break;
  }
  ExpectClose(open, ")");
  return regions;
}

}  // namespace kiln::text
