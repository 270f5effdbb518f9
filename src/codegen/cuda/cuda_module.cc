// Build for the cuda target (device code only) and the module it returns.
#include "cuda_module.h"

#include <llvm/IR/Verifier.h>
#include <llvm/MC/MCSubtargetInfo.h>
#include <llvm/Support/raw_ostream.h>

#include <algorithm>
#include <map>
#include <sstream>

#include "../backends.h"
#include "../llvm/llvm_target.h"
#include "codegen_nvptx.h"
#include "kiln/runtime/error.h"
#include "kiln/tir/printer.h"

namespace kiln::codegen {

namespace {

// The PTX ISA version each architecture needs at least (LLVM's own default,
// PTX 6.0, is too old for sm_72 and later, which ptxas then refuses).
std::string PTXFeature(const std::string& arch) {
  static const std::map<std::string, std::string> minimum = {
      {"sm_72", "+ptx61"}, {"sm_75", "+ptx63"}, {"sm_80", "+ptx70"}, {"sm_86", "+ptx71"},
      {"sm_87", "+ptx74"}, {"sm_89", "+ptx78"}, {"sm_90", "+ptx78"}};
  auto it = minimum.find(arch);
  return it == minimum.end() ? "" : it->second;
}

// The LLVM view of a cuda target: the NVPTX triple, the arch as the CPU.
Target NVPTXTarget(const Target& target) {
  Target t = target;
  t.triple = "nvptx64-nvidia-cuda";
  t.cpu = target.arch;
  std::string ptx = PTXFeature(target.arch);
  if (!ptx.empty()) t.features = {ptx};
  return t;
}

std::string Dims(const std::array<tir::PrimExpr, 3>& dims) {
  return "(" + tir::ToText(dims[0]) + ", " + tir::ToText(dims[1]) + ", " + tir::ToText(dims[2]) + ")";
}

}  // namespace

CUDAModuleObj::CUDAModuleObj(Target target, std::string ptx, std::string nvvm_ir, std::vector<KernelLaunch> launches)
    : target_(std::move(target)), ptx_(std::move(ptx)), nvvm_ir_(std::move(nvvm_ir)), launches_(std::move(launches)) {}

std::vector<std::string> CUDAModuleObj::FunctionNames() const {
  std::vector<std::string> names;
  for (const KernelLaunch& l : launches_) names.push_back(l.name);
  return names;
}

runtime::Function CUDAModuleObj::GetFunction(const std::string& name) {
  auto it = std::find_if(launches_.begin(), launches_.end(), [&](const KernelLaunch& l) { return l.name == name; });
  if (it == launches_.end()) return runtime::Function();
  return runtime::Function(name, [name](const runtime::Any*, int, runtime::Any*) {
    KILN_THROW() << "cuda kernel '" << name << "' cannot run: this build of Kiln has no CUDA runtime; the module "
                 << "holds device code only (get_source('ptx'), get_source('launch'))";
  });
}

std::string CUDAModuleObj::LaunchTable(const std::string& comment) const {
  std::ostringstream os;
  for (const KernelLaunch& l : launches_) {
    os << comment << l.name << ": grid " << Dims(l.grid) << " block " << Dims(l.block) << "\n";
  }
  return os.str();
}

std::string CUDAModuleObj::GetSource(const std::string& format) const {
  std::string header = "Kiln device code for " + target_.str() + " (no host code)\n";
  if (format.empty() || format == "ptx") {
    return "// " + header + "// launch configuration (grid = blockIdx extents, block = threadIdx extents):\n" +
           LaunchTable("//   ") + "\n" + ptx_;
  }
  if (format == "ll") {
    return "; " + header + "; launch configuration (grid = blockIdx extents, block = threadIdx extents):\n" +
           LaunchTable(";   ") + "\n" + nvvm_ir_;
  }
  KILN_CHECK(format == "launch") << "cuda module: no source in format '" << format << "' (available: ptx, ll, launch)";
  return LaunchTable("");
}

std::vector<KernelLaunch> CUDALaunchConfig(const runtime::Module& module) {
  const auto* m = dynamic_cast<const CUDAModuleObj*>(module.obj().get());
  KILN_CHECK(m) << "CUDALaunchConfig: expected a module built for cuda, got a " << module.kind() << " module";
  return m->launches();
}

runtime::Module BuildCUDA(const ir::IRModule& mod, const Target& target) {
  KILN_ICHECK(target.kind == "cuda") << "BuildCUDA: target " << target.str();
  Target nvptx = NVPTXTarget(target);
  std::unique_ptr<llvm::TargetMachine> tm = CreateTargetMachine(nvptx);
  KILN_CHECK(tm->getMCSubtargetInfo()->isCPUStringValid(target.arch))
      << "target '" << target.str() << "': LLVM's NVPTX backend does not know the architecture '" << target.arch
      << "' (e.g. sm_70, sm_80, sm_90)";
  llvm::LLVMContext context;
  llvm::Module module("kiln_cuda", context);
  module.setTargetTriple(nvptx.triple);
  module.setDataLayout(tm->createDataLayout());
  std::string libdevice = FindLibdevice();
  std::vector<KernelLaunch> launches;
  {
    CodeGenNVPTX cg(module, nvptx, !libdevice.empty());
    for (const auto& [name, func] : LoweredKernels(mod)) launches.push_back(cg.AddKernel(name, func));
  }
  // CodeGenLLVM declares the host runtime's API table; kernels never use it.
  if (llvm::GlobalVariable* api = module.getGlobalVariable("__kiln_runtime_api"); api && api->use_empty()) {
    api->eraseFromParent();
  }
  bool calls_libdevice = std::any_of(module.begin(), module.end(), [](const llvm::Function& f) {
    return f.isDeclaration() && f.getName().startswith("__nv_");
  });
  if (calls_libdevice) LinkLibdevice(module, libdevice);
  std::string errors;
  llvm::raw_string_ostream es(errors);
  KILN_ICHECK(!llvm::verifyModule(module, &es)) << "invalid NVVM IR was generated: " << es.str();
  OptimizeModule(module, *tm, target.opt_level);
  std::string ir;
  llvm::raw_string_ostream os(ir);
  module.print(os, nullptr);
  std::string ptx = EmitMachineCode(module, *tm, true);
  return runtime::Module(runtime::MakeObject<CUDAModuleObj>(target, std::move(ptx), std::move(os.str()), launches));
}

}  // namespace kiln::codegen
