// Bindings of the C++ importers: kiln._core.frontend.from_onnx_file,
// from_onnx_bytes and unsupported_onnx_ops (python/kiln/frontend/onnx.py
// wraps them as kiln.frontend.from_onnx).
#include <nanobind/stl/map.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "node.h"
#include "kiln/frontend/onnx.h"

namespace kiln::python {

void BindFrontend(nb::module_& parent) {
  nb::module_ m = parent.def_submodule("frontend", "The C++ importers (ONNX).");
  m.def(
      "from_onnx_file",
      [](const std::string& path, const frontend::ONNXCustomOps& custom_ops) {
        ir::IRModule mod;
        {
          nb::gil_scoped_release release;
          mod = frontend::FromONNX(path, custom_ops);
        }
        return Wrap(mod);
      },
      nb::arg("path"), nb::arg("custom_ops") = frontend::ONNXCustomOps{}, "Imports the ONNX model at path (external data relative to its folder).");
  m.def(
      "from_onnx_bytes",
      [](nb::bytes data, const std::string& base_dir, const frontend::ONNXCustomOps& custom_ops) {
        std::string bytes(static_cast<const char*>(data.data()), data.size());
        ir::IRModule mod;
        {
          nb::gil_scoped_release release;
          mod = frontend::FromONNXBytes(bytes, base_dir, custom_ops);
        }
        return Wrap(mod);
      },
      nb::arg("data"), nb::arg("base_dir") = "", nb::arg("custom_ops") = frontend::ONNXCustomOps{}, "Imports a serialized ONNX ModelProto.");
  m.def("unsupported_onnx_ops", &frontend::UnsupportedONNXOps, nb::arg("path"),
        "The op_types of the model at path that the importer does not support.");
}

}  // namespace kiln::python
