// StructuralComparator on values: attributes (ordered keys, runtime::Any
// values of every kind, nested lists and IR objects) and constant arrays
// (dtype, shape and bytes).
#include <algorithm>
#include <bit>

#include "kiln/tir/structural_equal.h"

namespace kiln::tir {

namespace {
using runtime::Any;

std::string KeysText(const ir::Attrs& attrs) {
  std::string out;
  for (const auto& [key, value] : attrs.items()) out += (out.empty() ? "" : ", ") + key;
  return "(" + out + ")";
}

std::string ScalarText(const Any& v) {
  switch (v.kind()) {
    case Any::Kind::kBool: return v.AsInt() ? "true" : "false";
    case Any::Kind::kInt: return std::to_string(v.AsInt());
    case Any::Kind::kFloat: return std::to_string(v.AsFloat());
    case Any::Kind::kDataType: return v.AsDataType().str();
    case Any::Kind::kDevice: return v.AsDevice().str();
    default: return v.TypeName();
  }
}

bool SameScalar(const Any& a, const Any& b) {
  switch (a.kind()) {
    case Any::Kind::kNone: return true;
    case Any::Kind::kBool:
    case Any::Kind::kInt: return a.AsInt() == b.AsInt();
    case Any::Kind::kFloat: return std::bit_cast<uint64_t>(a.AsFloat()) == std::bit_cast<uint64_t>(b.AsFloat());
    case Any::Kind::kDataType: return a.AsDataType() == b.AsDataType();
    case Any::Kind::kDevice: return a.AsDevice() == b.AsDevice();
    case Any::Kind::kObject: break;
  }
  return false;
}

template <typename T>
const T* AsObj(const runtime::ObjectRef& r) {
  return r->IsInstance<T>() ? static_cast<const T*>(r.get()) : nullptr;
}
}  // namespace

bool StructuralComparator::EqualAttrs(const ir::Attrs& a, const ir::Attrs& b) {
  if (a.size() != b.size()) return Fail("lhs has keys " + KeysText(a) + " vs rhs " + KeysText(b));
  for (size_t i = 0; i < a.size(); ++i) {
    const auto& [key_a, value_a] = a.items()[i];
    const auto& [key_b, value_b] = b.items()[i];
    if (key_a != key_b) return Fail("lhs has keys " + KeysText(a) + " vs rhs " + KeysText(b));
    if (!At(PathStep::Key("", key_a), [&] { return EqualAny(value_a, value_b); })) return false;
  }
  return true;
}

bool StructuralComparator::EqualAny(const Any& a, const Any& b) {
  if (a.kind() != b.kind()) return Fail("lhs " + a.TypeName() + " vs rhs " + b.TypeName());
  if (a.kind() == Any::Kind::kObject) return EqualAnyObject(a.AsObject(), b.AsObject());
  return SameScalar(a, b) || Fail(ScalarText(a) + " vs " + ScalarText(b));
}

bool StructuralComparator::EqualAnyObject(const runtime::ObjectRef& a, const runtime::ObjectRef& b) {
  if (a->type_index() != b->type_index()) return EqualObject(a, b);  // IR kinds may differ in their subclass
  if (const auto* x = AsObj<runtime::StrObj>(a)) {
    const auto* y = AsObj<runtime::StrObj>(b);
    return x->value == y->value || Fail(Quoted(x->value) + " vs " + Quoted(y->value));
  }
  if (const auto* x = AsObj<runtime::ShapeObj>(a)) {
    const auto* y = AsObj<runtime::ShapeObj>(b);
    return x->dims == y->dims || Fail(runtime::ShapeString(x->dims) + " vs " + runtime::ShapeString(y->dims));
  }
  if (const auto* x = AsObj<runtime::ArrayObj>(a)) {
    return EqualEach("", x->items, AsObj<runtime::ArrayObj>(b)->items,
                     [&](const Any& p, const Any& q) { return EqualAny(p, q); });
  }
  if (a->IsInstance<runtime::NDArrayObj>()) {
    return EqualArray(runtime::NDArray(a.As<runtime::NDArrayObj>()), runtime::NDArray(b.As<runtime::NDArrayObj>()));
  }
  return EqualObject(a, b);
}

bool StructuralComparator::EqualObject(const runtime::ObjectRef& a, const runtime::ObjectRef& b) {
  if (a->IsInstance<PrimExprNode>() && b->IsInstance<PrimExprNode>()) {
    return EqualExpr(a.As<PrimExprNode>(), b.As<PrimExprNode>());
  }
  if (a->IsInstance<StmtNode>() && b->IsInstance<StmtNode>()) return EqualStmt(a.As<StmtNode>(), b.As<StmtNode>());
  if (a->type_index() != b->type_index()) return Fail("lhs " + a->type_key() + " vs rhs " + b->type_key());
  if (a->IsInstance<BufferNode>()) return EqualBufferUse(Buffer(a.As<BufferNode>()), Buffer(b.As<BufferNode>()));
  if (a->IsInstance<PrimFuncNode>()) return EqualFunc(PrimFunc(a.As<PrimFuncNode>()), PrimFunc(b.As<PrimFuncNode>()));
  return a.get() == b.get() || Fail("two different " + a->type_key() + " objects (compared by identity)");
}

bool StructuralComparator::EqualArray(const runtime::NDArray& a, const runtime::NDArray& b) {
  if (a.dtype() != b.dtype()) return FailField("dtype", a.dtype().str(), b.dtype().str());
  if (a.shape() != b.shape())
    return FailField("shape", runtime::ShapeString(a.shape()), runtime::ShapeString(b.shape()));
  if (a.obj() == b.obj()) return true;
  std::vector<uint8_t> x = detail::HostBytes(a), y = detail::HostBytes(b);
  auto diff = std::mismatch(x.begin(), x.end(), y.begin()).first;
  if (diff == x.end()) return true;
  int64_t element = (diff - x.begin()) / std::max<int64_t>(1, a.dtype().bytes());
  return At("data", [&] {
    return Fail("values differ, first at element " + std::to_string(element) + " of " + std::to_string(a.numel()));
  });
}

namespace detail {
std::vector<uint8_t> HostBytes(const runtime::NDArray& array) {
  runtime::NDArray compact = array;
  if (!array.IsContiguous()) {
    compact = runtime::NDArray::Empty(array.shape(), array.dtype(), runtime::Device::CPU());
    compact.CopyFrom(array);
  }
  std::vector<uint8_t> bytes(compact.nbytes());
  compact.CopyToBytes(bytes.data(), bytes.size());
  return bytes;
}
}  // namespace detail

}  // namespace kiln::tir
