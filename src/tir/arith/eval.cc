// EvalInt: a direct interpreter of integer and bool tir expressions.
#include "kiln/tir/arith/eval.h"

#include <string>
#include <unordered_map>

#include "kiln/runtime/error.h"
#include "kiln/tir/arith/int_math.h"
#include "kiln/tir/functor.h"

namespace kiln::tir::arith {

namespace {

class Evaluator : public ExprFunctor<int64_t(const PrimExpr&)> {
 public:
  explicit Evaluator(const std::function<int64_t(const Var&)>& env) : env_(env) {}

  int64_t VisitExpr(const PrimExpr& e) override {
    KILN_CHECK(e.dtype().lanes() == 1) << "EvalInt: cannot evaluate a vector of dtype " << e.dtype();
    return ExprFunctor::VisitExpr(e);
  }

 protected:
  int64_t VisitExpr_(const IntImmNode* op) override { return op->value; }
  int64_t VisitExpr_(const FloatImmNode*) override { return Unsupported("a float immediate"); }
  int64_t VisitExpr_(const StringImmNode*) override { return Unsupported("a string"); }
  int64_t VisitExpr_(const VarNode* op) override {
    KILN_CHECK(op->dtype.is_int() || op->dtype.is_uint() || op->dtype.is_bool())
        << "EvalInt: variable '" << op->name << "' has dtype " << op->dtype;
    auto it = lets_.find(op);
    return it != lets_.end() ? it->second : env_(Var(runtime::GetRef<PrimExprNode>(op)));
  }
  int64_t VisitExpr_(const BinaryNode* op) override {
    KILN_CHECK(!op->a.dtype().is_float()) << "EvalInt: cannot evaluate float " << BinaryOpName(op->op);
    return Apply(op->op, VisitExpr(op->a), VisitExpr(op->b), op->dtype);
  }
  int64_t VisitExpr_(const NotNode* op) override { return !VisitExpr(op->a); }
  int64_t VisitExpr_(const CastNode* op) override {
    KILN_CHECK(!op->dtype.is_float() && !op->value.dtype().is_float())
        << "EvalInt: cannot evaluate a cast between " << op->value.dtype() << " and " << op->dtype;
    int64_t v = VisitExpr(op->value);
    if (op->dtype.is_bool()) return v != 0;
    if (op->dtype.bits() >= 64) {
      KILN_CHECK(op->dtype.is_int() || v >= 0) << "EvalInt: cast of " << v << " to " << op->dtype;
      return v;
    }
    uint64_t mask = (1ULL << op->dtype.bits()) - 1, bits = static_cast<uint64_t>(v) & mask;
    bool negative = op->dtype.is_int() && (bits >> (op->dtype.bits() - 1)) != 0;
    return static_cast<int64_t>(negative ? bits | ~mask : bits);
  }
  int64_t VisitExpr_(const SelectNode* op) override {
    int64_t c = VisitExpr(op->condition), t = VisitExpr(op->true_value), f = VisitExpr(op->false_value);
    return c ? t : f;
  }
  int64_t VisitExpr_(const BufferLoadNode* op) override {
    return Unsupported("a load of buffer '" + op->buffer->name + "'");
  }
  int64_t VisitExpr_(const CallNode* op) override { return Unsupported("a call to " + op->op); }
  int64_t VisitExpr_(const RampNode*) override { return Unsupported("a ramp"); }
  int64_t VisitExpr_(const BroadcastNode*) override { return Unsupported("a broadcast"); }
  int64_t VisitExpr_(const LetNode* op) override {
    int64_t value = VisitExpr(op->value);
    auto outer = lets_;
    lets_[op->var.get()] = value;
    int64_t result = VisitExpr(op->body);
    lets_ = std::move(outer);
    return result;
  }

 private:
  static int64_t Unsupported(const std::string& what) { KILN_THROW() << "EvalInt: cannot evaluate " << what; }

  static int64_t Apply(BinaryOp op, int64_t x, int64_t y, DataType t) {
    bool division =
        op == BinaryOp::kDiv || op == BinaryOp::kMod || op == BinaryOp::kFloorDiv || op == BinaryOp::kFloorMod;
    KILN_CHECK(!(division && y == 0)) << "EvalInt: division by zero in " << BinaryOpName(op);
    std::optional<int64_t> r = FoldIntOp(op, x, y, t);
    KILN_CHECK(r) << "EvalInt: " << BinaryOpName(op) << "(" << x << ", " << y << ") overflows " << t;
    return *r;
  }

  const std::function<int64_t(const Var&)>& env_;
  std::unordered_map<const VarNode*, int64_t> lets_;
};

}  // namespace

int64_t EvalInt(const PrimExpr& e, const std::function<int64_t(const Var&)>& env) {
  KILN_CHECK(e) << "EvalInt: the expression is undefined";
  return Evaluator(env).VisitExpr(e);
}

}  // namespace kiln::tir::arith
