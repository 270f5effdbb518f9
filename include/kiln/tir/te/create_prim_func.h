// create_prim_func: the tir PrimFunc that computes te tensors, one block per
// compute stage in dependency order; see te.h for the shape of the result.
#pragma once

#include <vector>

#include "kiln/tir/function.h"
#include "kiln/tir/te/tensor.h"

namespace kiln::tir::te {

// The PrimFunc computing `outputs` from `inputs`. Its parameters are one
// buffer per input, then one per output, in order, then `scalars`: the
// variables the computation uses that are not a whole dimension of an input
// or output (those are bound from the buffers). Raises kiln::Error when an
// output depends on a placeholder that is not an input, when a tensor is
// both input and output, or when a variable is left undefined.
PrimFunc create_prim_func(const std::vector<Tensor>& inputs, const std::vector<Tensor>& outputs,
                          const std::vector<Var>& scalars = {});

}  // namespace kiln::tir::te
