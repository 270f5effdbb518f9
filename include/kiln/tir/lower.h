// Lowering of tir to the form code generators consume: no blocks, and flat
// (one-dimensional) buffer accesses. Each step is a plain PrimFunc -> PrimFunc
// function; the pass infrastructure wraps them as passes.
#pragma once

#include "kiln/tir/function.h"

namespace kiln::tir {

// Replaces every Block by its body with the iteration variables substituted
// by their bindings. The init runs under `if` all reduce variables' bindings
// equal their domain minimum; a predicate becomes an `if`; alloc_buffers
// become Allocate statements around the block's statement.
PrimFunc LowerBlocks(const PrimFunc& func);

// Rewrites multi-dimensional loads and stores as one-dimensional accesses of
// a flat buffer that keeps the original's data variable (index = elem_offset
// + sum of index * stride, strides row-major unless the buffer has some).
// Allocate statements get the flat buffer too; buffer_map keeps the original
// buffers, whose shapes the callers check. Needs LowerBlocks first.
PrimFunc FlattenBuffers(const PrimFunc& func);

// Simplifies buffer indices (scalar ones, and ramp bases and strides) with
// arith::Analyzer, each loop variable bound to its loop's range.
PrimFunc SimplifyIndices(const PrimFunc& func);

// Everything a code generator needs, in order: LowerBlocks, FlattenBuffers,
// SimplifyIndices.
PrimFunc LowerForCodegen(const PrimFunc& func);

}  // namespace kiln::tir
