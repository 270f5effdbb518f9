// StructuralComparator on expressions and buffers, with its machinery: the
// one-to-one mapping of definitions, the path to the first difference, and
// the public face. Statements and values have files of their own.
#include "kiln/tir/structural_equal.h"

#include <bit>
#include <charconv>

namespace kiln::tir {

namespace {
const char* KindName(ExprKind kind) {
  switch (kind) {
#define KILN_X(name) \
  case ExprKind::k##name: return #name;
    KILN_TIR_EXPR_KINDS(KILN_X)
#undef KILN_X
  }
  return "?";
}

std::string FloatText(double v) {
  char buf[32];
  auto end = std::to_chars(buf, buf + sizeof(buf), v).ptr;
  return std::string(buf, end);
}

// A short description of a node for mismatch messages.
std::string Describe(const PrimExpr& e) {
  if (!e) return "nothing";
  switch (e.kind()) {
    case ExprKind::kIntImm: return "IntImm " + std::to_string(e.as<IntImmNode>()->value);
    case ExprKind::kFloatImm: return "FloatImm " + FloatText(e.as<FloatImmNode>()->value);
    case ExprKind::kStringImm: return "StringImm \"" + e.as<StringImmNode>()->value + "\"";
    case ExprKind::kVar: return (e.as<VarNode>()->is_size_var ? "SizeVar '" : "Var '") + e.as<VarNode>()->name + "'";
    case ExprKind::kBinary: return std::string(BinaryOpName(e.as<BinaryNode>()->op)) + " (Binary)";
    case ExprKind::kCall: return "Call '" + e.as<CallNode>()->op + "'";
    default: return KindName(e.kind());
  }
}

}  // namespace

// ---- paths ----

std::string StructuralComparator::Quoted(const std::string& s) {
  return "'" + s + "'";
}

PathStep PathStep::Index(const char* f, size_t i) {
  PathStep s(f);
  s.style = Style::kIndex;
  s.index = i;
  return s;
}
PathStep PathStep::Key(const char* f, const std::string& key) {
  PathStep s(f);
  s.style = Style::kKey;
  s.key = &key;
  return s;
}
PathStep PathStep::Named(const char* f, const std::string& name) {
  PathStep s(f);
  s.style = Style::kNamed;
  s.key = &name;
  return s;
}

std::string StructuralComparator::PathText() const {
  std::string out;
  for (const PathStep& s : path_) {
    if (!out.empty() && s.field[0] != '\0') out += " / ";
    out += s.field;
    switch (s.style) {
      case PathStep::Style::kField: break;
      case PathStep::Style::kIndex: out += "[" + std::to_string(s.index) + "]"; break;
      case PathStep::Style::kKey: out += "['" + *s.key + "']"; break;
      case PathStep::Style::kNamed: out += " " + Quoted(*s.key); break;
    }
  }
  return out;
}

bool StructuralComparator::Fail(const std::string& detail) {
  if (!mismatch_) {
    std::string path = PathText();
    mismatch_ = path.empty() ? detail : path + ": " + detail;
  }
  return false;
}

bool StructuralComparator::FailField(PathStep step, const std::string& a, const std::string& b) {
  return At(step, [&] { return Fail(a + " vs " + b); });
}

bool StructuralComparator::FailCount(const char* field, size_t a, size_t b) {
  return At(field, [&] { return Fail("lhs has " + std::to_string(a) + " elements, rhs has " + std::to_string(b)); });
}

// ---- definitions and uses ----

bool StructuralComparator::CanSkip(const runtime::Object* a, const runtime::Object* b) const {
  return a == b && !map_free_vars_ && !defining_ && lhs_to_rhs_.empty();
}

void StructuralComparator::Bind(const runtime::Object* a, const runtime::Object* b) {
  lhs_to_rhs_[a] = b;
  rhs_to_lhs_[b] = a;
}

void StructuralComparator::ClearBindings() {
  lhs_to_rhs_.clear();
  rhs_to_lhs_.clear();
}

StructuralComparator::UseMatch StructuralComparator::MatchUse(const runtime::Object* a, const runtime::Object* b,
                                                              const char* kind, const std::string& name_a,
                                                              const std::string& name_b, bool is_buffer) {
  auto ia = lhs_to_rhs_.find(a);
  auto ib = rhs_to_lhs_.find(b);
  bool bound_a = ia != lhs_to_rhs_.end(), bound_b = ib != rhs_to_lhs_.end();
  if (bound_a && bound_b && ia->second == b && ib->second == a) return UseMatch::kMatched;
  const char* why = "different free variables; map_free_vars would map them";
  if (bound_a || bound_b) {
    why = !bound_b    ? "lhs is bound, rhs is free"
          : !bound_a  ? "lhs is free, rhs is bound"
          : is_buffer ? "different buffers"
                      : "different variables";
  } else if (is_buffer || map_free_vars_) {
    return UseMatch::kFree;
  } else if (a == b) {
    return UseMatch::kMatched;
  }
  Fail(std::string("lhs ") + kind + " " + Quoted(name_a) + " vs rhs " + kind + " " + Quoted(name_b) + " (" + why + ")");
  return UseMatch::kFailed;
}

bool StructuralComparator::DefineVar(const VarNode* a, const VarNode* b) {
  if (a->dtype != b->dtype) return FailField("dtype", a->dtype.str(), b->dtype.str());
  if (a->is_size_var != b->is_size_var) {
    return Fail("lhs " + Describe(runtime::GetRef<PrimExprNode>(a)) + " vs rhs " +
                Describe(runtime::GetRef<PrimExprNode>(b)));
  }
  Bind(a, b);
  return true;
}

bool StructuralComparator::EqualSymbolic(const PrimExpr& a, const PrimExpr& b) {
  const VarNode* x = a.as<VarNode>();
  const VarNode* y = b.as<VarNode>();
  if (defining_ && x && y && !lhs_to_rhs_.count(x) && !rhs_to_lhs_.count(y)) return DefineVar(x, y);
  return EqualExpr(a, b);
}

// ---- expressions ----

bool StructuralComparator::EqualExpr(const PrimExpr& a, const PrimExpr& b) {
  if (!a || !b) return (!a && !b) || Fail("lhs " + Describe(a) + " vs rhs " + Describe(b));
  if (CanSkip(a.get(), b.get())) return true;
  if (a.kind() != b.kind()) return Fail("lhs " + Describe(a) + " vs rhs " + Describe(b));
  if (a.dtype() != b.dtype()) return FailField("dtype", a.dtype().str(), b.dtype().str());
  return VisitExpr(a, b);
}

bool StructuralComparator::EqualExprs(const char* field, const std::vector<PrimExpr>& a,
                                      const std::vector<PrimExpr>& b) {
  return EqualEach(field, a, b, [&](const PrimExpr& x, const PrimExpr& y) { return EqualExpr(x, y); });
}

bool StructuralComparator::VisitExpr_(const IntImmNode* a, const PrimExpr& other) {
  const auto* b = Other<IntImmNode>(other);
  return a->value == b->value || FailField("value", std::to_string(a->value), std::to_string(b->value));
}
bool StructuralComparator::VisitExpr_(const FloatImmNode* a, const PrimExpr& other) {
  const auto* b = Other<FloatImmNode>(other);
  return std::bit_cast<uint64_t>(a->value) == std::bit_cast<uint64_t>(b->value) ||
         FailField("value", FloatText(a->value), FloatText(b->value));
}
bool StructuralComparator::VisitExpr_(const StringImmNode* a, const PrimExpr& other) {
  const auto* b = Other<StringImmNode>(other);
  return a->value == b->value || FailField("value", Quoted(a->value), Quoted(b->value));
}
bool StructuralComparator::VisitExpr_(const VarNode* a, const PrimExpr& other) {
  const auto* b = Other<VarNode>(other);
  switch (MatchUse(a, b, "Var", a->name, b->name)) {
    case UseMatch::kMatched: return true;
    case UseMatch::kFailed: return false;
    case UseMatch::kFree: break;
  }
  return DefineVar(a, b);
}
bool StructuralComparator::VisitExpr_(const BinaryNode* a, const PrimExpr& other) {
  const auto* b = Other<BinaryNode>(other);
  if (a->op != b->op) return FailField("op", BinaryOpName(a->op), BinaryOpName(b->op));
  return At("a", [&] { return EqualExpr(a->a, b->a); }) && At("b", [&] { return EqualExpr(a->b, b->b); });
}
bool StructuralComparator::VisitExpr_(const NotNode* a, const PrimExpr& other) {
  return At("a", [&] { return EqualExpr(a->a, Other<NotNode>(other)->a); });
}
bool StructuralComparator::VisitExpr_(const CastNode* a, const PrimExpr& other) {
  return At("value", [&] { return EqualExpr(a->value, Other<CastNode>(other)->value); });
}
bool StructuralComparator::VisitExpr_(const SelectNode* a, const PrimExpr& other) {
  const auto* b = Other<SelectNode>(other);
  return At("condition", [&] { return EqualExpr(a->condition, b->condition); }) &&
         At("true_value", [&] { return EqualExpr(a->true_value, b->true_value); }) &&
         At("false_value", [&] { return EqualExpr(a->false_value, b->false_value); });
}
bool StructuralComparator::VisitExpr_(const BufferLoadNode* a, const PrimExpr& other) {
  const auto* b = Other<BufferLoadNode>(other);
  return At("buffer", [&] { return EqualBufferUse(a->buffer, b->buffer); }) &&
         EqualExprs("indices", a->indices, b->indices);
}
bool StructuralComparator::VisitExpr_(const CallNode* a, const PrimExpr& other) {
  const auto* b = Other<CallNode>(other);
  if (a->op != b->op) return FailField("op", Quoted(a->op), Quoted(b->op));
  return EqualExprs("args", a->args, b->args);
}
bool StructuralComparator::VisitExpr_(const RampNode* a, const PrimExpr& other) {
  const auto* b = Other<RampNode>(other);
  return At("base", [&] { return EqualExpr(a->base, b->base); }) &&
         At("stride", [&] { return EqualExpr(a->stride, b->stride); });
}
bool StructuralComparator::VisitExpr_(const BroadcastNode* a, const PrimExpr& other) {
  return At("value", [&] { return EqualExpr(a->value, Other<BroadcastNode>(other)->value); });
}
bool StructuralComparator::VisitExpr_(const LetNode* a, const PrimExpr& other) {
  const auto* b = Other<LetNode>(other);
  return At("value", [&] { return EqualExpr(a->value, b->value); }) &&
         At("var", [&] { return DefineVar(a->var.get(), b->var.get()); }) &&
         At("body", [&] { return EqualExpr(a->body, b->body); });
}

// ---- buffers ----

bool StructuralComparator::DeclareBuffer(const Buffer& a, const Buffer& b) {
  if (!EqualBufferFields(a, b, /*declare=*/true)) return false;
  Bind(a.get(), b.get());
  return true;
}

bool StructuralComparator::EqualBufferUse(const Buffer& a, const Buffer& b) {
  switch (MatchUse(a.get(), b.get(), "Buffer", a->name, b->name, /*is_buffer=*/true)) {
    case UseMatch::kMatched: return true;
    case UseMatch::kFailed: return false;
    case UseMatch::kFree: break;
  }
  if (!EqualBufferFields(a, b, /*declare=*/false)) return false;
  Bind(a.get(), b.get());
  return true;
}

bool StructuralComparator::EqualBufferFields(const Buffer& a, const Buffer& b, bool declare) {
  auto symbolic = [&](const PrimExpr& x, const PrimExpr& y) { return EqualSymbolic(x, y); };
  auto data = [&] { return declare ? DefineVar(a->data.get(), b->data.get()) : EqualExpr(a->data, b->data); };
  return At("data", data) && (a->dtype == b->dtype || FailField("dtype", a->dtype.str(), b->dtype.str())) &&
         EqualEach("shape", a->shape, b->shape, symbolic) && EqualEach("strides", a->strides, b->strides, symbolic) &&
         At("elem_offset", [&] { return EqualSymbolic(a->elem_offset, b->elem_offset); }) &&
         (a->scope == b->scope || FailField("scope", Quoted(a->scope), Quoted(b->scope))) &&
         (a->align == b->align || FailField("align", std::to_string(a->align), std::to_string(b->align)));
}

bool StructuralComparator::EqualRegion(const BufferRegion& a, const BufferRegion& b) {
  auto range = [&](const Range& x, const Range& y) {
    return At("min", [&] { return EqualExpr(x.min, y.min); }) &&
           At("extent", [&] { return EqualExpr(x.extent, y.extent); });
  };
  return At("buffer", [&] { return EqualBufferUse(a.buffer, b.buffer); }) &&
         EqualEach("region", a.region, b.region, range);
}

// ---- the public face ----

namespace {
template <typename T>
std::optional<std::string> Mismatch(const T& a, const T& b, bool map_free_vars,
                                    bool (StructuralComparator::*compare)(const T&, const T&)) {
  StructuralComparator c(map_free_vars);
  if ((c.*compare)(a, b)) return std::nullopt;
  KILN_ICHECK(c.mismatch()) << "a structural difference without a description";
  return c.mismatch();
}
}  // namespace

bool StructuralEqual(const PrimExpr& a, const PrimExpr& b, bool map_free_vars) {
  return StructuralComparator(map_free_vars).EqualExpr(a, b);
}
bool StructuralEqual(const Stmt& a, const Stmt& b, bool map_free_vars) {
  return StructuralComparator(map_free_vars).EqualStmt(a, b);
}
bool StructuralEqual(const Buffer& a, const Buffer& b, bool map_free_vars) {
  return StructuralComparator(map_free_vars).DeclareBuffer(a, b);
}
bool StructuralEqual(const PrimFunc& a, const PrimFunc& b, bool map_free_vars) {
  return StructuralComparator(map_free_vars).EqualFunc(a, b);
}

std::optional<std::string> FindMismatch(const PrimExpr& a, const PrimExpr& b, bool map_free_vars) {
  return Mismatch(a, b, map_free_vars, &StructuralComparator::EqualExpr);
}
std::optional<std::string> FindMismatch(const Stmt& a, const Stmt& b, bool map_free_vars) {
  return Mismatch(a, b, map_free_vars, &StructuralComparator::EqualStmt);
}
std::optional<std::string> FindMismatch(const PrimFunc& a, const PrimFunc& b, bool map_free_vars) {
  return Mismatch(a, b, map_free_vars, &StructuralComparator::EqualFunc);
}

}  // namespace kiln::tir
