// The FuseOps pass: groups the call_tir bindings of each dataflow block into
// relax functions marked "Primitive", one per group, for FuseTIR to merge
// into one kernel each.
#pragma once

#include "kiln/transform/pass.h"

namespace kiln::transform {

// FuseOps
//   Summary:     in each dataflow block, the bindings `v = call_tir(@f, ...)`
//                with a tensor result, whose PrimFunc has an "op_pattern",
//                are grouped. Bindings are visited in order; each one's
//                producers' groups (anchored groups first, then argument
//                order) merge into its group when their kinds allow it
//                (E elementwise, B broadcast, I injective, R reduction,
//                O out-ewise-fusable; a group's kind is its worst member's):
//                  I* -> I*          chains: (E|B|I) + (E|B|I) -> I
//                  I* -> R           prologue: (E|B|I) + R -> R
//                  O  -> E|B         epilogue, same output shape: O + (E|B) -> O
//                  R  -> E|B         epilogue: R + (E|B) -> R
//                An epilogue merge needs the producer's only use to be the
//                consumer (a matmul's result is not kept next to its
//                epilogue's); nothing merges into an O group from in front
//                of it, and opaque bindings never merge. A merge that would
//                put a binding outside the group on a path between two of
//                its members (a cycle) is refused. Each group of two or more
//                becomes `fused_<kernels>` (attr "Primitive"=1, no global
//                symbol; identical groups share one function): parameters
//                are the group's inputs (variables and constants) with their
//                struct info over fresh symbolic variables, plus a Shape
//                parameter for symbolic variables no input shape defines;
//                its result is each value used outside the group, a tuple
//                when there are several. The bindings are re-emitted in a
//                topological order close to the original one.
//   Runs after:  LegalizeOps, AnnotateTIROpPattern (bindings whose PrimFunc
//                has no "op_pattern" are opaque).
//   Opt level:   1.
//   Options:     none.
Pass FuseOps();

}  // namespace kiln::transform
