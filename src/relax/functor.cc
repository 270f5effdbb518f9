// Kind dispatch and the default traversals of the relax visitor and the
// copy-on-write mutator.
#include "kiln/relax/functor.h"

#include "kiln/relax/struct_info_analysis.h"

namespace kiln::relax {

ExprKind KindOf(const ir::RelaxExprNode* node) {
  // Exact type index -> kind; -1 for types that are not a relax expression.
  static const std::vector<int> table = [] {
    std::vector<std::pair<uint32_t, ExprKind>> kinds = {
#define KILN_X(name) {name##Node::TypeIndex(), ExprKind::k##name},
        KILN_RELAX_EXPR_KINDS(KILN_X)
#undef KILN_X
    };
    std::vector<int> t;
    for (auto [index, kind] : kinds) {
      if (index >= t.size()) t.resize(index + 1, -1);
      t[index] = static_cast<int>(kind);
    }
    return t;
  }();
  uint32_t index = node->type_index();
  KILN_ICHECK(index < table.size() && table[index] >= 0) << "not a relax expression: " << node->type_key();
  return static_cast<ExprKind>(table[index]);
}

// ---- ExprVisitor ----

void ExprVisitor::VisitExpr_(const VarNode*) {}
void ExprVisitor::VisitExpr_(const ConstantNode*) {}
void ExprVisitor::VisitExpr_(const StringImmNode*) {}
void ExprVisitor::VisitExpr_(const ExternFuncNode*) {}
void ExprVisitor::VisitExpr_(const OpNode*) {}
void ExprVisitor::VisitExpr_(const GlobalVarNode*) {}
void ExprVisitor::VisitExpr_(const TupleNode* op) {
  for (const Expr& f : op->fields) VisitExpr(f);
}
void ExprVisitor::VisitExpr_(const TupleGetItemNode* op) {
  VisitExpr(op->tuple);
}
void ExprVisitor::VisitExpr_(const ShapeExprNode* op) {
  for (const tir::PrimExpr& v : op->values) VisitPrimExpr(v);
}
void ExprVisitor::VisitExpr_(const PrimValueNode* op) {
  VisitPrimExpr(op->value);
}
void ExprVisitor::VisitExpr_(const CallNode* op) {
  VisitExpr(op->op);
  for (const Expr& a : op->args) VisitExpr(a);
  for (const StructInfo& s : op->sinfo_args) VisitStructInfo(s);
}
void ExprVisitor::VisitExpr_(const IfNode* op) {
  VisitExpr(op->condition);
  VisitExpr(op->true_branch);
  VisitExpr(op->false_branch);
}
void ExprVisitor::VisitExpr_(const SeqExprNode* op) {
  for (const BindingBlock& b : op->blocks) VisitBindingBlock(b);
  VisitExpr(op->body);
}
void ExprVisitor::VisitExpr_(const FunctionNode* op) {
  for (const Var& p : op->params) VisitVarDef(p);
  VisitExpr(op->body);
  VisitStructInfo(op->ret_struct_info);
}

void ExprVisitor::VisitBindingBlock(const BindingBlock& block) {
  for (const Binding& b : block.bindings) VisitBinding(b);
}
void ExprVisitor::VisitBinding(const Binding& binding) {
  VisitExpr(binding.value);
  if (binding.match_cast) VisitStructInfo(binding.match_cast);
  VisitVarDef(binding.var);
}
void ExprVisitor::VisitVarDef(const Var& var) {
  VisitStructInfo(var.struct_info());
}
void ExprVisitor::VisitStructInfo(const StructInfo& sinfo) {
  VisitStructInfoExprs(sinfo, [this](const tir::PrimExpr& e) { VisitPrimExpr(e); });
}
void ExprVisitor::VisitPrimExpr(const tir::PrimExpr&) {}

// ---- ExprMutator ----

namespace {
template <typename T>
bool Same(const std::vector<T>& a, const std::vector<T>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].get() != b[i].get()) return false;
  }
  return true;
}

