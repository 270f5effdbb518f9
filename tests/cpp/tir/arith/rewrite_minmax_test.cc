// Simplify on min and max: decided by bounds, absorption, nested constants,
// common terms, and a canonical operand order.
#include "kiln/tir/arith/analyzer.h"
#include "kiln/tir/printer.h"
#include "kiln/tir/structural_equal.h"
#include "tir/arith/arith_test_util.h"

namespace kiln::tir::arith {
namespace {

PrimExpr Min(PrimExpr a, PrimExpr b) {
  return Binary(BinaryOp::kMin, a, b);
}
PrimExpr Max(PrimExpr a, PrimExpr b) {
  return Binary(BinaryOp::kMax, a, b);
}

class ArithMinMax : public ::testing::Test {
 protected:
  ArithMinMax() { ana.Bind(i, Range{0, 16}); }
  Analyzer ana;
  Var i{"i"}, x{"x"}, y{"y"}, z{"z"};
  Var n = SizeVar("n");
};

TEST_F(ArithMinMax, DecidedByTheDifference) {
  EXPECT_SIMPLIFY(ana, Min(x, x + 1), x);  // min(x, x + 1) -> x
  EXPECT_SIMPLIFY(ana, Max(x, x + 1), x + 1);
  EXPECT_SIMPLIFY(ana, Min(x + 1, x), x);
  EXPECT_SIMPLIFY(ana, Max(x - 2, x), x);
  EXPECT_SIMPLIFY(ana, Min(x, x), x);
  EXPECT_SIMPLIFY(ana, Max(x * 2, x * 2), x * 2);
}

TEST_F(ArithMinMax, DecidedByBounds) {
  EXPECT_SIMPLIFY(ana, Max(i, 0), i);  // max(i, 0) -> i when i >= 0
  EXPECT_SIMPLIFY(ana, Min(i, 0), PrimExpr(0));
  EXPECT_SIMPLIFY(ana, Min(i, 16), i);
  EXPECT_SIMPLIFY(ana, Min(i, 15), i);
  EXPECT_SIMPLIFY(ana, Max(i, 15), PrimExpr(15));
  EXPECT_SIMPLIFY(ana, Min(i, 14), Min(i, 14));
  EXPECT_SIMPLIFY(ana, Max(n, 0), n);  // size vars are >= 0
  EXPECT_SIMPLIFY(ana, Max(n, -3), n);
  EXPECT_SIMPLIFY(ana, Min(i * 2 + 1, 40), i * 2 + 1);
}

TEST_F(ArithMinMax, DecidedBySymbolicRanges) {
  Var k("k");
  ana.Bind(k, Range{0, n});
  EXPECT_SIMPLIFY(ana, Min(k, n), k);
  EXPECT_SIMPLIFY(ana, Max(k + 1, n), n);
  EXPECT_SIMPLIFY(ana, Min(k, n - 1), k);
  EXPECT_SIMPLIFY(ana, Min(k, n - 2), Min(k, n - 2));
}

TEST_F(ArithMinMax, OperandOrder) {
  EXPECT_SIMPLIFY(ana, Min(PrimExpr(3), x), Min(x, 3));  // constants last
  EXPECT_SIMPLIFY(ana, Min(y, x), Min(x, y));            // operands in expression order
  EXPECT_SIMPLIFY(ana, Max(y, x), Max(x, y));
  EXPECT_SIMPLIFY(ana, Min(x, y), Min(x, y));
}

TEST_F(ArithMinMax, Absorption) {
  EXPECT_SIMPLIFY(ana, Min(x, Max(x, y)), x);  // min(x, max(x, y)) -> x
  EXPECT_SIMPLIFY(ana, Max(x, Min(x, y)), x);  // max(x, min(x, y)) -> x
  EXPECT_SIMPLIFY(ana, Min(Max(y, x), x), x);
  EXPECT_SIMPLIFY(ana, Min(x, Min(x, y)), Min(x, y));  // min(x, min(x, y)) -> min(x, y)
  EXPECT_SIMPLIFY(ana, Max(Max(x, y), y), Max(x, y));
}

TEST_F(ArithMinMax, NestedConstants) {
  EXPECT_SIMPLIFY(ana, Min(Min(x, 8), 4), Min(x, 4));  // min(min(x, c1), c2) -> min(x, min(c1, c2))
  EXPECT_SIMPLIFY(ana, Min(Min(x, 4), 8), Min(x, 4));
  EXPECT_SIMPLIFY(ana, Max(Max(x, 4), 8), Max(x, 8));
  EXPECT_SIMPLIFY(ana, Min(PrimExpr(8), Min(x, 4)), Min(x, 4));
  EXPECT_SIMPLIFY(ana, Min(Max(x, 8), 4), PrimExpr(4));  // max(x, 8) >= 8 > 4
  EXPECT_SIMPLIFY(ana, Max(Min(x, 4), 8), PrimExpr(8));
}

TEST_F(ArithMinMax, CommonTerms) {
  EXPECT_SIMPLIFY(ana, Min(x + z, y + z), z + Min(x, y));  // min(x + t, y + t) -> min(x, y) + t
  EXPECT_SIMPLIFY(ana, Max(x + 3, y + 3), Max(x, y) + 3);
  EXPECT_SIMPLIFY(ana, Min(x * 2 + z * 4 + 1, y + z * 4 + 1), z * 4 + Min(y, x * 2) + 1);
  EXPECT_SIMPLIFY(ana, Min(x + 1, y + 2), Min(x + 1, y + 2));  // different constants stay
}

TEST_F(ArithMinMax, Int32) {
  DataType i32 = DataType::Int(32);
  Var a("a", i32);
  PrimExpr out = ana.Simplify(Min(a, a + IntImm(i32, 1)));
  EXPECT_TRUE(StructuralEqual(out, a)) << ToText(out);
  out = ana.Simplify(Max(IntImm(i32, 2), a));
  EXPECT_TRUE(StructuralEqual(out, Max(a, IntImm(i32, 2)))) << ToText(out);
}

}  // namespace
}  // namespace kiln::tir::arith
