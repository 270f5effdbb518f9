// The code generators behind codegen::Build, one per target kind. Each takes
// an IRModule of PrimFuncs and returns a runtime Module with one function per
// PrimFunc (or, for device-only targets, a module that holds the source).
#pragma once

#include "kiln/codegen/target.h"
#include "kiln/ir/module.h"
#include "kiln/runtime/module.h"

namespace kiln::codegen {

// "llvm": native code for a CPU, JIT-compiled in process (llvm/llvm_module.cc).
runtime::Module BuildLLVM(const ir::IRModule& mod, const Target& target);

}  // namespace kiln::codegen
