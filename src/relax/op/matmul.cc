// Matrix products. matmul follows NumPy: (..., M, K) @ (..., K, N) gives
// (..., M, N), batch dims broadcast, a 1-D operand promoted and its dim dropped.
// linear is x (..., K) @ weight (N, K).T plus an optional bias (N,). Both
// legalize to one te sum over K, accumulated in the result dtype.
// linear's weight may also come packed in panels of b output features,
// weight_layout "NK<b>n": shape (N / b, K, b), feature n at [n / b, :, n % b]
// (what the matmul schedule reads without packing it on every call; see
// kiln/transform/pack_matmul_weights.h).
#include "kiln/relax/op/matmul.h"

#include <cctype>

#include "infer_util.h"
#include "kiln/relax/legalize.h"
#include "legalize_util.h"

namespace kiln::relax {
namespace {
using namespace infer;

void CheckReductionDims(const CallNode* call, size_t a_arg, size_t a_axis, const tir::PrimExpr& a_dim, size_t b_arg,
                        size_t b_axis, const tir::PrimExpr& b_dim) {
  KILN_CHECK(!DimsDiffer(a_dim, b_dim)) << OpName(call) << ": the reduction dimensions differ: " << ArgName(call, a_arg)
                                        << " has " << DimString(a_dim) << " at axis " << a_axis << " but "
                                        << ArgName(call, b_arg) << " has " << DimString(b_dim) << " at axis " << b_axis;
}

void CheckNotScalar(const CallNode* call, size_t i, const TensorRef& t) {
  KILN_CHECK(t->ndim != 0) << OpName(call) << ": argument '" << ArgName(call, i)
                           << "' must have rank 1 or more, got a scalar";
}

int MatmulRank(int a, int b) {
  if (a == 1 && b == 1) return 0;
  if (a == 1) return b - 1;
  if (b == 1) return a - 1;
  return std::max(a, b);
}

Dims MatmulShape(const CallNode* call, const Dims& a, const Dims& b) {
  bool a_vec = a.size() == 1, b_vec = b.size() == 1;
  size_t kb_axis = b_vec ? 0 : b.size() - 2;
  CheckReductionDims(call, 0, a.size() - 1, a.back(), 1, kb_axis, b[kb_axis]);
  Dims batch_a(a.begin(), a.end() - (a_vec ? 1 : 2));
  Dims batch_b(b.begin(), b.end() - (b_vec ? 1 : 2));
  Dims out = BroadcastShapes(call, batch_a, batch_b);
  if (!a_vec) out.push_back(a[a.size() - 2]);
  if (!b_vec) out.push_back(b.back());
  return out;
}

StructInfo InferMatmul(const CallNode* call) {
  CheckNumArgs(call, 2);
  TensorRef a = TensorArg(call, 0), b = TensorArg(call, 1);
  DataType dtype = OutDtype(call, {a, b});
  CheckNotScalar(call, 0, a);
  CheckNotScalar(call, 1, b);
  if (a->ndim < 0 || b->ndim < 0) return TensorSInfoOfRank(-1, dtype);
  if (!a->shape || !b->shape) return TensorSInfoOfRank(MatmulRank(a->ndim, b->ndim), dtype);
  return TensorSInfo(MatmulShape(call, *a->shape, *b->shape), dtype);
}

void CheckBias(const CallNode* call, const TensorRef& bias, const tir::PrimExpr& features) {
  KILN_CHECK(bias->ndim <= 1) << OpName(call) << ": bias must have rank 1 (out_features,), got rank " << bias->ndim;
  if (!bias->shape || bias->shape->empty()) return;
  KILN_CHECK(!DimsDiffer((*bias->shape)[0], features))
      << OpName(call) << ": bias has shape " << ShapeString(*bias->shape) << " but the output has "
      << DimString(features) << " features";
}

// The panel width b of weight_layout "NK<b>n"; 0 for "NK" (or "").
int64_t WeightPanel(const CallNode* call) {
  std::string layout = StringAttr(call, "weight_layout");
  if (layout.empty() || layout == "NK") return 0;
  bool ok = layout.size() > 3 && layout.compare(0, 2, "NK") == 0 && layout.back() == 'n';
  int64_t b = 0;
  for (size_t i = 2; ok && i + 1 < layout.size(); ++i) {
    ok = std::isdigit(static_cast<unsigned char>(layout[i])) && b < (int64_t{1} << 20);
    b = b * 10 + (layout[i] - '0');
  }
  KILN_CHECK(ok && b > 0) << OpName(call) << ": weight_layout must be \"NK\" or \"NK<b>n\" (e.g. \"NK16n\"), got \""
                          << layout << "\"";
  return b;
}

StructInfo InferLinear(const CallNode* call) {
  CheckNumArgs(call, 2, 3);
  TensorRef x = TensorArg(call, 0), w = TensorArg(call, 1);
  std::vector<TensorRef> operands = {x, w};
  if (call->args.size() == 3) operands.push_back(TensorArg(call, 2));
  DataType dtype = OutDtype(call, operands);
  int64_t panel = WeightPanel(call);
  if (panel == 0) {
    KILN_CHECK(w->ndim == 2 || w->ndim == -1)
        << OpName(call) << ": weight must have rank 2 (out_features, in_features), got rank " << w->ndim;
  } else {
    KILN_CHECK(w->ndim == 3 || w->ndim == -1)
        << OpName(call) << ": weight in layout \"NK" << panel << "n\" must have rank 3 (out_features / " << panel
        << ", in_features, " << panel << "), got rank " << w->ndim;
  }
  CheckNotScalar(call, 0, x);
  if (!w->shape) return TensorSInfoOfRank(x->ndim, dtype);
  tir::PrimExpr features = (*w->shape)[0];
  if (panel != 0) {
    KILN_CHECK(!DimsDiffer((*w->shape)[2], tir::PrimExpr(panel)))
        << OpName(call) << ": weight in layout \"NK" << panel << "n\" has shape " << ShapeString(*w->shape)
        << ", its last dim must be " << panel;
    const int64_t* v = tir::AsConstInt(features);
    features = v ? tir::PrimExpr(*v * panel) : features * tir::PrimExpr(panel);
  }
  if (operands.size() == 3) CheckBias(call, operands[2], features);
  if (!x->shape) return TensorSInfoOfRank(x->ndim, dtype);
  Dims out = *x->shape;
  CheckReductionDims(call, 0, out.size() - 1, out.back(), 1, 1, (*w->shape)[1]);
  out.back() = features;
  return TensorSInfo(out, dtype);
}

// ---- legalization ----

using tir::PrimExpr;
using tir::te::Tensor;

// The indices of `in`'s leading `n` (batch) dims for the output batch
// indices `out`, right-aligned; a constant-1 dim is read at 0.
std::vector<PrimExpr> BatchIndices(const std::vector<PrimExpr>& out, const Tensor& in, size_t n) {
  std::vector<PrimExpr> idx;
  for (size_t d = 0; d < n; ++d) {
    const int64_t* v = tir::AsConstInt(in.shape()[d]);
    idx.push_back(v && *v == 1 ? tir::IntImm(in.shape()[d].dtype(), 0) : out[out.size() - n + d]);
  }
  return idx;
}

// out[batch..., m, n] = sum_k a[batch_a..., m, k] * b[batch_b..., k, n],
// the m (n) index absent for a 1-D a (b); products accumulate in out_dtype.
Expr LegalizeMatmul(BlockBuilder& bb, const CallNode* call) {
  std::vector<PrimExpr> out_shape = OutputShape(call);
  DataType dtype = OutputDType(call);
  return CallTE(bb, call, "matmul", [&](const std::vector<Tensor>& in) {
    const Tensor &a = in[0], &b = in[1];
    bool a_vec = a.ndim() == 1, b_vec = b.ndim() == 1;
    size_t out_batch = out_shape.size() - (a_vec ? 0 : 1) - (b_vec ? 0 : 1);
    auto k = tir::te::reduce_axis({0, a.shape().back()}, "k");
    return tir::te::compute(
        out_shape,
        [&](const std::vector<tir::Var>& i) {
          std::vector<PrimExpr> batch(i.begin(), i.begin() + out_batch);
          std::vector<PrimExpr> ai = BatchIndices(batch, a, a.ndim() - (a_vec ? 1 : 2));
          std::vector<PrimExpr> bi = BatchIndices(batch, b, b.ndim() - (b_vec ? 1 : 2));
          if (!a_vec) ai.push_back(i[out_batch]);
          ai.push_back(k.var);
          bi.push_back(k.var);
          if (!b_vec) bi.push_back(i.back());
          return tir::te::sum(CastTo(dtype, a[ai]) * CastTo(dtype, b[bi]), {k});
        },
        "matmul");
  });
}

// out[..., n] = sum_k x[..., k] * weight[n, k], starting from bias[n]; a
// packed weight is read at [n / b, k, n % b].
Expr LegalizeLinear(BlockBuilder& bb, const CallNode* call) {
  std::vector<PrimExpr> out_shape = OutputShape(call);
  DataType dtype = OutputDType(call);
  int64_t panel = WeightPanel(call);
  return CallTE(bb, call, "linear", [&](const std::vector<Tensor>& in) {
    const Tensor &x = in[0], &w = in[1];
    auto k = tir::te::reduce_axis({0, x.shape().back()}, "k");
    return tir::te::compute(
        out_shape,
        [&](const std::vector<tir::Var>& i) {
          std::vector<PrimExpr> xi(i.begin(), i.end() - 1);
          xi.push_back(k.var);
          PrimExpr init;
          if (in.size() == 3) init = CastTo(dtype, in[2].ndim() == 0 ? in[2]() : in[2](i.back()));
          PrimExpr n = i.back();
          PrimExpr wk =
              panel == 0 ? w(n, k.var) : w(tir::floordiv(n, PrimExpr(panel)), k.var, tir::floormod(n, PrimExpr(panel)));
          return tir::te::sum(CastTo(dtype, x[xi]) * CastTo(dtype, wk), {k}, init);
        },
        "linear");
  });
}

[[maybe_unused]] const bool kRegistered = [] {
  RegisterOp("relax.matmul")
      .Describe("matrix product with NumPy semantics: broadcast batch dims, 1-D operands promoted")
      .Args({"a", "b"})
      .Attr("out_dtype", AttrKind::kString, "", "dtype of the result (\"\": the operands' dtype)")
      .Pattern(OpPattern::kOutEWiseFusable)
      .InferStructInfo(InferMatmul)
      .Legalize(LegalizeMatmul);
  RegisterOp("relax.linear")
      .Describe("x @ weight.T + bias, weight of shape (out_features, in_features)")
      .Args({"x", "weight", "bias"}, false, 1)
      .Attr("out_dtype", AttrKind::kString, "", "dtype of the result (\"\": the operands' dtype)")
      .Attr("weight_layout", AttrKind::kString, "",
            "\"NK\" (or \"\"): weight (N, K); \"NK<b>n\": packed in panels of b features, (N / b, K, b)")
      .Pattern(OpPattern::kOutEWiseFusable)
      .InferStructInfo(InferLinear)
      .Legalize(LegalizeLinear);
  return true;
}();
}  // namespace

namespace op {
Expr matmul(Expr a, Expr b, DataType out_dtype) {
  return MakeOpCall("relax.matmul", {std::move(a), std::move(b)}, {{"out_dtype", OptionalDtypeAny(out_dtype)}});
}

Expr linear(Expr x, Expr weight, Expr bias, DataType out_dtype) {
  std::vector<Expr> args = {std::move(x), std::move(weight)};
  if (bias) args.push_back(std::move(bias));
  return MakeOpCall("relax.linear", std::move(args), {{"out_dtype", OptionalDtypeAny(out_dtype)}});
}
}  // namespace op

}  // namespace kiln::relax
