// Lowering of tir to the form code generators consume: buffers allocated
// where they are used and no larger than one use needs, no blocks, loop
// kinds carried out (vector code, unrolled copies), boundary checks out of
// the main loops, and flat (one-dimensional) buffer accesses. Each step is a
// plain PrimFunc -> PrimFunc function; the pass infrastructure wraps them as
// passes. LowerForCodegen runs them in order.
#pragma once

#include "kiln/tir/function.h"

namespace kiln::tir {

// Moves each buffer of a block's alloc_buffers down to the lowest loop or
// block that encloses every use of it: a block keeps it in its own
// alloc_buffers, a loop's body is wrapped in a block "alloc" (no iteration
// variables, no regions) that allocates it. A use is attributed
// to the innermost block around it (loops inside a block's body may carry
// values from one iteration to the next); a buffer that a reduction block
// writes stays above the loops its reduce variables are bound to, since the
// partial sums live across their iterations. Uses in the allocating block's
// own body, outside any inner block, keep the buffer where it is. Assumes a
// valid block program: a spatial block instance reads only what is produced
// in the same iteration of the loops around both (what compute_at makes).
// Run before LowerBlocks.
PrimFunc PlanBufferAllocation(const PrimFunc& func);

// Shrinks each buffer of a block's alloc_buffers to the region one
// execution of the block touches: inner loop variables and block iteration
// variables (through their bindings) range over their domains, everything
// outside stays symbolic (Allocate statements are left as written). A
// dimension shrinks to a constant upper bound of the region's extent when
// that is smaller than the dimension (or, for a symbolic dimension, at most
// 65536), and its accesses and regions are rebased by the region's minimum;
// other dimensions stay as they are. Buffers with strides, an offset, views
// through other buffers or raw uses of their data pointer are left alone.
// Run after PlanBufferAllocation, before LowerBlocks.
PrimFunc CompactBufferAllocation(const PrimFunc& func);

// Replaces every Block by its body with the iteration variables substituted
// by their bindings. The init runs under `if` all reduce variables' bindings
// equal their domain minimum; a predicate becomes an `if`; alloc_buffers
// become Allocate statements around the block's statement.
PrimFunc LowerBlocks(const PrimFunc& func);

// Splits a loop whose body is guarded by conditions that fail only near its
// ends (i0*32 + i1 < n from a split by a factor that does not divide n, or
// a block predicate, once lowered) into a main loop where the analyzer
// proves the conditions for every iteration of the inner loops, without the
// checks, and head and tail loops that keep them. Conditions used are the
// conjuncts of `if` conditions that are comparisons linear in the loop
// variable. Failing that, a conjunct v == p (a reduction init's k == 0)
// peels iteration p, and the other iterations drop the if. Parts of one
// iteration lose their loop. Vectorized, unrolled and thread-bound loops are
// left whole (their constant extents matter more). Needs LowerBlocks first.
PrimFunc LoopPartition(const PrimFunc& func);

// Turns each vectorized loop with a constant extent (2 to 64) into vector
// code: the loop variable becomes Ramp(min, 1, lanes), loop invariants are
// broadcast, accesses take ramp indices, and `if`s that depend on the
// variable become selects where that is safe. A loop it cannot turn into
// vector code (a symbolic extent, an inner loop whose range depends on the
// variable, a call with no vector form, a store whose lanes could collide,
// a guarded store that might touch memory the loop does not) stays a serial
// loop: with the vectorize hint for LLVM when it is innermost, a plain one
// otherwise (LLVM vectorizes innermost loops only). Needs LowerBlocks first;
// runs before FlattenBuffers, whose flat indices keep the ramps.
PrimFunc VectorizeLoops(const PrimFunc& func);

// Replaces each unrolled loop with a constant extent (at most 256
// iterations, and a bounded amount of code) by copies of its body with the
// loop variable set to each value, conditions simplified; others stay loops
// with LLVM's unroll hint. Copies share the definitions inside the body
// (loops, lets, allocations), which never overlap in scope. Constant
// indices after unrolling are what lets LLVM keep a small local buffer in
// registers. Needs LowerBlocks first.
PrimFunc UnrollLoops(const PrimFunc& func);

// Rewrites multi-dimensional loads and stores as one-dimensional accesses of
// a flat buffer that keeps the original's data variable (index = elem_offset
// + sum of index * stride, strides row-major unless the buffer has some).
// Allocate and DeclBuffer statements get the flat buffer too; buffer_map
// keeps the original buffers, whose shapes the callers check. Needs
// LowerBlocks first.
PrimFunc FlattenBuffers(const PrimFunc& func);

// Simplifies buffer indices (scalar ones, ramp bases and strides, and other
// vector indices that fold into a ramp) with arith::Analyzer, each loop
// variable bound to its loop's range.
PrimFunc SimplifyIndices(const PrimFunc& func);

// Everything a code generator needs, in order: PlanBufferAllocation,
// CompactBufferAllocation, LowerBlocks, LoopPartition, VectorizeLoops,
// UnrollLoops, FlattenBuffers, SimplifyIndices.
PrimFunc LowerForCodegen(const PrimFunc& func);

}  // namespace kiln::tir
