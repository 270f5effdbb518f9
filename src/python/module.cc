// The Python extension kiln._core: one entry point that calls each layer's
// bindings (one file per layer) and maps kiln::Error to kiln.Error.
#include <nanobind/nanobind.h>

namespace nb = nanobind;

namespace kiln::python {
void BindRuntime(nb::module_& m);
void BindVM(nb::module_& m);
void BindIr(nb::module_& m);
void BindTir(nb::module_& m);
void BindTe(nb::module_& m);
void BindSchedule(nb::module_& m);
void BindRelax(nb::module_& m);
void BindText(nb::module_& m);
void BindTransform(nb::module_& m);
void BindCodegen(nb::module_& m);
void BindTesting(nb::module_& m);
void BindLegalize(nb::module_& m);  // after relax and transform
void BindCustomOp(nb::module_& m);  // after relax
void BindCompile(nb::module_& m);   // after vm, ir and codegen
void BindFrontend(nb::module_& m);
void BindPattern(nb::module_& m);   // after relax and transform
void BindRegistries(nb::module_& m);  // the configuration reference's registries
void BindExternalCodegen(nb::module_& m);  // after codegen
}  // namespace kiln::python

NB_MODULE(_core, m) {
  m.doc() = "Kiln's C++ core. Use the kiln package, which re-exports it.";
  // Python callables held by C++ objects (passes, registered functions) can
  // form reference cycles through C++ that Python's collector cannot see; at
  // interpreter exit nanobind would report them as leaks. They are freed with
  // the process, so the report is noise.
  nb::set_leak_warnings(false);
  kiln::python::BindRuntime(m);
  kiln::python::BindVM(m);
  kiln::python::BindIr(m);
  kiln::python::BindTir(m);
  kiln::python::BindTe(m);
  kiln::python::BindSchedule(m);
  kiln::python::BindRelax(m);
  kiln::python::BindText(m);
  kiln::python::BindTransform(m);
  kiln::python::BindCodegen(m);
  kiln::python::BindTesting(m);
  kiln::python::BindLegalize(m);
  kiln::python::BindCustomOp(m);
  kiln::python::BindCompile(m);
  kiln::python::BindFrontend(m);
  kiln::python::BindPattern(m);
  kiln::python::BindRegistries(m);
  kiln::python::BindExternalCodegen(m);
}
