// What the default schedule rules share: the stages of a te-shaped function
// (the blocks under its root block), reading loops and blocks through a
// schedule's handles, trying a step on a fork of the schedule, and the
// common loop treatment of a spatial nest (vectorize the innermost loop,
// fuse and parallelize the rest).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "kiln/tir/schedule/default_schedule.h"
#include "kiln/tir/schedule/schedule.h"

namespace kiln::tir::rules {

// A block directly under the root block, in program order.
struct Stage {
  BlockRV block;
  std::string name;
  bool reduction = false;  // has reduction iteration variables
  bool output = false;     // writes a buffer of the function's parameters
};

// The stages of the function "main" of `sch`: the child blocks of its root
// block. Nullopt when the body is not one block or a child holds blocks of
// its own (code the rules do not know).
std::optional<std::vector<Stage>> FindStages(Schedule& sch);

// The statement a handle names now. Valid until the next primitive runs.
const BlockNode* BlockOf(const Schedule& sch, const BlockRV& block);
const ForNode* LoopOf(const Schedule& sch, const LoopRV& loop);
std::optional<int64_t> ConstExtent(const Schedule& sch, const LoopRV& loop);

// The product of the extents of `loops` (symbolic extents stay symbolic).
PrimExpr ExtentProduct(const Schedule& sch, const std::vector<LoopRV>& loops);
// The number of instances of a block: the product of its iteration domains.
PrimExpr DomainSize(const BlockNode* block);
// Whether `work` may reach `threshold`: a symbolic amount may.
bool MayReach(const PrimExpr& work, int64_t threshold);

// Vector lanes for elements of `dtype` (1 to 64).
int64_t Lanes(const CpuScheduleOptions& options, DataType dtype);
// The largest divisor of n that is at most cap (1 when there is none above 1).
int64_t LargestDivisor(int64_t n, int64_t cap);
// The dtype of the first buffer a block writes.
DataType OutputDType(const BlockNode* block);

// The position in `loops` of the loop a block's iteration variable is bound
// to (its binding is exactly that loop's variable), or nullopt.
std::optional<size_t> LoopOfIter(const Schedule& sch, const std::vector<LoopRV>& loops, const IterVar& iv);

// The iteration variable of `block` that `e` is (a bare variable), or nullopt.
std::optional<size_t> IterIndex(const BlockNode* block, const PrimExpr& e);

// Runs `step` on a fork of `sch` and keeps the fork when the step returns
// normally; when a primitive raises kiln::Error the schedule stays as it was.
// Returns whether the step was kept.
bool Try(Schedule& sch, const std::function<void(Schedule&)>& step);

// The loops of a spatial block from position `first` on: the innermost one
// is split for vectors and vectorized when its extent is a constant multiple
// of 4 or more lanes, the others (with the outer part of that split, or the
// whole serial innermost loop when the others are too few) are fused, and
// the fused loop runs in parallel when `parallel` holds and the nest writes
// at least options.min_parallel_work elements. Steps the primitives refuse
// are skipped.
void ScheduleSpatialLoops(Schedule& sch, const BlockRV& block, size_t first, bool parallel,
                          const CpuScheduleOptions& options);

// Inlines (compute_inline) each stage that is not an output, has no
// reduction, and whose consumers each read it at one point (so nothing is
// computed twice per consumer); returns the stages that remain. A stage
// that calls an intrinsic (softmax's exp) and has several consumers stays:
// computed once, stored, read twice. Stages the primitive refuses stay.
std::vector<Stage> InlineStages(Schedule& sch, const std::vector<Stage>& stages);

// The rules, one per file. Each returns false, having changed nothing, when
// the function lacks its pattern; raises kiln::Error when a primitive
// refuses a step it cannot do without.
bool ScheduleConvBlocked(Schedule& sch, const std::vector<Stage>& stages, const CpuScheduleOptions& options);
bool ScheduleConv(Schedule& sch, const std::vector<Stage>& stages, const CpuScheduleOptions& options);
bool ScheduleConvDepthwise(Schedule& sch, const std::vector<Stage>& stages, const CpuScheduleOptions& options);
bool ScheduleMatmul(Schedule& sch, const std::vector<Stage>& stages, const CpuScheduleOptions& options);
// The matmul rule for a B packed in panels ahead of time (linear's
// weight_layout "NK<b>n"), tried before the conv rules, which would take its
// panel indices for a convolution window.
bool SchedulePackedMatmul(Schedule& sch, const std::vector<Stage>& stages, const CpuScheduleOptions& options);
bool ScheduleReduction(Schedule& sch, const std::vector<Stage>& stages, const CpuScheduleOptions& options);
// A copy whose output and input run along different innermost loops (a
// transpose, a layout_transform to or from a blocked layout), in tiles.
bool ScheduleLayoutTransform(Schedule& sch, const std::vector<Stage>& stages, const CpuScheduleOptions& options);
bool ScheduleInjective(Schedule& sch, const std::vector<Stage>& stages, const CpuScheduleOptions& options);

}  // namespace kiln::tir::rules
