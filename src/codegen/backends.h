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

// "c": C source compiled by the system C compiler on first use (c/build_c.cc).
runtime::Module BuildC(const ir::IRModule& mod, const Target& target);

// "cuda": device code only, one PTX kernel per PrimFunc through LLVM's NVPTX
// backend; the module holds the source and cannot run (cuda/cuda_module.cc).
runtime::Module BuildCUDA(const ir::IRModule& mod, const Target& target);

}  // namespace kiln::codegen
