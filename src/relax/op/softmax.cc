// softmax and log_softmax: exp(x) normalized along one axis (and its log).
// The result has the input's shape and float dtype.
#include "kiln/relax/op/softmax.h"

#include "infer_util.h"

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

void RegisterSoftmax(const std::string& name, const std::string& doc) {
  RegisterOp(name)
      .Describe(doc)
      .Args({"x"})
      .Attr("axis", AttrKind::kInt, -1, "the axis to normalize along")
      .Pattern(OpPattern::kOutEWiseFusable)
      .InferStructInfo(InferSoftmax);
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
