// CanProve and CanProveEqual: statements that hold under the bindings are
// proven; statements that fail somewhere are never proven.
#include "common/test_util.h"
#include "kiln/tir/arith/analyzer.h"

namespace kiln::tir::arith {
namespace {

class ArithCanProve : public ::testing::Test {
 protected:
  Analyzer ana;
  Var n = SizeVar("n"), m = SizeVar("m");
  Var i{"i"}, j{"j"}, k{"k"}, x{"x"}, y{"y"};
};

TEST_F(ArithCanProve, LoopNests) {
  ana.Bind(i, Range{0, n});
  ana.Bind(j, Range{0, 4});
  EXPECT_TRUE(ana.CanProve(i < n));
  EXPECT_TRUE(ana.CanProve(i * 4 + j < n * 4));
  EXPECT_TRUE(ana.CanProve(i * 4 + j >= 0));
  EXPECT_TRUE(ana.CanProve(floordiv(i * 4 + j, 4) < n));
  EXPECT_TRUE(ana.CanProve(floormod(i * 4 + j, 4) < 4));
  EXPECT_FALSE(ana.CanProve(i < n - 1));
  EXPECT_FALSE(ana.CanProve(i * 4 + j < n * 4 - 1));
  EXPECT_FALSE(ana.CanProve(j < 3));
  EXPECT_FALSE(ana.CanProve(i > 0));
}

TEST_F(ArithCanProve, TriangularNest) {
  ana.Bind(i, Range{0, n});
  ana.Bind(k, Range{0, i});  // k < i < n
  EXPECT_TRUE(ana.CanProve(k < n));
  EXPECT_TRUE(ana.CanProve(k + 1 < n));
  EXPECT_TRUE(ana.CanProve(k + i < n * 2));
  EXPECT_FALSE(ana.CanProve(k + 2 < n));
  EXPECT_FALSE(ana.CanProve(k * 2 < n));
}

TEST_F(ArithCanProve, ShiftedRange) {
  ana.Bind(i, Range{m, n});  // m <= i < m + n
  EXPECT_TRUE(ana.CanProve(i >= m));
  EXPECT_TRUE(ana.CanProve(i - m < n));
  EXPECT_TRUE(ana.CanProve(i < m + n));
  EXPECT_FALSE(ana.CanProve(i < n));
  EXPECT_FALSE(ana.CanProve(i > m));
}

TEST_F(ArithCanProve, SplitLoopWithTail) {
  // for io in [0, ceil(n / 4)), ii in [0, 4): index io*4 + ii
  PrimExpr tiles = floordiv(n + 3, 4);
  ana.Bind(i, Range{0, tiles});
  ana.Bind(j, Range{0, 4});
  EXPECT_TRUE(ana.CanProve(i * 4 + j < tiles * 4));
  EXPECT_TRUE(ana.CanProve(tiles * 4 >= n));
  EXPECT_TRUE(ana.CanProve(tiles * 4 < n + 4));
  EXPECT_FALSE(ana.CanProve(i * 4 + j < n));  // the tail needs a guard
  Analyzer::ConstraintScope guard(&ana, i * 4 + j < n);
  EXPECT_TRUE(ana.CanProve(i * 4 + j < n));
  EXPECT_TRUE(ana.CanProve(i * 4 < n));
}

TEST_F(ArithCanProve, SizeVars) {
  EXPECT_TRUE(ana.CanProve(n >= 0));
  EXPECT_TRUE(ana.CanProve(n * m >= 0));
  EXPECT_TRUE(ana.CanProve(n + m + 1 > 0));
  EXPECT_TRUE(ana.CanProve(floordiv(n + 3, 4) >= 0));
  EXPECT_FALSE(ana.CanProve(n > 0));
  EXPECT_FALSE(ana.CanProve(x >= 0));
  EXPECT_FALSE(ana.CanProve(n - m >= 0));
}

TEST_F(ArithCanProve, TilingIdentities) {
  ana.Bind(i, Range{0, 32});
  EXPECT_TRUE(ana.CanProve(floordiv(i, 8) * 8 + floormod(i, 8) == i));
  EXPECT_TRUE(ana.CanProve(floordiv(x, 8) * 8 + floormod(x, 8) == x));
  EXPECT_TRUE(ana.CanProve(floordiv(x, 8) * 8 <= x));
  EXPECT_TRUE(ana.CanProve(x < floordiv(x, 8) * 8 + 8));
  EXPECT_TRUE(ana.CanProve(floordiv(i, 8) < 4));
  EXPECT_FALSE(ana.CanProve(floordiv(x, 8) * 8 == x));
  EXPECT_FALSE(ana.CanProve(floordiv(i, 8) < 3));
}

TEST_F(ArithCanProve, MinMaxBounds) {
  ana.Bind(i, Range{0, 16});
  EXPECT_TRUE(ana.CanProve(min(i, 4) <= 4));
  EXPECT_TRUE(ana.CanProve(min(x, y) <= x));
  EXPECT_TRUE(ana.CanProve(max(x, y) >= y));
  EXPECT_TRUE(ana.CanProve(min(x, y) <= max(x, y)));
  EXPECT_TRUE(ana.CanProve(min(n - i * 4, 4) <= 4));
  EXPECT_FALSE(ana.CanProve(min(x, y) < x));
  EXPECT_FALSE(ana.CanProve(max(x, y) > y));
}

TEST_F(ArithCanProve, UnderAssumptions) {
  EXPECT_FALSE(ana.CanProve(x < n));
  {
    Analyzer::ConstraintScope scope(&ana, logical_and(x >= 0, x < n));
    EXPECT_TRUE(ana.CanProve(x < n));
    EXPECT_TRUE(ana.CanProve(x * 2 < n * 2));
    EXPECT_TRUE(ana.CanProve(n > 0));
    EXPECT_FALSE(ana.CanProve(x + 1 < n));
  }
  EXPECT_FALSE(ana.CanProve(x < n));
  {
    Analyzer::ConstraintScope scope(&ana, logical_not(x < 10));
    EXPECT_TRUE(ana.CanProve(x >= 10));
    EXPECT_TRUE(ana.CanProve(x * 3 > 29));
  }
  {
    Analyzer::ConstraintScope scope(&ana, x == y * 4);
    EXPECT_TRUE(ana.CanProve(x - y * 4 == PrimExpr(0)));
    EXPECT_TRUE(ana.CanProve(x + 1 > y * 4));
    EXPECT_FALSE(ana.CanProve(x == y));
  }
}

TEST_F(ArithCanProve, NeverProvesFalseStatements) {
  ana.Bind(i, Range{0, 8});
  std::vector<PrimExpr> false_somewhere = {
      i<7, i> 0,
      i != 3,
      floordiv(x, 2) * 2 == x,
      x * x > 0,
      x + 1 > 2,
      n > m,
      n<m, floormod(x, 3) < 2, floordiv(i, 3) < 2, min(x, i) >= 0, max(x, 0)> 0,
      x != y,
      x == y,
      i * i<49, n * n> n,
      (i - 4) * (i - 4) > 0,
      i % 4 == i - 4,
  };
  for (const PrimExpr& c : false_somewhere) EXPECT_FALSE(ana.CanProve(c)) << "proved a false statement";
}

TEST_F(ArithCanProve, Equal) {
  EXPECT_TRUE(ana.CanProveEqual(x * 2 + y, y + x + x));
  EXPECT_TRUE(ana.CanProveEqual((x + 1) * (x - 1), x * x - 1));
  EXPECT_FALSE(ana.CanProveEqual(x, y));
  EXPECT_FALSE(ana.CanProveEqual(floordiv(x, 2) * 2, x));
  Var f("f", DataType::Float(32));
  EXPECT_TRUE(ana.CanProveEqual(f + 1.0, f + 1.0));
  EXPECT_FALSE(ana.CanProveEqual(f + 1.0, f + 2.0));
}

TEST_F(ArithCanProve, UserErrors) {
  EXPECT_KILN_ERROR(ana.CanProve(x), "Analyzer::CanProve: the condition must be a scalar bool, not int64");
  EXPECT_KILN_ERROR(ana.CanProveEqual(x, Var("s", DataType::Int(32))), "the operands need one dtype");
  Var f("f", DataType::Float(32));
  EXPECT_KILN_ERROR(ana.Bind(f, Range{0, 4}), "a range is bound to 'f', which is not a scalar integer variable");
  Var a("a", DataType::Int(32));
  EXPECT_KILN_ERROR(ana.Bind(a, Range{0, x}),
                    "Analyzer::Bind: variable 'a' of dtype int32 gets a range extent of dtype int64");
  EXPECT_KILN_ERROR(ana.Bind(a, x), "variable 'a' of dtype int32 gets a value of dtype int64");
  EXPECT_KILN_ERROR(Analyzer::ConstraintScope(&ana, x), "an assumed condition must be a scalar bool expression");
}

TEST_F(ArithCanProve, LiteralsAdoptTheVarDtype) {
  Var a("a", DataType::Int(32));
  ana.Bind(a, Range{0, 10});
  EXPECT_TRUE(ana.CanProve(a < 10));
  EXPECT_EQ(ana.Bound(a).max_value, 9);
}

TEST_F(ArithCanProve, ExtentOneBindsTheValue) {
  ana.Bind(i, Range{x, 1});
  EXPECT_TRUE(ana.CanProveEqual(i, x));
}

}  // namespace
}  // namespace kiln::tir::arith
