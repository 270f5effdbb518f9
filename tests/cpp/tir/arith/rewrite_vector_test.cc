// Simplify on vectors: broadcasts and ramps combine into one with simplified
// scalar parts, as vectorized indices need.
#include "kiln/tir/arith/analyzer.h"
#include "kiln/tir/printer.h"
#include "kiln/tir/structural_equal.h"
#include "tir/arith/arith_test_util.h"

namespace kiln::tir::arith {
namespace {

PrimExpr B(PrimExpr v) {
  return Broadcast(v, 4);
}
PrimExpr R(PrimExpr base, PrimExpr stride) {
  return Ramp(base, stride, 4);
}
PrimExpr Op(BinaryOp op, PrimExpr a, PrimExpr b) {
  return Binary(op, a, b);
}

class ArithVector : public ::testing::Test {
 protected:
  Analyzer ana;
  Var i{"i"}, j{"j"}, x{"x"};
};

TEST_F(ArithVector, Broadcasts) {
  EXPECT_SIMPLIFY(ana, Op(BinaryOp::kAdd, B(i), B(i * 2)),
                  B(i * 3));  // broadcast(x) op broadcast(y) -> broadcast(x op y)
  EXPECT_SIMPLIFY(ana, Op(BinaryOp::kLT, B(i), B(i + 1)), Broadcast(Bool(true), 4));
  Var f("f", DataType::Float(32));
  EXPECT_SIMPLIFY(ana, Op(BinaryOp::kMul, B(f), B(f)), B(f * f));
}

TEST_F(ArithVector, Ramps) {
  EXPECT_SIMPLIFY(ana, Op(BinaryOp::kAdd, R(i * 4, 1), B(j * 16)), R(i * 4 + j * 16, 1));  // ramp + broadcast
  EXPECT_SIMPLIFY(ana, Op(BinaryOp::kAdd, B(j), R(i, 2)), R(i + j, 2));
  EXPECT_SIMPLIFY(ana, Op(BinaryOp::kSub, B(j), R(i, 2)), R(j - i, -2));
  EXPECT_SIMPLIFY(ana, Op(BinaryOp::kAdd, R(i, 1), R(j, 2)), R(i + j, 3));         // ramp + ramp
  EXPECT_SIMPLIFY(ana, Op(BinaryOp::kSub, R(i, 1), R(i, 1)), B(PrimExpr(0)));      // stride 0 is a broadcast
  EXPECT_SIMPLIFY(ana, Op(BinaryOp::kMul, R(i, 1), B(PrimExpr(8))), R(i * 8, 8));  // ramp * broadcast
  EXPECT_SIMPLIFY(ana, Ramp(i, PrimExpr(0), 4), B(i));
}

TEST_F(ArithVector, RampDivisions) {
  // floordiv(ramp(i*4, 1, 4), 4) -> broadcast(i): all lanes in one period
  EXPECT_SIMPLIFY(ana, Op(BinaryOp::kFloorDiv, R(i * 4, 1), B(PrimExpr(4))), B(i));
  EXPECT_SIMPLIFY(ana, Op(BinaryOp::kFloorMod, R(i * 4, 1), B(PrimExpr(4))), R(PrimExpr(0), 1));
  EXPECT_SIMPLIFY(ana, Op(BinaryOp::kFloorMod, R(i * 8 + 4, 1), B(PrimExpr(8))), R(PrimExpr(4), 1));
  // the stride a multiple of the divisor
  EXPECT_SIMPLIFY(ana, Op(BinaryOp::kFloorDiv, R(x, 8), B(PrimExpr(4))), R(floordiv(x, 4), 2));
  EXPECT_SIMPLIFY(ana, Op(BinaryOp::kFloorMod, R(x, 8), B(PrimExpr(4))), B(floormod(x, 4)));
  // lanes crossing a period stay
  PrimExpr crossing = Op(BinaryOp::kFloorDiv, R(i * 4 + 2, 1), B(PrimExpr(4)));
  EXPECT_SIMPLIFY(ana, crossing, crossing);
  PrimExpr unknown = Op(BinaryOp::kFloorDiv, R(x, 1), B(PrimExpr(4)));
  EXPECT_SIMPLIFY(ana, unknown, unknown);
}

TEST_F(ArithVector, ScalarPartsUseBindings) {
  ana.Bind(j, Range{0, 4});
  EXPECT_SIMPLIFY(ana, Op(BinaryOp::kFloorDiv, R(i * 16 + j * 4, 1), B(PrimExpr(16))), B(i));
}

}  // namespace
}  // namespace kiln::tir::arith
