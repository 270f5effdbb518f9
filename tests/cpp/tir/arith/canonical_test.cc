// Simplify on index arithmetic: the canonical sum form folds constants,
// cancels and collects terms, orders them deterministically and keeps dtypes.
#include "kiln/tir/arith/canonical.h"

#include "kiln/tir/arith/analyzer.h"
#include "kiln/tir/printer.h"
#include "kiln/tir/structural_equal.h"
#include "tir/arith/arith_test_util.h"

namespace kiln::tir::arith {
namespace {

PrimExpr Add(PrimExpr a, PrimExpr b) {
  return Binary(BinaryOp::kAdd, a, b);
}
PrimExpr Sub(PrimExpr a, PrimExpr b) {
  return Binary(BinaryOp::kSub, a, b);
}
PrimExpr Mul(PrimExpr a, PrimExpr b) {
  return Binary(BinaryOp::kMul, a, b);
}

TEST(ArithCanonical, TermsCancel) {
  Analyzer ana;
  Var i("i"), j("j"), x("x");
  EXPECT_SIMPLIFY(ana, Sub(Sub(Add(Mul(i, 4), j), Mul(j, 1)), Mul(i, 4)), PrimExpr(0));  // (i*4 + j) - j*1 - i*4
  EXPECT_SIMPLIFY(ana, Sub(Add(x, 3), x), PrimExpr(3));                                  // (x + 3) - x
  EXPECT_SIMPLIFY(ana, Sub(x, x), PrimExpr(0));
}

TEST(ArithCanonical, CollectsLikeTerms) {
  Analyzer ana;
  Var x("x"), y("y");
  EXPECT_SIMPLIFY(ana, Add(Mul(x, 2), Mul(x, 3)), Mul(x, 5));           // x*2 + x*3
  EXPECT_SIMPLIFY(ana, Add(Add(x, 1), Add(x, 2)), Add(Mul(x, 2), 3));   // (x + 1) + (x + 2)
  EXPECT_SIMPLIFY(ana, Mul(Add(x, 1), 3), Add(Mul(x, 3), 3));           // (x + 1) * 3
  EXPECT_SIMPLIFY(ana, Sub(Mul(y, 2), Mul(Add(y, x), 2)), Mul(x, -2));  // y*2 - (y + x)*2
}

TEST(ArithCanonical, ConstantsFold) {
  Analyzer ana;
  EXPECT_SIMPLIFY(ana, Add(Mul(PrimExpr(3), 4), 5), PrimExpr(17));
  EXPECT_SIMPLIFY(ana, Sub(PrimExpr(2), 9), PrimExpr(-7));
  EXPECT_SIMPLIFY(ana, Binary(BinaryOp::kDiv, PrimExpr(-7), PrimExpr(2)), PrimExpr(-3));  // truncates
  EXPECT_SIMPLIFY(ana, Binary(BinaryOp::kMod, PrimExpr(-7), PrimExpr(2)), PrimExpr(-1));
  EXPECT_SIMPLIFY(ana, Binary(BinaryOp::kFloorDiv, PrimExpr(-7), PrimExpr(2)), PrimExpr(-4));  // rounds down
  EXPECT_SIMPLIFY(ana, Binary(BinaryOp::kFloorMod, PrimExpr(-7), PrimExpr(2)), PrimExpr(1));
  EXPECT_SIMPLIFY(ana, Binary(BinaryOp::kFloorDiv, PrimExpr(7), PrimExpr(-2)), PrimExpr(-4));
  EXPECT_SIMPLIFY(ana, Binary(BinaryOp::kFloorMod, PrimExpr(7), PrimExpr(-2)), PrimExpr(-1));
  EXPECT_SIMPLIFY(ana, Binary(BinaryOp::kMin, PrimExpr(3), PrimExpr(-2)), PrimExpr(-2));
  EXPECT_SIMPLIFY(ana, Binary(BinaryOp::kMax, PrimExpr(3), PrimExpr(-2)), PrimExpr(3));
  EXPECT_SIMPLIFY(ana, Binary(BinaryOp::kLT, PrimExpr(3), PrimExpr(-2)), Bool(false));
  EXPECT_SIMPLIFY(ana, Binary(BinaryOp::kGE, PrimExpr(3), PrimExpr(-2)), Bool(true));
}

TEST(ArithCanonical, NeverFoldsDivisionByZero) {
  Analyzer ana;
  for (BinaryOp op : {BinaryOp::kDiv, BinaryOp::kMod, BinaryOp::kFloorDiv, BinaryOp::kFloorMod}) {
    PrimExpr e = Binary(op, PrimExpr(7), PrimExpr(0));
    EXPECT_SIMPLIFY(ana, e, e);
    Var x("x");
    PrimExpr v = Binary(op, x, PrimExpr(0));
    EXPECT_SIMPLIFY(ana, v, v);
  }
}

TEST(ArithCanonical, TermOrderIsDeterministic) {
  Analyzer ana;
  Var a("a"), b("b"), c("c");
  PrimExpr expected = Add(Add(a, Mul(b, 2)), c);
  EXPECT_SIMPLIFY(ana, Add(Add(c, Mul(b, 2)), a), expected);
  EXPECT_SIMPLIFY(ana, Add(Add(Mul(b, 2), a), c), expected);
  EXPECT_SIMPLIFY(ana, Add(Mul(b, 2), Add(c, a)), expected);
  // Positive terms lead; negative ones are subtracted; the constant ends.
  EXPECT_SIMPLIFY(ana, Add(Sub(PrimExpr(3), Mul(a, 4)), c), Add(Sub(c, Mul(a, 4)), 3));
  EXPECT_SIMPLIFY(ana, Sub(PrimExpr(3), a), Sub(PrimExpr(3), a));
  EXPECT_SIMPLIFY(ana, Sub(Sub(PrimExpr(0), a), 3), Sub(Mul(a, -1), 3));
}

TEST(ArithCanonical, ProductsExpand) {
  Analyzer ana;
  Var x("x"), y("y"), n("n");
  // (x + 1) * (y + 2) -> x*y + x*2 + y + 2
  EXPECT_SIMPLIFY(ana, Mul(Add(x, 1), Add(y, 2)), Add(Add(Add(Mul(x, 2), Mul(x, y)), y), 2));
  // (i + 1) * n - i * n -> n
  Var i("i");
  EXPECT_SIMPLIFY(ana, Sub(Mul(Add(i, 1), n), Mul(i, n)), n);
  EXPECT_SIMPLIFY(ana, Sub(Mul(x, y), Mul(y, x)), PrimExpr(0));
}

TEST(ArithCanonical, KeepsInt32) {
  Analyzer ana;
  DataType i32 = DataType::Int(32);
  Var i("i", i32), j("j", i32);
  PrimExpr four = IntImm(i32, 4);
  EXPECT_SIMPLIFY(ana, Sub(Add(Mul(i, four), j), Mul(i, four)), j);
  EXPECT_SIMPLIFY(ana, Add(Add(i, IntImm(i32, 1)), Add(i, IntImm(i32, 2))),
                  Add(Mul(i, IntImm(i32, 2)), IntImm(i32, 3)));
  EXPECT_EQ(ana.Simplify(Sub(i, i)).dtype(), i32);
}

TEST(ArithCanonical, LeavesFloatsAlone) {
  Analyzer ana;
  Var x("x", DataType::Float(32)), y("y", DataType::Float(32));
  PrimExpr e = Sub(Add(x, y), x);  // (x + y) - x is not y in floating point
  EXPECT_SIMPLIFY(ana, e, e);
  EXPECT_EQ(ana.Simplify(e).get(), e.get());
  PrimExpr zero = Mul(x, FloatImm(DataType::Float(32), 0.0));  // NaN * 0 is NaN
  EXPECT_SIMPLIFY(ana, zero, zero);
}

TEST(ArithCanonical, SimplifiesIndicesInsideFloatCode) {
  Analyzer ana;
  Var i("i"), j("j");
  Buffer a = DeclBuffer("A", {64});
  PrimExpr load = BufferLoad(a, {Sub(Add(i, j), j)});
  EXPECT_SIMPLIFY(ana, Add(load, load), Add(BufferLoad(a, {i}), BufferLoad(a, {i})));
}

TEST(ArithCanonical, SubstitutesBoundValues) {
  Analyzer ana;
  Var x("x"), y("y");
  ana.Bind(x, Add(y, 1));
  EXPECT_SIMPLIFY(ana, Sub(x, y), PrimExpr(1));
}

TEST(ArithCanonical, OverflowingCoefficientsStayUnfolded) {
  Analyzer ana;
  DataType i32 = DataType::Int(32);
  Var x("x", i32);
  PrimExpr big = IntImm(i32, int64_t{1} << 30);
  PrimExpr e = Mul(Mul(x, big), IntImm(i32, 4));  // x * 2^32 does not fit int32
  PrimExpr out = ana.Simplify(e);
  EXPECT_EQ(out.dtype(), i32);
  EXPECT_EQ(AsConstInt(out), nullptr);
}

}  // namespace
}  // namespace kiln::tir::arith
