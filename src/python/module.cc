// The Python extension kiln._core: one entry point that calls each layer's
// bindings (one file per layer) and maps kiln::Error to kiln.Error.
#include <nanobind/nanobind.h>

namespace nb = nanobind;

namespace kiln::python {
void BindRuntime(nb::module_& m);
void BindTesting(nb::module_& m);
}  // namespace kiln::python

NB_MODULE(_core, m) {
  m.doc() = "Kiln's C++ core. Use the kiln package, which re-exports it.";
  kiln::python::BindRuntime(m);
  kiln::python::BindTesting(m);
}
