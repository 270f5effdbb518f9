// Analyzer::EvalSet: symbolic intervals of index expressions, as region
// inference uses them.
#include "common/test_util.h"
#include "kiln/tir/arith/analyzer.h"
#include "kiln/tir/printer.h"
#include "kiln/tir/structural_equal.h"

namespace kiln::tir::arith {
namespace {

#define EXPECT_SET(set, lo, hi)                                                                         \
  do {                                                                                                  \
    IntervalSet s_ = (set);                                                                             \
    ASSERT_TRUE(s_.is_bounded());                                                                       \
    EXPECT_TRUE(StructuralEqual(s_.min, lo)) << "min " << ToText(s_.min) << " expected " << ToText(lo); \
    EXPECT_TRUE(StructuralEqual(s_.max, hi)) << "max " << ToText(s_.max) << " expected " << ToText(hi); \
  } while (0)

class ArithIntSet : public ::testing::Test {
 protected:
  Analyzer ana;
  Var i{"i"}, j{"j"}, k{"k"}, x{"x"};
  Var n = SizeVar("n");
};

TEST_F(ArithIntSet, AffineIndices) {
  EXPECT_SET(ana.EvalSet(i * 4 + j, {{j, Range{0, 4}}}), i * 4, i * 4 + 3);
  EXPECT_SET(ana.EvalSet(i * 4 + j, {{i, Range{0, 8}}, {j, Range{0, 4}}}), PrimExpr(0), PrimExpr(31));
  EXPECT_SET(ana.EvalSet(i - j, {{j, Range{0, 4}}}), i - 3, i);
  EXPECT_SET(ana.EvalSet(x, {{j, Range{0, 4}}}), x, x);  // untouched vars stay symbolic
  EXPECT_SET(ana.EvalSet(i * -2 + 1, {{i, Range{0, n}}}), 3 - n * 2, PrimExpr(1));
}

TEST_F(ArithIntSet, SymbolicExtents) {
  EXPECT_SET(ana.EvalSet(i, {{i, Range{0, n}}}), PrimExpr(0), n - 1);
  EXPECT_SET(ana.EvalSet(i * 16 + j, {{i, Range{0, n}}, {j, Range{0, 16}}}), PrimExpr(0), n * 16 - 1);
  EXPECT_SET(ana.EvalSet(i + k, {{k, Range{x, 8}}}), i + x, i + x + 7);
  EXPECT_SET(ana.EvalSet(x + k, {{k, Range{x, 1}}}), x * 2, x * 2);  // a range of one value
}

TEST_F(ArithIntSet, Divisions) {
  // The tile a split loop touches: floordiv(i*8 + j, 8) for j in [0, 8) is just i.
  EXPECT_SET(ana.EvalSet(floordiv(i * 8 + j, 8), {{j, Range{0, 8}}}), i, i);
  EXPECT_SET(ana.EvalSet(floordiv(j, 4), {{j, Range{0, 16}}}), PrimExpr(0), PrimExpr(3));
  // floordiv(n - 1, 4) in canonical form: the constant is taken into [0, 4).
  EXPECT_SET(ana.EvalSet(floordiv(i, 4), {{i, Range{0, n}}}), PrimExpr(0), floordiv(n + 3, 4) - 1);
  EXPECT_SET(ana.EvalSet(floormod(j, 4), {{j, Range{0, 16}}}), PrimExpr(0), PrimExpr(3));
  EXPECT_SET(ana.EvalSet(floormod(j, 16), {{j, Range{4, 8}}}), PrimExpr(4), PrimExpr(11));
  EXPECT_SET(ana.EvalSet(floormod(x, 8), {{j, Range{0, 16}}}), floormod(x, 8), floormod(x, 8));
}

TEST_F(ArithIntSet, MinMaxAndProducts) {
  EXPECT_SET(ana.EvalSet(min(j, 5), {{j, Range{0, 16}}}), PrimExpr(0), PrimExpr(5));
  EXPECT_SET(ana.EvalSet(max(j, x), {{j, Range{0, 16}}}), max(x, 0), max(x, 15));
  EXPECT_SET(ana.EvalSet(j * n, {{j, Range{0, 4}}}), PrimExpr(0), n * 3);
  EXPECT_SET(ana.EvalSet(i * j, {{i, Range{0, 4}}, {j, Range{-2, 4}}}), PrimExpr(-6), PrimExpr(3));
}

TEST_F(ArithIntSet, UnboundedSides) {
  IntervalSet s = ana.EvalSet(i * x, {{i, Range{0, 4}}});
  EXPECT_FALSE(s.max);
  IntervalSet t = ana.EvalSet(j + n, {{n, Range{0, x}}});
  EXPECT_TRUE(t.is_bounded());
}

TEST_F(ArithIntSet, UsesTheAnalyzersBindings) {
  ana.Bind(n, Range{1, 9});
  EXPECT_SET(ana.EvalSet(min(i, n), {{i, Range{0, 100}}}), PrimExpr(0), n);
  EXPECT_TRUE(ana.EvalSet(i, {{i, Range{0, n}}}).is_bounded());
}

}  // namespace
}  // namespace kiln::tir::arith
