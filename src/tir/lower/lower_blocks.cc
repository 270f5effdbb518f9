// LowerBlocks: blocks become plain statements. Iteration variables are
// replaced by their bindings (also in the offsets and shapes of buffers
// declared inside, e.g. a DeclBuffer view at an offset of an iteration
// variable), the reduction init is guarded by "first reduction step",
// predicates become ifs and alloc_buffers Allocates.
#include <unordered_map>

#include "kiln/runtime/error.h"
#include "kiln/tir/functor.h"
#include "kiln/tir/lower.h"
#include "rewrite.h"

namespace kiln::tir {
namespace {

// True exactly on the first step of the reduction: every reduce variable's
// binding equals its domain minimum.
PrimExpr FirstReductionStep(const BlockNode* block) {
  PrimExpr cond;
  for (const IterVar& iv : block->iter_vars) {
    if (iv.kind != IterKind::kReduce) continue;
    PrimExpr eq = iv.binding == iv.dom.min;
    cond = cond ? logical_and(cond, eq) : eq;
  }
  KILN_ICHECK(cond) << "block '" << block->name << "' has an init but no reduce variable";
  return cond;
}

class BlockLowerer : public StmtMutator {
 protected:
  // Children first, so that inner blocks are plain statements by the time
  // the outer block's iteration variables are substituted.
  Stmt VisitStmt_(const BlockNode* op) override {
    Stmt body = VisitStmt(op->body);
    if (op->init) body = Seq({IfThenElse(FirstReductionStep(op), VisitStmt(op->init)), body});
    if (op->predicate) body = IfThenElse(op->predicate, body);
    std::unordered_map<const VarNode*, PrimExpr> bindings;
    for (const IterVar& iv : op->iter_vars) bindings[iv.var.get()] = iv.binding;
    if (!bindings.empty()) {
      body = Substitute(body, [&](const Var& v) {
        auto it = bindings.find(v.get());
        return it == bindings.end() ? PrimExpr() : it->second;
      });
    }
    for (auto it = op->alloc_buffers.rbegin(); it != op->alloc_buffers.rend(); ++it) body = Allocate(*it, body);
    return body;
  }
};

}  // namespace

PrimFunc LowerBlocks(const PrimFunc& func) {
  return RewriteBody(func, BlockLowerer());
}

}  // namespace kiln::tir
