// Indexing ops. Indices are integer tensors; take puts the indices' dims in
// place of one axis, gather_elements gives the indices' shape, and
// scatter_elements gives data's.
#include "kiln/relax/op/index.h"

#include "infer_util.h"

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

[[maybe_unused]] const bool kRegistered = [] {
  RegisterOp("relax.take")
      .Describe("gathers slices along an axis at the given indices")
      .Args({"data", "indices"})
      .Attr("axis", AttrKind::kOptionalInt, {}, "the indexed axis; none: the flattened data")
      .Pattern(OpPattern::kInjective)
      .InferStructInfo(InferTake);
  RegisterOp("relax.gather_elements")
      .Describe("picks data elements along an axis by an index tensor of the result's shape")
      .Args({"data", "indices"})
      .Attr("axis", AttrKind::kInt, 0, "the indexed axis")
      .Pattern(OpPattern::kInjective)
      .InferStructInfo(InferGatherElements);
  RegisterOp("relax.scatter_elements")
      .Describe("writes updates into a copy of data along an axis at the given indices")
      .Args({"data", "indices", "updates"})
      .Attr("axis", AttrKind::kInt, 0, "the indexed axis")
      .Attr("reduction", AttrKind::kString, "update", "update, add, mul, mean, max or min")
      .Pattern(OpPattern::kOpaque)
      .InferStructInfo(InferScatterElements);
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
