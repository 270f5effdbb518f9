// What the matmul and conv rules share: finding the one reduction that sums
// products of two inputs (out += x * y), and turning its accumulator into a
// register tile with the function's elementwise epilogue folded into the
// tile's write-back.
#pragma once

#include <optional>
#include <vector>

#include "rule_util.h"

namespace kiln::tir::rules {

// The micro-kernels run a vector of multiply-adds per instruction: for the
// parallel threshold (options.min_parallel_work) this many of them count as
// one element of elementwise work.
inline constexpr int64_t kMultiplyAddsPerElement = 16;

// A load the product reads: its buffer, indices, and its position in the
// block's reads (what cache_read takes).
struct ProductOperand {
  Buffer buffer;
  std::vector<PrimExpr> indices;
  int read_index = -1;
};

// The anchor of a matmul-like or conv-like function: stages[stage] is its
// only reduction, `out[...] = out[...] + x * y` (either side maybe cast),
// x and y loads of two different buffers other than out.
struct ProductSum {
  size_t stage = 0;
  ProductOperand x, y;
};

// The product-sum stage, when the function has one reduction and it is one.
std::optional<ProductSum> FindProductSum(const Schedule& sch, const std::vector<Stage>& stages);

// Whether every index is an iteration variable of `block` or a constant
// (an einsum-like access, no window or strided indices).
bool AllBare(const BlockNode* block, const std::vector<PrimExpr>& indices);

// For each of `loops` (the loops around `block`), the iteration variable
// bound to exactly that loop; nullopt unless every loop runs one variable
// and every variable has its loop (the nest te writes).
std::optional<std::vector<size_t>> IterOfEachLoop(const Schedule& sch, const BlockNode* block,
                                                  const std::vector<LoopRV>& loops);

// Which iteration variables of `block` an index list uses.
std::vector<bool> UsedIters(const BlockNode* block, const std::vector<PrimExpr>& indices);

// The accumulator of stages[anchor] as a register tile: cache_write to a
// "local" buffer (its dimension `vector_dim`, when given, moved last so the
// vectorized accesses are contiguous), each elementwise stage after the
// anchor folded into the write-back (reverse_compute_inline, skipped where
// refused), the write-back moved under `tile` with its innermost loop
// vectorized, and the init moved out of the reduction at `first_reduce`.
// Returns the stages after the anchor that were not folded.
std::vector<Stage> AccumulateInRegisters(Schedule& sch, const std::vector<Stage>& stages, size_t anchor,
                                         const LoopRV& tile, const LoopRV& first_reduce,
                                         std::optional<size_t> vector_dim);

// The stages around the anchor that stayed at the root: vectorized and
// parallel as spatial nests.
void ScheduleRest(Schedule& sch, const std::vector<Stage>& rest, const CpuScheduleOptions& options);

}  // namespace kiln::tir::rules
