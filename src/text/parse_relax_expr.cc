// relax expressions: variables, ops by name, @functions, tuples and items,
// calls with keyword attributes and sinfo_args, constants (inline or
// meta[i]), shape(...), prim(...), extern("..."), strings, if, nested
// functions and { ... } sequences. Calls of ops get their struct info from
// the op's inference, as normalization would give it.
#include "array_text.h"
#include "kiln/relax/op.h"
#include "kiln/relax/struct_info.h"
#include "parser_impl.h"
#include "syntax.h"

namespace kiln::text {

relax::Expr Parser::RelaxExpr() {
  Nest nest(this);
  const Token& start = Peek();
  relax::Expr e = RelaxPrimary();
  while (true) {
    if (Check("[")) {
      e = TupleItem(e, Next());
    } else if (Check("(")) {
      e = RelaxCall(e, start, Next());
    } else {
      return e;
    }
  }
}

relax::Expr Parser::RelaxPrimary() {
  const Token& t = Next();
  if (t.kind == TokenKind::kGlobal) {
    auto it = globals_.find(t.text);
    if (it == globals_.end()) Fail(t, "undefined function @" + t.text);
    return it->second;
  }
  if (t.kind == TokenKind::kString) return relax::MakeStringImm(t.text, t.span);
  if (t.Is("(")) return TupleOrParens(t);
  if (t.Is("{")) return NestedSeq(t);
  if (t.kind != TokenKind::kIdent) Fail(t, "expected a relax expression, got " + Describe(t));
  if (t.Is("if")) return IfExpr(t);
  if (t.Is("func")) return RelaxFunction(t, true, false);
  if (t.Is("impure")) {
    Expect("func", "after impure");
    return RelaxFunction(t, false, false);
  }
  if (t.Is("const")) return ConstExpr(t);
  if (t.Is("meta")) return MetaRef(t);
  if (t.Is("match_cast")) Fail(t, "match_cast(value, struct info) can only be the value of a binding");
  if (t.Is("shape") || t.Is("prim") || t.Is("extern")) {
    const Token& open = Expect("(", "after " + t.text);
    if (t.Is("shape")) {
      std::vector<tir::PrimExpr> values = CallArgs(open, nullptr);
      return Build(t, [&] { return relax::MakeShapeExpr(values, t.span); });
    }
    if (t.Is("prim")) {
      tir::PrimExpr value = PrimExpr();
      ExpectClose(open, ")");
      return Build(t, [&] { return relax::MakePrimValue(value, t.span); });
    }
    const Token& symbol = ExpectKind(TokenKind::kString, "the external function's name (a string)");
    ExpectClose(open, ")");
    return Build(symbol, [&] { return relax::MakeExternFunc(symbol.text, t.span); });
  }
  return RelaxName(t);
}

relax::Expr Parser::RelaxName(const Token& t) {
  const Named* named = Lookup(t.text);
  if (named && named->relax_var) return named->relax_var;
  if (named && named->tir_var)
    Fail(t, "'" + t.text + "' is a symbolic dimension: write prim(" + t.text + ") or shape(...)");
  if (named) Fail(t, "'" + t.text + "' is a tir buffer, not a relax value");
  if (!Check("(") && !relax::FindOp(t.text)) Fail(t, "undefined name '" + t.text + "'");
  return Build(t, [&] { return relax::Expr(relax::GetOp(t.text)); });
}

relax::Expr Parser::TupleOrParens(const Token& open) {
  std::vector<relax::Expr> fields;
  bool is_tuple = Check(")");
  while (!Check(")")) {
    fields.push_back(RelaxExpr());
    if (!Accept(",")) break;
    is_tuple = true;
  }
  ExpectClose(open, ")");
  if (!is_tuple) return fields[0];
  relax::Expr tuple = Build(open, [&] { return relax::MakeTuple(fields, open.span); });
  std::vector<ir::StructInfo> infos;
  for (const relax::Expr& f : fields) {
    if (!f.struct_info()) return tuple;
    infos.push_back(f.struct_info());
  }
  tuple->struct_info = relax::TupleSInfo(infos);
  return tuple;
}

relax::Expr Parser::TupleItem(const relax::Expr& tuple, const Token& open) {
  int64_t index = ExpectInt("a tuple index");
  ExpectClose(open, "]");
  if (index > 1 << 30) Fail(open, "tuple index " + std::to_string(index) + " is too large");
  relax::Expr item = Build(open, [&] { return relax::MakeTupleGetItem(tuple, static_cast<int>(index), open.span); });
  const ir::StructInfo& s = tuple.struct_info();
  if (!s) return item;
  if (s.As<relax::ObjectStructInfoNode>()) {
    item->struct_info = s;
  } else if (auto t = s.As<relax::TupleStructInfoNode>()) {
    if (static_cast<size_t>(index) >= t->fields.size()) {
      Fail(open, "tuple index " + std::to_string(index) + " is out of range for a tuple of " +
                     std::to_string(t->fields.size()) + " fields");
    }
    item->struct_info = t->fields[index];
  } else {
    Fail(open, "item " + std::to_string(index) + " of a value that is not a tuple: " + relax::StructInfoString(s));
  }
  return item;
}

relax::Expr Parser::RelaxCall(const relax::Expr& callee, const Token& start, const Token& open) {
  std::vector<relax::Expr> args;
  ir::Attrs attrs;
  std::vector<ir::StructInfo> sinfo_args;
  bool keywords = false;
  while (!Check(")")) {
    if (Peek().kind == TokenKind::kIdent && Peek(1).Is("=")) {
      const Token& key = Next();
      Next();
      keywords = true;
      if (!IsIdentifier(key.text)) Fail(key, "an attribute name is a plain name, not '" + key.text + "'");
      if (key.Is("sinfo_args")) {
        sinfo_args = StructInfoList(Expect("[", "after sinfo_args="), "]");
      } else {
        if (attrs.Find(key.text)) Fail(key, "attribute '" + key.text + "' is given twice");
        attrs = attrs.With(key.text, AttrValue());
      }
    } else {
      if (keywords) Fail(Peek(), "positional arguments come before keyword arguments");
      args.push_back(RelaxExpr());
    }
    if (!Accept(",")) break;
  }
  ExpectClose(open, ")");
  relax::Expr call = Build(start, [&] { return relax::MakeCall(callee, args, attrs, sinfo_args, start.span); });
  auto* n = static_cast<relax::CallNode*>(call.get());
  if (const auto* op = callee.as<relax::OpNode>()) {
    FinishOpCall(op, n, start);
  } else if (callee.as<relax::ExternFuncNode>() && sinfo_args.size() <= 1) {
    n->struct_info = sinfo_args.empty() ? relax::ObjectSInfo() : sinfo_args[0];
  } else if (callee.as<relax::VarNode>()) {
    // A GlobalVar's ret is left out: it names the callee's own symbolic vars.
    if (auto f = callee.struct_info().As<relax::FuncStructInfoNode>()) n->struct_info = f->ret;
  }
  return call;
}

void Parser::FinishOpCall(const relax::OpNode* op, relax::CallNode* call, const Token& at) {
  Build(at, [&] {
    relax::CheckOpArity(op, call->args.size());
    return 0;
  });
  call->attrs = Build(at, [&] { return relax::CheckOpAttrs(op, call->attrs); });
  if (op->infer_struct_info) call->struct_info = Build(at, [&] { return op->infer_struct_info(call); });
}

relax::Expr Parser::ConstExpr(const Token& at) {
  const Token& open = Expect("(", "after const");
  std::vector<std::pair<const Token*, bool>> elements;
  std::vector<int64_t> shape = ArrayLiteral(&elements);
  Expect(",", "after the constant's values");
  DataType dtype = DType("of the constant");
  ExpectClose(open, ")");
  runtime::NDArray array = Build(at, [&] { return runtime::NDArray::Empty(shape, dtype, runtime::Device::CPU()); });
  for (size_t i = 0; i < elements.size(); ++i) {
    const auto& [token, negative] = elements[i];
    if (!WriteElement(array, static_cast<int64_t>(i), token->text, negative, token->kind == TokenKind::kFloat)) {
      Fail(*token, Describe(*token) + " is not a value of dtype " + dtype.str());
    }
  }
  return Build(at, [&] { return relax::MakeConstant(array, at.span); });
}

std::vector<int64_t> Parser::ArrayLiteral(std::vector<std::pair<const Token*, bool>>* elements) {
  Nest nest(this);
  if (!Check("[")) {
    bool negative = Accept("-");
    const Token& e = Next();
    bool literal = e.kind == TokenKind::kInt || e.kind == TokenKind::kFloat || e.Is("True") || e.Is("False") ||
                   e.Is("inf") || e.Is("nan");
    if (!literal || !e.suffix.empty()) Fail(e, "expected a number, True or False, got " + Describe(e));
    elements->emplace_back(&e, negative);
    return {};
  }
  const Token& open = Next();
  std::vector<int64_t> inner;
  int64_t count = 0;
  while (!Check("]")) {
    const Token& at = Peek();
    std::vector<int64_t> sub = ArrayLiteral(elements);
    if (count > 0 && sub != inner) Fail(at, "the rows of a constant must all have the same shape");
    inner = std::move(sub);
    ++count;
    if (!Accept(",")) break;
  }
  ExpectClose(open, "]");
  inner.insert(inner.begin(), count);
  return inner;
}

relax::Expr Parser::MetaRef(const Token& at) {
  const Token& open = Expect("[", "after meta");
  const Token& index_token = Peek();
  int64_t index = ExpectInt("a meta index");
  ExpectClose(open, "]");
  if (index >= static_cast<int64_t>(meta_.size())) {
    Fail(index_token, "meta[" + std::to_string(index) + "] is not in the meta section (it has " +
                          std::to_string(meta_.size()) + " entries)");
  }
  return relax::MakeConstant(meta_[index], at.span);
}

relax::Expr Parser::IfExpr(const Token& at) {
  relax::Expr condition = RelaxExpr();
  const Token& then_open = Expect("{", "to open the then branch");
  relax::Expr then_branch = BodyExpr(SeqBody(false), then_open);
  ExpectClose(then_open, "}");
  if (Peek().kind == TokenKind::kNewline && Peek(1).Is("else")) Next();
  Expect("else", "after the then branch (an if needs both branches)");
  const Token& else_open = Expect("{", "to open the else branch");
  relax::Expr else_branch = BodyExpr(SeqBody(false), else_open);
  ExpectClose(else_open, "}");
  return Build(at, [&] { return relax::MakeIf(condition, then_branch, else_branch, at.span); });
}

}  // namespace kiln::text
