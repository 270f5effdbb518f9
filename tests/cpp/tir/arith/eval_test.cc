// EvalInt: the reference interpreter the simplifier is tested against.
#include "kiln/tir/arith/eval.h"

#include <map>

#include "common/test_util.h"

namespace kiln::tir::arith {
namespace {

int64_t Eval(const PrimExpr& e, const std::map<const VarNode*, int64_t>& values = {}) {
  return EvalInt(e, [&](const Var& v) { return values.at(v.get()); });
}

TEST(ArithEval, DivisionSemantics) {
  auto op = [](BinaryOp o, int64_t a, int64_t b) { return Eval(Binary(o, PrimExpr(a), PrimExpr(b))); };
  EXPECT_EQ(op(BinaryOp::kDiv, -7, 2), -3);
  EXPECT_EQ(op(BinaryOp::kMod, -7, 2), -1);
  EXPECT_EQ(op(BinaryOp::kFloorDiv, -7, 2), -4);
  EXPECT_EQ(op(BinaryOp::kFloorMod, -7, 2), 1);
  EXPECT_EQ(op(BinaryOp::kDiv, 7, -2), -3);
  EXPECT_EQ(op(BinaryOp::kMod, 7, -2), 1);
  EXPECT_EQ(op(BinaryOp::kFloorDiv, 7, -2), -4);
  EXPECT_EQ(op(BinaryOp::kFloorMod, 7, -2), -1);
  EXPECT_EQ(op(BinaryOp::kFloorDiv, -8, -2), 4);
  EXPECT_EQ(op(BinaryOp::kFloorMod, -7, -2), -1);
}

TEST(ArithEval, VarsLetsSelectsAndBools) {
  Var x("x"), y("y"), t("t");
  std::map<const VarNode*, int64_t> env{{x.get(), 5}, {y.get(), -3}};
  EXPECT_EQ(Eval(x * 2 + y, env), 7);
  EXPECT_EQ(Eval(Let(t, x + 1, t * t), env), 36);
  EXPECT_EQ(Eval(Select(x < y, x, y), env), -3);
  EXPECT_EQ(Eval(logical_and(x > 0, logical_not(y > 0)), env), 1);
  EXPECT_EQ(Eval(logical_or(x == PrimExpr(0), y == PrimExpr(0)), env), 0);
  EXPECT_EQ(Eval(min(x, y) + max(x, y), env), 2);
}

TEST(ArithEval, Casts) {
  DataType i8 = DataType::Int(8), u8 = DataType::UInt(8);
  EXPECT_EQ(Eval(Cast(i8, PrimExpr(300))), 44);
  EXPECT_EQ(Eval(Cast(i8, PrimExpr(200))), -56);
  EXPECT_EQ(Eval(Cast(u8, PrimExpr(-1))), 255);
  EXPECT_EQ(Eval(Cast(DataType::Bool(), PrimExpr(-4))), 1);
  EXPECT_EQ(Eval(Cast(DataType::Int(64), Bool(true))), 1);
}

TEST(ArithEval, UnsignedWraps) {
  DataType u8 = DataType::UInt(8);
  EXPECT_EQ(Eval(Binary(BinaryOp::kSub, IntImm(u8, 3), IntImm(u8, 5))), 254);
  EXPECT_EQ(Eval(Binary(BinaryOp::kMul, IntImm(u8, 16), IntImm(u8, 17))), 16);
}

TEST(ArithEval, UndefinedOperationsRaise) {
  Var x("x");
  EXPECT_KILN_ERROR(Eval(floordiv(PrimExpr(1), x), {{x.get(), 0}}), "EvalInt: division by zero in FloorDiv");
  EXPECT_KILN_ERROR(Eval(Binary(BinaryOp::kMod, PrimExpr(1), PrimExpr(0))), "division by zero in Mod");
  DataType i32 = DataType::Int(32);
  PrimExpr big = IntImm(i32, 1 << 30);
  EXPECT_KILN_ERROR(Eval(Binary(BinaryOp::kAdd, big, big)), "overflows int32");
  PrimExpr huge = PrimExpr(int64_t{1} << 62);
  EXPECT_KILN_ERROR(Eval(Binary(BinaryOp::kMul, huge, PrimExpr(4))), "overflows int64");
}

TEST(ArithEval, RejectsWhatIsNotIntegerArithmetic) {
  Var f("f", DataType::Float(32));
  EXPECT_KILN_ERROR(Eval(f + 1.0), "EvalInt: cannot evaluate float Add");
  EXPECT_KILN_ERROR(Eval(f), "EvalInt: variable 'f' has dtype float32");
  Buffer a = DeclBuffer("A", {4}, DataType::Int(64));
  EXPECT_KILN_ERROR(Eval(BufferLoad(a, {0})), "cannot evaluate a load of buffer 'A'");
  EXPECT_KILN_ERROR(Eval(Ramp(PrimExpr(0), PrimExpr(1), 4)), "cannot evaluate a vector");
}

}  // namespace
}  // namespace kiln::tir::arith
