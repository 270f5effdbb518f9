// The CallTIRRewrite pass: makes the allocation of destination-passing calls
// explicit in relax, the first step of memory planning.
#pragma once

#include "kiln/transform/pass.h"

namespace kiln::transform {

// CallTIRRewrite
//   Summary:     each `y = call_tir(f, (args...), out_sinfo[, tir_vars])`
//                becomes
//                    y = relax.builtin.alloc_tensor(shape(...), dtype=...)
//                    _ = @f(args..., y, prim(v)...)
//                (one allocation per output; a tuple of outputs binds y to
//                the tuple of allocations after the call). The kernel call
//                is a call of the PrimFunc's GlobalVar with the outputs
//                appended and the tir_vars as prim values: an impure call
//                whose result (an object) is not used. call_dps_packed is
//                rewritten the same way into a call of its ExternFunc.
//                Bindings now have effects, so every dataflow block of a
//                function becomes an ordinary binding block (its dataflow
//                variables ordinary variables). call_tir_inplace is left as
//                it is. Raises kiln::Error naming the function and callee
//                when an output's shape or dtype is unknown.
//   Runs after:  LegalizeOps and DefaultSchedule (the last passes that read
//                call_tir); StaticPlanBlockMemory runs after it.
//   Opt level:   0.
//   Options:     none.
Pass CallTIRRewrite();

}  // namespace kiln::transform
