// Indexing ops. Indices are integer tensors; take puts the indices' dims in
// place of one axis, gather_elements gives the indices' shape, and
// scatter_elements gives data's.
#include "kiln/relax/op/index.h"

#include "infer_util.h"
#include "kiln/relax/legalize.h"
#include "kiln/tir/intrinsics.h"
#include "legalize_util.h"

namespace kiln::relax {
namespace {
using namespace infer;

StructInfo InferTake(const CallNode* call) {
  CheckNumArgs(call, 2);
  TensorRef data = TensorArg(call, 0), indices = TensorArg(call, 1);
  RequireInt(call, 1, indices);
  std::optional<int64_t> axis = OptionalIntAttr(call, "axis");
  if (!axis) return MakeTensor(indices->shape, indices->ndim, data->dtype);
  if (data->ndim < 0 || indices->ndim < 0) return TensorSInfoOfRank(-1, data->dtype);
  int a = NormalizeAxis(call, *axis, data->ndim);
  if (!data->shape || !indices->shape) return TensorSInfoOfRank(data->ndim - 1 + indices->ndim, data->dtype);
  const Dims& d = *data->shape;
  Dims out(d.begin(), d.begin() + a);
  out.insert(out.end(), indices->shape->begin(), indices->shape->end());
  out.insert(out.end(), d.begin() + a + 1, d.end());
  return TensorSInfo(out, data->dtype);
}

// data and indices (and updates) of one rank, `axis` within it.
void CheckElementsArgs(const CallNode* call, const std::vector<TensorRef>& ts) {
  RequireInt(call, 1, ts[1]);
  for (size_t i = 1; i < ts.size(); ++i) {
    KILN_CHECK(ts[0]->ndim < 0 || ts[i]->ndim < 0 || ts[i]->ndim == ts[0]->ndim)
        << OpName(call) << ": " << ArgName(call, i) << " has rank " << ts[i]->ndim << " but data has rank "
        << ts[0]->ndim;
  }
  if (ts[0]->ndim >= 0) NormalizeAxis(call, IntAttr(call, "axis"), ts[0]->ndim);
}

StructInfo InferGatherElements(const CallNode* call) {
  CheckNumArgs(call, 2);
  TensorRef data = TensorArg(call, 0), indices = TensorArg(call, 1);
  CheckElementsArgs(call, {data, indices});
  return MakeTensor(indices->shape, indices->ndim >= 0 ? indices->ndim : data->ndim, data->dtype);
}

StructInfo InferScatterElements(const CallNode* call) {
  CheckNumArgs(call, 3);
  TensorRef data = TensorArg(call, 0), indices = TensorArg(call, 1), updates = TensorArg(call, 2);
  CheckElementsArgs(call, {data, indices, updates});
  SameDtype(call, {data, updates});
  ChoiceAttr(call, "reduction", {"update", "add", "mul", "mean", "max", "min"});
  if (indices->shape && updates->shape) {
    for (size_t k = 0; k < indices->shape->size(); ++k) {
      KILN_CHECK(!DimsDiffer((*indices->shape)[k], (*updates->shape)[k]))
          << OpName(call) << ": indices " << ShapeString(*indices->shape) << " and updates "
          << ShapeString(*updates->shape) << " must have one shape";
    }
  }
  return data;
}

// ---- legalization ----
//
// Indices are read as the dims' dtype (int64); a negative index counts from
// the end of its axis, and an index still out of range is clamped into it
// (reads stay in bounds; NumPy would raise).

using tir::PrimExpr;
using tir::Var;
using tir::te::Tensor;

PrimExpr IndexInto(const PrimExpr& index, const PrimExpr& dim) {
  PrimExpr i = CastTo(dim.dtype(), index);
  return ClampIndex(tir::Select(i < tir::IntImm(dim.dtype(), 0), i + dim, i), dim);
}

// With an axis: out[pre..., j..., post...] = data[pre..., indices[j...], post...].
// Without: out[j...] = data.flat[indices[j...]].
Expr LegalizeTake(BlockBuilder& bb, const CallNode* call) {
  Dims out = OutputShape(call);
  std::optional<int64_t> axis = OptionalIntAttr(call, "axis");
  return CallTE(bb, call, "take", [&](const std::vector<Tensor>& in) {
    const Tensor &data = in[0], &indices = in[1];
    size_t a = axis ? NormalizeAxis(call, *axis, static_cast<int>(data.ndim())) : 0;
    return tir::te::compute(
        out,
        [&](const std::vector<Var>& i) {
          if (!axis) {
            PrimExpr flat = IndexInto(indices[i], Product(data.shape()));
            return data[UnflatIndex(flat, data.shape())];
          }
          std::vector<PrimExpr> j(i.begin(), i.begin() + a);
          std::vector<PrimExpr> idx(i.begin() + a, i.begin() + a + indices.ndim());
          j.push_back(IndexInto(indices[idx], data.shape()[a]));
          j.insert(j.end(), i.begin() + a + indices.ndim(), i.end());
          return data[j];
        },
        "take");
  });
}

// out[i] = data[i with indices[i] at the axis].
Expr LegalizeGatherElements(BlockBuilder& bb, const CallNode* call) {
  Dims out = OutputShape(call);
  return CallTE(bb, call, "gather_elements", [&](const std::vector<Tensor>& in) {
    const Tensor &data = in[0], &indices = in[1];
    int axis = NormalizeAxis(call, IntAttr(call, "axis"), static_cast<int>(data.ndim()));
    return tir::te::compute(
        out,
        [&](const std::vector<Var>& i) {
          std::vector<PrimExpr> j(i.begin(), i.end());
          j[axis] = IndexInto(indices[i], data.shape()[axis]);
          return data[j];
        },
        "gather_elements");
  });
}

// scatter_elements as a gather over the output: element p of the result
// combines data[p] with the updates at the positions q of `indices` that
// point at p, i.e. q agrees with p off the axis and indices[q] == p[axis].
// Each output element scans the indices' extent along the axis, so the work
// is size(data) * indices.shape[axis].
struct Scatter {
  Tensor data, indices, updates;
  int axis = 0;
  tir::te::ReduceAxis k;  // over the indices' axis

