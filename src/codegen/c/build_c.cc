// Build for the c target: each PrimFunc lowered (tir::LowerForCodegen) and
// checked (tir::VerifyBounds) as for llvm, then written as C by CodeGenC into
// one translation unit held by a CSourceModuleObj.
#include "../backends.h"
#include "c_module.h"
#include "codegen_c.h"
#include "kiln/runtime/error.h"

namespace kiln::codegen {

runtime::Module BuildC(const ir::IRModule& mod, const Target& target) {
  KILN_ICHECK(target.kind == "c") << "BuildC: target " << target.str();
  CodeGenC cg(target);
  std::vector<std::string> names;
  for (const auto& [name, func] : LoweredKernels(mod)) {
    cg.AddFunction(name, func);
    names.push_back(name);
  }
  return runtime::Module(runtime::MakeObject<CSourceModuleObj>(cg.Finish(), names, DefaultCCompiler()));
}

}  // namespace kiln::codegen
