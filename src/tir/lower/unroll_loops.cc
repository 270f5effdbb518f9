// UnrollLoops: an unrolled loop of constant extent becomes copies of its
// body, one per value of the loop variable, with conditions that the value
// decides folded away. After it, a 14x32 accumulator tile is accessed at
// constant indices only, which is what lets LLVM keep it in registers.
#include "kiln/runtime/error.h"
#include "kiln/tir/arith/analyzer.h"
#include "kiln/tir/functor.h"
#include "kiln/tir/lower.h"
#include "rewrite.h"

namespace kiln::tir {
namespace {

constexpr int64_t kMaxIterations = 256;
// Iterations times statements of the body: the code one loop may become.
constexpr int64_t kMaxStatements = 4096;

int64_t CountStatements(const Stmt& s) {
  struct Counter : StmtVisitor {
    int64_t n = 0;
    void VisitStmt(const Stmt& s) override {
      ++n;
      StmtVisitor::VisitStmt(s);
    }
  } counter;
  counter.VisitStmt(s);
  return counter.n;
}

// Folds the ifs whose conditions the analyzer decides; those that fail leave
// no statement behind.
class ConditionFolder : public IfFoldingMutator {
 public:
  explicit ConditionFolder(arith::Analyzer& analyzer) : analyzer_(analyzer) {}

 protected:
  Stmt VisitStmt_(const ForNode* op) override {
    analyzer_.Bind(op->loop_var, Range{op->min, op->extent});
    return StmtMutator::VisitStmt_(op);
  }

  Stmt VisitStmt_(const IfThenElseNode* op) override {
    std::optional<int64_t> c = ConstIntValue(analyzer_.Simplify(op->condition));
    if (!c) return StmtMutator::VisitStmt_(op);
    if (*c) return VisitStmt(op->then_case);
    return op->else_case ? VisitStmt(op->else_case) : Evaluate(0);
  }

 private:
  arith::Analyzer& analyzer_;
};

class Unroller : public StmtMutator {
 protected:
  Stmt VisitStmt_(const ForNode* op) override {
    analyzer_.Bind(op->loop_var, Range{op->min, op->extent});
    Stmt s = StmtMutator::VisitStmt_(op);  // inner loops first
    const ForNode* loop = s.as<ForNode>();
    std::optional<int64_t> extent = ConstIntValue(loop->extent);
    if (loop->for_kind != ForKind::kUnrolled || !extent) return s;
    // Too long or too much code: stays a loop with LLVM's unroll hint.
    if (*extent > kMaxIterations || *extent * CountStatements(loop->body) > kMaxStatements) return s;
    if (*extent <= 0) return Evaluate(0);
    std::vector<Stmt> copies;
    for (int64_t k = 0; k < *extent; ++k) {
      PrimExpr value = analyzer_.Simplify(loop->min + IntImm(loop->min.dtype(), k));
      Stmt copy =
          Substitute(loop->body, [&](const Var& v) { return v.get() == loop->loop_var.get() ? value : PrimExpr(); });
      copies.push_back(ConditionFolder(analyzer_).VisitStmt(copy));
    }
    return Seq(copies, loop->span);
  }

 private:
  arith::Analyzer analyzer_;
};

}  // namespace

PrimFunc UnrollLoops(const PrimFunc& func) {
  return RewriteBody(func, Unroller());
}

}  // namespace kiln::tir
