// Conversions between Python objects and kiln::Any, shared by the bindings of
// every layer: what a Python caller passes to a Kiln Function and what it
// gets back.
#pragma once

#include <nanobind/nanobind.h>

#include <memory>

#include "kiln/runtime/runtime.h"

namespace kiln::python {

namespace nb = nanobind;

// Python -> Any: None, bool, int, float, str, tuple of ints (a shape), list,
// DataType, Device, NDArray, Function, Module, any DLPack tensor (zero-copy)
// and any callable (wrapped as a Function). Raises kiln::Error otherwise.
Any FromPython(nb::handle obj);
// Any -> Python; shapes become tuples, strings str.
nb::object ToPython(const Any& value);

// Wraps a Python callable as a Function. The function holds the GIL while it
// runs; a Python exception becomes a kiln::Error for the C++ caller.
Function WrapCallable(nb::handle callable, std::string name);

// A DataType from a string, a kiln.DataType, or a NumPy or PyTorch dtype.
DataType ToDataType(nb::handle h);

// Zero-copy import of an object with __dlpack__ (or a kiln NDArray).
NDArray ArrayFromDLPack(nb::handle obj);

// A Python callable kept by C++ (registries and passes may outlive the call
// and the interpreter): released under the GIL, and not at all once the
// interpreter is gone.
std::shared_ptr<nb::object> KeepCallable(nb::handle f);

// "ValueError: message", then the frames of the Python code that raised it:
// how a kiln::Error raised for a Python callback describes its exception.
std::string DescribePythonError(nb::python_error& e);

}  // namespace kiln::python
