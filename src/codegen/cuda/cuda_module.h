// CUDAModuleObj: the runtime Module that Build returns for the cuda target
// (kind "cuda"). Device code only: the PTX of every kernel, the NVVM IR it
// came from and the launch configuration of each. This build has no CUDA
// runtime, so a kernel's Function raises kiln::Error when called.
#pragma once

#include <string>
#include <vector>

#include "kiln/codegen/cuda.h"
#include "kiln/codegen/target.h"
#include "kiln/runtime/module.h"

namespace kiln::codegen {

class CUDAModuleObj final : public runtime::ModuleObj {
 public:
  CUDAModuleObj(Target target, std::string ptx, std::string nvvm_ir, std::vector<KernelLaunch> launches);

  // For a kernel: a Function that raises kiln::Error (no CUDA runtime here);
  // undefined for other names.
  runtime::Function GetFunction(const std::string& name) override;
  std::string kind() const override { return "cuda"; }
  std::vector<std::string> FunctionNames() const override;
  // "ptx" (or ""): the PTX with the launch table as a comment header; "ll":
  // the optimized NVVM IR; "launch": the launch table alone.
  std::string GetSource(const std::string& format) const override;

  const std::vector<KernelLaunch>& launches() const { return launches_; }

 private:
  // One line per kernel, each starting with `comment`.
  std::string LaunchTable(const std::string& comment) const;

  Target target_;
  std::string ptx_;
  std::string nvvm_ir_;
  std::vector<KernelLaunch> launches_;
};

}  // namespace kiln::codegen
