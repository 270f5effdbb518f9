// VerifyBounds: affine accesses outside any guard, checked against the
// buffer's shape with the loop ranges bound in an Analyzer.
#include "kiln/tir/analysis/verify_bounds.h"

#include <sstream>
#include <unordered_set>

#include "kiln/runtime/error.h"
#include "kiln/tir/arith/analyzer.h"
#include "kiln/tir/functor.h"
#include "kiln/tir/lower.h"
#include "kiln/tir/printer.h"

namespace kiln::tir {
namespace {

class BoundsVerifier : public StmtVisitor {
 public:
  explicit BoundsVerifier(std::string name) : name_(std::move(name)) {}

 protected:
  void VisitStmt_(const ForNode* op) override {
    VisitExpr(op->min);
    VisitExpr(op->extent);
    // Only loops that certainly run every iteration in [min, min + extent)
    // make an index's extremes reachable.
    ana_.Bind(op->loop_var, Range{op->min, op->extent});
    loop_vars_.insert(op->loop_var.get());
    dom_.push_back({op->loop_var, Range{op->min, op->extent}});
    VisitStmt(op->body);
    dom_.pop_back();
    loop_vars_.erase(op->loop_var.get());
  }
  void VisitStmt_(const IfThenElseNode* op) override {
    VisitExpr(op->condition);
    ++guards_;
    VisitStmt(op->then_case);
    if (op->else_case) VisitStmt(op->else_case);
    --guards_;
  }
  void VisitStmt_(const WhileNode* op) override {
    ++guards_;
    StmtVisitor::VisitStmt_(op);
    --guards_;
  }
  void VisitStmt_(const LetStmtNode* op) override {
    VisitExpr(op->value);
    ana_.Bind(op->var, op->value);
    VisitStmt(op->body);
  }
  void VisitStmt_(const BufferStoreNode* op) override {
    Check(op->buffer, op->indices, "written");
    StmtVisitor::VisitStmt_(op);
  }
  void VisitExpr_(const BufferLoadNode* op) override {
    Check(op->buffer, op->indices, "read");
    StmtVisitor::VisitExpr_(op);
  }
  void VisitExpr_(const SelectNode* op) override {
    VisitExpr(op->condition);
    ++guards_;
    VisitExpr(op->true_value);
    VisitExpr(op->false_value);
    --guards_;
  }
  void VisitExpr_(const CallNode* op) override {
    bool guarding = op->op == "if_then_else";
    if (guarding) ++guards_;
    StmtVisitor::VisitExpr_(op);
    if (guarding) --guards_;
  }

 private:
  // index = sum of c * loop_var + rest, each loop variable at most once, the
  // rest free of loop variables: then every value in its hull is reached.
  bool IsAffineInLoops(const PrimExpr& e, std::unordered_set<const VarNode*>& seen) const {
    if (e.as<IntImmNode>()) return true;
    if (const VarNode* v = e.as<VarNode>()) return !loop_vars_.count(v) || seen.insert(v).second;
    if (const BinaryNode* b = e.as<BinaryNode>()) {
      if (b->op == BinaryOp::kAdd || b->op == BinaryOp::kSub) {
        return IsAffineInLoops(b->a, seen) && IsAffineInLoops(b->b, seen);
      }
      if (b->op == BinaryOp::kMul) {
        if (b->b.as<IntImmNode>()) return IsAffineInLoops(b->a, seen);
        if (b->a.as<IntImmNode>()) return IsAffineInLoops(b->b, seen);
      }
      return false;
    }
    if (const CastNode* c = e.as<CastNode>()) return IsAffineInLoops(c->value, seen);
    return false;
  }

  void Check(const Buffer& buffer, const std::vector<PrimExpr>& indices, const char* how) {
    if (guards_ > 0 || indices.size() != buffer->shape.size()) return;
    for (size_t d = 0; d < indices.size(); ++d) {
      const PrimExpr& index = indices[d];
      if (index.dtype().lanes() != 1) continue;  // vector indices: checked before vectorization
      std::unordered_set<const VarNode*> seen;
      if (!IsAffineInLoops(index, seen)) continue;
      arith::ConstIntBound b = ana_.Bound(index);
      PrimExpr extent = buffer->shape[d];
      bool below = b.min_value != arith::ConstIntBound::kNegInf && b.min_value < 0;
      bool above = false;
      if (auto e = ConstIntValue(extent)) {
        above = b.max_value != arith::ConstIntBound::kPosInf && b.max_value >= *e;
      } else if (extent.dtype() == index.dtype()) {
        arith::IntervalSet s = ana_.EvalSet(index, dom_);
        above = s.max && ana_.CanProve(s.max >= extent);
      }
      if (!below && !above) continue;
      std::ostringstream os;
      os << name_ << ": buffer '" << buffer->name << "' is " << how << " out of bounds: index " << ToText(index)
         << " of dimension " << d << " (extent " << ToText(extent) << ") reaches ";
      if (below) {
        os << b.min_value;
      } else if (b.max_value != arith::ConstIntBound::kPosInf) {
        os << b.max_value;
      } else {
        os << "the extent";
      }
      KILN_THROW() << os.str();
    }
  }

  std::string name_;
  arith::Analyzer ana_;
  std::unordered_set<const VarNode*> loop_vars_;
  std::vector<std::pair<Var, Range>> dom_;  // the enclosing loops
  int guards_ = 0;
};

}  // namespace

void VerifyBounds(const PrimFunc& func, const std::string& name) {
  BoundsVerifier v(name);
  v.VisitStmt(LowerBlocks(func)->body);
}

}  // namespace kiln::tir
