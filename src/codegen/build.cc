// codegen::Build: picks the code generator for the target's kind.
#include "kiln/codegen/build.h"

#include "backends.h"
#include "kiln/runtime/error.h"
#include "kiln/runtime/function.h"

namespace kiln::codegen {

runtime::Module Build(const ir::IRModule& mod, const Target& target) {
  if (target.kind == "llvm") return BuildLLVM(mod, target);
  if (target.kind == "c") return BuildC(mod, target);
  if (target.kind == "cuda") return BuildCUDA(mod, target);
  KILN_THROW() << "build: target '" << target.str() << "' has no code generator in this build";
}

runtime::Module Build(const ir::IRModule& mod, const std::string& target) {
  return Build(mod, Target::Parse(target));
}

KILN_REGISTER_FUNCTION("codegen.build", [](runtime::Ref<ir::IRModuleNode> mod, std::string target) {
  return Build(ir::IRModule(mod), target);
});

}  // namespace kiln::codegen
