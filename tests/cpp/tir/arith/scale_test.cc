// Simplify on large inputs: long sums, deep selects, long conjunctions and
// deep divisions finish quickly (no blow-up) and come out right. Inputs are
// trees, not DAGs: a shared subtree is visited once per use.
#include "common/test_util.h"
#include "kiln/tir/arith/analyzer.h"
#include "kiln/tir/arith/eval.h"
#include "kiln/tir/printer.h"
#include "kiln/tir/structural_equal.h"

namespace kiln::tir::arith {
namespace {

TEST(ArithScale, LongSumsCancel) {
  Analyzer ana;
  std::vector<Var> vars;
  for (int k = 0; k < 200; ++k) vars.emplace_back("v" + std::to_string(k));
  PrimExpr sum = PrimExpr(0);
  for (int k = 0; k < 200; ++k) sum = Binary(BinaryOp::kAdd, sum, Binary(BinaryOp::kMul, vars[k], PrimExpr(k + 1)));
  for (int k = 199; k >= 0; --k) sum = Binary(BinaryOp::kSub, sum, Binary(BinaryOp::kMul, vars[k], PrimExpr(k)));
  PrimExpr expected = vars[0];
  for (int k = 1; k < 200; ++k) expected = Binary(BinaryOp::kAdd, expected, vars[k]);
  PrimExpr out = ana.Simplify(sum);
  EXPECT_TRUE(StructuralEqual(out, ana.Simplify(expected)));
  EXPECT_TRUE(ana.CanProveEqual(sum, expected));
}

TEST(ArithScale, TriangularNest) {
  // i0 in [0, n), i1 in [0, i0), ..., i5 in [0, i4): each is below n by its depth.
  Analyzer ana;
  Var n = SizeVar("n");
  std::vector<Var> iv;
  for (int k = 0; k < 6; ++k) {
    iv.emplace_back("i" + std::to_string(k));
    ana.Bind(iv[k], Range{0, k == 0 ? PrimExpr(n) : PrimExpr(iv[k - 1])});
  }
  EXPECT_TRUE(ana.CanProve(iv[5] + 6 <= n));
  EXPECT_FALSE(ana.CanProve(iv[5] + 7 <= n));
  PrimExpr sum = iv[0];
  for (int k = 1; k < 6; ++k) sum = sum + iv[k];
  EXPECT_TRUE(ana.CanProve(sum < n * 6));
  EXPECT_TRUE(ana.CanProve(floordiv(sum, 6) < n));
}

TEST(ArithScale, DeepSelects) {
  Analyzer ana;
  Var x("x"), n("n");
  PrimExpr e = floordiv(x, n), flat = x;
  for (int k = 0; k < 40; ++k) {
    e = Select(Binary(BinaryOp::kLT, x, PrimExpr(k)), floordiv(e, n) + 1, x - k);
    flat = Select(Binary(BinaryOp::kLT, x, PrimExpr(k)), flat + 1, x - k);
  }
  EXPECT_EQ(ana.Simplify(e).dtype(), e.dtype());
  PrimExpr out = ana.Simplify(flat);
  for (int64_t v = -50; v <= 50; v += 7) {
    auto at = [&](const Var&) { return v; };
    EXPECT_EQ(EvalInt(out, at), EvalInt(flat, at)) << "x = " << v;
  }
}

TEST(ArithScale, LongConjunctions) {
  Analyzer ana;
  Var x("x");
  PrimExpr right = Bool(true), left = Bool(true);
  for (int k = 0; k < 60; ++k) {
    right = Binary(BinaryOp::kAnd, Binary(BinaryOp::kLT, x, PrimExpr(100 - k)), right);
    left = Binary(BinaryOp::kAnd, left, Binary(BinaryOp::kLT, x, PrimExpr(100 - k)));
  }
  PrimExpr want = Binary(BinaryOp::kLT, x, PrimExpr(41));
  EXPECT_TRUE(StructuralEqual(ana.Simplify(right), want)) << ToText(ana.Simplify(right));
  EXPECT_TRUE(ana.CanProve(Binary(BinaryOp::kOr, Not(left), want)));
}

TEST(ArithScale, DeepDivisions) {
  Analyzer ana;
  Var x("x");
  PrimExpr e = x;
  for (int k = 0; k < 30; ++k) e = floordiv(e + 1, 2);  // floordiv(floordiv(x + 1, 2) + 1, 2) -> floordiv(x + 3, 4)
  PrimExpr out = ana.Simplify(e);
  int64_t p = int64_t{1} << 30;
  EXPECT_TRUE(StructuralEqual(out, floordiv(x + (p - 1), p))) << ToText(out);
}

}  // namespace
}  // namespace kiln::tir::arith
