// Vector rules: arithmetic on broadcasts and ramps folds into one broadcast
// or ramp with simplified scalar parts, which is what vectorized indices
// such as ramp(i*4, 1, 4) + broadcast(j*16) need.
#include "kiln/tir/arith/simplifier.h"

namespace kiln::tir::arith {

namespace {

PrimExpr MakeRamp(const PrimExpr& base, const PrimExpr& stride, int lanes) {
  const int64_t* s = AsConstInt(stride);
  return s && *s == 0 ? Broadcast(base, lanes) : Ramp(base, stride, lanes);
}

// floordiv and floormod of ramp(b, s, lanes) by a positive constant c.
PrimExpr RampDivMod(Simplifier& s, BinaryOp op, const RampNode* r, int64_t c) {
  auto scalar = [&](BinaryOp o, const PrimExpr& x, const PrimExpr& y) { return s.Simplify(Binary(o, x, y)); };
  PrimExpr cc = IntImm(r->base.dtype(), c);
  bool div = op == BinaryOp::kFloorDiv;
  const int64_t* stride = AsConstInt(r->stride);
  // c divides s: floordiv(ramp(b, s), c) -> ramp(floordiv(b, c), s / c); floormod(ramp(b, s), c) ->
  // broadcast(floormod(b, c))
  if (stride && *stride % c == 0) {
    PrimExpr base = scalar(op, r->base, cc);
    return div ? MakeRamp(base, IntImm(r->base.dtype(), *stride / c), r->lanes) : Broadcast(base, r->lanes);
  }
  // all lanes in one period: floordiv(ramp(b, s), c) -> broadcast(floordiv(b, c)); floormod(ramp(b, s), c) ->
  // ramp(floormod(b, c), s)
  if (!stride || *stride < 0) return PrimExpr();
  PrimExpr last = Binary(BinaryOp::kAdd, r->base, IntImm(r->base.dtype(), *stride * (r->lanes - 1)));
  PrimExpr periods =
      scalar(BinaryOp::kSub, scalar(BinaryOp::kFloorDiv, last, cc), scalar(BinaryOp::kFloorDiv, r->base, cc));
  const int64_t* k = AsConstInt(periods);
  if (!k || *k != 0) return PrimExpr();
  PrimExpr base = scalar(op, r->base, cc);
  return div ? Broadcast(base, r->lanes) : MakeRamp(base, r->stride, r->lanes);
}

}  // namespace

PrimExpr RewriteVector(Simplifier& s, BinaryOp op, const PrimExpr& a, const PrimExpr& b) {
  const BroadcastNode *ba = a.as<BroadcastNode>(), *bb = b.as<BroadcastNode>();
  const RampNode *ra = a.as<RampNode>(), *rb = b.as<RampNode>();
  int lanes = a.dtype().lanes();
  auto scalar = [&](BinaryOp o, const PrimExpr& x, const PrimExpr& y) { return s.Simplify(Binary(o, x, y)); };
  // broadcast(x) op broadcast(y) -> broadcast(x op y)
  if (ba && bb) return Broadcast(scalar(op, ba->value, bb->value), lanes);
  if (!IsIndexType(a.dtype().element_of())) return PrimExpr();
  bool add = op == BinaryOp::kAdd;
  switch (op) {
    case BinaryOp::kAdd:
    case BinaryOp::kSub:
      // ramp(b1, s1) + ramp(b2, s2) -> ramp(b1 + b2, s1 + s2)
      if (ra && rb) return MakeRamp(scalar(op, ra->base, rb->base), scalar(op, ra->stride, rb->stride), lanes);
      // ramp(b, s) + broadcast(x) -> ramp(b + x, s)
      if (ra && bb) return MakeRamp(scalar(op, ra->base, bb->value), ra->stride, lanes);
      // broadcast(x) + ramp(b, s) -> ramp(x + b, s); broadcast(x) - ramp(b, s) -> ramp(x - b, -s)
      if (ba && rb) {
        PrimExpr stride = add ? rb->stride : scalar(BinaryOp::kSub, IntImm(rb->stride.dtype(), 0), rb->stride);
        return MakeRamp(scalar(op, ba->value, rb->base), stride, lanes);
      }
      break;
    case BinaryOp::kMul:
      // ramp(b, s) * broadcast(x) -> ramp(b * x, s * x), either order
      if (ra && bb) return MakeRamp(scalar(op, ra->base, bb->value), scalar(op, ra->stride, bb->value), lanes);
      if (ba && rb) return MakeRamp(scalar(op, ba->value, rb->base), scalar(op, ba->value, rb->stride), lanes);
      break;
    case BinaryOp::kFloorDiv:
    case BinaryOp::kFloorMod:
      if (const int64_t* c = ra && bb ? AsConstInt(bb->value) : nullptr; c && *c > 0) return RampDivMod(s, op, ra, *c);
      break;
    default: break;
  }
  return PrimExpr();
}

}  // namespace kiln::tir::arith
