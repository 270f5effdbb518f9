// Bindings of code generation (kiln.build): tir functions or modules to a
// runtime Module (JIT in process), exported as shared libraries.
#include <nanobind/stl/string.h>

#include "ir_convert.h"
#include "kiln/codegen/build.h"
#include "kiln/codegen/target.h"
#include "kiln/tir/function.h"

namespace kiln::python {

void BindCodegen(nb::module_& parent) {
  nb::module_ m = parent.def_submodule("codegen", "Code generation.");
  m.def(
      "build",
      [](nb::handle what, const std::string& target, const std::string& name) {
        runtime::ObjectRef obj = Unwrap<runtime::Object>(what, "build");
        ir::IRModule mod;
        if (auto f = obj.As<tir::PrimFuncNode>()) {
          mod = ir::IRModule({{ir::MakeGlobalVar(name), ir::BaseFunc(f)}});
        } else if (auto n = obj.As<ir::IRModuleNode>()) {
          mod = ir::IRModule(n);
        } else {
          KILN_THROW() << "build: expected a tir PrimFunc or an IRModule, got a " << (obj ? obj->type_key() : "None");
        }
        runtime::Module out;
        {
          nb::gil_scoped_release release;
          out = codegen::Build(mod, target);
        }
        return out;
      },
      nb::arg("mod"), nb::arg("target") = "llvm", nb::arg("name") = "main",
      "Compiles tir functions; a lone PrimFunc is named `name`.");
  m.def(
      "export_library",
      [](const runtime::Module& mod, const std::string& path, const std::string& cc) {
        nb::gil_scoped_release release;
        codegen::ExportLibrary(mod, path, cc);
      },
      nb::arg("module"), nb::arg("path"), nb::arg("cc") = "cc");
  m.def(
      "host_target", [] { return codegen::Target::Host().str(); }, "The target string of this machine.");
}

}  // namespace kiln::python
