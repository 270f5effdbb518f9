// kiln::Compile: the pipeline from a relax module to a CompiledModule (the
// VM executable and the kernel module), readable top to bottom.
#include "kiln/compile.h"

#include "kiln/codegen/build.h"
#include "kiln/codegen/vm_codegen.h"
#include "kiln/relax/expr.h"
#include "kiln/runtime/function.h"
#include "kiln/tir/function.h"
#include "kiln/transform/default_schedule.h"
#include "kiln/transform/legalize_ops.h"
#include "kiln/transform/normalize.h"

namespace kiln {

namespace {

// The PrimFuncs of `mod`, for codegen::Build.
ir::IRModule KernelsOf(const ir::IRModule& mod) {
  std::vector<std::pair<ir::GlobalVar, ir::BaseFunc>> kernels;
  for (const auto& [gv, func] : mod.functions()) {
    if (func.As<tir::PrimFuncNode>()) kernels.emplace_back(gv, func);
  }
  return ir::IRModule(std::move(kernels));
}

}  // namespace

CompiledModule Compile(const ir::IRModule& mod, const codegen::Target& target) {
  ir::IRModule lowered = mod;
  lowered = transform::Normalize()(lowered);
  lowered = transform::LegalizeOps(target.kind)(lowered);
  if (target.kind == "llvm") lowered = transform::DefaultSchedule()(lowered);
  // Memory planning and freeing of dead values would come here too: the VM
  // codegen allocates every output on its own (alloc_tensor_simple).

  auto out = runtime::MakeObject<CompiledModuleObj>();
  out->target = target;
  out->lowered = lowered;
  ir::IRModule kernels = KernelsOf(lowered);
  if (!kernels.functions().empty()) out->kernels = codegen::Build(kernels, target);
  out->exec = codegen::VMCodegen(lowered);
  return CompiledModule(out);
}

CompiledModule Compile(const ir::IRModule& mod, const std::string& target) {
  return Compile(mod, codegen::Target::Parse(target));
}

KILN_REGISTER_FUNCTION("compile", [](runtime::Ref<ir::IRModuleNode> mod, std::string target) {
  return Compile(ir::IRModule(mod), target);
});

}  // namespace kiln
