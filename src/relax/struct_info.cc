// StructInfo factories.
#include "kiln/relax/struct_info.h"

#include "kiln/runtime/error.h"

namespace kiln::relax {

using runtime::MakeObject;

StructInfo ObjectSInfo() {
  return MakeObject<ObjectStructInfoNode>();
}

StructInfo PrimSInfo(DataType dtype, tir::PrimExpr value) {
  KILN_CHECK(!value || value.dtype() == dtype)
      << "prim struct info of dtype " << dtype << " with a value of dtype " << value.dtype();
  auto n = MakeObject<PrimStructInfoNode>();
  n->dtype = dtype;
  n->value = std::move(value);
  return n;
}

namespace {
void CheckDims(const std::vector<tir::PrimExpr>& dims, const char* what) {
  for (size_t i = 0; i < dims.size(); ++i) {
    KILN_CHECK(dims[i] && (dims[i].dtype().is_int() || dims[i].dtype().is_uint()))
        << what << ": dimension " << i << " must be an integer expression";
    if (const int64_t* v = tir::AsConstInt(dims[i])) {
      KILN_CHECK(*v >= 0) << what << ": negative dimension " << *v << " at axis " << i;
    }
  }
}
}  // namespace

StructInfo ShapeSInfo(std::vector<tir::PrimExpr> values) {
  CheckDims(values, "shape");
  auto n = MakeObject<ShapeStructInfoNode>();
  n->ndim = static_cast<int>(values.size());
  n->values = std::move(values);
  return n;
}

StructInfo ShapeSInfoOfRank(int ndim) {
  KILN_CHECK(ndim >= -1) << "shape of rank " << ndim;
  auto n = MakeObject<ShapeStructInfoNode>();
  n->ndim = ndim;
  return n;
}

StructInfo TensorSInfo(std::vector<tir::PrimExpr> shape, DataType dtype) {
  CheckDims(shape, "tensor");
  auto n = MakeObject<TensorStructInfoNode>();
  n->ndim = static_cast<int>(shape.size());
  n->shape = std::move(shape);
  n->dtype = dtype;
  return n;
}

StructInfo TensorSInfoOfRank(int ndim, DataType dtype) {
  KILN_CHECK(ndim >= -1) << "tensor of rank " << ndim;
  auto n = MakeObject<TensorStructInfoNode>();
  n->ndim = ndim;
  n->dtype = dtype;
  return n;
}

StructInfo TupleSInfo(std::vector<StructInfo> fields) {
  for (const StructInfo& f : fields) KILN_CHECK(f) << "tuple struct info: a field is undefined";
  auto n = MakeObject<TupleStructInfoNode>();
  n->fields = std::move(fields);
  return n;
}

StructInfo FuncSInfo(std::vector<StructInfo> params, StructInfo ret, bool is_pure) {
  KILN_CHECK(ret) << "function struct info: the return is undefined";
  auto n = MakeObject<FuncStructInfoNode>();
  n->params = std::move(params);
  n->ret = std::move(ret);
  n->is_pure = is_pure;
  return n;
}

StructInfo OpaqueFuncSInfo(StructInfo ret, bool is_pure) {
  auto n = MakeObject<FuncStructInfoNode>();
  n->ret = std::move(ret);
  n->is_pure = is_pure;
  return n;
}

}  // namespace kiln::relax
