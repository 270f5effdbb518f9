// Simplify on divisions: floordiv and floormod with constant and symbolic
// divisors, nested divisions, recombination, and truncating division.
#include "kiln/tir/arith/analyzer.h"
#include "kiln/tir/printer.h"
#include "kiln/tir/structural_equal.h"
#include "tir/arith/arith_test_util.h"

namespace kiln::tir::arith {
namespace {

PrimExpr FloorDiv(PrimExpr a, PrimExpr b) {
  return Binary(BinaryOp::kFloorDiv, a, b);
}
PrimExpr FloorMod(PrimExpr a, PrimExpr b) {
  return Binary(BinaryOp::kFloorMod, a, b);
}
PrimExpr Div(PrimExpr a, PrimExpr b) {
  return Binary(BinaryOp::kDiv, a, b);
}
PrimExpr Mod(PrimExpr a, PrimExpr b) {
  return Binary(BinaryOp::kMod, a, b);
}

class ArithDivMod : public ::testing::Test {
 protected:
  ArithDivMod() {
    ana.Bind(i, Range{0, 16});
    ana.Bind(j, Range{0, 8});
  }
  Analyzer ana;
  Var i{"i"}, j{"j"}, x{"x"}, y{"y"};
  Var n = SizeVar("n");
};

TEST_F(ArithDivMod, SplitByBounds) {
  EXPECT_SIMPLIFY(ana, FloorDiv(i * 8 + j, 8), i);  // floordiv(i*8 + j, 8) -> i when 0 <= j < 8
  EXPECT_SIMPLIFY(ana, FloorMod(i * 8 + j, 8), j);  // floormod(i*8 + j, 8) -> j
  EXPECT_SIMPLIFY(ana, FloorDiv(j + i * 8 + 16, 8), i + 2);
  EXPECT_SIMPLIFY(ana, FloorMod(j + i * 8 + 16, 8), j);
  EXPECT_SIMPLIFY(ana, FloorDiv(j, 8), PrimExpr(0));
  EXPECT_SIMPLIFY(ana, FloorMod(j, 8), j);  // floormod(x, c) -> x when 0 <= x < c
  EXPECT_SIMPLIFY(ana, FloorMod(j, 16), j);
  EXPECT_SIMPLIFY(ana, FloorDiv(j - 8, 8), PrimExpr(-1));
  EXPECT_SIMPLIFY(ana, FloorMod(j - 8, 8), j);
  EXPECT_SIMPLIFY(ana, FloorMod(j + 8, 16), j + 8);
}

TEST_F(ArithDivMod, SplitsOffMultiples) {
  // floordiv(x*8 + y, 8) -> x + floordiv(y, 8) for any y
  EXPECT_SIMPLIFY(ana, FloorDiv(x * 8 + y, 8), x + FloorDiv(y, 8));
  EXPECT_SIMPLIFY(ana, FloorMod(x * 8 + y, 8), FloorMod(y, 8));
  EXPECT_SIMPLIFY(ana, FloorDiv(x * 16, 8), x * 2);
  EXPECT_SIMPLIFY(ana, FloorMod(x * 16, 8), PrimExpr(0));
  EXPECT_SIMPLIFY(ana, FloorDiv(y + 9, 8), FloorDiv(y + 1, 8) + 1);
  EXPECT_SIMPLIFY(ana, FloorMod(y + 9, 8), FloorMod(y + 1, 8));
  EXPECT_SIMPLIFY(ana, FloorMod(y * 9, 8), FloorMod(y, 8));        // coefficients reduce mod 8
  EXPECT_SIMPLIFY(ana, FloorMod(y * -9, 8), FloorMod(y * -1, 8));  // keeping their sign
}

TEST_F(ArithDivMod, CommonFactors) {
  EXPECT_SIMPLIFY(ana, FloorDiv(x * 4, 8), FloorDiv(x, 2));  // floordiv(x*g, c*g) -> floordiv(x, c)
  EXPECT_SIMPLIFY(ana, FloorDiv(x * 4 + 2, 8), FloorDiv(x * 2 + 1, 4));
  EXPECT_SIMPLIFY(ana, FloorMod(x * 4, 8), FloorMod(x, 2) * 4);  // floormod(x*g, c*g) -> floormod(x, c)*g
  EXPECT_SIMPLIFY(ana, FloorMod(x * 6 + 3, 9), FloorMod(x * 2 + 1, 3) * 3);
}

TEST_F(ArithDivMod, Nested) {
  EXPECT_SIMPLIFY(ana, FloorDiv(FloorDiv(x, 4), 8),
                  FloorDiv(x, 32));  // floordiv(floordiv(x, a), b) -> floordiv(x, a*b)
  EXPECT_SIMPLIFY(ana, FloorDiv(FloorDiv(x, 4) + 1, 8), FloorDiv(x + 4, 32));
  EXPECT_SIMPLIFY(ana, FloorMod(FloorMod(x, 16), 4), FloorMod(x, 4));  // floormod(floormod(x, c1), c) when c | c1
  EXPECT_SIMPLIFY(ana, FloorMod(FloorMod(x, 4), 16), FloorMod(x, 4));  // by bounds
  EXPECT_SIMPLIFY(ana, FloorMod(FloorMod(x, 16) * 3 + y, 4), FloorMod(x * 3 + y, 4));
  EXPECT_SIMPLIFY(ana, FloorDiv(FloorMod(x, 4), 4), PrimExpr(0));
  EXPECT_SIMPLIFY(ana, FloorDiv(FloorMod(i * 8 + j, 64), 8), FloorMod(i, 8));
}

TEST_F(ArithDivMod, Recombination) {
  // floordiv(x, c)*c + floormod(x, c) -> x
  EXPECT_SIMPLIFY(ana, FloorDiv(x, 8) * 8 + FloorMod(x, 8), x);
  EXPECT_SIMPLIFY(ana, FloorMod(x, 8) + FloorDiv(x, 8) * 8 + y, x + y);
  EXPECT_SIMPLIFY(ana, (FloorDiv(x + y, 4) * 4 + FloorMod(x + y, 4)) * 2, x * 2 + y * 2);
  // x - floordiv(x, c)*c -> floormod(x, c)
  EXPECT_SIMPLIFY(ana, x - FloorDiv(x, 8) * 8, FloorMod(x, 8));
  EXPECT_SIMPLIFY(ana, x * 3 - FloorDiv(x, 8) * 24, FloorMod(x, 8) * 3);
  // The truncating pair recombines too: x / c * c + x % c -> x
  EXPECT_SIMPLIFY(ana, Div(x, 8) * 8 + Mod(x, 8), x);
}

TEST_F(ArithDivMod, ConstantDivisorEdgeCases) {
  EXPECT_SIMPLIFY(ana, FloorDiv(x, 1), x);
  EXPECT_SIMPLIFY(ana, FloorMod(x, 1), PrimExpr(0));
  EXPECT_SIMPLIFY(ana, FloorDiv(PrimExpr(0), x), PrimExpr(0));
  EXPECT_SIMPLIFY(ana, FloorDiv(x, -2), FloorDiv(x, -2));  // negative divisors stay
  EXPECT_SIMPLIFY(ana, FloorDiv(x, 0), FloorDiv(x, 0));    // never folded
}

TEST_F(ArithDivMod, SymbolicDivisor) {
  EXPECT_SIMPLIFY(ana, FloorDiv(x * n, n), x);  // floordiv(q*y, y) -> q
  EXPECT_SIMPLIFY(ana, FloorMod(x * n, n), PrimExpr(0));
  EXPECT_SIMPLIFY(ana, FloorDiv(x * n + y, n), x + FloorDiv(y, n));  // floordiv(q*y + r, y) -> q + floordiv(r, y)
  EXPECT_SIMPLIFY(ana, FloorMod(x * n * 2 + y, n), FloorMod(y, n));
  EXPECT_SIMPLIFY(ana, FloorDiv(n, n), PrimExpr(1));
  Var k("k");
  ana.Bind(k, Range{0, n});
  EXPECT_SIMPLIFY(ana, FloorDiv(k, n), PrimExpr(0));  // 0 <= k < n
  EXPECT_SIMPLIFY(ana, FloorMod(k, n), k);
  EXPECT_SIMPLIFY(ana, FloorDiv(x * n + k, n), x);
  EXPECT_SIMPLIFY(ana, FloorMod(x * n + k, n), k);
  EXPECT_SIMPLIFY(ana, FloorMod(k, n + 1), k);
}

TEST_F(ArithDivMod, TruncatingBecomesFloorWhenNonNegative) {
  // x / c -> floordiv(x, c) when x >= 0 and c > 0
  EXPECT_SIMPLIFY(ana, Div(i * 8 + j, 8), i);
  EXPECT_SIMPLIFY(ana, Mod(i * 8 + j, 8), j);
  EXPECT_SIMPLIFY(ana, Div(n, 4), FloorDiv(n, 4));
  EXPECT_SIMPLIFY(ana, Mod(n + 4, 4), FloorMod(n, 4));
  EXPECT_SIMPLIFY(ana, Div(x, 4), Div(x, 4));  // x may be negative
  EXPECT_SIMPLIFY(ana, Mod(x, 4), Mod(x, 4));
  EXPECT_SIMPLIFY(ana, Div(x, 1), x);
  EXPECT_SIMPLIFY(ana, Div(x, -1), x * -1);
  EXPECT_SIMPLIFY(ana, Mod(x, -1), PrimExpr(0));
}

TEST_F(ArithDivMod, Int32) {
  DataType i32 = DataType::Int(32);
  Var a("a", i32), b("b", i32);
  ana.Bind(b, Range{IntImm(i32, 0), IntImm(i32, 4)});
  PrimExpr e = FloorDiv(a * IntImm(i32, 4) + b, IntImm(i32, 4));
  PrimExpr out = ana.Simplify(e);
  EXPECT_TRUE(StructuralEqual(out, a)) << ToText(out);
  EXPECT_EQ(ana.Simplify(FloorMod(a * IntImm(i32, 4) + b, IntImm(i32, 4))).dtype(), i32);
}

}  // namespace
}  // namespace kiln::tir::arith
