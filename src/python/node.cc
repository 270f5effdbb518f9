// The table from node type to Python class, used whenever an IR object
// crosses into Python.
#include "node.h"

#include <nanobind/stl/string.h>

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
