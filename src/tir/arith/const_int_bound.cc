// Constant interval analysis of integer expressions (see const_int_bound.h).
#include "kiln/tir/arith/const_int_bound.h"

#include <algorithm>
#include <cstdlib>
#include <unordered_map>

#include "kiln/tir/arith/context.h"
#include "kiln/tir/arith/int_math.h"
#include "kiln/tir/functor.h"

namespace kiln::tir::arith {

namespace {

constexpr int64_t kNegInf = ConstIntBound::kNegInf;
constexpr int64_t kPosInf = ConstIntBound::kPosInf;

bool IsInf(int64_t v) {
  return v == kNegInf || v == kPosInf;
}
int Sign(int64_t v) {
  return (v > 0) - (v < 0);
}
int64_t InfOfSign(int sign) {
  return sign < 0 ? kNegInf : kPosInf;
}

int64_t Neg(int64_t v) {
  return v == kNegInf ? kPosInf : (v == kPosInf ? kNegInf : -v);
}
// a + b where the sentinels are infinities; -inf + inf does not occur here.
int64_t Add(int64_t a, int64_t b) {
  if (IsInf(a)) return a;
  if (IsInf(b)) return b;
  std::optional<int64_t> r = CheckedAdd(a, b);
  return r ? *r : InfOfSign(Sign(a));
}
int64_t Mul(int64_t a, int64_t b) {
  if (a == 0 || b == 0) return 0;
  if (IsInf(a) || IsInf(b)) return InfOfSign(Sign(a) * Sign(b));
  std::optional<int64_t> r = CheckedMul(a, b);
  return r ? *r : InfOfSign(Sign(a) * Sign(b));
}
// a / b for b != 0, rounding down (floor) or toward zero; an infinite divisor
// gives the limit, and inf / inf the infinity of the quotient's sign (the
// corners only need to cover the extremes).
int64_t Div(int64_t a, int64_t b, bool floor) {
  if (IsInf(a)) return InfOfSign(Sign(a) * Sign(b));
  if (IsInf(b)) return floor && a != 0 && Sign(a) != Sign(b) ? -1 : 0;
  return floor ? FloorDiv(a, b) : a / b;
}
int64_t Abs(int64_t v) {
  return v < 0 ? Neg(v) : v;
}

ConstIntBound Corners(const ConstIntBound& a, const ConstIntBound& b, int64_t (*f)(int64_t, int64_t, bool),
                      bool floor) {
  int64_t c[4] = {f(a.min_value, b.min_value, floor), f(a.min_value, b.max_value, floor),
                  f(a.max_value, b.min_value, floor), f(a.max_value, b.max_value, floor)};
  return {*std::min_element(c, c + 4), *std::max_element(c, c + 4)};
}

// Division by a divisor in b (zero excluded: dividing by zero is undefined).
ConstIntBound BoundDiv(const ConstIntBound& a, ConstIntBound b, bool floor) {
  if (b.min_value == 0) b.min_value = 1;
  if (b.max_value == 0) b.max_value = -1;
  if (b.min_value > b.max_value) return {};
  if (b.min_value < 0 && b.max_value > 0) {  // |a / b| <= |a| for |b| >= 1
    int64_t m = std::max(Abs(a.min_value), Abs(a.max_value));
    return {Neg(m), m};
  }
  return Corners(a, b, Div, floor);
}

// Floor remainder: it takes the divisor's sign and is smaller in magnitude.
ConstIntBound BoundFloorMod(const ConstIntBound& a, const ConstIntBound& b) {
  if (b.min_value > 0) {
    if (a.min_value >= 0 && a.max_value < b.min_value) return a;
    int64_t hi = Add(b.max_value, -1);
    return {0, a.min_value >= 0 ? std::min(a.max_value, hi) : hi};
  }
  if (b.max_value < 0) {
    if (a.max_value <= 0 && a.min_value > b.max_value) return a;
    int64_t lo = Add(b.min_value, 1);
    return {a.max_value <= 0 ? std::max(a.min_value, lo) : lo, 0};
  }
  int64_t m = Add(std::max(Abs(b.min_value), Abs(b.max_value)), -1);
  return {Neg(m), m};
}

// Truncated remainder: it takes the dividend's sign, |a % b| < |b| and <= |a|.
ConstIntBound BoundTruncMod(const ConstIntBound& a, const ConstIntBound& b) {
  int64_t m = Add(std::max(Abs(b.min_value), Abs(b.max_value)), -1);
  ConstIntBound r{Neg(m), m};
  if (a.min_value >= 0) r.min_value = 0;
  if (a.max_value <= 0) r.max_value = 0;
  return BoundIntersect(r, {std::min<int64_t>(a.min_value, 0), std::max<int64_t>(a.max_value, 0)});
}

ConstIntBound Union(const ConstIntBound& a, const ConstIntBound& b) {
  return {std::min(a.min_value, b.min_value), std::max(a.max_value, b.max_value)};
}

// 1 or 0 when the comparison is decided by the operands' bounds, else [0, 1].
ConstIntBound BoundCompare(BinaryOp op, const ConstIntBound& a, const ConstIntBound& b) {
  auto decided = [](bool yes, bool no) { return ConstIntBound{yes ? 1 : 0, no ? 0 : 1}; };
  bool lt = a.max_value < b.min_value, ge = a.min_value >= b.max_value;
  bool le = a.max_value <= b.min_value, gt = a.min_value > b.max_value;
  bool eq = a.is_const() && b.is_const() && a.min_value == b.min_value && !IsInf(a.min_value);
  switch (op) {
    case BinaryOp::kLT: return decided(lt, ge);
    case BinaryOp::kLE: return decided(le, gt);
    case BinaryOp::kGT: return decided(gt, le);
    case BinaryOp::kGE: return decided(ge, lt);
    case BinaryOp::kEQ: return decided(eq, lt || gt);
    case BinaryOp::kNE: return decided(lt || gt, eq);
    default: return {0, 1};
  }
}

class BoundEvaluator : public ExprFunctor<ConstIntBound(const PrimExpr&)> {
 public:
  explicit BoundEvaluator(const Context& ctx) : ctx_(ctx) {}

