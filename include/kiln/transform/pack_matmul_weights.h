// The PackMatmulWeights pass: the weight of a matrix product by a constant
// or a model weight goes into panels of output columns once, ahead of time,
// instead of inside the kernel on every call.
#pragma once

#include <cstdint>

#include "kiln/transform/pass.h"

namespace kiln::transform {

// PackMatmulWeights
//   Summary:     rewrites
//                  linear(x, w, bias)  w (N, K)  -> linear(x, layout_transform(w, NK -> NK<b>n), bias,
//                                                          weight_layout="NK<b>n")
//                  matmul(x, w)        w (K, N)  -> linear(x, layout_transform(w, KN -> NK<b>n),
//                                                          weight_layout="NK<b>n")
//                  matmul(x, t), t = permute_dims(w), w (N, K)
//                                                -> linear(x, layout_transform(w, NK -> NK<b>n),
//                                                          weight_layout="NK<b>n")
//                (the transpose is left to DeadCodeElimination) where w is
//                a relax Constant or a weight parameter of the
//                function (one after the first "num_input" parameters, when
//                the function has that attribute), its shape is constant,
//                its dtype is a float, the panel width b divides N, and x
//                has rank 2 or more with more than one row (rows: the
//                product of x's dims but the last; symbolic counts pack).
//                When no panel width divides N (a vocabulary of 50257),
//                N >= 8 b and K >= 64, w gets zero features up to the next
//                multiple of b (concat with zeros, folded with the rest),
//                the bias too, and the result is
//                  strided_slice(linear(..), last axis, 0, N).
//                The packed weight (N / b, K, b) holds b columns of the
//                product side by side for each k, which is how the matmul
//                schedule's micro-kernel reads them. FoldConstant then packs
//                a constant once at compile time; LiftTransformParams lifts
//                the packing of a weight parameter out of the function. One
//                transform per weight and layout in a binding block. A
//                GEMV (one row) stays: the reduction schedule reads the
//                (N, K) weight along k directly.
//   Runs after:  Normalize (reads struct info). Before LegalizeOps (and so
//                before LiftTransformParams and FoldConstant).
//   Opt level:   2.
//   Options:     panel: b; 0 (default) takes two vectors of the result's
//                dtype on the host (32 float32 with AVX-512, 16 with AVX2),
//                or one when two do not divide N.
Pass PackMatmulWeights(int64_t panel = 0);

}  // namespace kiln::transform
