// Build for the c target: each PrimFunc lowered (tir::LowerForCodegen) and
// checked (tir::VerifyBounds) as for llvm, then written as C by CodeGenC into
// one translation unit held by a CSourceModuleObj.
#include "../backends.h"
#include "c_module.h"
#include "codegen_c.h"
#include "kiln/runtime/error.h"
#include "kiln/tir/analysis/verify_bounds.h"
#include "kiln/tir/lower.h"

namespace kiln::codegen {

runtime::Module BuildC(const ir::IRModule& mod, const Target& target) {
  KILN_ICHECK(target.kind == "c") << "BuildC: target " << target.str();
  CodeGenC cg(target);
  std::vector<std::string> names;
  for (const auto& [gv, func] : mod.functions()) {
    auto prim = func.As<tir::PrimFuncNode>();
    KILN_CHECK(prim) << "build: function '" << gv->name << "' is not a tir PrimFunc; build compiles tir only";
    tir::VerifyBounds(tir::PrimFunc(prim), gv->name);
    cg.AddFunction(gv->name, tir::LowerForCodegen(tir::PrimFunc(prim)));
    names.push_back(gv->name);
  }
  return runtime::Module(runtime::MakeObject<CSourceModuleObj>(cg.Finish(), names, DefaultCCompiler()));
}

}  // namespace kiln::codegen
