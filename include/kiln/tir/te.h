// te, the compute DSL: ops are written as tensor expressions and turned into
// tir by create_prim_func. This is how every relax op is legalized.
//
//   Var n = SizeVar("n");
//   Tensor x = placeholder({n, 768}, DataType::Float(32), "x");
//   auto k = reduce_axis({0, 768});
//   Tensor s = compute({n}, [&](Var i) { return sum(x(i, k.var), {k}); }, "row_sum");
//   Tensor y = compute(x.shape(), [&](Var i, Var j) { return x(i, j) / s(i); }, "y");
//   PrimFunc f = create_prim_func({x}, {y});
//
// The PrimFunc's body is a root block "root" (no iteration variables) that
// allocates the buffers of intermediate stages (s above) and runs the stages
// in dependency order, each as loops around one block named after its buffer:
//
//   for i0 in [0, shape[0]) ... for k in [0, extent of k):   reduce loops innermost
//     block "row_sum": v_i0 spatial over [0, shape[0]) bound to i0, ...
//                      v_k reduce over dom(k) bound to k + min(k)
//       reads:  the regions one block instance reads: per dimension the point
//               [index, 1], the hull of several reads at constant offsets, or
//               the whole dimension (an index that reads memory, or reads
//               whose distance is not constant). A reduction's read of its own
//               output is implied by its init and not listed.
//       writes: the output element [v_i0, 1] ...
//       init:   out[v...] = init, or the reducer's identity   (reductions only)
//       body:   out[v...] = value, or combine(out[v...], source)
//
// Buffer and block names come from the tensors' names, made unique ("A",
// "A_1"); parameters are the input buffers, then the output buffers, then
// the scalars passed in.
#pragma once

#include "kiln/tir/te/create_prim_func.h"
#include "kiln/tir/te/reduce.h"
#include "kiln/tir/te/tensor.h"
