// Functions under "testing." that let the Python tests drive the C++ side of
// the language boundary: C++ code that looks up a function by name and calls
// it, and C++ code that raises.
#include <nanobind/nanobind.h>

#include "kiln/runtime/runtime.h"

namespace kiln::python {
namespace nb = nanobind;

void BindTesting(nb::module_&) {
  using runtime::Registry;
  // testing.call_global(name, *args): C++ looks `name` up and calls it.
  Registry::Register("testing.call_global",
                     Function("testing.call_global",
                              [](const Any* args, int n, Any* ret) {
                                KILN_CHECK(n >= 1) << "testing.call_global needs a function name";
                                *ret = Registry::Get(args[0].Cast<std::string>()).CallPacked(args + 1, n - 1);
                              }),
                     true);
  Registry::Register("testing.raise_error",
                     Function::FromTyped("testing.raise_error", [](std::string msg) -> int { KILN_THROW() << msg; }),
                     true);
  Registry::Register("testing.echo", Function::FromTyped("testing.echo", [](Any x) { return x; }), true);
}

}  // namespace kiln::python
