// libdevice: NVIDIA's bitcode library of math functions (__nv_expf, ...),
// found in the CUDA toolkit and linked into kernels that call it.
#include <llvm/IR/Constants.h>
#include <llvm/IRReader/IRReader.h>
#include <llvm/Linker/Linker.h>
#include <llvm/Support/SourceMgr.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <vector>

#include "codegen_nvptx.h"
#include "kiln/runtime/env.h"
#include "kiln/runtime/error.h"

namespace kiln::codegen {

namespace fs = std::filesystem;

std::string FindLibdevice() {
  if (const char* env = runtime::GetEnv("KILN_LIBDEVICE")) return env;  // "": none
  const fs::path rel = "nvvm/libdevice/libdevice.10.bc";
  std::vector<fs::path> roots;
  if (const char* home = std::getenv("CUDA_HOME")) roots.emplace_back(home);
  roots.emplace_back("/usr/local/cuda");
  std::error_code ec;
  std::vector<fs::path> versioned;
  for (const fs::directory_entry& e : fs::directory_iterator("/usr/local", ec)) {
    if (e.path().filename().string().rfind("cuda-", 0) == 0) versioned.push_back(e.path());
  }
  std::sort(versioned.rbegin(), versioned.rend());  // the newest toolkit first
  roots.insert(roots.end(), versioned.begin(), versioned.end());
  for (const fs::path& root : roots) {
    if (fs::is_regular_file(root / rel, ec)) return (root / rel).string();
  }
  return "";
}

void LinkLibdevice(llvm::Module& module, const std::string& path) {
  llvm::SMDiagnostic error;
  std::unique_ptr<llvm::Module> lib = llvm::parseIRFile(path, error, module.getContext());
  KILN_CHECK(lib) << "cuda target: cannot read libdevice '" << path << "': " << error.getMessage().str();
  lib->setTargetTriple(module.getTargetTriple());
  lib->setDataLayout(module.getDataLayout());
  KILN_CHECK(!llvm::Linker::linkModules(module, std::move(lib), llvm::Linker::Flags::LinkOnlyNeeded))
      << "cuda target: cannot link libdevice '" << path << "'";
  // What __nvvm_reflect("__CUDA_FTZ") answers: keep denormals.
  module.addModuleFlag(llvm::Module::Override, "nvvm-reflect-ftz", uint32_t{0});
  // Only kernels are entry points; the optimizer drops the functions and
  // tables no kernel uses.
  for (llvm::Function& f : module) {
    if (!f.isDeclaration() && f.getCallingConv() != llvm::CallingConv::PTX_Kernel) {
      f.setLinkage(llvm::GlobalValue::InternalLinkage);
    }
  }
  for (llvm::GlobalVariable& g : module.globals()) {
    if (!g.isDeclaration()) g.setLinkage(llvm::GlobalValue::InternalLinkage);
  }
}

}  // namespace kiln::codegen
