// AnalyzeOpPattern: the fusion pattern kind of a tir function, read from its
// blocks, for functions that did not come from an op whose kind is known
// (every legalized op, hand-written kernels, fused kernels).
#pragma once

#include "kiln/ir/op_pattern.h"
#include "kiln/tir/function.h"

namespace kiln::tir {

// The function attribute that holds the kind (an int of ir::OpPattern);
// AnnotateTIROpPattern writes it and FuseOps reads it.
inline constexpr const char* kAttrOpPattern = "op_pattern";

// The kind of a te-shaped function: a root block whose children are loop
// nests around one block each (a body of one such nest also counts). Each
// block is classified by how its store and loads index buffers:
//   elementwise   out[v...] = f(in[v...])         every load at the store's indices
//   broadcast     out[v...] = f(in[sub(v)...])    loads at a subsequence of them, in
//                                                 order, or constants (size-1 dims)
//   injective     any other spatial block (reshape, transpose, pad, take)
//   reduction     a block with reduction iteration variables
// and the function takes the worst block's kind, except that one product-sum
// reduction (out += x * y over two loads: matmul, linear, conv) preceded by
// spatial blocks only (pad) and followed by elementwise or broadcast blocks
// only is kOutEWiseFusable. Anything else is kOpaque: blocks nested in
// blocks, code outside blocks, stores at indices other than the block's
// spatial variables, external calls, two product-sums.
ir::OpPattern AnalyzeOpPattern(const PrimFunc& func);

}  // namespace kiln::tir
