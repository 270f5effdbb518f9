// Object: the base of every ref-counted thing in Kiln (arrays, functions,
// modules, and later IR nodes). An intrusive atomic count plus a type index
// that makes downcasts safe; Ref<T> is the handle that owns a reference.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>

#include "kiln/runtime/error.h"

namespace kiln::runtime {

// Type indices are handed out at first use; each records its parent, so an
// `is a` query walks up a short chain.
struct TypeRegistry {
  static uint32_t Register(const char* key, uint32_t parent_index);
  static bool IsDerivedFrom(uint32_t child, uint32_t parent);
  static uint32_t Parent(uint32_t index);
  static const std::string& Key(uint32_t index);
};

class Object {
 public:
  static constexpr const char* kTypeKey = "Object";
  static uint32_t TypeIndex() { return 0; }

  Object() = default;
  Object(const Object&) = delete;
  Object& operator=(const Object&) = delete;
  virtual ~Object() = default;

  uint32_t type_index() const { return type_index_; }
  const std::string& type_key() const { return TypeRegistry::Key(type_index_); }
  template <typename T>
  bool IsInstance() const {
    return type_index_ == T::TypeIndex() || TypeRegistry::IsDerivedFrom(type_index_, T::TypeIndex());
  }
  int32_t use_count() const { return ref_count_.load(std::memory_order_relaxed); }

  void IncRef() const { ref_count_.fetch_add(1, std::memory_order_relaxed); }
  void DecRef() const {
    if (ref_count_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }

 private:
  template <typename T, typename... Args>
  friend T* MakeObjectRaw(Args&&... args);

  mutable std::atomic<int32_t> ref_count_{0};
  uint32_t type_index_ = 0;
};

// Declares the type key, index and parent of an Object subclass. One line
// per class.
#define KILN_OBJECT_TYPE(Type, Parent, key)                                                          \
  using ParentType = Parent;                                                                         \
  static constexpr const char* kTypeKey = key;                                                       \
  static uint32_t TypeIndex() {                                                                      \
    static const uint32_t index = ::kiln::runtime::TypeRegistry::Register(key, Parent::TypeIndex()); \
    return index;                                                                                    \
  }

// A handle that owns one reference to a T (or to nothing).
template <typename T>
class Ref {
 public:
  Ref() = default;
  Ref(std::nullptr_t) {}
  explicit Ref(T* ptr) : ptr_(ptr) {
    if (ptr_) ptr_->IncRef();
  }
  Ref(const Ref& other) : Ref(other.ptr_) {}
  Ref(Ref&& other) noexcept : ptr_(std::exchange(other.ptr_, nullptr)) {}
  // Up- and downcasts along one hierarchy (a downcast must be known to hold;
  // use As<U>() to check).
  template <typename U, typename = std::enable_if_t<std::is_base_of_v<T, U> || std::is_base_of_v<U, T>>>
  Ref(const Ref<U>& other) : Ref(static_cast<T*>(other.get())) {}
  ~Ref() {
    if (ptr_) ptr_->DecRef();
  }
  Ref& operator=(Ref other) noexcept {
    std::swap(ptr_, other.ptr_);
    return *this;
  }

  T* get() const { return ptr_; }
  T* operator->() const { return ptr_; }
  T& operator*() const { return *ptr_; }
  explicit operator bool() const { return ptr_ != nullptr; }
  bool operator==(const Ref& other) const { return ptr_ == other.ptr_; }
  bool operator==(std::nullptr_t) const { return ptr_ == nullptr; }

  // A handle of a subclass when the object is one, else an empty handle.
  template <typename U>
  Ref<U> As() const {
    if (ptr_ && ptr_->template IsInstance<U>()) return Ref<U>(static_cast<U*>(ptr_));
    return Ref<U>();
  }

 private:
  T* ptr_ = nullptr;
};

using ObjectRef = Ref<Object>;

template <typename T, typename... Args>
T* MakeObjectRaw(Args&&... args) {
  T* obj = new T(std::forward<Args>(args)...);
  obj->type_index_ = T::TypeIndex();
  return obj;
}

// Allocates a T and returns the first handle to it.
template <typename T, typename... Args>
Ref<T> MakeObject(Args&&... args) {
  return Ref<T>(MakeObjectRaw<T>(std::forward<Args>(args)...));
}

// A handle to a node seen through a const pointer (IR nodes are immutable;
// visitors receive const pointers and return handles to the same node).
template <typename T>
Ref<T> GetRef(const T* ptr) {
  return Ref<T>(const_cast<T*>(ptr));
}

// A string as an Object (for values that cross Function boundaries).
class StrObj : public Object {
 public:
  KILN_OBJECT_TYPE(StrObj, Object, "runtime.Str")
  explicit StrObj(std::string v) : value(std::move(v)) {}
  std::string value;
};

}  // namespace kiln::runtime
