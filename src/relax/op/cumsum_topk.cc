// Scans and selections along an axis. cumsum keeps the shape (flattening it
// when no axis is given); topk gives a (values, indices) tuple whose `axis`
// has size k.
#include "kiln/relax/op/cumsum_topk.h"

#include "infer_util.h"
#include "kiln/relax/legalize.h"
#include "legalize_util.h"

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

// ---- legalization ----

using tir::PrimExpr;
using tir::Var;
using tir::te::Tensor;

// out[..., i, ...] = sum over k <= i (k < i when exclusive) of x[..., k, ...],
// in the result dtype; without an axis, over the flattened x. A compute has
// no scan, so each sum runs over the whole axis with a mask: the work is
// quadratic in the axis length.
Expr LegalizeCumsum(BlockBuilder& bb, const CallNode* call) {
  Dims out = OutputShape(call);
  DataType dtype = OutputDType(call);
  std::optional<int64_t> axis = OptionalIntAttr(call, "axis");
  bool exclusive = BoolAttr(call, "exclusive");
  return CallTE(bb, call, "cumsum", [&](const std::vector<Tensor>& in) {
    const Tensor& x = in[0];
    int a = axis ? NormalizeAxis(call, *axis, static_cast<int>(x.ndim())) : 0;
    auto k = tir::te::reduce_axis({tir::IntImm(out[a].dtype(), 0), out[a]}, "k");
    return tir::te::compute(
        out,
        [&](const std::vector<Var>& i) {
          std::vector<PrimExpr> j(i.begin(), i.end());
          j[a] = k.var;
          PrimExpr v = CastTo(dtype, axis ? x[j] : x[UnflatIndex(k.var, x.shape())]);
          PrimExpr in_prefix = exclusive ? k.var < i[a] : k.var <= i[a];
          return tir::te::sum(tir::Select(in_prefix, v, tir::MakeConst(dtype, 0)), {k});
        },
        "cumsum");
  });
}

// topk by counting: the rank of element j along the axis is the number of
// elements ordered before it (better values first, ties by lower index; NaN
// counts as the largest value, as in PyTorch), and the r-th result is the
// element of rank r. Ranking is quadratic in the axis length, picking the
// results k times linear.
struct TopkOrder {
  bool largest = true;

  static PrimExpr IsNan(const PrimExpr& v) { return v.dtype().is_float() ? v != v : tir::Bool(false); }
  // a > b, with NaN above every number.
  static PrimExpr Greater(const PrimExpr& a, const PrimExpr& b) {
    if (!a.dtype().is_float()) return a > b;
    return tir::logical_or(a > b, tir::logical_and(IsNan(a), tir::logical_not(IsNan(b))));
  }
  static PrimExpr Same(const PrimExpr& a, const PrimExpr& b) {
    if (!a.dtype().is_float()) return a == b;
    return tir::logical_or(a == b, tir::logical_and(IsNan(a), IsNan(b)));
  }
  // Whether (a at index ia) comes before (b at index ib) in the result.
  PrimExpr Before(const PrimExpr& a, const PrimExpr& ia, const PrimExpr& b, const PrimExpr& ib) const {
    PrimExpr better = largest ? Greater(a, b) : Greater(b, a);
    return tir::logical_or(better, tir::logical_and(Same(a, b), ia < ib));
  }
};

std::vector<Tensor> TopkCompute(const Tensor& x, int axis, const Dims& out, bool largest, DataType index_dtype) {
  TopkOrder order{largest};
  const PrimExpr& n = x.shape()[axis];
  auto at = [&](const std::vector<Var>& i, const PrimExpr& pos) {
    std::vector<PrimExpr> j(i.begin(), i.end());
    j[axis] = pos;
    return j;
  };
  auto m = tir::te::reduce_axis({tir::IntImm(n.dtype(), 0), n}, "m");
  Tensor rank = tir::te::compute(
      x.shape(),
      [&](const std::vector<Var>& i) {
        PrimExpr before = order.Before(x[at(i, m.var)], m.var, x[i], i[axis]);
        return tir::te::sum(tir::Select(before, tir::IntImm(n.dtype(), 1), tir::IntImm(n.dtype(), 0)), {m});
      },
      "topk_rank");
  auto s = tir::te::reduce_axis({tir::IntImm(n.dtype(), 0), n}, "s");
  Tensor index = tir::te::compute(
      out,
      [&](const std::vector<Var>& i) {
        PrimExpr hit = rank[at(i, s.var)] == i[axis];
        return tir::te::sum(tir::Select(hit, s.var, tir::IntImm(n.dtype(), 0)), {s});
      },
      "topk_index");
  Tensor values = tir::te::compute(
      out, [&](const std::vector<Var>& i) { return x[at(i, index[i])]; }, "topk_values");
  Tensor indices = tir::te::compute(
      out, [&](const std::vector<Var>& i) { return CastTo(index_dtype, index[i]); }, "topk_indices");
  return {values, indices};
}

Expr LegalizeTopk(BlockBuilder& bb, const CallNode* call) {
  Dims out = OutputShapes(call)[0];  // values and indices have one shape
  bool largest = BoolAttr(call, "largest");
  DataType index_dtype = DtypeAttr(call, "index_dtype");
  return CallTE(bb, OpName(call), "topk", call->args, [&](const std::vector<Tensor>& in) {
    int axis = NormalizeAxis(call, IntAttr(call, "axis"), static_cast<int>(in[0].ndim()));
    return TopkCompute(in[0], axis, out, largest, index_dtype);
  });
}

[[maybe_unused]] const bool kRegistered = [] {
  RegisterOp("relax.cumsum")
      .Describe("running sums along an axis")
      .Args({"x"})
      .Attr("axis", AttrKind::kOptionalInt, {}, "the scanned axis; none: the flattened tensor")
      .Attr("dtype", AttrKind::kString, "", "dtype of the sums (\"\": x's dtype)")
      .Attr("exclusive", AttrKind::kBool, false, "each sum leaves out its own element")
      .Pattern(OpPattern::kOpaque)
      .InferStructInfo(InferCumsum)
      .Legalize(LegalizeCumsum);
  RegisterOp("relax.topk")
      .Describe("the k largest or smallest elements along an axis, with their indices")
      .Args({"x"})
      .Attr("k", AttrKind::kInt, {}, "how many elements")
      .Attr("axis", AttrKind::kInt, -1, "the searched axis")
      .Attr("largest", AttrKind::kBool, true, "the largest (else the smallest) elements")
      .Attr("index_dtype", AttrKind::kDataType, DataType::Int(64), "dtype of the indices")
      .Pattern(OpPattern::kOpaque)
      .InferStructInfo(InferTopk)
      .Legalize(LegalizeTopk);
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