  // Signed overflow is undefined, so a signed result is clamped to its dtype;
  // unsigned arithmetic wraps, so an unsigned result out of range is unknown.
  ConstIntBound VisitExpr(const PrimExpr& e) override {
    if (e.dtype().is_float() || e.dtype().is_handle()) return {};
    ConstIntBound b = ExprFunctor::VisitExpr(e), t = ConstIntBound::Of(e.dtype());
    if (e.dtype().is_uint() && !(t.contains(b.min_value) && t.contains(b.max_value))) return t;
    return BoundIntersect(b, t);
  }

 protected:
  ConstIntBound VisitExpr_(const IntImmNode* op) override { return {op->value, op->value}; }
  ConstIntBound VisitExpr_(const FloatImmNode*) override { return {}; }
  ConstIntBound VisitExpr_(const StringImmNode*) override { return {}; }
  ConstIntBound VisitExpr_(const VarNode* op) override {
    auto it = lets_.find(op);
    return it != lets_.end() ? it->second : ctx_.VarBound(op);
  }
  ConstIntBound VisitExpr_(const BinaryNode* op) override;
  ConstIntBound VisitExpr_(const NotNode* op) override {
    ConstIntBound a = VisitExpr(op->a);
    return {1 - std::min<int64_t>(a.max_value, 1), 1 - std::max<int64_t>(a.min_value, 0)};
  }
  ConstIntBound VisitExpr_(const CastNode* op) override {
    if (op->value.dtype().is_float()) return ConstIntBound::Of(op->dtype);
    ConstIntBound v = VisitExpr(op->value);
    if (op->dtype.is_bool()) {  // nonzero -> 1
      bool never_zero = !v.contains(0), always_zero = v.min_value == 0 && v.max_value == 0;
      return {never_zero ? 1 : 0, always_zero ? 0 : 1};
    }
    ConstIntBound t = ConstIntBound::Of(op->dtype);
    return t.contains(v.min_value) && t.contains(v.max_value) ? v : t;
  }
  ConstIntBound VisitExpr_(const SelectNode* op) override {
    ConstIntBound c = VisitExpr(op->condition);
    if (c.min_value > 0) return VisitExpr(op->true_value);
    if (c.max_value <= 0) return VisitExpr(op->false_value);
    return Union(VisitExpr(op->true_value), VisitExpr(op->false_value));
  }
  ConstIntBound VisitExpr_(const BufferLoadNode* op) override { return ConstIntBound::Of(op->dtype); }
  ConstIntBound VisitExpr_(const CallNode* op) override { return ConstIntBound::Of(op->dtype); }
  ConstIntBound VisitExpr_(const RampNode* op) override {  // base + stride * [0, lanes - 1]
    return BoundAdd(VisitExpr(op->base), BoundMul(VisitExpr(op->stride), {0, op->lanes - 1}));
  }
  ConstIntBound VisitExpr_(const BroadcastNode* op) override { return VisitExpr(op->value); }
  ConstIntBound VisitExpr_(const LetNode* op) override {
    ConstIntBound value = VisitExpr(op->value);
    auto saved = lets_;
    lets_[op->var.get()] = value;
    ConstIntBound body = VisitExpr(op->body);
    lets_ = std::move(saved);
    return body;
  }