bool SameBindings(const BindingBlock& a, const BindingBlock& b) {
  if (a.bindings.size() != b.bindings.size()) return false;
  for (size_t i = 0; i < a.bindings.size(); ++i) {
    const Binding &x = a.bindings[i], &y = b.bindings[i];
    if (x.var.get() != y.var.get() || x.value.get() != y.value.get() || x.match_cast.get() != y.match_cast.get()) {
      return false;
    }
  }
  return true;
}
}  // namespace

// The node itself, as a handle: what a mutator returns when nothing changed.
#define KILN_SELF Expr(runtime::GetRef(op))

Expr ExprMutator::VisitExpr(const Expr& e) {
  Expr out = ExprFunctor::VisitExpr(e);
  return out.get() == e.get() ? out : builder_.Normalize(out);
}

Expr ExprMutator::VisitExpr_(const VarNode* op) {
  auto it = var_remap_.find(op);
  return it == var_remap_.end() ? KILN_SELF : Expr(it->second);
}
Expr ExprMutator::VisitExpr_(const ConstantNode* op) {
  return KILN_SELF;
}
Expr ExprMutator::VisitExpr_(const StringImmNode* op) {
  return KILN_SELF;
}
Expr ExprMutator::VisitExpr_(const ExternFuncNode* op) {
  return KILN_SELF;
}
Expr ExprMutator::VisitExpr_(const OpNode* op) {
  return KILN_SELF;
}
Expr ExprMutator::VisitExpr_(const GlobalVarNode* op) {
  return KILN_SELF;
}

Expr ExprMutator::VisitExpr_(const TupleNode* op) {
  std::vector<Expr> fields;
  for (const Expr& f : op->fields) fields.push_back(VisitExpr(f));
  return Same(fields, op->fields) ? KILN_SELF : MakeTuple(fields, op->span);
}
Expr ExprMutator::VisitExpr_(const TupleGetItemNode* op) {
  Expr tuple = VisitExpr(op->tuple);
  return tuple.get() == op->tuple.get() ? KILN_SELF : MakeTupleGetItem(tuple, op->index, op->span);
}
Expr ExprMutator::VisitExpr_(const ShapeExprNode* op) {
  std::vector<tir::PrimExpr> values;
  for (const tir::PrimExpr& v : op->values) values.push_back(VisitPrimExpr(v));
  return Same(values, op->values) ? KILN_SELF : MakeShapeExpr(values, op->span);
}
Expr ExprMutator::VisitExpr_(const PrimValueNode* op) {
  tir::PrimExpr v = VisitPrimExpr(op->value);
  return v.get() == op->value.get() ? KILN_SELF : MakePrimValue(v, op->span);
}

Expr ExprMutator::VisitExpr_(const CallNode* op) {
  Expr callee = VisitExpr(op->op);
  std::vector<Expr> args;
  for (const Expr& a : op->args) args.push_back(VisitExpr(a));
  std::vector<StructInfo> sinfo_args;
  for (const StructInfo& s : op->sinfo_args) sinfo_args.push_back(VisitStructInfo(s));
  if (callee.get() == op->op.get() && Same(args, op->args) && Same(sinfo_args, op->sinfo_args)) return KILN_SELF;
  return MakeCall(callee, args, op->attrs, sinfo_args, op->span);
}

Expr ExprMutator::VisitExpr_(const IfNode* op) {
  Expr cond = VisitExpr(op->condition);
  Expr t = VisitWithNewScope(op->true_branch), f = VisitWithNewScope(op->false_branch);
  if (cond.get() == op->condition.get() && t.get() == op->true_branch.get() && f.get() == op->false_branch.get()) {
    return KILN_SELF;
  }
  return MakeIf(cond, t, f, op->span);
}

