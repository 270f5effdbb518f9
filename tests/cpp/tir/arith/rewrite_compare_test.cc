// Simplify on conditions: comparisons decided or put in canonical form,
// logical folding, negation, select, and conditions assumed in scope.
#include "kiln/tir/arith/analyzer.h"
#include "kiln/tir/printer.h"
#include "kiln/tir/structural_equal.h"
#include "tir/arith/arith_test_util.h"

namespace kiln::tir::arith {
namespace {

PrimExpr Lt(PrimExpr a, PrimExpr b) {
  return Binary(BinaryOp::kLT, a, b);
}
PrimExpr Le(PrimExpr a, PrimExpr b) {
  return Binary(BinaryOp::kLE, a, b);
}
PrimExpr Eq(PrimExpr a, PrimExpr b) {
  return Binary(BinaryOp::kEQ, a, b);
}
PrimExpr Ne(PrimExpr a, PrimExpr b) {
  return Binary(BinaryOp::kNE, a, b);
}
PrimExpr And(PrimExpr a, PrimExpr b) {
  return Binary(BinaryOp::kAnd, a, b);
}
PrimExpr Or(PrimExpr a, PrimExpr b) {
  return Binary(BinaryOp::kOr, a, b);
}
const PrimExpr kTrue = Bool(true);
const PrimExpr kFalse = Bool(false);

class ArithCompare : public ::testing::Test {
 protected:
  ArithCompare() {
    ana.Bind(i, Range{0, n});
    ana.Bind(j, Range{0, 4});
  }
  Analyzer ana;
  Var n = SizeVar("n");
  Var i{"i"}, j{"j"}, x{"x"}, y{"y"};
};

TEST_F(ArithCompare, DecidedByBounds) {
  EXPECT_SIMPLIFY(ana, i < n, kTrue);  // i < n when i in [0, n)
  EXPECT_SIMPLIFY(ana, i <= n - 1, kTrue);
  EXPECT_SIMPLIFY(ana, i >= n, kFalse);
  EXPECT_SIMPLIFY(ana, i >= 0, kTrue);
  EXPECT_SIMPLIFY(ana, i < 0, kFalse);
  EXPECT_SIMPLIFY(ana, j < 4, kTrue);
  EXPECT_SIMPLIFY(ana, j * 2 + 1 != 8, kTrue);
  EXPECT_SIMPLIFY(ana, i * 4 + j < n * 4, kTrue);
  EXPECT_SIMPLIFY(ana, n >= 0, kTrue);
  EXPECT_SIMPLIFY(ana, i == n, kFalse);
}

TEST_F(ArithCompare, DecidedByTheDifference) {
  EXPECT_SIMPLIFY(ana, x < x + 1, kTrue);
  EXPECT_SIMPLIFY(ana, x + 1 <= x, kFalse);
  EXPECT_SIMPLIFY(ana, x * 2 == x + x, kTrue);
  EXPECT_SIMPLIFY(ana, x * 2 == y * 2 + 1, kFalse);  // 2*(x - y) is even
  EXPECT_SIMPLIFY(ana, x * 4 != 2, kTrue);
  EXPECT_SIMPLIFY(ana, x - y > x - y - 1, kTrue);
}

TEST_F(ArithCompare, CanonicalForm) {
  EXPECT_SIMPLIFY(ana, x < y, Lt(x, y));
  EXPECT_SIMPLIFY(ana, x > y, Lt(y, x));  // only < and <=
  EXPECT_SIMPLIFY(ana, x >= y, Le(y, x));
  EXPECT_SIMPLIFY(ana, x + 1 < y, Lt(x, y - 1));  // the constant joins the other side
  EXPECT_SIMPLIFY(ana, x + 3 < 5, Lt(x, 2));
  EXPECT_SIMPLIFY(ana, PrimExpr(3) < x, Lt(3, x));
  EXPECT_SIMPLIFY(ana, x > 3, Lt(3, x));
  EXPECT_SIMPLIFY(ana, 0 - x < 3, Lt(-3, x));     // positive coefficients
  EXPECT_SIMPLIFY(ana, x + y < y + 7, Lt(x, 7));  // common terms cancel
  EXPECT_SIMPLIFY(ana, x - y < 0, Lt(x, y));
  EXPECT_SIMPLIFY(ana, x == y + 2, Eq(x, y + 2));
  EXPECT_SIMPLIFY(ana, PrimExpr(2) == x, Eq(x, 2));
  EXPECT_SIMPLIFY(ana, x != 0 - y, Ne(x + y, 0));
}

TEST_F(ArithCompare, CommonFactorsDivideOut) {
  EXPECT_SIMPLIFY(ana, x * 4 < 10, Lt(x, 3));   // x*4 < 10 -> x < ceil(10 / 4)
  EXPECT_SIMPLIFY(ana, x * 4 <= 10, Le(x, 2));  // x*4 <= 10 -> x <= floor(10 / 4)
  EXPECT_SIMPLIFY(ana, x * 4 > 10, Lt(2, x));
  EXPECT_SIMPLIFY(ana, x * 4 >= 10, Le(3, x));
  EXPECT_SIMPLIFY(ana, x * 4 == 12, Eq(x, 3));
  EXPECT_SIMPLIFY(ana, x * 4 == 10, kFalse);
  EXPECT_SIMPLIFY(ana, x * 6 < y * 3, Lt(x * 2, y));
  EXPECT_SIMPLIFY(ana, x * -2 < -7, Lt(3, x));  // -2x < -7 -> x > 3.5
}

TEST_F(ArithCompare, Logical) {
  PrimExpr c = x < y;
  EXPECT_SIMPLIFY(ana, And(kTrue, c), Lt(x, y));
  EXPECT_SIMPLIFY(ana, And(c, kFalse), kFalse);
  EXPECT_SIMPLIFY(ana, Or(c, kTrue), kTrue);
  EXPECT_SIMPLIFY(ana, Or(kFalse, c), Lt(x, y));
  EXPECT_SIMPLIFY(ana, And(c, c), Lt(x, y));
  EXPECT_SIMPLIFY(ana, And(c, Not(c)), kFalse);
  EXPECT_SIMPLIFY(ana, Or(c, Not(c)), kTrue);
  EXPECT_SIMPLIFY(ana, And(x < 3, x < 5), Lt(x, 3));  // x < 5 follows from x < 3
  EXPECT_SIMPLIFY(ana, And(x < 5, x < 3), Lt(x, 3));
  EXPECT_SIMPLIFY(ana, Or(x < 3, x < 5), Lt(x, 5));
  EXPECT_SIMPLIFY(ana, And(x<3, x> 5), kFalse);
  EXPECT_SIMPLIFY(ana, Or(x < 3, x >= 3), kTrue);
  EXPECT_SIMPLIFY(ana, And(i < n, j < 4), kTrue);
  EXPECT_SIMPLIFY(ana, And(x < y, y < x), kFalse);
}

TEST_F(ArithCompare, Not) {
  EXPECT_SIMPLIFY(ana, Not(kTrue), kFalse);
  EXPECT_SIMPLIFY(ana, Not(Not(x < y)), Lt(x, y));
  EXPECT_SIMPLIFY(ana, Not(x < y), Le(y, x));  // !(x < y) -> y <= x
  EXPECT_SIMPLIFY(ana, Not(x == y), Ne(x, y));
  EXPECT_SIMPLIFY(ana, Not(And(x < 3, y < 4)), Or(Le(3, x), Le(4, y)));  // De Morgan
  Var b("b", DataType::Bool());
  EXPECT_SIMPLIFY(ana, Not(b), Not(b));
}

TEST_F(ArithCompare, Select) {
  EXPECT_SIMPLIFY(ana, Select(i < n, x, y), x);  // select with a provable condition
  EXPECT_SIMPLIFY(ana, Select(i >= n, x, y), y);
  EXPECT_SIMPLIFY(ana, Select(x < y, x, x), x);
  EXPECT_SIMPLIFY(ana, Select(x < y, kTrue, kFalse), Lt(x, y));
  EXPECT_SIMPLIFY(ana, Select(x < y, kFalse, kTrue), Le(y, x));
  // Each branch knows its condition.
  EXPECT_SIMPLIFY(ana, Select(x < 4, min(x, 4), max(x, 4)), x);
  EXPECT_SIMPLIFY(ana, Select(x < y, Select(x < y, 1, 2), 3), Select(Lt(x, y), PrimExpr(1), PrimExpr(3)));
  PrimExpr kept = Select(Lt(x, y), x, y);
  EXPECT_SIMPLIFY(ana, kept, kept);
}

TEST_F(ArithCompare, BranchesThatRunAnywayNeverGainADivisionByZero) {
  // select evaluates both branches, so the false branch may not assume !(n == 0) to divide by n.
  PrimExpr guarded = Select(Eq(n, 0), PrimExpr(0), floordiv(x, max(n, 1)));
  PrimExpr out = ana.Simplify(guarded);
  EXPECT_TRUE(StructuralEqual(out, guarded)) << ToText(out);
  // Assumptions that leave only constant divisors are kept.
  EXPECT_SIMPLIFY(ana, Select(x < 4, floordiv(min(x, 3) + 8, 4), 0), Select(Lt(x, 4), floordiv(x, 4) + 2, PrimExpr(0)));
  // Only one branch of if_then_else runs: it may assume its condition.
  PrimExpr ite = Call(DataType::Int(64), "if_then_else", {Eq(n, 0), PrimExpr(0), floordiv(x, max(n, 1))});
  EXPECT_SIMPLIFY(ana, ite, Call(DataType::Int(64), "if_then_else", {Eq(n, 0), PrimExpr(0), floordiv(x, n)}));
}

TEST_F(ArithCompare, ConditionsInScope) {
  {
    Analyzer::ConstraintScope scope(&ana, x < y);
    EXPECT_SIMPLIFY(ana, x < y, kTrue);
    EXPECT_SIMPLIFY(ana, y > x, kTrue);
    EXPECT_SIMPLIFY(ana, x <= y, kTrue);
    EXPECT_SIMPLIFY(ana, x + 1 <= y, kTrue);
    EXPECT_SIMPLIFY(ana, y <= x, kFalse);
    EXPECT_SIMPLIFY(ana, min(x, y), x);
  }
  EXPECT_SIMPLIFY(ana, x < y, Lt(x, y));
  Var b("b", DataType::Bool());
  {
    Analyzer::ConstraintScope scope(&ana, And(b, floormod(x, 2) == PrimExpr(0)));
    EXPECT_SIMPLIFY(ana, b, kTrue);
    EXPECT_SIMPLIFY(ana, Not(b), kFalse);
    EXPECT_SIMPLIFY(ana, floormod(x, 2) == PrimExpr(0), kTrue);
    EXPECT_SIMPLIFY(ana, floormod(x, 2) != PrimExpr(0), kFalse);
  }
  EXPECT_SIMPLIFY(ana, b, b);
}

TEST_F(ArithCompare, FloatComparisonsStay) {
  Var f("f", DataType::Float(32)), g("g", DataType::Float(32));
  PrimExpr c = Lt(f, g);
  EXPECT_SIMPLIFY(ana, c, c);
  EXPECT_SIMPLIFY(ana, Not(c), Not(c));  // !(f < g) is not g <= f with NaN
}

}  // namespace
}  // namespace kiln::tir::arith
