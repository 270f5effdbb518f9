// Visitors and mutators over relax expressions, derived from the one list of
// expression kinds below: adding a kind there adds it here. Mutators copy on
// write and rebuild through a BlockBuilder, so their output is normalized.
#pragma once

#include <unordered_map>
#include <utility>

#include "kiln/relax/block_builder.h"
#include "kiln/relax/op.h"

namespace kiln::relax {

using ir::GlobalVar;
using ir::GlobalVarNode;

// The one list of relax expression kinds; visitors and mutators derive from it.
#define KILN_RELAX_EXPR_KINDS(X) \
  X(Var)                         \
  X(Constant)                    \
  X(Tuple)                       \
  X(TupleGetItem)                \
  X(ShapeExpr)                   \
  X(PrimValue)                   \
  X(StringImm)                   \
  X(ExternFunc)                  \
  X(Call)                        \
  X(If)                          \
  X(SeqExpr)                     \
  X(Function)                    \
  X(Op)                          \
  X(GlobalVar)

enum class ExprKind : uint8_t {
#define KILN_X(name) k##name,
  KILN_RELAX_EXPR_KINDS(KILN_X)
#undef KILN_X
};

// The kind of a relax expression node, from its exact object type; raises
// InternalError for anything else (a tir PrimFunc, for one).
ExprKind KindOf(const ir::RelaxExprNode* node);

template <typename FType>
class ExprFunctor;

// Dispatches on an expression's kind to VisitExpr_(const XNode*, args...).
template <typename R, typename... Args>
class ExprFunctor<R(const Expr&, Args...)> {
 public:
  virtual ~ExprFunctor() = default;
  virtual R VisitExpr(const Expr& e, Args... args) {
    KILN_ICHECK(e) << "visiting an undefined relax expression";
    switch (KindOf(e.get())) {
#define KILN_X(name) \
  case ExprKind::k##name: return VisitExpr_(static_cast<const name##Node*>(e.get()), std::forward<Args>(args)...);
      KILN_RELAX_EXPR_KINDS(KILN_X)
#undef KILN_X
    }
    return R();
  }

 protected:
#define KILN_X(name) virtual R VisitExpr_(const name##Node* op, Args... args) = 0;
  KILN_RELAX_EXPR_KINDS(KILN_X)
#undef KILN_X
};

// Visits every expression, binding, variable definition and struct info.
// Override what you need and call the base to keep descending.
class ExprVisitor : public ExprFunctor<void(const Expr&)> {
 public:
  using ExprFunctor::VisitExpr;

 protected:
#define KILN_X(name) void VisitExpr_(const name##Node* op) override;
  KILN_RELAX_EXPR_KINDS(KILN_X)
#undef KILN_X
  virtual void VisitBindingBlock(const BindingBlock& block);
  // The value, then the match_cast struct info, then the variable's definition.
  virtual void VisitBinding(const Binding& binding);
  // A definition (function parameter or bound variable); uses of a variable
  // come to VisitExpr_(const VarNode*). The default visits its struct info.
  virtual void VisitVarDef(const Var& var);
  // Struct info of definitions, match_casts, call sinfo_args and function
  // returns; the default visits the tir expressions in it.
  virtual void VisitStructInfo(const StructInfo& sinfo);
  // tir expressions: symbolic dimensions, shape values, prim values.
  virtual void VisitPrimExpr(const tir::PrimExpr& expr);
};

// Rebuilds what changed and shares the rest: a node whose children come back
// as the same objects is returned itself. Bindings are re-emitted through
// `builder_`, which fills struct info and flattens nested calls; a scope body
// (function body, if branch) that is neither a SeqExpr nor a leaf becomes a
// SeqExpr. On normalized input, a mutator that changes nothing returns the
// same objects.
class ExprMutator : public ExprFunctor<Expr(const Expr&)> {
 public:
  // `mod` is the module the expressions belong to: calls to its functions
  // take their struct info from it.
  explicit ExprMutator(ir::IRModule mod = ir::IRModule()) : builder_(std::move(mod)) {}
  // Visits `e`; a result that is a new node is normalized.
  Expr VisitExpr(const Expr& e) override;

 protected:
#define KILN_X(name) Expr VisitExpr_(const name##Node* op) override;
  KILN_RELAX_EXPR_KINDS(KILN_X)
#undef KILN_X
  // Visits the bindings of `block` into a fresh block of the builder.
  virtual BindingBlock VisitBindingBlock(const BindingBlock& block);
  // Emits the rewritten binding into the builder (or nothing, to drop it).
  // When the bound variable must change (new struct info), uses of the old
  // one are remapped to the new one.
  virtual void VisitBinding(const Binding& binding);
  // The variable a definition binds; by default a new one when its struct
  // info changes, remapped for the uses that follow.
  virtual Var VisitVarDef(const Var& var);
  virtual StructInfo VisitStructInfo(const StructInfo& sinfo);
  virtual tir::PrimExpr VisitPrimExpr(const tir::PrimExpr& expr) { return expr; }
  // A scope body (function body, if branch): bindings its normalization
  // emits are wrapped with it into a SeqExpr.
  Expr VisitWithNewScope(const Expr& body);
  // From now on, uses of `from` become `to`.
  void RemapVar(const Var& from, const Var& to) { var_remap_[from.get()] = to; }

  BlockBuilder builder_;
  std::unordered_map<const VarNode*, Var> var_remap_;
};

// Calls f on every expression under `expr` (itself included), children first.
void PostOrderVisit(const Expr& expr, const std::function<void(const Expr&)>& f);

}  // namespace kiln::relax
