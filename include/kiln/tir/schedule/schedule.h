// Schedule: transformations of the loop programs of an IRModule that keep
// their meaning. A schedule hands out handles ("random variables") to blocks,
// loops and sampled integers; every primitive checks its preconditions and
// raises kiln::Error naming the primitive, the block or loop, and why, rather
// than produce wrong code. Every call is recorded in a Trace that prints as
// text and replays on a fresh module.
//
//   Schedule sch(mod);
//   BlockRV c = sch.GetBlock("C");
//   std::vector<LoopRV> l = sch.GetLoops(c);               // i, j, k
//   std::vector<LoopRV> jt = sch.Split(l[1], {std::nullopt, 32});
//   sch.Vectorize(jt[1]);
//   sch.Parallel(l[0]);
//   std::cout << sch.trace().ToText();
//
// Handles stay valid while what they name exists: a block is known by its
// name (unique within its function), a loop by its variable. A loop that a
// primitive replaced (split, fuse, compute_at) is gone, and using its handle
// raises an error that says so.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "kiln/ir/module.h"
#include "kiln/tir/function.h"
#include "kiln/tir/schedule/index_map.h"
#include "kiln/tir/schedule/trace.h"

namespace kiln::tir {

namespace schedule {
class ScheduleState;
}

// A split factor: a constant, a sampled integer, or nullopt/None for the
// one factor inferred from the extent.
using SplitFactor = std::variant<std::monostate, int64_t, ExprRV>;
// An annotation value.
using AnnotationValue = std::variant<int64_t, double, std::string>;

class Schedule {
 public:
  // Over a module's PrimFuncs; `seed` makes sampling reproducible.
  explicit Schedule(ir::IRModule mod, uint64_t seed = 0);
  // Over one PrimFunc, held as the module's function "main".
  explicit Schedule(PrimFunc func, uint64_t seed = 0);
  ~Schedule();
  Schedule(Schedule&&) noexcept;
  Schedule& operator=(Schedule&&) noexcept;
  // A deep fork: the copy's module, trace, handles and random state evolve
  // independently of this one.
  Schedule Copy() const;

  // The module as scheduled so far, and the trace that produced it.
  const ir::IRModule& mod() const;
  const Trace& trace() const;
  // The value of a sampled integer; the name of a block; a loop's variable.
  int64_t Get(const ExprRV& rv) const;
  std::string Get(const BlockRV& rv) const;
  Var Get(const LoopRV& rv) const;
  // The statement a handle names now (a BlockNode or ForNode).
  Stmt GetStmt(const BlockRV& rv) const;
  Stmt GetStmt(const LoopRV& rv) const;

  // ---- Getting handles ----------------------------------------------------
  // The block `name`. `func` may be empty when the module has one PrimFunc or
  // only one of them has such a block.
  BlockRV GetBlock(const std::string& name, const std::string& func = "");
  // The loops around a block, outermost first, up to the enclosing block.
  std::vector<LoopRV> GetLoops(const BlockRV& block);
  // The blocks directly inside a block or loop (not inside nested blocks).
  std::vector<BlockRV> GetChildBlocks(const BlockRV& block);
  std::vector<BlockRV> GetChildBlocks(const LoopRV& loop);
  // The blocks of the same scope that write what `block` reads / read what
  // `block` writes.
  std::vector<BlockRV> GetProducers(const BlockRV& block);
  std::vector<BlockRV> GetConsumers(const BlockRV& block);

  // ---- Loops ----------------------------------------------------------------
  // Splits a loop into nested loops whose extents are `factors` (outermost
  // first). At most one factor may be nullopt: it becomes the ceiling of the
  // extent divided by the others. When the factors overshoot the extent the
  // blocks below get a predicate.
  std::vector<LoopRV> Split(const LoopRV& loop, const std::vector<SplitFactor>& factors,
                            bool preserve_unit_iters = true);
  // Fuses directly nested loops (outermost first) into one.
  LoopRV Fuse(const std::vector<LoopRV>& loops, bool preserve_unit_iters = true);
  // Puts loops that lie on one nest in the given order.
  void Reorder(const std::vector<LoopRV>& loops);
  void Parallel(const LoopRV& loop);
  void Vectorize(const LoopRV& loop);
  void Unroll(const LoopRV& loop);
  // Binds a loop to a GPU thread axis: "blockIdx.x", "threadIdx.y", ...
  void Bind(const LoopRV& loop, const std::string& thread_axis);
  void Annotate(const LoopRV& loop, const std::string& key, const AnnotationValue& value);
  void Annotate(const BlockRV& block, const std::string& key, const AnnotationValue& value);
  void Unannotate(const LoopRV& loop, const std::string& key);
  void Unannotate(const BlockRV& block, const std::string& key);

