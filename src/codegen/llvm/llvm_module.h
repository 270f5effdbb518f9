// LLVMModuleObj: the runtime Module that Build returns (kind "llvm"). It owns
// the optimized LLVM module; on first use it emits an object file and loads
// it into an ORC LLJIT, and ExportLibrary links the same object file.
#pragma once

#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "kiln/codegen/target.h"
#include "kiln/runtime/c_api.h"
#include "kiln/runtime/module.h"

namespace llvm::orc {
class LLJIT;
}

namespace kiln::codegen {

class LLVMModuleObj final : public runtime::ModuleObj {
 public:
  LLVMModuleObj(Target target, std::unique_ptr<llvm::LLVMContext> context, std::unique_ptr<llvm::Module> module,
                std::vector<std::string> names);
  ~LLVMModuleObj() override;

  runtime::Function GetFunction(const std::string& name) override;
  std::string kind() const override { return "llvm"; }
  std::vector<std::string> FunctionNames() const override { return names_; }
  // "ll" (or ""): the optimized LLVM IR; "asm" (or "s"): assembly.
  std::string GetSource(const std::string& format) const override;

  // The module as an object file for the target (emitted once).
  std::string ObjectCode() const;
  const Target& target() const { return target_; }

 private:
  const std::string& ObjectCodeLocked() const;
  void StartJITLocked();

  Target target_;
  std::unique_ptr<llvm::LLVMContext> context_;
  std::unique_ptr<llvm::Module> module_;
  std::vector<std::string> names_;
  mutable std::mutex mu_;  // guards everything below and the LLVM context
  mutable std::string object_;
  std::unordered_map<std::string, KilnCFunc> functions_;
  std::unique_ptr<llvm::orc::LLJIT> jit_;  // declared last: destroyed first
};

// Writes each (suffix, contents) input to a temporary file (".o" objects,
// ".c" sources) and builds them into the shared library `path` with the C
// compiler `cc` (-shared -fPIC ... -lm); raises kiln::Error
// "<action> '<path>' failed: <command>" with the compiler's output when that fails.
void LinkSharedLibrary(const std::vector<std::pair<std::string, std::string>>& inputs, const std::string& path,
                       const std::string& cc, const std::string& action);

}  // namespace kiln::codegen
