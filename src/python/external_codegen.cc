// Bindings of external code generators (bring your own codegen): the
// registry kiln.codegen.register_external fills, and modules of Python
// functions (kiln.runtime.Module.from_functions) for code generators written
// in Python.
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "convert.h"
#include "kiln/codegen/external.h"
#include "node.h"

namespace kiln::python {

void BindExternalCodegen(nb::module_& parent) {
  nb::module_ m = nb::borrow<nb::module_>(parent.attr("codegen"));
  m.def(
      "_register_external",
      [](const std::string& name, nb::handle fn, bool override_existing) {
        Function f = WrapCallable(fn, "external codegen '" + name + "'");
        codegen::RegisterExternalCodegen(
            name,
            [f, name](const ir::IRModule& funcs) {
              Any out = f(funcs);
              KILN_CHECK(out.kind() == Any::Kind::kObject && out.AsObject()->IsInstance<runtime::ModuleObj>())
                  << "external codegen '" << name << "' must return a kiln.runtime.Module, got " << out.TypeName();
              return out.Cast<runtime::Module>();
            },
            override_existing);
      },
      nb::arg("name"), nb::arg("fn"), nb::arg("override") = false);
  m.def("remove_external", &codegen::RemoveExternalCodegen, nb::arg("name"),
        "Unregisters an external code generator; returns whether it was registered.");
  m.def("list_external", &codegen::ListExternalCodegens, "The names of the registered external code generators.");
  m.def(
      "_module_from_functions",
      [](nb::dict functions) {
        std::map<std::string, Function> fs;
        for (auto [key, value] : functions) {
          std::string name = nb::cast<std::string>(key);
          fs[name] = nb::isinstance<Function>(value) ? nb::cast<Function>(value) : WrapCallable(value, name);
        }
        return codegen::MakeFunctionModule(std::move(fs));
      },
      nb::arg("functions"));
}

}  // namespace kiln::python
