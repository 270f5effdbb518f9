// LLVM's side of a Target: target registration, TargetMachine creation, the
// optimization pipeline and machine-code emission.
#include "llvm_target.h"

#include <llvm/Analysis/CGSCCPassManager.h>
#include <llvm/Analysis/LoopAnalysisManager.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IR/PassManager.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Transforms/Utils/Cloning.h>

#include <mutex>

#include "kiln/runtime/error.h"

namespace kiln::codegen {

void InitializeLLVM() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeAllTargetInfos();
    llvm::InitializeAllTargets();
    llvm::InitializeAllTargetMCs();
    llvm::InitializeAllAsmPrinters();
  });
}

std::unique_ptr<llvm::TargetMachine> CreateTargetMachine(const Target& target) {
  InitializeLLVM();
  std::string error;
  const llvm::Target* t = llvm::TargetRegistry::lookupTarget(target.triple, error);
  KILN_CHECK(t) << "target '" << target.str() << "': LLVM does not know the triple '" << target.triple
                << "': " << error;
  llvm::TargetOptions options;
  options.AllowFPOpFusion = llvm::FPOpFusion::Standard;  // fuses llvm.fmuladd only
  if (target.fast_math) {
    options.AllowFPOpFusion = llvm::FPOpFusion::Fast;
    options.UnsafeFPMath = options.NoInfsFPMath = options.NoNaNsFPMath = options.NoSignedZerosFPMath = true;
  }
  llvm::CodeGenOpt::Level level = target.opt_level == 0   ? llvm::CodeGenOpt::None
                                  : target.opt_level == 1 ? llvm::CodeGenOpt::Less
                                  : target.opt_level == 2 ? llvm::CodeGenOpt::Default
                                                          : llvm::CodeGenOpt::Aggressive;
  std::unique_ptr<llvm::TargetMachine> tm(t->createTargetMachine(target.triple, target.cpu, target.FeatureString(),
                                                                 options, llvm::Reloc::PIC_, std::nullopt, level));
  KILN_CHECK(tm) << "target '" << target.str() << "': LLVM cannot create a target machine";
  return tm;
}

void OptimizeModule(llvm::Module& module, llvm::TargetMachine& tm, int opt_level) {
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder pb(&tm);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::OptimizationLevel level = opt_level == 0   ? llvm::OptimizationLevel::O0
                                  : opt_level == 1 ? llvm::OptimizationLevel::O1
                                  : opt_level == 2 ? llvm::OptimizationLevel::O2
                                                   : llvm::OptimizationLevel::O3;
  llvm::ModulePassManager mpm =
      opt_level == 0 ? pb.buildO0DefaultPipeline(level) : pb.buildPerModuleDefaultPipeline(level);
  mpm.run(module, mam);
}

std::string EmitMachineCode(const llvm::Module& module, llvm::TargetMachine& tm, bool assembly) {
  std::unique_ptr<llvm::Module> copy = llvm::CloneModule(module);  // code generation rewrites the IR
  llvm::SmallString<0> out;
  llvm::raw_svector_ostream os(out);
  llvm::legacy::PassManager pm;
  auto type = assembly ? llvm::CGFT_AssemblyFile : llvm::CGFT_ObjectFile;
  KILN_ICHECK(!tm.addPassesToEmitFile(pm, os, nullptr, type))
      << "LLVM cannot emit code for " << tm.getTargetTriple().str();
  pm.run(*copy);
  return std::string(out.str());
}

}  // namespace kiln::codegen
