// kiln::Compile: a relax module through a pipeline of passes, then codegen:
// the kernels with codegen::Build, the graph with the VM codegen.
#include "kiln/compile.h"

#include "kiln/codegen/build.h"
#include "kiln/codegen/vm_codegen.h"
#include "kiln/relax/expr.h"
#include "kiln/runtime/function.h"
#include "kiln/tir/function.h"
#include "kiln/transform/pipeline.h"

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

CompiledModule CompileLowered(const ir::IRModule& lowered, const codegen::Target& target) {
  auto out = runtime::MakeObject<CompiledModuleObj>();
  out->target = target;
  out->lowered = lowered;
  ir::IRModule kernels = KernelsOf(lowered);
  if (!kernels.functions().empty()) out->kernels = codegen::Build(kernels, target);
  out->exec = codegen::VMCodegen(lowered);
  return CompiledModule(out);
}

CompiledModule Compile(const ir::IRModule& mod, const codegen::Target& target, const transform::Pass& pipeline) {
  transform::Pass passes = pipeline ? pipeline : transform::GetPipeline("default", target.str());
  return CompileLowered(passes(mod), target);
}

CompiledModule Compile(const ir::IRModule& mod, const std::string& target, const transform::Pass& pipeline) {
  return Compile(mod, codegen::Target::Parse(target), pipeline);
}

KILN_REGISTER_FUNCTION("compile", [](runtime::Ref<ir::IRModuleNode> mod, std::string target) {
  return Compile(ir::IRModule(mod), target);
});

}  // namespace kiln
