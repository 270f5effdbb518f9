// Analyzer::Bound: interval arithmetic through the operators, with bindings,
// size vars, dtypes and assumed conditions.
#include "common/test_util.h"
#include "kiln/tir/arith/analyzer.h"

namespace kiln::tir::arith {
namespace {

constexpr int64_t kNegInf = ConstIntBound::kNegInf;
constexpr int64_t kPosInf = ConstIntBound::kPosInf;

#define EXPECT_BOUND(ana, e, lo, hi)             \
  do {                                           \
    ConstIntBound b_ = (ana).Bound(e);           \
    EXPECT_EQ(b_.min_value, lo) << "min of " #e; \
    EXPECT_EQ(b_.max_value, hi) << "max of " #e; \
  } while (0)

TEST(ArithBound, FreeVarsTakeTheirDtypeRange) {
  Analyzer ana;
  Var x("x"), n = SizeVar("n");
  Var i("i", DataType::Int(32)), u("u", DataType::UInt(8));
  EXPECT_BOUND(ana, x, kNegInf, kPosInf);
  EXPECT_BOUND(ana, n, 0, kPosInf);
  EXPECT_BOUND(ana, i, -(int64_t{1} << 31), (int64_t{1} << 31) - 1);
  EXPECT_BOUND(ana, u, 0, 255);
  EXPECT_BOUND(ana, Bool(true), 1, 1);
  EXPECT_BOUND(ana, n + 1, 1, kPosInf);
  EXPECT_BOUND(ana, x - x, 0, 0);  // through the simplified form
}

TEST(ArithBound, ArithmeticOnRanges) {
  Analyzer ana;
  Var i("i"), j("j"), k("k");
  ana.Bind(i, Range{0, 8});
  ana.Bind(j, Range{-3, 7});  // [-3, 3]
  ana.Bind(k, Range{2, 4});   // [2, 5]
  EXPECT_BOUND(ana, i, 0, 7);
  EXPECT_BOUND(ana, i + j, -3, 10);
  EXPECT_BOUND(ana, i - j, -3, 10);
  EXPECT_BOUND(ana, i * j, -21, 21);
  EXPECT_BOUND(ana, j * k, -15, 15);
  EXPECT_BOUND(ana, i * 4 + j, -3, 31);
  EXPECT_BOUND(ana, -j, -3, 3);
  EXPECT_BOUND(ana, min(i, j), -3, 3);
  EXPECT_BOUND(ana, max(i, j), 0, 7);
  EXPECT_BOUND(ana, Select(i < 4, j, k), -3, 5);
}

TEST(ArithBound, Divisions) {
  Analyzer ana;
  Var i("i"), j("j"), k("k");
  ana.Bind(i, Range{0, 64});
  ana.Bind(j, Range{-9, 19});  // [-9, 9]
  ana.Bind(k, Range{2, 3});    // [2, 4]
  EXPECT_BOUND(ana, floordiv(i, 8), 0, 7);
  EXPECT_BOUND(ana, floormod(i, 8), 0, 7);
  EXPECT_BOUND(ana, floordiv(j, 4), -3, 2);
  EXPECT_BOUND(ana, floormod(j, 4), 0, 3);
  EXPECT_BOUND(ana, j / 4, -2, 2);
  EXPECT_BOUND(ana, j % 4, -3, 3);
  EXPECT_BOUND(ana, floordiv(i, k), 0, 31);
  EXPECT_BOUND(ana, floormod(i, k), 0, 3);
  EXPECT_BOUND(ana, floordiv(j, -2), -5, 4);
  EXPECT_BOUND(ana, floormod(j, -4), -3, 0);
  EXPECT_BOUND(ana, floormod(floordiv(i, 2), 4), 0, 3);
}

TEST(ArithBound, UnboundedOperands) {
  Analyzer ana;
  Var x("x"), n = SizeVar("n");
  EXPECT_BOUND(ana, floormod(x, 16), 0, 15);
  EXPECT_BOUND(ana, x % 16, -15, 15);
  EXPECT_BOUND(ana, floordiv(n, 4), 0, kPosInf);
  EXPECT_BOUND(ana, n * -2, kNegInf, 0);
  EXPECT_BOUND(ana, min(n, 10), 0, 10);
  EXPECT_BOUND(ana, max(x, 3), 3, kPosInf);
  EXPECT_BOUND(ana, floordiv(x, n), kNegInf, kPosInf);
}

TEST(ArithBound, CastsAndComparisons) {
  Analyzer ana;
  Var i("i", DataType::Int(32)), x("x");
  ana.Bind(i, Range{IntImm(DataType::Int(32), 0), IntImm(DataType::Int(32), 300)});
  EXPECT_BOUND(ana, Cast(DataType::Int(64), i), 0, 299);
  EXPECT_BOUND(ana, Cast(DataType::Int(8), i), -128, 127);  // may wrap
  EXPECT_BOUND(ana, Cast(DataType::Int(64), x < 3), 0, 1);
  EXPECT_BOUND(ana, i < 300, 1, 1);
  EXPECT_BOUND(ana, i > 299, 0, 0);
}

TEST(ArithBound, SymbolicRanges) {
  Analyzer ana;
  Var i("i"), n = SizeVar("n");
  ana.Bind(n, Range{1, 16});  // [1, 16]
  ana.Bind(i, Range{0, n});   // [0, n - 1]
  EXPECT_BOUND(ana, i, 0, 15);
  EXPECT_BOUND(ana, i - n, -16, -1);
  EXPECT_BOUND(ana, n - i, 1, 16);
}

TEST(ArithBound, SymbolicRangeWithoutConstantBound) {
  Analyzer ana;
  Var i("i"), n = SizeVar("n");
  ana.Bind(i, Range{0, n});
  EXPECT_BOUND(ana, i, 0, kPosInf);
  EXPECT_BOUND(ana, i - n, kNegInf, -1);
  EXPECT_BOUND(ana, n - i - 1, 0, kPosInf);
}

TEST(ArithBound, ConstraintScopes) {
  Analyzer ana;
  Var x("x"), y("y");
  ana.Bind(x, Range{0, 100});
  {
    Analyzer::ConstraintScope scope(&ana, logical_and(x < 10, x >= 2));
    EXPECT_BOUND(ana, x, 2, 9);
    {
      Analyzer::ConstraintScope inner(&ana, x * 2 > 12);
      EXPECT_BOUND(ana, x, 7, 9);
    }
    EXPECT_BOUND(ana, x, 2, 9);
  }
  EXPECT_BOUND(ana, x, 0, 99);
  {
    Analyzer::ConstraintScope scope(&ana, x == y + 3);
    ana.Bind(y, Range{0, 5});
    EXPECT_BOUND(ana, x, 3, 7);
  }
}

TEST(ArithBound, LetsAndRamps) {
  Analyzer ana;
  Var i("i"), t("t");
  ana.Bind(i, Range{0, 4});
  EXPECT_BOUND(ana, Let(t, i * 3, t + 1), 1, 10);
  EXPECT_BOUND(ana, Ramp(i, PrimExpr(2), 4), 0, 9);
  EXPECT_BOUND(ana, Broadcast(i, 4), 0, 3);
}

TEST(ArithBound, FloatsAreUnbounded) {
  Analyzer ana;
  Var f("f", DataType::Float(32));
  EXPECT_BOUND(ana, f, kNegInf, kPosInf);
}

}  // namespace
}  // namespace kiln::tir::arith
