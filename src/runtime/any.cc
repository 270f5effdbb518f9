// Any: construction from objects, type names and checked casts.
#include "kiln/runtime/any.h"

#include "kiln/runtime/function.h"
#include "kiln/runtime/module.h"

namespace kiln::runtime {

Any::Any(std::string v) : kind_(Kind::kObject), obj_(MakeObject<StrObj>(std::move(v))) {}
Any::Any(const std::vector<int64_t>& shape) : kind_(Kind::kObject), obj_(MakeObject<ShapeObj>(shape)) {}
Any::Any(std::vector<Any> items) : kind_(Kind::kObject), obj_(MakeObject<ArrayObj>(std::move(items))) {}
ArrayObj::ArrayObj(std::vector<Any> v) : items(std::move(v)) {}
Any::Any(const Function& v) : Any(ObjectRef(v.obj())) {}
Any::Any(const Module& v) : Any(ObjectRef(v.obj())) {}

std::string Any::TypeName() const {
  switch (kind_) {
    case Kind::kNone: return "None";
    case Kind::kInt: return "int";
    case Kind::kFloat: return "float";
    case Kind::kBool: return "bool";
    case Kind::kDataType: return "DataType";
    case Kind::kDevice: return "Device";
    case Kind::kObject: break;
  }
  if (obj_->IsInstance<StrObj>()) return "str";
  if (obj_->IsInstance<ShapeObj>()) return "Shape";
  if (obj_->IsInstance<ArrayObj>()) return "list";
  if (obj_->IsInstance<NDArrayObj>()) return "NDArray";
  if (obj_->IsInstance<FunctionObj>()) return "Function";
  if (obj_->IsInstance<ModuleObj>()) return "Module";
  return obj_->type_key();
}

void ThrowCastError(const Any& value, const char* expected) {
  KILN_THROW() << "expected " << expected << ", got " << value.TypeName();
}

DataType AnyCast<DataType>::Get(const Any& a) {
  if (a.kind() == Any::Kind::kDataType) return a.AsDataType();
  if (a.kind() == Any::Kind::kObject && a.AsObject()->IsInstance<StrObj>()) {
    return DataType::Parse(static_cast<StrObj*>(a.AsObject().get())->value);
  }
  ThrowCastError(a, kName);
}

Device AnyCast<Device>::Get(const Any& a) {
  if (a.kind() == Any::Kind::kDevice) return a.AsDevice();
  if (a.kind() == Any::Kind::kObject && a.AsObject()->IsInstance<StrObj>()) {
    return Device::Parse(static_cast<StrObj*>(a.AsObject().get())->value);
  }
  ThrowCastError(a, kName);
}

std::string AnyCast<std::string>::Get(const Any& a) {
  if (a.kind() == Any::Kind::kObject && a.AsObject()->IsInstance<StrObj>()) {
    return static_cast<StrObj*>(a.AsObject().get())->value;
  }
  if (a.kind() == Any::Kind::kDataType) return a.AsDataType().str();
  ThrowCastError(a, kName);
}

std::vector<int64_t> AnyCast<std::vector<int64_t>>::Get(const Any& a) {
  if (a.kind() == Any::Kind::kObject && a.AsObject()->IsInstance<ShapeObj>()) {
    return static_cast<ShapeObj*>(a.AsObject().get())->dims;
  }
  ThrowCastError(a, kName);
}

std::vector<Any> AnyCast<std::vector<Any>>::Get(const Any& a) {
  if (a.kind() == Any::Kind::kObject && a.AsObject()->IsInstance<ArrayObj>()) {
    return static_cast<ArrayObj*>(a.AsObject().get())->items;
  }
  ThrowCastError(a, kName);
}

NDArray AnyCast<NDArray>::Get(const Any& a) {
  if (a.kind() == Any::Kind::kObject && a.AsObject()->IsInstance<NDArrayObj>()) {
    return NDArray(a.AsObject().As<NDArrayObj>());
  }
  ThrowCastError(a, kName);
}

Function AnyCast<Function>::Get(const Any& a) {
  if (a.kind() == Any::Kind::kObject && a.AsObject()->IsInstance<FunctionObj>()) {
    return Function(a.AsObject().As<FunctionObj>());
  }
  ThrowCastError(a, kName);
}

Module AnyCast<Module>::Get(const Any& a) {
  if (a.kind() == Any::Kind::kObject && a.AsObject()->IsInstance<ModuleObj>()) {
    return Module(a.AsObject().As<ModuleObj>());
  }
  ThrowCastError(a, kName);
}

}  // namespace kiln::runtime
