// relax structural hashing on top of tir::StructuralHasher, visiting fields
// in the order the comparator does. An expression's own struct info is left
// out (equality compares it only when both sides have it); a Var's is in.
#include "kiln/relax/functor.h"
#include "kiln/relax/struct_info.h"
#include "kiln/relax/structural_equal.h"
#include "kiln/tir/structural_equal.h"

namespace kiln::relax {

namespace {
constexpr uint64_t kNull = 0x51c3a0d7;

template <typename T>
const T* As(const StructInfo& s) {
  return s->IsInstance<T>() ? static_cast<const T*>(s.get()) : nullptr;
}

using Dims = std::optional<std::vector<tir::PrimExpr>>;

class Hasher : public tir::StructuralHasher {
 public:
  using tir::StructuralHasher::StructuralHasher;

  uint64_t HashRelax(const Expr& e);
  uint64_t HashSInfo(const StructInfo& s);
  uint64_t HashModule(const ir::IRModule& m);
  uint64_t HashObject(const runtime::ObjectRef& obj) override;

 private:
#define KILN_X(name) uint64_t HashNode(const name##Node* e);
  KILN_RELAX_EXPR_KINDS(KILN_X)
#undef KILN_X
  uint64_t DefineRelaxVar(const VarNode* v, bool defining);
  uint64_t HashRelaxExprs(uint64_t seed, const std::vector<Expr>& exprs);
  uint64_t HashSInfos(uint64_t seed, const std::vector<StructInfo>& sinfos);
  uint64_t HashBinding(const Binding& b);
  uint64_t HashSInfoFields(const StructInfo& s);
  uint64_t HashDims(const Dims& dims);
};

// ---- expressions ----

uint64_t Hasher::HashRelax(const Expr& e) {
  if (!e) return kNull;
  uint64_t h = HashString(e->type_key());
  if (const auto* f = e.as<tir::PrimFuncNode>()) return Combine(h, HashFunc(tir::PrimFunc(runtime::GetRef(f))));
  switch (KindOf(e.get())) {
#define KILN_X(name) \
  case ExprKind::k##name: return Combine(h, HashNode(static_cast<const name##Node*>(e.get())));
    KILN_RELAX_EXPR_KINDS(KILN_X)
#undef KILN_X
  }
  return h;
}

uint64_t Hasher::HashRelaxExprs(uint64_t seed, const std::vector<Expr>& exprs) {
  seed = Combine(seed, exprs.size());
  for (const Expr& e : exprs) seed = Combine(seed, HashRelax(e));
  return seed;
}

uint64_t Hasher::DefineRelaxVar(const VarNode* v, bool defining) {
  uint64_t h = v->is_dataflow;
  if (defining) {
    DefiningScope scope(this);
    h = Combine(h, HashSInfo(v->struct_info));
  } else {
    h = Combine(h, HashSInfo(v->struct_info));
  }
  return Combine(h, Define(v));
}

uint64_t Hasher::HashNode(const VarNode* e) {
  if (std::optional<uint64_t> use = Lookup(e)) return *use;
  if (map_free_vars()) return DefineRelaxVar(e, /*defining=*/false);
  return Combine(HashString(e->name), e->is_dataflow);
}
uint64_t Hasher::HashNode(const ConstantNode* e) {
  return HashArray(e->data);
}
uint64_t Hasher::HashNode(const TupleNode* e) {
  return HashRelaxExprs(0, e->fields);
}
uint64_t Hasher::HashNode(const TupleGetItemNode* e) {
  return Combine(static_cast<uint64_t>(e->index), HashRelax(e->tuple));
}
uint64_t Hasher::HashNode(const ShapeExprNode* e) {
  uint64_t h = e->values.size();
  for (const tir::PrimExpr& v : e->values) h = Combine(h, HashExpr(v));
  return h;
}
uint64_t Hasher::HashNode(const PrimValueNode* e) {
  return HashExpr(e->value);
}
uint64_t Hasher::HashNode(const StringImmNode* e) {
  return HashString(e->value);
}
uint64_t Hasher::HashNode(const ExternFuncNode* e) {
  return HashString(e->global_symbol);
}
uint64_t Hasher::HashNode(const CallNode* e) {
  uint64_t h = HashRelaxExprs(HashRelax(e->op), e->args);
  h = Combine(h, HashAttrs(e->attrs));
  return HashSInfos(h, e->sinfo_args);
}
uint64_t Hasher::HashNode(const IfNode* e) {
  uint64_t h = Combine(HashRelax(e->condition), HashRelax(e->true_branch));
  return Combine(h, HashRelax(e->false_branch));
}
uint64_t Hasher::HashNode(const SeqExprNode* e) {
  uint64_t h = e->blocks.size();
  for (const BindingBlock& block : e->blocks) {
    h = Combine(Combine(h, block.is_dataflow), block.bindings.size());
    for (const Binding& b : block.bindings) h = Combine(h, HashBinding(b));
  }
  return Combine(h, HashRelax(e->body));
}
uint64_t Hasher::HashNode(const FunctionNode* e) {
  uint64_t h = Combine(e->is_pure, e->params.size());
  for (const Var& p : e->params) h = Combine(h, DefineRelaxVar(p.get(), /*defining=*/true));
  h = Combine(h, HashRelax(e->body));
  h = Combine(h, HashSInfo(e->ret_struct_info));
  return Combine(h, HashAttrs(e->attrs));
}
uint64_t Hasher::HashNode(const OpNode* e) {
  return HashString(e->name);
}
uint64_t Hasher::HashNode(const ir::GlobalVarNode* e) {
  return HashString(e->name);
}

uint64_t Hasher::HashBinding(const Binding& b) {
  uint64_t h = HashRelax(b.value);
  {
    DefiningScope scope(this);
    h = Combine(h, HashSInfo(b.match_cast));
  }
  return Combine(h, DefineRelaxVar(b.var.get(), /*defining=*/false));
}

// ---- struct info ----

uint64_t Hasher::HashSInfos(uint64_t seed, const std::vector<StructInfo>& sinfos) {
  seed = Combine(seed, sinfos.size());
  for (const StructInfo& s : sinfos) seed = Combine(seed, HashSInfo(s));
  return seed;
}

uint64_t Hasher::HashSInfo(const StructInfo& s) {
  if (!s) return kNull;
  return Combine(HashString(s->type_key()), HashSInfoFields(s));
}

uint64_t Hasher::HashSInfoFields(const StructInfo& s) {
  if (const auto* x = As<PrimStructInfoNode>(s)) return Combine(HashDType(x->dtype), HashSymbolic(x->value));
  if (const auto* x = As<ShapeStructInfoNode>(s)) return Combine(static_cast<uint64_t>(x->ndim), HashDims(x->values));
  if (const auto* x = As<TensorStructInfoNode>(s)) {
    uint64_t h = Combine(HashDType(x->dtype), static_cast<uint64_t>(x->ndim));
    return Combine(h, HashDims(x->shape));
  }
  if (const auto* x = As<TupleStructInfoNode>(s)) return HashSInfos(0, x->fields);
  if (const auto* x = As<FuncStructInfoNode>(s)) {
    uint64_t h = Combine(x->is_pure, x->params.has_value());
    if (x->params) h = HashSInfos(h, *x->params);
    return Combine(h, HashSInfo(x->ret));
  }
  return 0;  // ObjectStructInfo: its kind says it all
}

uint64_t Hasher::HashDims(const Dims& dims) {
  if (!dims) return kNull;
  uint64_t h = dims->size();
  for (const tir::PrimExpr& d : *dims) h = Combine(h, HashSymbolic(d));
  return h;
}

// ---- modules and attribute values ----

uint64_t Hasher::HashModule(const ir::IRModule& m) {
  uint64_t h = m.functions().size();
  for (const auto& [gv, func] : m.functions()) {
    ClearBindings();
    h = Combine(Combine(h, HashString(gv->name)), HashRelax(func));
  }
  ClearBindings();
  return Combine(h, HashAttrs(m.attrs()));
}

uint64_t Hasher::HashObject(const runtime::ObjectRef& obj) {
  if (obj->IsInstance<ir::RelaxExprNode>()) return HashRelax(obj.As<ir::RelaxExprNode>());
  if (obj->IsInstance<ir::StructInfoNode>()) return HashSInfo(obj.As<ir::StructInfoNode>());
  return tir::StructuralHasher::HashObject(obj);
}
}  // namespace

size_t StructuralHash(const Expr& e, bool map_free_vars) {
  return Hasher(map_free_vars).HashRelax(e);
}
size_t StructuralHash(const ir::IRModule& m, bool map_free_vars) {
  return Hasher(map_free_vars).HashModule(m);
}

namespace detail {
size_t StructInfoStructuralHash(const StructInfo& s, bool map_free_vars) {
  return Hasher(map_free_vars).HashSInfo(s);
}
}  // namespace detail

}  // namespace kiln::relax
