// What the lowering passes share: running a mutator over a function's body
// (the function itself when nothing changes), and the base of the mutators
// that fold away the ifs whose conditions they decide.
#pragma once

#include <vector>

#include "kiln/tir/function.h"
#include "kiln/tir/functor.h"

namespace kiln::tir {

// `func` with its body rewritten by `mutator`: `func` itself when the body
// comes back unchanged (the same node).
inline PrimFunc RewriteBody(const PrimFunc& func, StmtMutator&& mutator) {
  Stmt body = mutator.VisitStmt(func->body);
  if (body.get() == func->body.get()) return func;
  return MakePrimFunc(func->params, func->buffer_map, body, func->attrs, func->span);
}

// A mutator whose subclass folds ifs, leaving Evaluate(0) for one that fails
// without an else: a sequence drops the statements its visit turned into
// such no-ops (an Evaluate of a constant).
class IfFoldingMutator : public StmtMutator {
 protected:
  Stmt VisitStmt_(const SeqNode* op) override {
    std::vector<Stmt> seq;
    bool same = true;
    for (const Stmt& s : op->seq) {
      Stmt v = VisitStmt(s);
      same = same && v.get() == s.get();
      const EvaluateNode* e = v.as<EvaluateNode>();
      if (v.get() == s.get() || !e || !e->value.as<IntImmNode>()) seq.push_back(v);
    }
    if (same) return runtime::GetRef<StmtNode>(op);
    return seq.empty() ? Evaluate(0) : Seq(seq, op->span);
  }
};

}  // namespace kiln::tir
