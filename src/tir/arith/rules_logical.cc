// Logical rules: constants fold, each operand of && (||) is simplified
// assuming the other holds (fails), and negation is pushed into comparisons
// and through && and || (De Morgan).
#include "kiln/tir/arith/expr_order.h"
#include "kiln/tir/arith/simplifier.h"

namespace kiln::tir::arith {

namespace {

// a op b when a is a constant: true && y -> y, false && y -> false, and dually for ||.
PrimExpr WithConstant(bool is_and, int64_t a, const PrimExpr& a_expr, const PrimExpr& other) {
  return (a != 0) == is_and ? other : a_expr;
}

BinaryOp Negated(BinaryOp op) {
  switch (op) {
    case BinaryOp::kEQ: return BinaryOp::kNE;
    case BinaryOp::kNE: return BinaryOp::kEQ;
    case BinaryOp::kLT: return BinaryOp::kGE;
    case BinaryOp::kLE: return BinaryOp::kGT;
    case BinaryOp::kGT: return BinaryOp::kLE;
    default: return BinaryOp::kLT;  // of kGE
  }
}

}  // namespace

// x && y -> x && (y assuming x); x || y -> x || (y assuming !x).
PrimExpr RewriteLogical(Simplifier& s, const BinaryNode* op) {
  bool is_and = op->op == BinaryOp::kAnd;
  auto implied = [&](const PrimExpr& x) { return is_and ? x : RewriteNot(s, x); };
  PrimExpr a = s.Simplify(op->a);
  if (const int64_t* k = AsConstInt(a)) return (*k != 0) == is_and ? s.Simplify(op->b) : a;
  PrimExpr b = s.SimplifyBranch(implied(a), op->b);
  if (const int64_t* k = AsConstInt(b)) return WithConstant(is_and, *k, b, a);
  // The first operand again, assuming the second; skipped for a chain, where it would repeat work.
  const BinaryNode* chain = a.as<BinaryNode>();
  if (!chain || !IsLogical(chain->op)) {
    PrimExpr first = s.SimplifyBranch(implied(b), a);
    if (const int64_t* k = AsConstInt(first)) return WithConstant(is_and, *k, first, b);
    // A first operand that changed may say more about the second.
    if (!ExprDeepEqual(first, a)) b = s.SimplifyBranch(implied(first), b);
    if (const int64_t* k = AsConstInt(b)) return WithConstant(is_and, *k, b, first);
    a = first;
  }
  if (ExprDeepEqual(a, b)) return a;  // x && x -> x
  return a.get() == op->a.get() && b.get() == op->b.get() ? PrimExpr(runtime::GetRef<PrimExprNode>(op))
                                                          : Binary(op->op, a, b, op->span);
}

PrimExpr RewriteNot(Simplifier& s, const PrimExpr& a) {
  if (const int64_t* k = AsConstInt(a)) return Bool(*k == 0);  // !true -> false
  if (const NotNode* n = a.as<NotNode>()) return n->a;         // !!x -> x
  const BinaryNode* op = a.as<BinaryNode>();
  if (op && IsComparison(op->op) && IsIndexType(op->a.dtype())) {  // !(x < y) -> x >= y, ...
    return RewriteCompare(s, Negated(op->op), op->a, op->b);
  }
  if (op && IsLogical(op->op) && a.dtype().lanes() == 1) {  // !(x && y) -> !x || !y, !(x || y) -> !x && !y
    BinaryOp dual = op->op == BinaryOp::kAnd ? BinaryOp::kOr : BinaryOp::kAnd;
    return Binary(dual, RewriteNot(s, op->a), RewriteNot(s, op->b));
  }
  return Not(a);
}

}  // namespace kiln::tir::arith
