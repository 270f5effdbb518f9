// Any: one value of any kind that crosses a Function call: none, int, float,
// bool, DataType, Device, or an Object (string, shape, list, NDArray,
// Function, Module, IR nodes, ...). Cast<T>() checks the kind and names both sides on mismatch.
#pragma once

#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "kiln/runtime/data_type.h"
#include "kiln/runtime/device.h"
#include "kiln/runtime/ndarray.h"
#include "kiln/runtime/object.h"

namespace kiln::runtime {

// An immutable tuple of dimensions, as an Object.
class ShapeObj : public Object {
 public:
  KILN_OBJECT_TYPE(ShapeObj, Object, "runtime.Shape")
  explicit ShapeObj(std::vector<int64_t> d) : dims(std::move(d)) {}
  std::vector<int64_t> dims;
};

class Any;

// A list of values, as an Object (a Python list crosses as one).
class ArrayObj : public Object {
 public:
  KILN_OBJECT_TYPE(ArrayObj, Object, "runtime.Array")
  explicit ArrayObj(std::vector<Any> v);
  std::vector<Any> items;
};

class Function;
class Module;

class Any {
 public:
  enum class Kind : uint8_t { kNone, kInt, kFloat, kBool, kDataType, kDevice, kObject };

  Any() = default;
  Any(std::nullptr_t) {}
  template <typename T, typename = std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>>>
  Any(T v) : kind_(Kind::kInt) {
    v_.i = static_cast<int64_t>(v);
  }
  Any(bool v) : kind_(Kind::kBool) { v_.i = v; }
  Any(double v) : kind_(Kind::kFloat) { v_.f = v; }
  Any(float v) : Any(static_cast<double>(v)) {}
  Any(DataType v) : kind_(Kind::kDataType) { v_.t = v.dl(); }
  Any(Device v) : kind_(Kind::kDevice) { v_.d = v.dl(); }
  Any(const char* v) : Any(std::string(v)) {}
  Any(std::string v);
  Any(const std::vector<int64_t>& shape);
  Any(std::vector<Any> items);
  Any(const NDArray& v) : Any(ObjectRef(v.obj())) {}
  Any(const Function& v);
  Any(const Module& v);
  template <typename T>
  Any(const Ref<T>& v) : kind_(v ? Kind::kObject : Kind::kNone), obj_(v) {}

  Kind kind() const { return kind_; }
  bool is_none() const { return kind_ == Kind::kNone; }
  // "int", "float", "bool", "DataType", "Device", "None", "str", "Shape",
  // "NDArray", "Function", "Module", or an object's type key.
  std::string TypeName() const;

  int64_t AsInt() const { return v_.i; }
  double AsFloat() const { return v_.f; }
  DataType AsDataType() const { return DataType(v_.t); }
  Device AsDevice() const { return {v_.d.device_type, v_.d.device_id}; }
  const ObjectRef& AsObject() const { return obj_; }

  // Converts to T, raising kiln::Error "expected T, got U" on a mismatch.
  template <typename T>
  T Cast() const;

 private:
  Kind kind_ = Kind::kNone;
  union {
    int64_t i;
    double f;
    DLDataType t;
    DLDevice d;
  } v_{};
  ObjectRef obj_;
};

// How each C++ type is read from an Any; specialised in function.h too.
template <typename T, typename = void>
struct AnyCast;

template <typename T>
T Any::Cast() const {
  return AnyCast<std::decay_t<T>>::Get(*this);
}

[[noreturn]] void ThrowCastError(const Any& value, const char* expected);

template <typename T>
struct AnyCast<T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>>> {
  static constexpr const char* kName = "int";
  static T Get(const Any& a) {
    if (a.kind() == Any::Kind::kInt || a.kind() == Any::Kind::kBool) return static_cast<T>(a.AsInt());
    ThrowCastError(a, kName);
  }
};
template <>
struct AnyCast<bool> {
  static constexpr const char* kName = "bool";
  static bool Get(const Any& a) {
    if (a.kind() == Any::Kind::kBool || a.kind() == Any::Kind::kInt) return a.AsInt() != 0;
    ThrowCastError(a, kName);
  }
};
template <typename T>
struct AnyCast<T, std::enable_if_t<std::is_floating_point_v<T>>> {
  static constexpr const char* kName = "float";
  static T Get(const Any& a) {
    if (a.kind() == Any::Kind::kFloat) return static_cast<T>(a.AsFloat());
    if (a.kind() == Any::Kind::kInt) return static_cast<T>(a.AsInt());
    ThrowCastError(a, kName);
  }
};
template <>
struct AnyCast<DataType> {
  static constexpr const char* kName = "DataType";
  static DataType Get(const Any& a);
};
template <>
struct AnyCast<Device> {
  static constexpr const char* kName = "Device";
  static Device Get(const Any& a);
};
template <>
struct AnyCast<std::string> {
  static constexpr const char* kName = "str";
  static std::string Get(const Any& a);
};
template <>
struct AnyCast<std::vector<int64_t>> {
  static constexpr const char* kName = "Shape";
  static std::vector<int64_t> Get(const Any& a);
};
template <>
struct AnyCast<NDArray> {
  static constexpr const char* kName = "NDArray";
  static NDArray Get(const Any& a);
};
template <>
struct AnyCast<std::vector<Any>> {
  static constexpr const char* kName = "list";
  static std::vector<Any> Get(const Any& a);
};
template <>
struct AnyCast<Any> {
  static constexpr const char* kName = "Any";
  static Any Get(const Any& a) { return a; }
};
template <typename T>
struct AnyCast<Ref<T>> {
  static constexpr const char* kName = T::kTypeKey;
  static Ref<T> Get(const Any& a) {
    if (a.is_none()) return Ref<T>();
    Ref<T> r = a.AsObject().template As<T>();
    if (!r) ThrowCastError(a, kName);
    return r;
  }
};

}  // namespace kiln::runtime