  // Whether p is covered by indices off the axis (indices may be smaller);
  // empty when it always is.
  PrimExpr Covered(const std::vector<Var>& p) const {
    PrimExpr ok;
    for (size_t d = 0; d < p.size(); ++d) {
      if (static_cast<int>(d) != axis && !DimsEqual(indices.shape()[d], data.shape()[d])) {
        ok = AndAlso(ok, p[d] < indices.shape()[d]);
      }
    }
    return ok;
  }
  // The position q of indices for p at step k (clamped off the axis where p
  // may lie outside indices; Covered() rules those out).
  std::vector<PrimExpr> Position(const std::vector<Var>& p, const PrimExpr& step) const {
    std::vector<PrimExpr> q(p.begin(), p.end());
    for (size_t d = 0; d < p.size(); ++d) {
      if (static_cast<int>(d) == axis) {
        q[d] = step;
      } else if (!DimsEqual(indices.shape()[d], data.shape()[d])) {
        q[d] = tir::min(q[d], indices.shape()[d] - tir::IntImm(q[d].dtype(), 1));
      }
    }
    return q;
  }
  // Whether the update at step k lands on p.
  PrimExpr Hits(const std::vector<Var>& p) const {
    PrimExpr target = IndexInto(indices[Position(p, k.var)], data.shape()[axis]);
    return AndAlso(Covered(p), target == p[axis]);
  }
  PrimExpr Update(const std::vector<Var>& p) const { return updates[Position(p, k.var)]; }
};

// "update": the last update that lands on p (the one at the largest step),
// else data[p].
Tensor ScatterUpdate(const Scatter& s, const Dims& shape) {
  PrimExpr none = tir::IntImm(s.k.var.dtype(), -1);
  Tensor last = tir::te::compute(
      shape, [&](const std::vector<Var>& p) { return tir::te::max(tir::Select(s.Hits(p), s.k.var, none), {s.k}); },
      "scatter_last");
  return tir::te::compute(
      shape,
      [&](const std::vector<Var>& p) {
        PrimExpr step = last[p];
        return tir::if_then_else(step >= tir::IntImm(step.dtype(), 0), s.updates[s.Position(p, step)], s.data[p]);
      },
      "scatter_elements");
}

using FReduce = PrimExpr (*)(PrimExpr, std::vector<tir::te::ReduceAxis>, PrimExpr);

// data[p] folded by `reduce` with the updates landing on p (`neutral`, the
// reducer's identity, elsewhere).
Tensor ScatterFold(const Scatter& s, const Dims& shape, FReduce reduce, const PrimExpr& neutral,
                   const std::string& name) {
  return tir::te::compute(
      shape,
      [&](const std::vector<Var>& p) { return reduce(tir::Select(s.Hits(p), s.Update(p), neutral), {s.k}, s.data[p]); },
      name);
}

// "add", "mul", "max", "min": data[p] combined with every update landing on
// p; "mean": (data[p] + their sum) / (1 + their count), floored for integers
// (PyTorch's scatter_reduce with include_self).
Tensor ScatterReduce(const Scatter& s, const Dims& shape, const std::string& reduction) {
  DataType t = s.data.dtype();
  PrimExpr zero = tir::MakeConst(t, 0), one = tir::MakeConst(t, 1);
  if (reduction == "add") return ScatterFold(s, shape, tir::te::sum, zero, "scatter_elements");
  if (reduction == "mul") return ScatterFold(s, shape, tir::te::prod, one, "scatter_elements");
  if (reduction == "max") return ScatterFold(s, shape, tir::te::max, tir::te::min_value(t), "scatter_elements");
  if (reduction == "min") return ScatterFold(s, shape, tir::te::min, tir::te::max_value(t), "scatter_elements");
  Tensor total = ScatterFold(s, shape, tir::te::sum, zero, "scatter_sum");
  Tensor count = tir::te::compute(
      shape, [&](const std::vector<Var>& p) { return tir::te::sum(tir::Select(s.Hits(p), one, zero), {s.k}, one); },
      "scatter_count");
  return tir::te::compute(
      shape,
      [&](const std::vector<Var>& p) { return t.is_float() ? total[p] / count[p] : tir::floordiv(total[p], count[p]); },
      "scatter_elements");
}

Expr LegalizeScatterElements(BlockBuilder& bb, const CallNode* call) {
  Dims out = OutputShape(call);
  std::string reduction = StringAttr(call, "reduction");
  return CallTE(bb, call, "scatter_elements", [&](const std::vector<Tensor>& in) {
    Scatter s{in[0], in[1], in[2], NormalizeAxis(call, IntAttr(call, "axis"), static_cast<int>(in[0].ndim())), {}};
    s.k = tir::te::reduce_axis({tir::IntImm(in[1].shape()[s.axis].dtype(), 0), in[1].shape()[s.axis]}, "k");
    return reduction == "update" ? ScatterUpdate(s, out) : ScatterReduce(s, out, reduction);
  });
}

[[maybe_unused]] const bool kRegistered = [] {
  RegisterOp("relax.take")
      .Describe("gathers slices along an axis at the given indices")
      .Args({"data", "indices"})
      .Attr("axis", AttrKind::kOptionalInt, {}, "the indexed axis; none: the flattened data")
      .Pattern(OpPattern::kInjective)
      .InferStructInfo(InferTake)
      .Legalize(LegalizeTake);
  RegisterOp("relax.gather_elements")
      .Describe("picks data elements along an axis by an index tensor of the result's shape")
      .Args({"data", "indices"})
      .Attr("axis", AttrKind::kInt, 0, "the indexed axis")
      .Pattern(OpPattern::kInjective)
      .InferStructInfo(InferGatherElements)
      .Legalize(LegalizeGatherElements);
  RegisterOp("relax.scatter_elements")
      .Describe("writes updates into a copy of data along an axis at the given indices")
      .Args({"data", "indices", "updates"})
      .Attr("axis", AttrKind::kInt, 0, "the indexed axis")
      .Attr("reduction", AttrKind::kString, "update", "update, add, mul, mean, max or min")
      .Pattern(OpPattern::kOpaque)
      .InferStructInfo(InferScatterElements)
      .Legalize(LegalizeScatterElements);
  return true;
}();
}  // namespace

namespace op {
Expr take(Expr data, Expr indices, std::optional<int64_t> axis) {
  return MakeOpCall("relax.take", {std::move(data), std::move(indices)}, {{"axis", OptionalIntAny(axis)}});
}
Expr gather_elements(Expr data, Expr indices, int64_t axis) {
  return MakeOpCall("relax.gather_elements", {std::move(data), std::move(indices)}, {{"axis", axis}});
}
Expr scatter_elements(Expr data, Expr indices, Expr updates, int64_t axis, std::string reduction) {
  return MakeOpCall("relax.scatter_elements", {std::move(data), std::move(indices), std::move(updates)},
                    {{"axis", axis}, {"reduction", std::move(reduction)}});
}
}  // namespace op

}  // namespace kiln::relax
