// Build: the PrimFuncs of an IRModule compiled for a target into a runtime
// Module (kind "llvm", JIT-compiled on first use), and ExportLibrary, which
// writes such a module as a shared library that needs only libkiln_runtime.
#pragma once

#include <string>

#include "kiln/codegen/target.h"
#include "kiln/ir/module.h"
#include "kiln/runtime/module.h"

namespace kiln::codegen {

// Each PrimFunc (lowered with tir::LowerForCodegen first) becomes a function
// of the module under its global name, in the C convention of
// runtime/c_api.h: it checks its arguments (count, dtypes, shapes, strides,
// device, data alignment) and fails with a message naming the function
// and argument. Distinct buffer arguments of one call must not overlap (the
// code assumes they do not alias). GetSource gives "ll" (optimized LLVM IR)
// and "asm". Raises kiln::Error for a target other than llvm, a function
// that is not a PrimFunc, or a name the C library owns ("exp").
runtime::Module Build(const ir::IRModule& mod, const Target& target);
runtime::Module Build(const ir::IRModule& mod, const std::string& target = "llvm");

// Writes `module` (from Build) as a shared library at `path`: an object file
// from LLVM, linked by the system C compiler `cc` (cc -shared ... -lm).
void ExportLibrary(const runtime::Module& module, const std::string& path, const std::string& cc = "cc");

}  // namespace kiln::codegen
