// astype: converts each element to another dtype; the shape is kept. It
// legalizes to an elementwise tir Cast: floats to integers truncate towards
// zero, anything to bool is `x != 0`, as in NumPy.
#include "kiln/relax/op/cast.h"

#include "infer_util.h"
#include "legalize_util.h"

namespace kiln::relax {
namespace {
using namespace infer;

StructInfo InferAstype(const CallNode* call) {
  CheckNumArgs(call, 1);
  return WithDtype(TensorArg(call, 0), DtypeAttr(call, "dtype"));
}

[[maybe_unused]] const bool kRegistered = [] {
  RegisterOp("relax.astype")
      .Describe("converts each element to another dtype")
      .Args({"x"})
      .Attr("dtype", AttrKind::kDataType, {}, "the dtype of the result")
      .Pattern(OpPattern::kElementwise)
      .InferStructInfo(InferAstype)
      .Legalize([](BlockBuilder& bb, const CallNode* call) {
        DataType dtype = OutputDType(call);
        return LegalizeBroadcast(bb, call, "astype",
                                 [&](const std::vector<tir::PrimExpr>& v) { return tir::Cast(dtype, v[0]); });
      });
  return true;
}();
}  // namespace

namespace op {
Expr astype(Expr x, DataType dtype) {
  return MakeOpCall("relax.astype", {std::move(x)}, {{"dtype", dtype}});
}
}  // namespace op

}  // namespace kiln::relax
