// relax structural equality: expressions, struct info and modules compared on
// top of tir::StructuralComparator, which holds the one mapping of relax Vars,
// symbolic tir Vars and buffers, and the path to the first difference.
#include "kiln/relax/structural_equal.h"

#include "kiln/relax/functor.h"
#include "kiln/relax/struct_info.h"
#include "kiln/tir/structural_equal.h"

namespace kiln::relax {

namespace {
using tir::PathStep;

// "Call", "GlobalVar", "TensorStructInfo": the type key without its layer.
std::string TypeName(const runtime::Object* node) {
  const std::string& key = node->type_key();
  return key.substr(key.rfind('.') + 1);
}

std::string Describe(const runtime::Object* node) {
  if (node == nullptr) return "nothing";
  if (node->IsInstance<VarNode>()) {
    const auto* v = static_cast<const VarNode*>(node);
    return (v->is_dataflow ? "DataflowVar '" : "Var '") + v->name + "'";
  }
  if (node->IsInstance<ir::GlobalVarNode>())
    return "GlobalVar '" + static_cast<const ir::GlobalVarNode*>(node)->name + "'";
  if (node->IsInstance<OpNode>()) return "Op '" + static_cast<const OpNode*>(node)->name + "'";
  return TypeName(node);
}

std::string BoolText(bool v) {
  return v ? "true" : "false";
}

std::string NamesText(const ir::IRModule& m) {
  std::string out;
  for (const auto& [gv, f] : m.functions()) out += (out.empty() ? "" : ", ") + gv->name;
  return "(" + out + ")";
}

bool SameNames(const ir::IRModule& a, const ir::IRModule& b) {
  if (a.functions().size() != b.functions().size()) return false;
  for (size_t i = 0; i < a.functions().size(); ++i) {
    if (a.functions()[i].first->name != b.functions()[i].first->name) return false;
  }
  return true;
}

// Expressions with struct info of their own (a Var's is compared where it
// is defined; GlobalVars and Ops are names).
bool HasOwnStructInfo(const Expr& e) {
  return !e.as<VarNode>() && !e.as<ir::GlobalVarNode>() && !e.as<OpNode>();
}

template <typename T>
const T* As(const StructInfo& s) {
  return s->IsInstance<T>() ? static_cast<const T*>(s.get()) : nullptr;
}

using Dims = std::optional<std::vector<tir::PrimExpr>>;

class Comparator : public tir::StructuralComparator {
 public:
  using tir::StructuralComparator::StructuralComparator;

  bool EqualRelax(const Expr& a, const Expr& b);
  bool EqualSInfo(const StructInfo& a, const StructInfo& b);
  bool EqualModule(const ir::IRModule& a, const ir::IRModule& b);
  bool EqualObject(const runtime::ObjectRef& a, const runtime::ObjectRef& b) override;

