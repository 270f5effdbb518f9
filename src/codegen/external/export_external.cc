// The external modules' part of ExportLibrary: each module the kernel module
// imports enters the shared library as object code, when it has any (a c
// module compiles its source); in-process modules cannot be exported.
#include "../c/c_module.h"
#include "kiln/codegen/external.h"
#include "kiln/runtime/error.h"

namespace kiln::codegen {

namespace {

std::string FunctionList(const runtime::Module& module) {
  std::string names;
  for (const std::string& n : module.obj()->FunctionNames()) names += (names.empty() ? "" : ", ") + n;
  return names.empty() ? "" : " (functions: " + names + ")";
}

// The object code of the c module `c`, compiled with `cc`.
std::string ObjectCode(const CSourceModuleObj& c, const std::string& cc) {
  return CompileCSourceToObject(c.source(), cc, "export_library: compiling an external c module");
}

}  // namespace

std::optional<std::string> WhyNotExportable(const runtime::Module& module) {
  if (!dynamic_cast<CSourceModuleObj*>(module.obj().get())) {
    return "the external module of kind '" + module.kind() + "'" + FunctionList(module) +
           " runs in process and has no code to put in a shared library; only modules of kind 'c' export";
  }
  for (const runtime::Module& m : module.imports()) {
    if (std::optional<std::string> why = WhyNotExportable(m)) return why;
  }
  return std::nullopt;
}

void AppendImportedObjects(const runtime::Module& kernels, const std::string& cc,
                           std::vector<std::pair<std::string, std::string>>* inputs) {
  for (const runtime::Module& m : kernels.imports()) {
    std::optional<std::string> why = WhyNotExportable(m);
    KILN_CHECK(!why) << "export_library: cannot export: " << *why;
    inputs->emplace_back(".o", ObjectCode(*dynamic_cast<CSourceModuleObj*>(m.obj().get()), cc));
    AppendImportedObjects(m, cc, inputs);
  }
}

}  // namespace kiln::codegen