Expr ExprMutator::VisitExpr_(const SeqExprNode* op) {
  std::vector<BindingBlock> blocks;
  bool same = true;
  for (const BindingBlock& block : op->blocks) {
    BindingBlock out = VisitBindingBlock(block);
    same &= SameBindings(out, block) && !out.bindings.empty();
    if (!out.bindings.empty()) blocks.push_back(std::move(out));
  }
  // The body becomes a leaf; what that emits joins the sequence as a block.
  builder_.BeginBindingBlock();
  Expr body = builder_.NormalizeArgument(VisitExpr(op->body));
  BindingBlock tail = builder_.EndBindingBlock();
  if (!tail.bindings.empty()) blocks.push_back(std::move(tail));
  if (same && blocks.size() == op->blocks.size() && body.get() == op->body.get()) return KILN_SELF;
  return MakeSeqExpr(std::move(blocks), body, op->span);
}

Expr ExprMutator::VisitExpr_(const FunctionNode* op) {
  builder_.ReserveNames(KILN_SELF);
  std::vector<Var> params;
  for (const Var& p : op->params) params.push_back(VisitVarDef(p));
  StructInfo ret = VisitStructInfo(op->ret_struct_info);
  Expr body = VisitWithNewScope(op->body);
  if (Same(params, op->params) && ret.get() == op->ret_struct_info.get() && body.get() == op->body.get()) {
    return KILN_SELF;
  }
  return MakeFunction(params, body, ret, op->is_pure, op->attrs, op->span);
}
#undef KILN_SELF

Expr ExprMutator::VisitWithNewScope(const Expr& body) {
  builder_.BeginBindingBlock();
  Expr out = VisitExpr(body);
  if (!out.as<SeqExprNode>()) out = builder_.NormalizeArgument(out);
  BindingBlock prologue = builder_.EndBindingBlock();
  if (prologue.bindings.empty()) return out;
  return builder_.Normalize(MakeSeqExpr({std::move(prologue)}, out, body->span));
}

BindingBlock ExprMutator::VisitBindingBlock(const BindingBlock& block) {
  block.is_dataflow ? builder_.BeginDataflowBlock() : builder_.BeginBindingBlock();
  for (const Binding& b : block.bindings) VisitBinding(b);
  return block.is_dataflow ? builder_.EndDataflowBlock() : builder_.EndBindingBlock();
}

void ExprMutator::VisitBinding(const Binding& binding) {
  Expr value = VisitExpr(binding.value);
  StructInfo cast = binding.match_cast ? VisitStructInfo(binding.match_cast) : StructInfo();
  Var var = VisitVarDef(binding.var);
  // A new value may be more specific than the variable said: follow it.
  const StructInfo& vs = value.struct_info();
  bool follow = !cast && value.get() != binding.value.get() && vs;
  if (follow && (!var.struct_info() || !StructInfoEqual(var.struct_info(), vs))) {
    var = WithStructInfo(var, vs);
  }
  Var bound = builder_.EmitBinding({var, value, cast});
  if (bound.get() != binding.var.get()) RemapVar(binding.var, bound);
}

Var ExprMutator::VisitVarDef(const Var& var) {
  StructInfo sinfo = VisitStructInfo(var.struct_info());
  if (sinfo.get() == var.struct_info().get()) return var;
  Var out = WithStructInfo(var, sinfo);
  RemapVar(var, out);
  return out;
}

StructInfo ExprMutator::VisitStructInfo(const StructInfo& sinfo) {
  return MapStructInfoExprs(sinfo, [this](const tir::PrimExpr& e) { return VisitPrimExpr(e); });
}

// ---- helpers ----

namespace {
class PostOrder : public ExprVisitor {
 public:
  explicit PostOrder(const std::function<void(const Expr&)>& f) : f_(f) {}
  void VisitExpr(const Expr& e) override {
    ExprVisitor::VisitExpr(e);
    f_(e);
  }

 private:
  const std::function<void(const Expr&)>& f_;
};
}  // namespace

void PostOrderVisit(const Expr& expr, const std::function<void(const Expr&)>& f) {
  PostOrder(f).VisitExpr(expr);
}

}  // namespace kiln::relax
