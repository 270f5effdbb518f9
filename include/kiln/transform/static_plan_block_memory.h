// The StaticPlanBlockMemory pass: intermediate tensors of a function share
// storage when their lifetimes do not overlap, decided at compile time.
#pragma once

#include "kiln/transform/pass.h"

namespace kiln::transform {

// StaticPlanBlockMemory
//   Summary:     in the top-level bindings of each relax function, every
//                `t = relax.builtin.alloc_tensor(shape, dtype)` whose tensor
//                does not escape (it is not returned, alone, in a tuple or
//                through any alias) becomes
//                    t = relax.memory.alloc_tensor(s, shape, dtype=...)
//                on a storage token `s = relax.memory.alloc_storage(shape(bytes))`
//                emitted before the token's first tensor. A tensor's lifetime
//                runs from its allocation to its last use, uses through
//                aliases included (tuples holding it, tuple items, values of
//                calls that take it, if expressions); a token whose tensors
//                are all dead is free for the next allocation. Constant sizes
//                take the smallest free token that holds them (else the
//                largest free token, grown); a token's size is the largest
//                tensor it holds. A symbolic size reuses only a free token of
//                the same size expression, unless the function's attribute
//                "tir_var_upper_bound" (a list of ["var name", bound] pairs)
//                bounds every variable in it: then it is planned at its upper
//                bound as a constant size (a run-time shape above the bound
//                fails in vm.builtin.alloc_tensor). After a tensor's last use
//                the pass emits `relax.memory.kill_tensor(t)`, and after the
//                last tensor of a token `relax.memory.kill_storage(s)`, so
//                the VM drops its references and the memory goes back to the
//                pool. Escaping tensors and allocations inside if branches
//                stay builtin.alloc_tensor; a function that still has
//                dataflow blocks (whose bindings must stay pure) is left as
//                it is.
//   Runs after:  CallTIRRewrite (it plans what that pass allocates).
//   Opt level:   0.
//   Options:     none.
Pass StaticPlanBlockMemory();

}  // namespace kiln::transform
