// One te compute as tir: loops over its shape (reduce axes innermost) around
// the one block that computes an element. Used by create_prim_func.
#pragma once

#include <unordered_map>

#include "kiln/tir/stmt.h"
#include "kiln/tir/te/tensor.h"

namespace kiln::tir::te {

// The buffer that stands for each tensor in the PrimFunc being built.
using BufferMap = std::unordered_map<const BufferNode*, Buffer>;

// The loop nest computing `t` (a compute) into buffers.at(t); every tensor
// it reads must have its buffer in `buffers`.
Stmt MakeStage(const Tensor& t, const BufferMap& buffers);

}  // namespace kiln::tir::te
