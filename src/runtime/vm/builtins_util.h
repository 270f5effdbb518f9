// Argument helpers shared by the builtin files (internal header): raw packed
// registration and zero-copy reads of shape, heap and tuple arguments that
// name the builtin and argument when they do not fit.
#pragma once

#include <string>

#include "kiln/runtime/function.h"

namespace kiln::runtime::vm {

inline void RegisterPacked(const char* name, PackedBody body) {
  Registry::Register(name, Function(name, std::move(body)));
}

[[noreturn]] inline void ThrowArg(const char* builtin, int index, const char* expected, const Any& got) {
  KILN_THROW() << "function '" << builtin << "', argument " << index << ": expected " << expected << ", got "
               << got.TypeName();
}

inline const ArrayObj* ArrayArg(const Any& a, const char* builtin, int index) {
  if (a.kind() != Any::Kind::kObject || !a.AsObject()->IsInstance<ArrayObj>()) ThrowArg(builtin, index, "list", a);
  return static_cast<const ArrayObj*>(a.AsObject().get());
}

inline const std::vector<int64_t>& ShapeArg(const Any& a, const char* builtin, int index) {
  if (a.kind() != Any::Kind::kObject || !a.AsObject()->IsInstance<ShapeObj>()) ThrowArg(builtin, index, "Shape", a);
  return static_cast<const ShapeObj*>(a.AsObject().get())->dims;
}

inline const std::string& StrArg(const Any& a, const char* builtin, int index) {
  if (a.kind() != Any::Kind::kObject || !a.AsObject()->IsInstance<StrObj>()) ThrowArg(builtin, index, "str", a);
  return static_cast<const StrObj*>(a.AsObject().get())->value;
}

inline int64_t IntArg(const Any& a, const char* builtin, int index) {
  if (a.kind() != Any::Kind::kInt) ThrowArg(builtin, index, "int", a);
  return a.AsInt();
}

inline void CheckArity(const char* builtin, int expected, int got) {
  if (got != expected) detail::ThrowArity(builtin, expected, got);
}

}  // namespace kiln::runtime::vm
