// The FoldConstant pass: evaluates, at compile time and with Kiln itself, the
// bindings of relax functions whose values depend on constants only.
#pragma once

#include <cstdint>

#include "kiln/transform/pass.h"

namespace kiln::transform {

// FoldConstant
//   Summary:     in each relax function, a binding whose value can be
//                computed from constants alone becomes that constant:
//                - call_tir(f, (constants...), out_sinfo) with static output
//                  shapes: f is compiled for the host (llvm, unscheduled)
//                  and run on the constant arrays;
//                - a call of a registered op on constants (before
//                  LegalizeOps): the op's legalization for "llvm" is applied
//                  to that one call and evaluated the same way;
//                - a pure call whose struct info already knows its value (a
//                  shape with constant dimensions, a prim value) becomes a
//                  ShapeExpr or PrimValue, whatever its arguments;
//                - tuple_get_item of a tuple of constants.
//                Variables bound to constants (or tuples of them) count as
//                constants; uses keep the variables. Each distinct kernel
//                is compiled once per run. Left as they are: impure calls,
//                calls of functions and of call_dps_packed, symbolic output
//                shapes, results larger than the limit below, and ops whose
//                legalization fails. PrimFuncs no longer called stay for
//                DeadCodeElimination.
//   Runs after:  Normalize (needs struct info); in the default pipeline
//                after LegalizeOps and LiftTransformParams.
//   Opt level:   1.
//   Options:     the config key "relax.fold_constant.max_bytes" (int,
//                default 256 MiB): results with more bytes than this stay
//                computed at run time.
Pass FoldConstant();

// Statistic: the kernels FoldConstant has compiled in this process. A kernel
// structurally equal to one compiled before in the same run is not compiled
// again.
int64_t FoldConstantKernelsCompiled();

}  // namespace kiln::transform