  // ---- Buffers and caches -----------------------------------------------------
  // A new block that copies the `read_index`-th buffer `block` reads into a
  // buffer of `scope`, from which `block` then reads. Returns the new block.
  BlockRV CacheRead(const BlockRV& block, int read_index, const std::string& scope);
  // A new block that copies the `write_index`-th buffer `block` writes from
  // a buffer of `scope` that `block` now writes. Returns the new block.
  BlockRV CacheWrite(const BlockRV& block, int write_index, const std::string& scope);
  // Changes the scope of a buffer the block writes and its scope allocates.
  void SetScope(const BlockRV& block, int write_index, const std::string& scope);
  // Pads the stride of `axis` of a written buffer so that it is
  // `offset` modulo `factor` (against cache bank conflicts and for aligned rows).
  void StorageAlign(const BlockRV& block, int write_index, int axis, int factor, int offset);
  // Rewrites a buffer that `block` reads (is_write false) or writes into the
  // layout given by `index_map`; every access in the function follows.
  void TransformLayout(const BlockRV& block, int buffer_index, bool is_write, const IndexMap& index_map);

  // ---- Moving and inlining blocks ----------------------------------------------
  // Moves a producer block under `loop` of its consumers, computing just the
  // region those iterations need.
  void ComputeAt(const BlockRV& block, const LoopRV& loop, bool preserve_unit_loops = false);
  // Moves a consumer block under `loop` of its producer.
  void ReverseComputeAt(const BlockRV& block, const LoopRV& loop, bool preserve_unit_loops = false);
  // Replaces the reads of an elementwise block's output by its expression.
  void ComputeInline(const BlockRV& block);
  // Folds an elementwise consumer into its single producer.
  void ReverseComputeInline(const BlockRV& block);

  // ---- Reductions -------------------------------------------------------------
  // Moves a reduction block's init into its own block placed before `loop`.
  // Returns the init block.
  BlockRV DecomposeReduction(const BlockRV& block, const LoopRV& loop);
  // Factors a reduction over `loop` into a partial result per iteration of
  // `loop` (a new buffer whose `factor_axis` runs over it) and a final
  // reduction. Returns the block computing the partial results.
  BlockRV RFactor(const LoopRV& loop, int factor_axis);
  // Pads the iteration space of an einsum-like block so each iteration
  // variable's extent is a multiple of `padding` (reads padded with zeros,
  // writes cropped), so that tiles divide evenly.
  void PadEinsum(const BlockRV& block, const std::vector<int64_t>& padding);

  // ---- Blocks and tensor intrinsics -----------------------------------------------
  // Makes the subtree under `loop` one block whose iterations are the loop's.
  BlockRV Blockize(const LoopRV& loop);
  // Replaces the computation under `loop` (or of `block`) by a tensor
  // intrinsic registered with TensorIntrin::Register, after checking that it
  // computes what the intrinsic's description computes.
  void Tensorize(const LoopRV& loop, const std::string& intrin);
  void Tensorize(const BlockRV& block, const std::string& intrin);

  // ---- Sampling -----------------------------------------------------------------
  // n factors whose product is the loop's (constant) extent, the innermost at
  // most max_innermost_factor. A decision replays a previous draw.
  std::vector<ExprRV> SamplePerfectTile(const LoopRV& loop, int n, int64_t max_innermost_factor,
                                        std::optional<std::vector<int64_t>> decision = std::nullopt);
  // One of `candidates` with the given probabilities; the decision is an index.
  ExprRV SampleCategorical(const std::vector<int64_t>& candidates, const std::vector<double>& probs,
                           std::optional<int64_t> decision = std::nullopt);
  // A loop under which `block` may be computed (ComputeAt), or the special
  // handles for "stay at the root" (decision -1) and "inline" (-2).
  LoopRV SampleComputeLocation(const BlockRV& block, std::optional<int64_t> decision = std::nullopt);

  // The state behind the handles (for the primitive implementations).
  schedule::ScheduleState& state();

 private:
  struct Impl;
  explicit Schedule(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace kiln::tir
