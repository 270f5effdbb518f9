// Scans and selections along an axis. cumsum keeps the shape (flattening it
// when no axis is given); topk gives a (values, indices) tuple whose `axis`
// has size k.
#include "kiln/relax/op/cumsum_topk.h"

#include "infer_util.h"

namespace kiln::relax {
namespace {
using namespace infer;

StructInfo InferCumsum(const CallNode* call) {
  CheckNumArgs(call, 1);
  TensorRef x = TensorArg(call, 0);
  DataType dtype = OptionalDtypeAttr(call, "dtype");
  if (dtype.is_void()) dtype = x->dtype;
  std::optional<int64_t> axis = OptionalIntAttr(call, "axis");
  if (!axis) return x->shape ? TensorSInfo({Product(*x->shape)}, dtype) : TensorSInfoOfRank(1, dtype);
  if (x->ndim >= 0) NormalizeAxis(call, *axis, x->ndim);
  return WithDtype(x, dtype);
}

StructInfo InferTopk(const CallNode* call) {
  CheckNumArgs(call, 1);
  TensorRef x = TensorArg(call, 0);
  int64_t k = IntAttr(call, "k");
  KILN_CHECK(k >= 1) << OpName(call) << ": k must be positive, got " << k;
  DataType index_dtype = DtypeAttr(call, "index_dtype");
  KILN_CHECK(index_dtype.is_int()) << OpName(call) << ": index_dtype must be an integer dtype, got " << index_dtype;
  BoolAttr(call, "largest");
  if (!x->shape) {
    if (x->ndim >= 0) NormalizeAxis(call, IntAttr(call, "axis"), x->ndim);
    return TupleSInfo({WithDtype(x, x->dtype), WithDtype(x, index_dtype)});
  }
  int axis = NormalizeAxis(call, IntAttr(call, "axis"), x->ndim);
  Dims out = *x->shape;
  const int64_t* size = tir::AsConstInt(out[axis]);
  KILN_CHECK(!size || k <= *size) << OpName(call) << ": k = " << k << " exceeds the size " << *size << " of axis "
                                  << axis;
  out[axis] = k;
  return TupleSInfo({TensorSInfo(out, x->dtype), TensorSInfo(out, index_dtype)});
}

[[maybe_unused]] const bool kRegistered = [] {
  RegisterOp("relax.cumsum")
      .Describe("running sums along an axis")
      .Args({"x"})
      .Attr("axis", AttrKind::kOptionalInt, {}, "the scanned axis; none: the flattened tensor")
      .Attr("dtype", AttrKind::kString, "", "dtype of the sums (\"\": x's dtype)")
      .Attr("exclusive", AttrKind::kBool, false, "each sum leaves out its own element")
      .Pattern(OpPattern::kOpaque)
      .InferStructInfo(InferCumsum);
  RegisterOp("relax.topk")
      .Describe("the k largest or smallest elements along an axis, with their indices")
      .Args({"x"})
      .Attr("k", AttrKind::kInt, {}, "how many elements")
      .Attr("axis", AttrKind::kInt, -1, "the searched axis")
      .Attr("largest", AttrKind::kBool, true, "the largest (else the smallest) elements")
      .Attr("index_dtype", AttrKind::kDataType, DataType::Int(64), "dtype of the indices")
      .Pattern(OpPattern::kOpaque)
      .InferStructInfo(InferTopk);
  return true;
}();
}  // namespace

namespace op {
Expr cumsum(Expr x, std::optional<int64_t> axis, DataType dtype, bool exclusive) {
  return MakeOpCall("relax.cumsum", {std::move(x)},
                    {{"axis", OptionalIntAny(axis)}, {"dtype", OptionalDtypeAny(dtype)}, {"exclusive", exclusive}});
}
Expr topk(Expr x, int64_t k, int64_t axis, bool largest, DataType index_dtype) {
  return MakeOpCall("relax.topk", {std::move(x)},
                    {{"k", k}, {"axis", axis}, {"largest", largest}, {"index_dtype", index_dtype}});
}
}  // namespace op

}  // namespace kiln::relax
