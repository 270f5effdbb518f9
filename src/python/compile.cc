// Bindings of kiln.compile: a relax IRModule to a CompiledModule (the VM
// executable with its kernel module), exported as one shared library.
#include "kiln/compile.h"

#include <nanobind/nanobind.h>
#include <nanobind/stl/string.h>

#include "ir_convert.h"
#include "node.h"

namespace kiln::python {

void BindCompile(nb::module_& m) {
  nb::class_<CompiledModule>(m, "CompiledModule",
                             "A compiled relax module: its VM executable and the kernel module it calls.")
      .def_prop_ro("executable", [](const CompiledModule& c) { return c->exec; })
      .def_prop_ro("kernels",
                   [](const CompiledModule& c) -> nb::object {
                     return c->kernels.defined() ? nb::cast(c->kernels) : nb::none();
                   })
      .def_prop_ro("target", [](const CompiledModule& c) { return c->target.str(); })
      .def_prop_ro(
          "mod", [](const CompiledModule& c) { return Wrap(runtime::Ref<ir::IRModuleNode>(c->lowered)); },
          "The module after the pipeline, as compiled.")
      .def(
          "export_library",
          [](const CompiledModule& c, const std::string& path, const std::string& cc) {
            nb::gil_scoped_release release;
            c->ExportLibrary(path, cc);
          },
          nb::arg("path"), nb::arg("cc") = "cc",
          "Writes one shared library with the kernels and the executable; load it with kiln.load.")
      .def("as_text", [](const CompiledModule& c) { return c->exec->AsText(); })
      .def("__repr__", [](const CompiledModule& c) {
        std::string names;
        for (const std::string& n : c->exec->VMFunctionNames()) names += (names.empty() ? "" : ", ") + n;
        return "<kiln.CompiledModule " + names + " for " + c->target.str() + ">";
      });
  m.def(
      "compile_lowered",
      [](nb::handle mod, const std::string& target) {
        runtime::ObjectRef obj = Unwrap<runtime::Object>(mod, "compile");
        auto n = obj.As<ir::IRModuleNode>();
        KILN_CHECK(n) << "compile: expected an IRModule, got a " << (obj ? obj->type_key() : "None");
        nb::gil_scoped_release release;
        return CompileLowered(ir::IRModule(n), codegen::Target::Parse(target));
      },
      nb::arg("mod"), nb::arg("target") = "llvm",
      "Codegen alone: builds the kernels of a lowered module and its relax functions into VM bytecode.");
}

}  // namespace kiln::python
