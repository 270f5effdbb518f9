// Bindings of the declared registries the configuration reference is
// generated from (kiln._core.registries): PassContext config keys with their
// types, target options per kind, and the environment variables C++ reads.
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "convert.h"
#include "kiln/codegen/target_options.h"
#include "kiln/runtime/env.h"
#include "kiln/transform/pass.h"

namespace kiln::python {
namespace {

const char* ConfigTypeName(transform::ConfigType type) {
  switch (type) {
    case transform::ConfigType::kBool:
      return "bool";
    case transform::ConfigType::kInt:
      return "int";
    case transform::ConfigType::kFloat:
      return "float";
    case transform::ConfigType::kString:
      return "str";
  }
  return "?";
}

}  // namespace

void BindRegistries(nb::module_& parent) {
  nb::module_ m = parent.def_submodule("registries", "The declared registries the configuration reference lists.");
  m.def(
      "pass_configs",
      [] {
        nb::list out;
        for (const transform::PassConfigOption& o : transform::ListPassConfigs()) {
          nb::dict d;
          d["key"] = o.key;
          d["type"] = ConfigTypeName(o.type);
          d["default"] = ToPython(o.default_value);
          d["doc"] = o.doc;
          out.append(d);
        }
        return out;
      },
      "Every registered PassContext config key: key, type, default, doc.");
  m.def(
      "target_options",
      [] {
        nb::list out;
        for (const codegen::TargetOptionInfo& o : codegen::ListTargetOptions()) {
          nb::dict d;
          d["kind"] = o.kind;
          d["name"] = o.name;
          d["type"] = o.type;
          d["default"] = o.default_value;
          d["doc"] = o.doc;
          d["takes_value"] = o.takes_value;
          out.append(d);
        }
        return out;
      },
      "Every option of every target kind: kind, name, type, default, doc, takes_value.");
  m.def(
      "target_kinds", [] { return codegen::TargetKinds(); }, "The target kinds: llvm, c, cuda.");
  m.def(
      "env_vars",
      [] {
        nb::list out;
        for (const runtime::EnvVarInfo& v : runtime::ListEnvVars()) {
          nb::dict d;
          d["name"] = v.name;
          d["type"] = v.type;
          d["default"] = v.default_value;
          d["doc"] = v.doc;
          d["read_by"] = v.read_by;
          out.append(d);
        }
        return out;
      },
      "Every environment variable Kiln's C++ code reads: name, type, default, doc, read_by.");
}

}  // namespace kiln::python
