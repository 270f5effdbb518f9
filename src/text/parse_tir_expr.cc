// tir expressions: operators by precedence (|| && comparisons + * unary),
// literals with dtype suffixes, names, buffer loads, casts, builtins
// (select, ramp, broadcast, min, max, call) and intrinsic calls.
#include <cmath>

#include "parser_impl.h"
#include "syntax.h"

namespace kiln::text {
namespace {

enum Prec : int { kOr = 1, kAnd, kCompare, kAdd, kMul };

struct BinaryOpToken {
  const char* text;
  tir::BinaryOp op;
  int prec;
};

const BinaryOpToken* FindBinaryOp(const Token& t) {
  using B = tir::BinaryOp;
  static const BinaryOpToken kOps[] = {
      {"||", B::kOr, kOr},     {"&&", B::kAnd, kAnd},      {"==", B::kEQ, kCompare},  {"!=", B::kNE, kCompare},
      {"<", B::kLT, kCompare}, {"<=", B::kLE, kCompare},   {">", B::kGT, kCompare},   {">=", B::kGE, kCompare},
      {"+", B::kAdd, kAdd},    {"-", B::kSub, kAdd},       {"*", B::kMul, kMul},      {"/", B::kDiv, kMul},
      {"%", B::kMod, kMul},    {"//", B::kFloorDiv, kMul}, {"%%", B::kFloorMod, kMul}};
  if (t.kind != TokenKind::kPunct) return nullptr;
  for (const BinaryOpToken& op : kOps) {
    if (t.text == op.text) return &op;
  }
  return nullptr;
}

// "inf", "nan", "inff16": the suffix of a non-finite float literal.
std::optional<std::string> NonFiniteSuffix(const Token& t) {
  if (t.kind != TokenKind::kIdent || t.text.size() < 3) return std::nullopt;
  std::string head = t.text.substr(0, 3);
  if (head != "inf" && head != "nan") return std::nullopt;
  std::string suffix = t.text.substr(3);
  if (!suffix.empty() && !DTypeOfSuffix(suffix, true)) return std::nullopt;
  return suffix;
}

bool StartsLiteral(const Token& t) {
  return t.kind == TokenKind::kInt || t.kind == TokenKind::kFloat || NonFiniteSuffix(t).has_value();
}

}  // namespace

tir::PrimExpr Parser::PrimExpr() {
  Nest nest(this);
  return Check("let") ? LetExpr() : BinaryExpr(kOr);
}

tir::PrimExpr Parser::LetExpr() {
  const Token& at = Next();
  const Token& name = ExpectName("a let variable");
  std::optional<VarType> type = OptionalVarType();
  Expect("=", "after the let variable");
  tir::PrimExpr value = PrimExpr();
  if (type) value = Adapt(value, type->dtype);
  Expect("in", "after the value of a let expression");
  tir::Var var = NewVar(name, type, value.dtype());
  Frame frame(this);
  Define(name, {var, {}, {}});
  tir::PrimExpr body = PrimExpr();
  return Build(at, [&] { return tir::Let(var, value, body, at.span); });
}

tir::PrimExpr Parser::BinaryExpr(int min_prec) {
  const Token& start = Peek();
  tir::PrimExpr lhs = UnaryExpr();
  while (const BinaryOpToken* op = FindBinaryOp(Peek())) {
    if (op->prec < min_prec) break;
    const Token& op_token = Next();
    tir::PrimExpr rhs = BinaryExpr(op->prec + 1);
    Unify(&lhs, &rhs);
    lhs = Build(op_token, [&] { return tir::Binary(op->op, lhs, rhs, start.span); });
  }
  return lhs;
}

tir::PrimExpr Parser::UnaryExpr() {
  const Token& at = Peek();
  if (Accept("-")) {
    if (StartsLiteral(Peek())) return Literal(Next(), true);
    Nest nest(this);
    tir::PrimExpr operand = UnaryExpr();
    return Build(
        at, [&] { return tir::Binary(tir::BinaryOp::kSub, tir::MakeConst(operand.dtype(), 0), operand, at.span); });
  }
  if (Accept("!")) {
    Nest nest(this);
    tir::PrimExpr operand = UnaryExpr();
    return Build(at, [&] { return tir::Not(operand, at.span); });
  }
  return PrimaryExpr();
}

tir::PrimExpr Parser::PrimaryExpr() {
  const Token& t = Next();
  switch (t.kind) {
    case TokenKind::kInt:
    case TokenKind::kFloat: return Literal(t, false);
    case TokenKind::kString: return tir::StringImm(t.text, t.span);
    case TokenKind::kIdent: return NameExpr(t);
    default: break;
  }
  if (t.Is("(")) {
    tir::PrimExpr e = PrimExpr();
    ExpectClose(t, ")");
    return e;
  }
  Fail(t, "expected an expression, got " + Describe(t));
}

tir::PrimExpr Parser::Literal(const Token& t, bool negative) {
  std::optional<std::string> non_finite = NonFiniteSuffix(t);
  const std::string& suffix = non_finite ? *non_finite : t.suffix;
  std::optional<DataType> dtype = DTypeOfSuffix(suffix, t.kind != TokenKind::kInt);
  if (!dtype) Fail(t, "unknown literal suffix '" + suffix + "' (use i8, i32, u8, f16, f64, bf16, ...)");
  tir::PrimExpr lit;
  if (dtype->is_float()) {
    std::optional<double> v = non_finite ? (t.text[0] == 'i' ? HUGE_VAL : std::nan("")) : ParseFloat(t.text);
    if (!v) Fail(t, "malformed number " + t.text);
    lit = tir::FloatImm(*dtype, negative ? -*v : *v, t.span);
  } else {
    std::optional<int64_t> v = ParseInt(t.text, negative, dtype->is_uint());
    if (!v)
      Fail(t, "integer literal " + std::string(negative ? "-" : "") + t.text + " is out of range for " + dtype->str());
    lit = tir::IntImm(*dtype, *v, t.span);
  }
  if (suffix.empty()) plain_literals_.emplace(lit.get(), lit);
  return lit;
}

tir::PrimExpr Parser::NameExpr(const Token& t) {
  if (t.text == "True" || t.text == "False") return tir::Bool(t.text == "True", t.span);
  if (NonFiniteSuffix(t)) return Literal(t, false);
  if (Check("(")) return CallExpr(t);
  const Named* named = Lookup(t.text);
  size_t dot = t.text.rfind('.');
  if (!named && dot != std::string::npos && t.text.substr(dot + 1) == "data") {
    const Named* owner = Lookup(t.text.substr(0, dot));
    if (owner && owner->buffer) return static_cast<const tir::PrimExpr&>(owner->buffer->data);
  }
  if (named && named->tir_var) return static_cast<const tir::PrimExpr&>(named->tir_var);
  if (named && named->buffer) {
    if (!Check("["))
      Fail(t, "'" + t.text + "' is a buffer: load from it (" + t.text + "[i]) or take " + t.text + ".data");
    const Token& open = Next();
    std::vector<tir::PrimExpr> indices = CallArgs(open, nullptr);
    return Build(t, [&] { return tir::BufferLoad(named->buffer, indices, t.span); });
  }
  if (named) Fail(t, "'" + t.text + "' is a relax variable, not a tir value");
  if (in_decl_ && IsIdentifier(t.text) && !IsReservedWord(t.text)) {
    tir::Var dim = tir::SizeVar(t.text, DataType::Int(64), t.span);
    Define(t, {dim, {}, {}}, /*in_function_scope=*/true);
    return static_cast<const tir::PrimExpr&>(dim);
  }
  Fail(t, "undefined name '" + t.text + "'");
}

tir::PrimExpr Parser::CallExpr(const Token& name) {
  const Token& open = Next();
  const std::string& f = name.text;
  std::optional<DataType> dtype;
  bool takes_dtype = !IsReservedWord(f) || f == "call";
  std::vector<tir::PrimExpr> args = CallArgs(open, takes_dtype ? &dtype : nullptr);
  auto arity = [&](size_t n) {
    if (args.size() != n) {
      Fail(name, f + " takes " + std::to_string(n) + " arguments, got " + std::to_string(args.size()));
    }
  };
  auto lanes = [&](const tir::PrimExpr& e) {
    const int64_t* v = tir::AsConstInt(e);
    if (!v || *v < 2 || *v > 65535) Fail(name, f + ": lanes must be an integer literal from 2 to 65535");
    return static_cast<int>(*v);
  };
  if (f == "select") {
    arity(3);
    Unify(&args[1], &args[2]);
    return Build(name, [&] { return tir::Select(args[0], args[1], args[2], name.span); });
  }
  if (f == "ramp") {
    arity(3);
    Unify(&args[0], &args[1]);
    return Build(name, [&] { return tir::Ramp(args[0], args[1], lanes(args[2]), name.span); });
  }
  if (f == "broadcast") {
    arity(2);
    return Build(name, [&] { return tir::Broadcast(args[0], lanes(args[1]), name.span); });
  }
  if (f == "min" || f == "max") {
    arity(2);
    Unify(&args[0], &args[1]);
    tir::BinaryOp op = f == "min" ? tir::BinaryOp::kMin : tir::BinaryOp::kMax;
    return Build(name, [&] { return tir::Binary(op, args[0], args[1], name.span); });
  }
  if (std::optional<DataType> cast = DTypeOfName(f)) {
    arity(1);
    return Build(name, [&] { return tir::Cast(*cast, args[0], name.span); });
  }
  std::string op = f;
  if (f == "call") {
    const tir::StringImmNode* callee = args.empty() ? nullptr : args[0].as<tir::StringImmNode>();
    if (!callee) Fail(name, "call(...) takes the intrinsic's name as a string first");
    op = callee->value;
    args.erase(args.begin());
  } else if (IsReservedWord(f)) {
    Fail(name, "'" + f + "' is a reserved word; call an intrinsic of that name as call(\"" + f + "\", ...)");
  }
  if (!dtype && args.empty()) Fail(name, op + "() needs dtype=... (its dtype is its last argument's otherwise)");
  DataType result = dtype ? *dtype : args.back().dtype();
  return Build(name, [&] { return tir::Call(result, op, args, name.span); });
}

std::vector<tir::PrimExpr> Parser::CallArgs(const Token& open, std::optional<DataType>* dtype) {
  std::vector<tir::PrimExpr> args;
  const char* close = open.Is("[") ? "]" : ")";
  while (!Check(close)) {
    if (dtype && Check("dtype") && Peek(1).Is("=")) {
      Next();
      Next();
      *dtype = DType("after dtype=");
    } else {
      if (dtype && *dtype) Fail(Peek(), "dtype=... must come last");
      args.push_back(PrimExpr());
    }
    if (!Accept(",")) break;
  }
  ExpectClose(open, close);
  return args;
}

std::vector<tir::PrimExpr> Parser::ExprTuple(const std::string& what) {
  return CallArgs(Expect("(", "to open " + what), nullptr);
}

DataType Parser::DType(const std::string& what) {
  const Token& t = Peek();
  std::optional<DataType> dtype = t.kind == TokenKind::kIdent ? DTypeOfName(t.text) : std::nullopt;
  if (!dtype) Fail(t, "expected a dtype (float32, int64, ...) " + what + ", got " + Describe(t));
  Next();
  return *dtype;
}

Parser::VarType Parser::ParseVarType() {
  if (Check("SizeVar")) {
    const Token& at = Next();
    const Token& open = Expect("(", "after SizeVar");
    DataType dtype = DType("in SizeVar(...)");
    ExpectClose(open, ")");
    if (!dtype.is_int() && !dtype.is_uint()) Fail(at, "a SizeVar must be an integer, not " + dtype.str());
    return {dtype, true};
  }
  return {DType("as the variable's type"), false};
}

std::optional<Parser::VarType> Parser::OptionalVarType() {
  if (!Accept(":")) return std::nullopt;
  return ParseVarType();
}

tir::Var Parser::NewVar(const Token& name, const std::optional<VarType>& type, DataType default_dtype) {
  DataType dtype = type ? type->dtype : default_dtype;
  if (type && type->is_size_var) return tir::SizeVar(name.text, dtype, name.span);
  return tir::Var(name.text, dtype, name.span);
}

tir::PrimExpr Parser::Adapt(const tir::PrimExpr& e, DataType dtype) const {
  if (!e || e.dtype() == dtype || dtype.lanes() != 1 || !plain_literals_.count(e.get())) return e;
  if (const tir::IntImmNode* i = e.as<tir::IntImmNode>()) {
    if (dtype.is_int() || dtype.is_uint()) return tir::IntImm(dtype, i->value, e->span);
    if (dtype.is_float()) return tir::FloatImm(dtype, static_cast<double>(i->value), e->span);
  }
  if (const tir::FloatImmNode* f = e.as<tir::FloatImmNode>(); f && dtype.is_float()) {
    return tir::FloatImm(dtype, f->value, e->span);
  }
  return e;
}

void Parser::Unify(tir::PrimExpr* a, tir::PrimExpr* b) const {
  if (!*a || !*b || a->dtype() == b->dtype()) return;
  *a = Adapt(*a, b->dtype());
  *b = Adapt(*b, a->dtype());
}

}  // namespace kiln::text