 private:
  const Context& ctx_;
  std::unordered_map<const VarNode*, ConstIntBound> lets_;
};

ConstIntBound BoundEvaluator::VisitExpr_(const BinaryNode* op) {
  ConstIntBound a = VisitExpr(op->a), b = VisitExpr(op->b);
  switch (op->op) {
    case BinaryOp::kAdd: return BoundAdd(a, b);
    case BinaryOp::kSub: return BoundAdd(a, BoundNeg(b));
    case BinaryOp::kMul: return BoundMul(a, b);
    case BinaryOp::kDiv: return BoundDiv(a, b, false);
    case BinaryOp::kFloorDiv: return BoundDiv(a, b, true);
    case BinaryOp::kMod: return BoundTruncMod(a, b);
    case BinaryOp::kFloorMod: return BoundFloorMod(a, b);
    case BinaryOp::kMin: return {std::min(a.min_value, b.min_value), std::min(a.max_value, b.max_value)};
    case BinaryOp::kMax: return {std::max(a.min_value, b.min_value), std::max(a.max_value, b.max_value)};
    case BinaryOp::kAnd: return {std::min(a.min_value, b.min_value), std::min(a.max_value, b.max_value)};
    case BinaryOp::kOr: return {std::max(a.min_value, b.min_value), std::max(a.max_value, b.max_value)};
    default: return op->a.dtype().is_float() ? ConstIntBound{0, 1} : BoundCompare(op->op, a, b);
  }
}

}  // namespace

ConstIntBound ConstIntBound::Of(DataType dtype) {
  if (!(dtype.is_int() || dtype.is_uint() || dtype.is_bool())) return {};
  return {DTypeMin(dtype), DTypeMax(dtype)};
}

ConstIntBound BoundAdd(const ConstIntBound& a, const ConstIntBound& b) {
  return {Add(a.min_value, b.min_value), Add(a.max_value, b.max_value)};
}

ConstIntBound BoundNeg(const ConstIntBound& a) {
  return {Neg(a.max_value), Neg(a.min_value)};
}

ConstIntBound BoundMul(const ConstIntBound& a, const ConstIntBound& b) {
  int64_t c[4] = {Mul(a.min_value, b.min_value), Mul(a.min_value, b.max_value), Mul(a.max_value, b.min_value),
                  Mul(a.max_value, b.max_value)};
  return {*std::min_element(c, c + 4), *std::max_element(c, c + 4)};
}

ConstIntBound BoundIntersect(const ConstIntBound& a, const ConstIntBound& b) {
  ConstIntBound r{std::max(a.min_value, b.min_value), std::min(a.max_value, b.max_value)};
  return r.min_value <= r.max_value ? r : a;
}

ConstIntBound EvalConstIntBound(const PrimExpr& e, const Context& ctx) {
  return BoundEvaluator(ctx).VisitExpr(e);
}

}  // namespace kiln::tir::arith
