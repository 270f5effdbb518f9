// The Python side of the visitors and mutators that users subclass in
// Python (kiln.relax.ExprMutator, kiln.tir.StmtMutator, ...): a C++ functor
// holds a PyHooks, which knows which hook methods the Python class
// overrides and calls them. Hooks it does not override run the C++ default
// without a trip through Python.
#pragma once

#include <nanobind/nanobind.h>

#include <cctype>
#include <string>
#include <vector>

#include "kiln/runtime/error.h"
#include "node.h"

namespace kiln::python {

// "TupleGetItem" -> "visit_tuple_get_item_": the hook of a node kind.
inline std::string KindHook(const char* kind) {
  std::string out = "visit_";
  for (const char* c = kind; *c; ++c) {
    if (std::isupper(static_cast<unsigned char>(*c)) && c != kind) out += '_';
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(*c)));
  }
  return out + "_";
}

class PyHooks {
 public:
  // `names` are every hook of the functor, by hook number; `overridden` the
  // ones the Python class of `self` overrides. `self` owns the functor, so
  // it is held without a reference.
  PyHooks(nb::handle self, const std::vector<std::string>& names, const std::vector<std::string>& overridden)
      : self_(self), names_(names), overridden_(names.size(), false) {
    for (const std::string& name : overridden) {
      size_t i = 0;
      while (i < names.size() && names[i] != name) ++i;
      KILN_CHECK(i < names.size()) << "'" << name << "' is not a hook of this visitor";
      overridden_[i] = true;
    }
  }

  bool Has(size_t hook) const { return overridden_[hook]; }

  // Calls the Python override of `hook`.
  template <typename... Args>
  nb::object Call(size_t hook, Args&&... args) const {
    return self_.attr(names_[hook].c_str())(std::forward<Args>(args)...);
  }

  // What an override returned, as a node of type T; raises kiln::Error
  // naming the class and hook for None or another kind of object.
  template <typename T>
  runtime::Ref<T> Result(size_t hook, const nb::object& value) const {
    std::string where = Where(hook);
    runtime::Ref<T> out = Unwrap<T>(value, where.c_str());
    KILN_CHECK(out) << where << " returned None; return a " << T::kTypeKey << " (the node itself to keep it)";
    return out;
  }

 private:
  std::string Where(size_t hook) const {
    return nb::cast<std::string>(nb::str(self_.type().attr("__name__"))) + "." + names_[hook];
  }

  nb::handle self_;
  const std::vector<std::string>& names_;
  std::vector<bool> overridden_;
};

}  // namespace kiln::python
