// VM codegen: the relax functions of a module, after LegalizeOps, as VM
// bytecode (an Executable of runtime/vm). Kernels (the module's PrimFuncs)
// are referenced by name as kernel entries of the function table; codegen::
// Build compiles them into the kernel module the VirtualMachine is given.
#pragma once

#include "kiln/ir/module.h"
#include "kiln/runtime/vm/executable.h"

namespace kiln::codegen {

// Each relax function of `mod` becomes a VM function of the same name, its
// parameters checked by the VM against their struct info. Bindings may be
// call_tir (and call_tir_inplace, call_dps_packed), calls of other relax
// functions or runtime functions (ExternFunc), tuples and their items, if,
// match_cast, constants, shapes and prim values; symbolic dimensions live in
// a per-call shape heap. call_tir outputs are allocated one by one
// (alloc_tensor_simple). Memory-planned functions (CallTIRRewrite,
// StaticPlanBlockMemory) are lowered too: builtin.alloc_tensor to
// alloc_tensor_simple, memory.alloc_storage / alloc_tensor to the VM's
// storage builtins, memory.kill_* to clearing the value's register, and a
// call of a PrimFunc's GlobalVar to a kernel call. Raises kiln::Error
// naming the function and what it cannot lower (an op that LegalizeOps left,
// a nested function, a dimension no parameter or match_cast defines).
runtime::vm::Executable VMCodegen(const ir::IRModule& mod);

}  // namespace kiln::codegen