 private:
  // One overload per kind of KILN_RELAX_EXPR_KINDS; both sides of that kind.
#define KILN_X(name) bool EqualNode(const name##Node* a, const name##Node* b);
  KILN_RELAX_EXPR_KINDS(KILN_X)
#undef KILN_X
  bool DefineRelaxVar(const VarNode* a, const VarNode* b, bool defining);
  bool EqualRelaxExprs(const char* field, const std::vector<Expr>& a, const std::vector<Expr>& b);
  bool EqualBlock(const BindingBlock& a, const BindingBlock& b);
  bool EqualBinding(const Binding& a, const Binding& b);
  bool EqualSInfoFields(const StructInfo& a, const StructInfo& b);
  bool EqualDims(const char* field, const Dims& a, const Dims& b);
  bool EqualFuncSInfo(const FuncStructInfoNode* a, const FuncStructInfoNode* b);
};

// ---- expressions ----

bool Comparator::EqualRelax(const Expr& a, const Expr& b) {
  if (!a || !b || a->type_index() != b->type_index()) {
    return (!a && !b) || Fail("lhs " + Describe(a.get()) + " vs rhs " + Describe(b.get()));
  }
  if (CanSkip(a.get(), b.get())) return true;
  if (const auto* f = a.as<tir::PrimFuncNode>()) {
    return EqualFunc(tir::PrimFunc(runtime::GetRef(f)), tir::PrimFunc(runtime::GetRef(b.as<tir::PrimFuncNode>())));
  }
  bool same = false;
  switch (KindOf(a.get())) {
#define KILN_X(name)                                                                                    \
  case ExprKind::k##name:                                                                               \
    same = EqualNode(static_cast<const name##Node*>(a.get()), static_cast<const name##Node*>(b.get())); \
    break;
    KILN_RELAX_EXPR_KINDS(KILN_X)
#undef KILN_X
  }
  if (!same || !HasOwnStructInfo(a) || !a.struct_info() || !b.struct_info()) return same;
  return At("struct_info", [&] { return EqualSInfo(a.struct_info(), b.struct_info()); });
}

bool Comparator::EqualRelaxExprs(const char* field, const std::vector<Expr>& a, const std::vector<Expr>& b) {
  return EqualEach(field, a, b, [&](const Expr& x, const Expr& y) { return EqualRelax(x, y); });
}

bool Comparator::DefineRelaxVar(const VarNode* a, const VarNode* b, bool defining) {
  if (a->is_dataflow != b->is_dataflow) return Fail("lhs " + Describe(a) + " vs rhs " + Describe(b));
  bool same = At("struct_info", [&] {
    if (!defining) return EqualSInfo(a->struct_info, b->struct_info);
    DefiningScope scope(this);
    return EqualSInfo(a->struct_info, b->struct_info);
  });
  if (same) Bind(a, b);
  return same;
}

bool Comparator::EqualNode(const VarNode* a, const VarNode* b) {
  switch (MatchUse(a, b, "Var", a->name, b->name)) {
    case UseMatch::kMatched: return true;
    case UseMatch::kFailed: return false;
    case UseMatch::kFree: break;
  }
  return DefineRelaxVar(a, b, /*defining=*/false);
}
bool Comparator::EqualNode(const ConstantNode* a, const ConstantNode* b) {
  return EqualArray(a->data, b->data);
}
bool Comparator::EqualNode(const TupleNode* a, const TupleNode* b) {
  return EqualRelaxExprs("fields", a->fields, b->fields);
}
bool Comparator::EqualNode(const TupleGetItemNode* a, const TupleGetItemNode* b) {
  if (a->index != b->index) return FailField("index", std::to_string(a->index), std::to_string(b->index));
  return At("tuple", [&] { return EqualRelax(a->tuple, b->tuple); });
}
bool Comparator::EqualNode(const ShapeExprNode* a, const ShapeExprNode* b) {
  return EqualEach("values", a->values, b->values,
                   [&](const tir::PrimExpr& x, const tir::PrimExpr& y) { return EqualExpr(x, y); });
}
bool Comparator::EqualNode(const PrimValueNode* a, const PrimValueNode* b) {
  return At("value", [&] { return EqualExpr(a->value, b->value); });
}
bool Comparator::EqualNode(const StringImmNode* a, const StringImmNode* b) {
  return a->value == b->value || FailField("value", Quoted(a->value), Quoted(b->value));
}
bool Comparator::EqualNode(const ExternFuncNode* a, const ExternFuncNode* b) {
  return a->global_symbol == b->global_symbol ||
         FailField("global_symbol", Quoted(a->global_symbol), Quoted(b->global_symbol));
}
bool Comparator::EqualNode(const CallNode* a, const CallNode* b) {
  return At("op", [&] { return EqualRelax(a->op, b->op); }) && EqualRelaxExprs("args", a->args, b->args) &&
         At("attrs", [&] { return EqualAttrs(a->attrs, b->attrs); }) &&
         EqualEach("sinfo_args", a->sinfo_args, b->sinfo_args,
                   [&](const StructInfo& x, const StructInfo& y) { return EqualSInfo(x, y); });
}
bool Comparator::EqualNode(const IfNode* a, const IfNode* b) {
  return At("condition", [&] { return EqualRelax(a->condition, b->condition); }) &&
         At("true_branch", [&] { return EqualRelax(a->true_branch, b->true_branch); }) &&
         At("false_branch", [&] { return EqualRelax(a->false_branch, b->false_branch); });
}
bool Comparator::EqualNode(const SeqExprNode* a, const SeqExprNode* b) {
  return EqualEach("blocks", a->blocks, b->blocks,
                   [&](const BindingBlock& x, const BindingBlock& y) { return EqualBlock(x, y); }) &&
         At("body", [&] { return EqualRelax(a->body, b->body); });
}
bool Comparator::EqualNode(const FunctionNode* a, const FunctionNode* b) {
  auto param = [&](const Var& x, const Var& y) { return DefineRelaxVar(x.get(), y.get(), /*defining=*/true); };
  if (a->is_pure != b->is_pure) return FailField("is_pure", BoolText(a->is_pure), BoolText(b->is_pure));
  return EqualEach("params", a->params, b->params, param) && At("body", [&] { return EqualRelax(a->body, b->body); }) &&
         At("ret_struct_info", [&] { return EqualSInfo(a->ret_struct_info, b->ret_struct_info); }) &&
         At("attrs", [&] { return EqualAttrs(a->attrs, b->attrs); });
}
bool Comparator::EqualNode(const OpNode* a, const OpNode* b) {
  return a == b || Fail("lhs " + Describe(a) + " vs rhs " + Describe(b));
}
bool Comparator::EqualNode(const ir::GlobalVarNode* a, const ir::GlobalVarNode* b) {
  return a->name == b->name || Fail("lhs " + Describe(a) + " vs rhs " + Describe(b));
}

bool Comparator::EqualBlock(const BindingBlock& a, const BindingBlock& b) {
  if (a.is_dataflow != b.is_dataflow) {
    return FailField("is_dataflow", BoolText(a.is_dataflow), BoolText(b.is_dataflow));
  }
  return EqualEach("bindings", a.bindings, b.bindings,
                   [&](const Binding& x, const Binding& y) { return EqualBinding(x, y); });
}

bool Comparator::EqualBinding(const Binding& a, const Binding& b) {
  auto match_cast = [&] {
    DefiningScope scope(this);
    return EqualSInfo(a.match_cast, b.match_cast);
  };
  return At("value", [&] { return EqualRelax(a.value, b.value); }) && At("match_cast", match_cast) &&
         At("var", [&] { return DefineRelaxVar(a.var.get(), b.var.get(), /*defining=*/false); });
}

// ---- struct info ----

bool Comparator::EqualSInfo(const StructInfo& a, const StructInfo& b) {
  if (!a || !b || a->type_index() != b->type_index()) {
    return (!a && !b) || Fail("lhs " + Describe(a.get()) + " vs rhs " + Describe(b.get()));
  }
  return CanSkip(a.get(), b.get()) || EqualSInfoFields(a, b);
}

bool Comparator::EqualSInfoFields(const StructInfo& a, const StructInfo& b) {
  if (As<ObjectStructInfoNode>(a)) return true;
  if (const auto* x = As<PrimStructInfoNode>(a)) {
    const auto* y = As<PrimStructInfoNode>(b);
    if (x->dtype != y->dtype) return FailField("dtype", x->dtype.str(), y->dtype.str());
    return At("value", [&] { return EqualSymbolic(x->value, y->value); });
  }
  if (const auto* x = As<ShapeStructInfoNode>(a)) {
    const auto* y = As<ShapeStructInfoNode>(b);
    if (x->ndim != y->ndim) return FailField("ndim", std::to_string(x->ndim), std::to_string(y->ndim));
    return EqualDims("values", x->values, y->values);
  }
  if (const auto* x = As<TensorStructInfoNode>(a)) {
    const auto* y = As<TensorStructInfoNode>(b);
    if (x->dtype != y->dtype) return FailField("dtype", x->dtype.str(), y->dtype.str());
    if (x->ndim != y->ndim) return FailField("ndim", std::to_string(x->ndim), std::to_string(y->ndim));
    return EqualDims("shape", x->shape, y->shape);
  }
  if (const auto* x = As<TupleStructInfoNode>(a)) {
    return EqualEach("fields", x->fields, As<TupleStructInfoNode>(b)->fields,
                     [&](const StructInfo& p, const StructInfo& q) { return EqualSInfo(p, q); });
  }
  if (const auto* x = As<FuncStructInfoNode>(a)) return EqualFuncSInfo(x, As<FuncStructInfoNode>(b));
  KILN_ICHECK(false) << "unknown struct info kind " << a->type_key();
  return false;
}

bool Comparator::EqualDims(const char* field, const Dims& a, const Dims& b) {
  if (a.has_value() != b.has_value()) return FailField(field, a ? "known" : "unknown", b ? "known" : "unknown");
  if (!a) return true;
  return EqualEach(field, *a, *b, [&](const tir::PrimExpr& x, const tir::PrimExpr& y) { return EqualSymbolic(x, y); });
}

bool Comparator::EqualFuncSInfo(const FuncStructInfoNode* a, const FuncStructInfoNode* b) {
  if (a->is_pure != b->is_pure) return FailField("is_pure", BoolText(a->is_pure), BoolText(b->is_pure));
  if (a->params.has_value() != b->params.has_value()) {
    return FailField("params", a->params ? "known" : "unknown (opaque)", b->params ? "known" : "unknown (opaque)");
  }
  auto sinfo = [&](const StructInfo& x, const StructInfo& y) { return EqualSInfo(x, y); };
  return (!a->params || EqualEach("params", *a->params, *b->params, sinfo)) &&
         At("ret", [&] { return EqualSInfo(a->ret, b->ret); });
}

// ---- modules and attribute values ----

bool Comparator::EqualModule(const ir::IRModule& a, const ir::IRModule& b) {
  if (CanSkip(a.get(), b.get())) return true;
  if (!SameNames(a, b)) return FailField("functions", NamesText(a), NamesText(b));
  for (size_t i = 0; i < a.functions().size(); ++i) {
    const auto& [gv, func] = a.functions()[i];
    ClearBindings();
    Expr fa = func, fb = b.functions()[i].second;
    if (!At(PathStep::Named("function", gv->name), [&] { return EqualRelax(fa, fb); })) return false;
  }
  ClearBindings();
  return At("attrs", [&] { return EqualAttrs(a.attrs(), b.attrs()); });
}

bool Comparator::EqualObject(const runtime::ObjectRef& a, const runtime::ObjectRef& b) {
  if (a->IsInstance<ir::RelaxExprNode>() && b->IsInstance<ir::RelaxExprNode>()) {
    return EqualRelax(a.As<ir::RelaxExprNode>(), b.As<ir::RelaxExprNode>());
  }
  if (a->IsInstance<ir::StructInfoNode>() && b->IsInstance<ir::StructInfoNode>()) {
    return EqualSInfo(a.As<ir::StructInfoNode>(), b.As<ir::StructInfoNode>());
  }
  return tir::StructuralComparator::EqualObject(a, b);
}

// ---- the public face ----

template <typename T>
using Compare = bool (Comparator::*)(const T&, const T&);

template <typename T>
std::optional<std::string> Mismatch(const T& a, const T& b, bool map_free_vars, Compare<T> compare) {
  Comparator c(map_free_vars);
  if ((c.*compare)(a, b)) return std::nullopt;
  KILN_ICHECK(c.mismatch()) << "a structural difference without a description";
  return c.mismatch();
}
}  // namespace

bool StructuralEqual(const Expr& a, const Expr& b, bool map_free_vars) {
  return Comparator(map_free_vars).EqualRelax(a, b);
}
bool StructuralEqual(const ir::IRModule& a, const ir::IRModule& b, bool map_free_vars) {
  return Comparator(map_free_vars).EqualModule(a, b);
}

std::optional<std::string> FindMismatch(const Expr& a, const Expr& b, bool map_free_vars) {
  return Mismatch(a, b, map_free_vars, &Comparator::EqualRelax);
}
std::optional<std::string> FindMismatch(const ir::IRModule& a, const ir::IRModule& b, bool map_free_vars) {
  return Mismatch(a, b, map_free_vars, &Comparator::EqualModule);
}

namespace detail {
bool StructInfoStructuralEqual(const StructInfo& a, const StructInfo& b, bool map_free_vars) {
  return Comparator(map_free_vars).EqualSInfo(a, b);
}
std::optional<std::string> StructInfoMismatch(const StructInfo& a, const StructInfo& b, bool map_free_vars) {
  return Mismatch(a, b, map_free_vars, &Comparator::EqualSInfo);
}
}  // namespace detail

}  // namespace kiln::relax
