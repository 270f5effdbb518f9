// LLVM's side of a Target: registering LLVM's targets, the TargetMachine for
// a kiln Target, the optimization pipeline, and emitting assembly or object
// code from a module.
#pragma once

#include <llvm/IR/Module.h>
#include <llvm/Target/TargetMachine.h>

#include <memory>
#include <string>

#include "kiln/codegen/target.h"

namespace kiln::codegen {

// Registers LLVM's targets once per process.
void InitializeLLVM();

// The TargetMachine for `target` (position-independent code, so one object
// serves the JIT and shared libraries). Raises kiln::Error naming an unknown
// triple.
std::unique_ptr<llvm::TargetMachine> CreateTargetMachine(const Target& target);

// Runs LLVM's default pipeline at the target's opt level.
void OptimizeModule(llvm::Module& module, llvm::TargetMachine& tm, int opt_level);

// Assembly text or object file bytes for `module` (which is left untouched).
std::string EmitMachineCode(const llvm::Module& module, llvm::TargetMachine& tm, bool assembly);

}  // namespace kiln::codegen
