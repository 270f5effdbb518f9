// The table from node type to Python class, used whenever an IR object
// crosses into Python, and identity == and hash for node wrappers.
#include "node.h"

#include <nanobind/stl/string.h>

#include <functional>
#include <unordered_map>

namespace kiln::python {
namespace {
std::unordered_map<uint32_t, NodeCaster>& Casters() {
  static auto* table = new std::unordered_map<uint32_t, NodeCaster>();
  return *table;
}
}  // namespace

void RegisterNodeCaster(uint32_t type_index, NodeCaster caster) {
  Casters()[type_index] = caster;
}

nb::object IdentityEq(const PyNode<runtime::Object>& a, nb::handle b) {
  if (!nb::isinstance<PyNode<runtime::Object>>(b)) return nb::borrow(Py_NotImplemented);
  return nb::bool_(a.ref.get() == nb::cast<const PyNode<runtime::Object>&>(b).ref.get());
}

size_t IdentityHash(const PyNode<runtime::Object>& a) {
  return std::hash<const void*>()(a.ref.get());
}

nb::object NodeToPython(const runtime::ObjectRef& ref) {
  if (!ref) return nb::none();
  for (uint32_t index = ref->type_index();; index = runtime::TypeRegistry::Parent(index)) {
    auto it = Casters().find(index);
    if (it != Casters().end()) return it->second(ref);
    if (index == 0) break;
  }
  PyNode<runtime::Object> h;
  h.ref = ref;
  return nb::cast(std::move(h));
}

}  // namespace kiln::python
