// Finds variables used without a definition in a PrimFunc body being built.
#include "undefined_vars.h"

#include <string>

#include "kiln/runtime/error.h"
#include "kiln/tir/functor.h"

namespace kiln::tir::te {

namespace {
// Definitions are recorded as they are met; the bodies built by te use each
// variable inside its definition only, so no scoping is needed.
class UndefinedVarChecker : public StmtVisitor {
 public:
  explicit UndefinedVarChecker(const std::unordered_set<const VarNode*>& reduce_vars) : reduce_vars_(reduce_vars) {}

  void Define(const Var& v) { defined_.insert(v.get()); }
  void CheckShape(const Buffer& b) {
    where_ = "the shape of buffer '" + b->name + "'";
    for (const PrimExpr& d : b->shape) VisitExpr(d);
  }

 protected:
  void VisitExpr_(const VarNode* op) override {
    if (defined_.count(op)) return;
    KILN_CHECK(!reduce_vars_.count(op)) << "create_prim_func: reduce axis '" << op->name
                                        << "' is used outside a reduction (in " << where_ << ")";
    KILN_THROW() << "create_prim_func: variable '" << op->name << "' (in " << where_
                 << ") is neither a whole dimension of an input or output nor among the scalars";
  }
  void VisitExpr_(const LetNode* op) override {
    Define(op->var);
    StmtVisitor::VisitExpr_(op);
  }
  void VisitStmt_(const LetStmtNode* op) override {
    Define(op->var);
    StmtVisitor::VisitStmt_(op);
  }
  void VisitStmt_(const ForNode* op) override {
    Define(op->loop_var);
    where_ = "the loop over '" + op->loop_var.name() + "'";
    StmtVisitor::VisitStmt_(op);
  }
  void VisitStmt_(const BlockNode* op) override {
    for (const Buffer& b : op->alloc_buffers) CheckShape(b);
    for (const IterVar& iv : op->iter_vars) Define(iv.var);
    where_ = "block '" + op->name + "'";
    StmtVisitor::VisitStmt_(op);
  }

 private:
  const std::unordered_set<const VarNode*>& reduce_vars_;
  std::unordered_set<const VarNode*> defined_;
  std::string where_;
};
}  // namespace

void CheckNoUndefinedVars(const Stmt& root, const std::vector<Buffer>& params, const std::vector<Var>& scalars,
                          const std::unordered_set<const VarNode*>& reduce_vars) {
  UndefinedVarChecker checker(reduce_vars);
  for (const Var& v : scalars) checker.Define(v);
  for (const Buffer& b : params) {
    for (const PrimExpr& d : b->shape) {
      if (d.as<VarNode>()) checker.Define(Var(d));
    }
  }
  for (const Buffer& b : params) checker.CheckShape(b);
  checker.VisitStmt(root);
}

}  // namespace kiln::tir::te
