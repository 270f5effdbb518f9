// SimplifyIndices: buffer indices through arith::Analyzer::Simplify with each
// enclosing loop variable bound to its range, so flat indices such as
// (i*8 + j) // 8 * 8 + (i*8 + j) % 8 reach code generation as i*8 + j.
#include "kiln/tir/arith/analyzer.h"
#include "kiln/tir/functor.h"
#include "kiln/tir/lower.h"
#include "rewrite.h"

namespace kiln::tir {
namespace {

class IndexSimplifier : public StmtMutator {
 protected:
  Stmt VisitStmt_(const ForNode* op) override {
    analyzer_.Bind(op->loop_var, Range{op->min, op->extent});
    return StmtMutator::VisitStmt_(op);
  }

  PrimExpr VisitExpr_(const BufferLoadNode* op) override {
    std::vector<PrimExpr> indices = Simplified(op->indices);
    if (SameObjects(indices, op->indices)) return StmtMutator::VisitExpr_(op);
    return BufferLoad(op->buffer, indices, op->span);
  }

  Stmt VisitStmt_(const BufferStoreNode* op) override {
    std::vector<PrimExpr> indices = Simplified(op->indices);
    PrimExpr value = VisitExpr(op->value);
    if (SameObjects(indices, op->indices) && value.get() == op->value.get()) return StmtMutator::VisitStmt_(op);
    return BufferStore(op->buffer, value, indices, op->span);
  }

 private:
  // Scalar indices, and the base and stride of ramps; other vector indices
  // are kept (after their own loads are visited) unless they fold into a
  // ramp (floordiv(ramp(i*8, 1, 4), 2) stays, ramp(i*8, 1, 4) + broadcast(j)
  // becomes ramp(i*8 + j, 1, 4)), which the code generator reads as one
  // contiguous access.
  PrimExpr SimplifyIndex(const PrimExpr& index) {
    if (index.dtype().lanes() == 1) return analyzer_.Simplify(VisitExpr(index));
    if (const RampNode* r = index.as<RampNode>()) {
      PrimExpr base = SimplifyIndex(r->base), stride = SimplifyIndex(r->stride);
      if (base.get() == r->base.get() && stride.get() == r->stride.get()) return index;
      return Ramp(base, stride, r->lanes, r->span);
    }
    PrimExpr visited = VisitExpr(index);
    if (HasLoad(visited)) return visited;
    PrimExpr simple = analyzer_.Simplify(visited);
    if (simple.as<RampNode>()) return SimplifyIndex(simple);
    return visited;
  }

  static bool HasLoad(const PrimExpr& e) {
    bool found = false;
    PreOrderVisit(e, [&](const PrimExpr& x) { found = found || x.as<BufferLoadNode>() != nullptr; });
    return found;
  }

  std::vector<PrimExpr> Simplified(const std::vector<PrimExpr>& indices) {
    std::vector<PrimExpr> out;
    for (const PrimExpr& i : indices) out.push_back(SimplifyIndex(i));
    return out;
  }

  static bool SameObjects(const std::vector<PrimExpr>& a, const std::vector<PrimExpr>& b) {
    for (size_t i = 0; i < a.size(); ++i) {
      if (a[i].get() != b[i].get()) return false;
    }
    return true;
  }

  arith::Analyzer analyzer_;
};

}  // namespace

PrimFunc SimplifyIndices(const PrimFunc& func) {
  return RewriteBody(func, IndexSimplifier());
}

}  // namespace kiln::tir
