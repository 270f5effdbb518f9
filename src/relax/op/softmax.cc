// softmax and log_softmax: exp(x) normalized along one axis (and its log).
// The result has the input's shape and float dtype. Both legalize to the
// numerically stable form: the row max m, then softmax as e = exp(x - m)
// (one exp per element, a stage of its own that the schedule keeps in a row
// buffer), s = sum(e), e * (1 / s); log_softmax as s = sum(exp(x - m)),
// x - (m + log(s)).
#include "kiln/relax/op/softmax.h"

#include "infer_util.h"
#include "kiln/relax/legalize.h"
#include "kiln/tir/intrinsics.h"

namespace kiln::relax {
namespace {
using namespace infer;

StructInfo InferSoftmax(const CallNode* call) {
  CheckNumArgs(call, 1);
  TensorRef x = TensorArg(call, 0);
  RequireFloat(call, 0, x);
  if (x->ndim >= 0) NormalizeAxis(call, IntAttr(call, "axis"), x->ndim);
  return x;
}

using tir::PrimExpr;
using tir::te::Tensor;

// i with `value` at `axis` (k of the reduction, or i dropped at the axis).
std::vector<PrimExpr> WithAxis(const std::vector<tir::Var>& i, int axis, const PrimExpr& value) {
  std::vector<PrimExpr> out(i.begin(), i.end());
  out.insert(out.begin() + axis, value);
  return out;
}
std::vector<PrimExpr> Without(const std::vector<tir::Var>& i, int axis) {
  std::vector<PrimExpr> out(i.begin(), i.end());
  out.erase(out.begin() + axis);
  return out;
}

Expr LegalizeSoftmax(BlockBuilder& bb, const CallNode* call, bool log) {
  return CallTE(bb, call, log ? "log_softmax" : "softmax", [&](const std::vector<Tensor>& in) {
    const Tensor& x = in[0];
    int axis = NormalizeAxis(call, IntAttr(call, "axis"), static_cast<int>(x.ndim()));
    std::vector<PrimExpr> rows = x.shape();
    rows.erase(rows.begin() + axis);
    auto k = tir::te::reduce_axis({0, x.shape()[axis]}, "k");
    Tensor m = tir::te::compute(
        rows, [&](const std::vector<tir::Var>& i) { return tir::te::max(x[WithAxis(i, axis, k.var)], {k}); },
        "row_max");
    auto k2 = tir::te::reduce_axis({0, x.shape()[axis]}, "k");
    if (log) {
      Tensor s = tir::te::compute(
          rows,
          [&](const std::vector<tir::Var>& i) {
            return tir::te::sum(tir::exp(x[WithAxis(i, axis, k2.var)] - m[i]), {k2});
          },
          "row_sum");
      return tir::te::compute(
          x.shape(),
          [&](const std::vector<tir::Var>& i) {
            std::vector<PrimExpr> row = Without(i, axis);
            return x[i] - (m[row] + tir::log(s[row]));
          },
          "log_softmax");
    }
    Tensor e = tir::te::compute(
        x.shape(), [&](const std::vector<tir::Var>& i) { return tir::exp(x[i] - m[Without(i, axis)]); }, "row_exp");
    Tensor s = tir::te::compute(
        rows, [&](const std::vector<tir::Var>& i) { return tir::te::sum(e[WithAxis(i, axis, k2.var)], {k2}); },
        "row_sum");
    return tir::te::compute(
        x.shape(),
        [&](const std::vector<tir::Var>& i) {
          PrimExpr sum = s[Without(i, axis)];
          return e[i] * (tir::MakeConst(sum.dtype(), 1.0) / sum);
        },
        "softmax");
  });
}

void RegisterSoftmax(const std::string& name, const std::string& doc) {
  RegisterOp(name)
      .Describe(doc)
      .Args({"x"})
      .Attr("axis", AttrKind::kInt, -1, "the axis to normalize along")
      .Pattern(OpPattern::kOutEWiseFusable)
      .InferStructInfo(InferSoftmax)
      .Legalize([log = name == "relax.log_softmax"](BlockBuilder& bb, const CallNode* call) {
        return LegalizeSoftmax(bb, call, log);
      });
}

[[maybe_unused]] const bool kRegistered = [] {
  RegisterSoftmax("relax.softmax", "exp(x) / sum(exp(x)) along an axis");
  RegisterSoftmax("relax.log_softmax", "x - log(sum(exp(x))) along an axis");
  return true;
}();
}  // namespace

namespace op {
Expr softmax(Expr x, int64_t axis) {
  return MakeOpCall("relax.softmax", {std::move(x)}, {{"axis", axis}});
}
Expr log_softmax(Expr x, int64_t axis) {
  return MakeOpCall("relax.log_softmax", {std::move(x)}, {{"axis", axis}});
}
}  // namespace op

}  // namespace kiln::relax
