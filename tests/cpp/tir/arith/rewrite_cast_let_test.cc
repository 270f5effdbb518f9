// Simplify on casts, lets, unsigned and bool operands, and the promise that
// an expression with nothing to simplify comes back as the same object.
#include "kiln/tir/arith/analyzer.h"
#include "kiln/tir/arith/eval.h"
#include "kiln/tir/printer.h"
#include "kiln/tir/structural_equal.h"
#include "tir/arith/arith_test_util.h"

namespace kiln::tir::arith {
namespace {

const DataType kI32 = DataType::Int(32);
const DataType kI64 = DataType::Int(64);

TEST(ArithCast, Folds) {
  Analyzer ana;
  EXPECT_SIMPLIFY(ana, Cast(kI32, PrimExpr(7)), IntImm(kI32, 7));  // cast(t, c) -> c as a t
  EXPECT_SIMPLIFY(ana, Cast(DataType::Float(32), PrimExpr(3)), FloatImm(DataType::Float(32), 3.0));
  EXPECT_SIMPLIFY(ana, Cast(DataType::Bool(), PrimExpr(-2)), Bool(true));
  PrimExpr wraps = Cast(DataType::Int(8), PrimExpr(300));  // does not fit: left to the target
  EXPECT_SIMPLIFY(ana, wraps, wraps);
}

TEST(ArithCast, Removes) {
  Analyzer ana;
  Var x("x", kI32), y("y");
  EXPECT_SIMPLIFY(ana, Cast(kI32, x), x);              // cast(t, x) -> x when x is a t
  EXPECT_SIMPLIFY(ana, Cast(kI32, Cast(kI64, x)), x);  // int64 holds every int32
  PrimExpr narrowing = Cast(kI64, Cast(kI32, y));      // y may not fit int32
  EXPECT_SIMPLIFY(ana, narrowing, narrowing);
  ana.Bind(y, Range{0, 1000});
  EXPECT_SIMPLIFY(ana, Cast(kI64, Cast(kI32, y)), y);  // now it does
  EXPECT_SIMPLIFY(ana, Cast(kI64, Cast(kI32, y - y + 1)), PrimExpr(1));
}

TEST(ArithCast, SimplifiesInside) {
  Analyzer ana;
  Var i("i", kI32);
  PrimExpr e = Cast(kI64, Binary(BinaryOp::kSub, Binary(BinaryOp::kAdd, i, IntImm(kI32, 2)), i));
  EXPECT_SIMPLIFY(ana, e, PrimExpr(2));
}

TEST(ArithLet, InlinesConstantsAndVars) {
  Analyzer ana;
  Var t("t"), x("x"), y("y");
  EXPECT_SIMPLIFY(ana, Let(t, PrimExpr(3), t * x + t), x * 3 + 3);
  EXPECT_SIMPLIFY(ana, Let(t, y, t - y), PrimExpr(0));
}

TEST(ArithLet, KeepsOtherValuesAndKnowsThem) {
  Analyzer ana;
  Var t("t"), x("x"), i("i");
  ana.Bind(i, Range{0, 8});
  PrimExpr kept = Let(t, x * x, t + t);
  EXPECT_SIMPLIFY(ana, kept, Let(t, x * x, t * 2));
  // t equals i*8 + 4, so the body knows 4 <= t < 64.
  EXPECT_SIMPLIFY(ana, Let(t, i * 8 + 4, floordiv(t, 64) + x), x);
  EXPECT_SIMPLIFY(ana, Let(t, x * x, x + 1), x + 1);  // an unused let goes
}

TEST(ArithLet, ShadowingKeepsTheMeaning) {
  Analyzer ana;
  Var t("t"), x("x");
  ana.Bind(t, Range{0, 4});
  // Inside the let, t is x * x (not the bound t in [0, 4)): t < 4 stays open.
  PrimExpr e = Let(t, x * x, Binary(BinaryOp::kLT, t, PrimExpr(4)));
  PrimExpr out = ana.Simplify(e);
  const LetNode* let = out.as<LetNode>();
  ASSERT_NE(let, nullptr) << ToText(out);
  EXPECT_NE(let->var.get(), t.get());
  EXPECT_EQ(AsConstInt(let->body), nullptr);
  // Nested lets of one var: the inner value wins.
  Var u("u");
  PrimExpr nested = Let(u, x * x, Let(u, x * x + 1, u - x * x));
  PrimExpr simple = ana.Simplify(nested);
  for (int64_t v : {-3, 0, 5}) EXPECT_EQ(EvalInt(simple, [&](const Var&) { return v; }), 1) << ToText(simple);
}

TEST(ArithUnsigned, FoldsWithWrapping) {
  Analyzer ana;
  DataType u8 = DataType::UInt(8);
  EXPECT_SIMPLIFY(ana, Binary(BinaryOp::kSub, IntImm(u8, 3), IntImm(u8, 5)), IntImm(u8, 254));
  EXPECT_SIMPLIFY(ana, Binary(BinaryOp::kMul, IntImm(u8, 16), IntImm(u8, 17)), IntImm(u8, 16));
  Var u("u", u8);
  PrimExpr e = Binary(BinaryOp::kSub, Binary(BinaryOp::kAdd, u, IntImm(u8, 1)), u);  // unsigned: left as written
  EXPECT_SIMPLIFY(ana, e, e);
  EXPECT_EQ(ana.Bound(u).max_value, 255);
}

TEST(ArithBool, ComparesBoolsAsWritten) {
  Analyzer ana;
  Var b("b", DataType::Bool());
  PrimExpr e = Binary(BinaryOp::kEQ, b, Bool(true));
  EXPECT_SIMPLIFY(ana, e, e);
  EXPECT_SIMPLIFY(ana, Binary(BinaryOp::kEQ, Bool(false), Bool(true)), Bool(false));
}

TEST(ArithIdentity, UnchangedExpressionsAreTheSameObject) {
  Analyzer ana;
  Var x("x"), y("y"), n = SizeVar("n");
  Buffer a = DeclBuffer("A", {n});
  for (PrimExpr e : {x * 4 + y, floordiv(x, 8), min(x, y), PrimExpr(Binary(BinaryOp::kLT, x, y)),
                     Select(Binary(BinaryOp::kLT, x, y), x, y), BufferLoad(a, {x}), Cast(kI32, x)}) {
    EXPECT_EQ(ana.Simplify(e).get(), e.get()) << ToText(e);
  }
}

}  // namespace
}  // namespace kiln::tir::arith
