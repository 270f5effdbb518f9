// Host detection through LLVM: the default CPU and features of `llvm`.
#include "kiln/codegen/host.h"

#include <llvm/ADT/StringMap.h>
#include <llvm/Config/llvm-config.h>
#include <llvm/TargetParser/Host.h>

#include <algorithm>

namespace kiln::codegen {

HostInfo DetectHost() {
  HostInfo info;
  info.llvm_version = LLVM_VERSION_STRING;
  info.cpu = llvm::sys::getHostCPUName().str();
  info.triple = llvm::sys::getProcessTriple();
  llvm::StringMap<bool> features;
  if (llvm::sys::getHostCPUFeatures(features)) {
    for (const auto& f : features) {
      if (f.second) info.features.push_back(f.first().str());
    }
  }
  std::sort(info.features.begin(), info.features.end());
  return info;
}

}  // namespace kiln::codegen
