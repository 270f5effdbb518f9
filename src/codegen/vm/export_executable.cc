// CompiledModuleObj::ExportLibrary: one shared library holding the kernels'
// object file (from LLVM) and the executable's bytes as C data
// (runtime/vm/deploy.h), compiled and linked by the system C compiler.
#include <string>
#include <utility>
#include <vector>

#include "../c/c_module.h"
#include "../llvm/llvm_module.h"
#include "kiln/codegen/external.h"
#include "kiln/compile.h"
#include "kiln/runtime/error.h"
#include "kiln/runtime/vm/deploy.h"

namespace kiln {

void CompiledModuleObj::ExportLibrary(const std::string& path, const std::string& cc) const {
  std::vector<std::pair<std::string, std::string>> inputs = {{".c", runtime::vm::ExecutableAsCSource(exec)}};
  if (kernels.defined() && !codegen::AppendCKernelObject(kernels, cc, &inputs)) {
    auto* llvm = dynamic_cast<codegen::LLVMModuleObj*>(kernels.obj().get());
    KILN_CHECK(llvm) << "export_library: cannot export kernels of a module of kind '" << kernels.kind() << "'";
    inputs.emplace_back(".o", llvm->ObjectCode());
  }
  if (kernels.defined()) codegen::AppendImportedObjects(kernels, cc, &inputs);  // external codegens' modules
  codegen::LinkSharedLibrary(inputs, path, cc, "export_library: building");
}

KILN_REGISTER_FUNCTION("compile.export_library", [](CompiledModule c, std::string path) { c->ExportLibrary(path); });

}  // namespace kiln
