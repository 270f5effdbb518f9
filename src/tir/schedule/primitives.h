// The schedule primitives as functions over a ScheduleState, one family per
// file in primitive/. Schedule (schedule.cc) resolves handles, calls these,
// and records the trace; these check preconditions (raising kiln::Error that
// names the primitive, the block or loop, and the reason) and rewrite.
//
// Conventions every primitive keeps:
//  - block names stay unique within a function (new blocks get
//    ScheduleState::UniqueBlockName);
//  - a block's reads/writes regions stay exact enough for later primitives
//    (recomputed for blocks whose body changed);
//  - a primitive that changes nothing (reorder into the current order) is
//    not an error;
//  - loop variables of new loops are fresh Vars (old LoopRefs to replaced
//    loops stop resolving).
#pragma once

#include <optional>
#include <random>
#include <string>
#include <vector>

#include "kiln/tir/schedule/index_map.h"
#include "kiln/tir/schedule/schedule.h"
#include "state.h"

namespace kiln::tir::schedule {

// ---- get.cc ----------------------------------------------------------------
BlockRef GetBlock(const ScheduleState& s, const std::string& name, const std::string& func);
std::vector<LoopRef> GetLoops(const ScheduleState& s, const BlockRef& block);
std::vector<BlockRef> GetChildBlocks(const ScheduleState& s, const BlockRef& block);
std::vector<BlockRef> GetChildBlocks(const ScheduleState& s, const LoopRef& loop);
std::vector<BlockRef> GetProducers(const ScheduleState& s, const BlockRef& block);
std::vector<BlockRef> GetConsumers(const ScheduleState& s, const BlockRef& block);

// ---- loop_transform.cc: split, fuse, reorder --------------------------------
// factors: nullopt for the one inferred factor.
std::vector<LoopRef> Split(ScheduleState& s, const LoopRef& loop, const std::vector<std::optional<int64_t>>& factors,
                           bool preserve_unit_iters);
LoopRef Fuse(ScheduleState& s, const std::vector<LoopRef>& loops, bool preserve_unit_iters);
void Reorder(ScheduleState& s, const std::vector<LoopRef>& loops);

// ---- for_kind.cc: parallel, vectorize, unroll, bind; annotate.cc -----------
// kind is kParallel, kVectorized, kUnrolled or kThreadBinding (with thread_axis).
void SetForKind(ScheduleState& s, const LoopRef& loop, ForKind kind, const std::string& thread_axis);
void Annotate(ScheduleState& s, const LoopRef& loop, const std::string& key, const AnnotationValue& value);
void Annotate(ScheduleState& s, const BlockRef& block, const std::string& key, const AnnotationValue& value);
void Unannotate(ScheduleState& s, const LoopRef& loop, const std::string& key);
void Unannotate(ScheduleState& s, const BlockRef& block, const std::string& key);

// ---- cache.cc: cache_read, cache_write; buffer_scope.cc: set_scope, storage_align
BlockRef CacheRead(ScheduleState& s, const BlockRef& block, int read_index, const std::string& scope);
BlockRef CacheWrite(ScheduleState& s, const BlockRef& block, int write_index, const std::string& scope);
void SetScope(ScheduleState& s, const BlockRef& block, int write_index, const std::string& scope);
void StorageAlign(ScheduleState& s, const BlockRef& block, int write_index, int axis, int factor, int offset);
// ---- layout.cc: transform_layout ----------------------------------------------
void TransformLayout(ScheduleState& s, const BlockRef& block, int buffer_index, bool is_write,
                     const IndexMap& index_map);

// ---- compute_at.cc ---------------------------------------------------------------
void ComputeAt(ScheduleState& s, const BlockRef& block, const LoopRef& loop, bool preserve_unit_loops);
void ReverseComputeAt(ScheduleState& s, const BlockRef& block, const LoopRef& loop, bool preserve_unit_loops);
// The loops `block` may be computed at (for sample_compute_location), outermost first.
std::vector<LoopRef> ComputeAtCandidates(const ScheduleState& s, const BlockRef& block);
// ---- compute_inline.cc -----------------------------------------------------------
void ComputeInline(ScheduleState& s, const BlockRef& block);
void ReverseComputeInline(ScheduleState& s, const BlockRef& block);
bool CanComputeInline(const ScheduleState& s, const BlockRef& block);

// ---- reduction.cc: decompose_reduction, rfactor; pad_einsum.cc -------------------
BlockRef DecomposeReduction(ScheduleState& s, const BlockRef& block, const LoopRef& loop);
BlockRef RFactor(ScheduleState& s, const LoopRef& loop, int factor_axis);
void PadEinsum(ScheduleState& s, const BlockRef& block, const std::vector<int64_t>& padding);

// ---- blockize.cc, tensorize.cc -------------------------------------------------------
BlockRef Blockize(ScheduleState& s, const LoopRef& loop);
void Tensorize(ScheduleState& s, const LoopRef& loop, const std::string& intrin);
void Tensorize(ScheduleState& s, const BlockRef& block, const std::string& intrin);

// ---- sampling.cc -----------------------------------------------------------------------
std::vector<int64_t> SamplePerfectTile(const ScheduleState& s, const LoopRef& loop, int n,
                                       int64_t max_innermost_factor, std::mt19937_64& rng);
int64_t SampleCategorical(const std::vector<int64_t>& candidates, const std::vector<double>& probs,
                          std::mt19937_64& rng);

}  // namespace kiln::tir::schedule
