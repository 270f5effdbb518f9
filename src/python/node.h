// Python classes for IR nodes. PyNode<T> is the Python-side handle of a node
// of type T; its class hierarchy follows the nodes' (PyNode<T> derives from
// PyNode<T::ParentType>), so isinstance works in Python. Any IR object that
// reaches Python is wrapped in the class of its most derived bound type.
#pragma once

#include <nanobind/nanobind.h>

#include <type_traits>
#include <vector>

#include "kiln/runtime/object.h"

namespace kiln::python {

namespace nb = nanobind;

template <typename Node>
struct PyNode;

template <>
struct PyNode<runtime::Object> {
  runtime::ObjectRef ref;
};

template <typename Node>
struct PyNode : PyNode<typename Node::ParentType> {
  const Node* get() const { return static_cast<const Node*>(this->ref.get()); }
  const Node* operator->() const { return get(); }
  runtime::Ref<Node> handle() const { return runtime::GetRef<Node>(get()); }
};

using NodeCaster = nb::object (*)(const runtime::ObjectRef&);
void RegisterNodeCaster(uint32_t type_index, NodeCaster caster);
// The node in the Python class of its most derived bound type; None for an
// empty handle.
nb::object NodeToPython(const runtime::ObjectRef& ref);

template <typename T>
nb::object Wrap(const runtime::Ref<T>& ref) {
  return NodeToPython(runtime::ObjectRef(ref));
}
template <typename H>
nb::list WrapList(const std::vector<H>& items) {
  nb::list out;
  for (const H& item : items) out.append(Wrap(item));
  return out;
}

// `==` and hash by node identity: two wrappers of one node are equal, so
// nodes can key dicts and sets (a var to its replacement). Structural
// equality is kiln.ir.structural_equal.
nb::object IdentityEq(const PyNode<runtime::Object>& a, nb::handle b);
size_t IdentityHash(const PyNode<runtime::Object>& a);

// Binds node type T as a Python class `name` in `scope` (a submodule). The
// roots of the IR hierarchies (classes right below Object) get identity ==
// and hash, which their subclasses inherit.
template <typename T>
nb::class_<PyNode<T>, PyNode<typename T::ParentType>> BindNode(nb::handle scope, const char* name, const char* doc) {
  RegisterNodeCaster(T::TypeIndex(), [](const runtime::ObjectRef& r) {
    PyNode<T> h;
    h.ref = r;
    return nb::cast(std::move(h));
  });
  nb::class_<PyNode<T>, PyNode<typename T::ParentType>> cls(scope, name, doc);
  if constexpr (std::is_same_v<typename T::ParentType, runtime::Object>) {
    cls.def("__eq__", &IdentityEq).def("__hash__", &IdentityHash);
  }
  return cls;
}

// The node held by a Python object of class PyNode<T> (or a subclass);
// raises kiln::Error naming `what` otherwise.
template <typename T>
runtime::Ref<T> Unwrap(nb::handle obj, const char* what) {
  if (nb::isinstance<PyNode<runtime::Object>>(obj)) {
    runtime::ObjectRef r = nb::cast<const PyNode<runtime::Object>&>(obj).ref;
    if (!r) return runtime::Ref<T>();
    if (auto t = r.As<T>()) return t;
    KILN_THROW() << what << ": expected a " << T::kTypeKey << ", got a " << r->type_key();
  }
  if (obj.is_none()) return runtime::Ref<T>();
  KILN_THROW() << what << ": expected a " << T::kTypeKey << ", got a Python "
               << nb::cast<std::string>(nb::str(obj.type().attr("__name__")));
}

}  // namespace kiln::python
