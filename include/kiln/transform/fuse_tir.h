// The FuseTIR pass: turns each "Primitive" relax function (a group FuseOps
// made) into one tir function, and its calls into call_tir.
#pragma once

#include "kiln/transform/pass.h"

namespace kiln::transform {

// FuseTIR
//   Summary:     each relax function with attr "Primitive" whose body is
//                call_tir bindings of tensors becomes one PrimFunc of the
//                same name: parameters are its tensor inputs (its constants
//                after them), then its results, then the symbolic variables
//                no parameter's shape defines (scalars, passed as tir_vars);
//                the body is a root block that allocates the intermediates
//                and the kernels' own buffers and runs the kernels' loop
//                nests in order, their symbolic dimensions bound to the
//                group's shapes and their variables, buffers and block
//                names made unique. Calls of the function become
//                call_tir(@fused, inputs, results' struct info[, tir_vars]).
//                The Primitive functions and the PrimFuncs only they called
//                are removed. Raises kiln::Error naming the function for a
//                body it cannot merge (other bindings, unknown shapes).
//   Runs after:  FuseOps; before DefaultSchedule, whose rules read the fused
//                chains of blocks.
//   Opt level:   1.
//   Options:     none.
Pass FuseTIR();

}  // namespace kiln::transform
