// Build: the PrimFuncs of an IRModule compiled for a target into a runtime
// Module, and ExportLibrary, which writes a CPU module as a shared library
// that needs only libkiln_runtime. The kinds: "llvm" (native code,
// JIT-compiled on first use), "c" (C source, compiled by the system C
// compiler on first use: codegen/c/) and "cuda" (device-only PTX kernels and
// their launch table, no host code: codegen/cuda.h).
#pragma once

#include <string>

#include "kiln/codegen/target.h"
#include "kiln/ir/module.h"
#include "kiln/runtime/module.h"

namespace kiln::codegen {

// For CPU targets (llvm, c) each PrimFunc (lowered with
// tir::LowerForCodegen first) becomes a function of the module under its
// global name, in the C convention of runtime/c_api.h: it checks its
// arguments (count, dtypes, shapes, strides, device, data alignment) and
// fails with a message naming the function and argument. Distinct buffer
// arguments of one call must not overlap (the code assumes they do not
// alias). GetSource gives "ll" (optimized LLVM IR) and "asm" for llvm, "c"
// for c, "ptx", "ll" and "launch" for cuda. Raises kiln::Error for a
// function that is not a PrimFunc, a name the C library owns ("exp"), or
// a cuda kernel without thread bindings.
runtime::Module Build(const ir::IRModule& mod, const Target& target);
runtime::Module Build(const ir::IRModule& mod, const std::string& target = "llvm");

// Writes `module` (from Build for llvm or c) as a shared library at `path`:
// an object file from LLVM or the C source, linked by the system C compiler
// `cc` (cc -shared ... -lm).
void ExportLibrary(const runtime::Module& module, const std::string& path, const std::string& cc = "cc");

}  // namespace kiln::codegen
