// Lowering of one relax function to the body of a VM function: the binding
// by binding translation of docs/deep_dive/runtime.md, "Lowering relax to
// bytecode". vm_codegen.cc drives it over a module.
#pragma once

#include <string>

#include "kiln/ir/module.h"
#include "kiln/relax/expr.h"
#include "kiln/runtime/vm/exec_builder.h"

namespace kiln::codegen::vm {

// Writes VM function `name` (its parameters, checks and body) into `b`.
// Functions of `mod` that it calls must be declared in `b` or are declared.
void LowerFunction(runtime::vm::ExecBuilder& b, const ir::IRModule& mod, const std::string& name,
                   const relax::Function& func);

}  // namespace kiln::codegen::vm
