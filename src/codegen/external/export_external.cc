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

// Every translation unit of the c target defines the runtime's table
// __kiln_runtime_api, and so does the kernel module's object: the imported
// module's definition is made weak so that the library holds one, which the
// loader sets.
std::string WithWeakRuntimeApi(std::string source) {
  const std::string definition = "const KilnCRuntimeAPI* __kiln_runtime_api = NULL;";
  size_t at = source.find(definition);
  if (at != std::string::npos && (at == 0 || source[at - 1] == '\n')) source.insert(at, "__attribute__((weak)) ");
  return source;
}

// The object code of the c module `c`, compiled with `cc`.
std::string ObjectCode(const CSourceModuleObj& c, const std::string& cc) {
  return CompileCSourceToObject(WithWeakRuntimeApi(c.source()), cc, "export_library: compiling an external c module");
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
