// kiln::Compile: a relax module through a pipeline of passes, then codegen:
// the kernels with codegen::Build, the graph with the VM codegen, and the
// modules external code generators made (RunCodegen) imported by the kernels.
#include "kiln/compile.h"

#include <algorithm>

#include "kiln/codegen/build.h"
#include "kiln/codegen/vm_codegen.h"
#include "kiln/relax/expr.h"
#include "kiln/runtime/function.h"
#include "kiln/tir/function.h"
#include "kiln/transform/pipeline.h"
#include "kiln/transform/run_codegen.h"

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

// Functions tagged for an external code generator must have been handed to it.
void CheckNoCodegenLeft(const ir::IRModule& mod) {
  for (const auto& [gv, func] : mod.functions()) {
    auto f = func.As<relax::FunctionNode>();
    std::string name = f ? f->attrs.Get<std::string>("Codegen", "") : "";
    KILN_CHECK(name.empty()) << "compile: function '" << gv->name << "' has attr Codegen=\"" << name
                             << "\" but was not handed to its code generator: the partition must run before "
                             << "the RunCodegen pass (in the default pipeline: insert it before \"RunCodegen\")";
  }
}

// The runtime modules RunCodegen recorded in the module's attributes.
std::vector<runtime::Module> ExternalModules(const ir::IRModule& mod) {
  std::vector<runtime::Module> out;
  if (std::optional<runtime::Any> mods = mod.attrs().Find(transform::kExternalModsAttr)) {
    for (const runtime::Any& m : mods->Cast<std::vector<runtime::Any>>()) out.push_back(m.Cast<runtime::Module>());
  }
  return out;
}

// The executable calls the external modules' functions by name through
// call_dps_packed; they are found in the kernel module (which imports those
// modules, and holds their code once exported), not in the global registry.
void ResolveExternalAsKernels(runtime::vm::ExecutableObj* exec, const std::vector<runtime::Module>& external) {
  for (runtime::vm::VMFunction& f : exec->functions) {
    if (f.kind != runtime::vm::FuncKind::kGlobal) continue;
    for (const runtime::Module& m : external) {
      std::vector<std::string> names = m.obj()->FunctionNames();  // asks no module to load its code
      bool defines = names.empty() ? m.GetFunction(f.name).defined()
                                   : std::find(names.begin(), names.end(), f.name) != names.end();
      if (defines) f.kind = runtime::vm::FuncKind::kKernel;
    }
  }
}

}  // namespace

CompiledModule CompileLowered(const ir::IRModule& lowered, const codegen::Target& target) {
  auto out = runtime::MakeObject<CompiledModuleObj>();
  out->target = target;
  out->lowered = lowered;
  CheckNoCodegenLeft(lowered);
  std::vector<runtime::Module> external = ExternalModules(lowered);
  ir::IRModule kernels = KernelsOf(lowered);
  if (!kernels.functions().empty() || !external.empty()) out->kernels = codegen::Build(kernels, target);
  for (const runtime::Module& m : external) out->kernels.Import(m);
  out->exec = codegen::VMCodegen(lowered);
  ResolveExternalAsKernels(out->exec.get(), external);
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
