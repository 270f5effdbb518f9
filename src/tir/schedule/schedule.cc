// Schedule: handles, the trace, and the dispatch of every primitive to its
// implementation in primitive/. Each public method resolves its handles,
// runs the primitive, hands out handles for what it made, and records one
// instruction; a primitive that raises records nothing and changes nothing.
#include "kiln/tir/schedule/schedule.h"

#include <sstream>

#include "primitives.h"

namespace kiln::tir {

using schedule::BlockRef;
using schedule::LoopRef;
using schedule::ScheduleState;

namespace {

// What a handle names. Locations from sample_compute_location may be the
// special "root" (stay) and "inline" places.
struct RVEntry {
  enum class Kind { kBlock, kLoop, kExpr, kRootLocation, kInlineLocation } kind;
  BlockRef block;
  LoopRef loop;
  int64_t value = 0;
};

TraceValue Value(const std::string& s) { return TraceValue::String(s); }
TraceValue Value(int64_t v) { return TraceValue::Int(v); }
TraceValue Value(bool v) { return TraceValue::Bool(v); }
TraceValue Value(const BlockRV& rv) { return TraceValue::Of(rv); }
TraceValue Value(const LoopRV& rv) { return TraceValue::Of(rv); }
TraceValue Value(const ExprRV& rv) { return TraceValue::Of(rv); }
TraceValue Value(const AnnotationValue& v) {
  if (auto* i = std::get_if<int64_t>(&v)) return TraceValue::Int(*i);
  if (auto* f = std::get_if<double>(&v)) return TraceValue::Float(*f);
  return TraceValue::String(std::get<std::string>(v));
}
TraceValue Value(const SplitFactor& f) {
  if (auto* i = std::get_if<int64_t>(&f)) return TraceValue::Int(*i);
  if (auto* rv = std::get_if<ExprRV>(&f)) return TraceValue::Of(*rv);
  return TraceValue::None();
}
template <typename T>
TraceValue Value(const std::vector<T>& v) {
  std::vector<TraceValue> out;
  for (const T& x : v) out.push_back(Value(x));
  return TraceValue::List(std::move(out));
}

}  // namespace

struct Schedule::Impl {
  ScheduleState state;
  Trace trace;
  std::vector<RVEntry> rvs;
  std::mt19937_64 rng;

  Impl(ir::IRModule mod, uint64_t seed) : state(std::move(mod)), rng(seed) {}

  const RVEntry& Entry(int64_t id, const char* what) const {
    KILN_CHECK(id >= 0 && static_cast<size_t>(id) < rvs.size())
        << "schedule: " << what << " handle " << id << " does not belong to this schedule";
    return rvs[id];
  }
  BlockRef Block(const BlockRV& rv) const {
    const RVEntry& e = Entry(rv.id, "block");
    KILN_CHECK(e.kind == RVEntry::Kind::kBlock) << "schedule: handle " << rv.id << " is not a block";
    return e.block;
  }
  LoopRef Loop(const LoopRV& rv) const {
    const RVEntry& e = Entry(rv.id, "loop");
    KILN_CHECK(e.kind == RVEntry::Kind::kLoop)
        << "schedule: handle " << rv.id << " is not a loop"
        << (e.kind == RVEntry::Kind::kRootLocation || e.kind == RVEntry::Kind::kInlineLocation
                ? " (it is the root or inline location of sample_compute_location)"
                : "");
    return e.loop;
  }
  int64_t Expr(const ExprRV& rv) const {
    const RVEntry& e = Entry(rv.id, "sampled value");
    KILN_CHECK(e.kind == RVEntry::Kind::kExpr) << "schedule: handle " << rv.id << " is not a sampled value";
    return e.value;
  }
  BlockRV Add(const BlockRef& b) {
    rvs.push_back({RVEntry::Kind::kBlock, b, {}, 0});
    return BlockRV{static_cast<int64_t>(rvs.size() - 1)};
  }
  LoopRV Add(const LoopRef& l) {
    rvs.push_back({RVEntry::Kind::kLoop, {}, l, 0});
    return LoopRV{static_cast<int64_t>(rvs.size() - 1)};
  }
  LoopRV AddLocation(RVEntry::Kind kind) {
    rvs.push_back({kind, {}, {}, 0});
    return LoopRV{static_cast<int64_t>(rvs.size() - 1)};
  }
  ExprRV Add(int64_t v) {
    rvs.push_back({RVEntry::Kind::kExpr, {}, {}, v});
    return ExprRV{static_cast<int64_t>(rvs.size() - 1)};
  }
  template <typename T>
  std::vector<decltype(std::declval<Impl>().Add(std::declval<T>()))> AddAll(const std::vector<T>& refs) {
    std::vector<decltype(Add(std::declval<T>()))> out;
    for (const T& r : refs) out.push_back(Add(r));
    return out;
  }
  std::vector<LoopRef> Loops(const std::vector<LoopRV>& rvs_in) const {
    std::vector<LoopRef> out;
    for (const LoopRV& rv : rvs_in) out.push_back(Loop(rv));
    return out;
  }

  void Record(std::string kind, std::vector<std::pair<std::string, TraceValue>> args, std::vector<TraceValue> outputs,
              TraceValue decision = {}) {
    trace.Append(Instruction{std::move(kind), std::move(args), std::move(outputs), std::move(decision)});
  }
};

Schedule::Schedule(ir::IRModule mod, uint64_t seed) : impl_(std::make_unique<Impl>(std::move(mod), seed)) {}
Schedule::Schedule(PrimFunc func, uint64_t seed)
    : Schedule(ir::IRModule({{ir::MakeGlobalVar("main"), func}}), seed) {}
Schedule::Schedule(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Schedule::~Schedule() = default;
Schedule::Schedule(Schedule&&) noexcept = default;
Schedule& Schedule::operator=(Schedule&&) noexcept = default;

Schedule Schedule::Copy() const { return Schedule(std::make_unique<Impl>(*impl_)); }

const ir::IRModule& Schedule::mod() const { return impl_->state.mod(); }
const Trace& Schedule::trace() const { return impl_->trace; }
schedule::ScheduleState& Schedule::state() { return impl_->state; }

int64_t Schedule::Get(const ExprRV& rv) const { return impl_->Expr(rv); }
std::string Schedule::Get(const BlockRV& rv) const { return impl_->Block(rv).name; }
Var Schedule::Get(const LoopRV& rv) const { return impl_->Loop(rv).var; }
Stmt Schedule::GetStmt(const BlockRV& rv) const { return impl_->state.Find(impl_->Block(rv), "get").stmt(); }
Stmt Schedule::GetStmt(const LoopRV& rv) const { return impl_->state.Find(impl_->Loop(rv), "get").stmt(); }

// ---- Getting handles ------------------------------------------------------------

BlockRV Schedule::GetBlock(const std::string& name, const std::string& func) {
  BlockRef b = schedule::GetBlock(impl_->state, name, func);
  BlockRV rv = impl_->Add(b);
  impl_->Record("get_block", {{"name", Value(name)}, {"func", Value(b.func)}}, {Value(rv)});
  return rv;
}

std::vector<LoopRV> Schedule::GetLoops(const BlockRV& block) {
  auto out = impl_->AddAll(schedule::GetLoops(impl_->state, impl_->Block(block)));
  impl_->Record("get_loops", {{"block", Value(block)}}, Value(out).list);
  return out;
}

std::vector<BlockRV> Schedule::GetChildBlocks(const BlockRV& block) {
  auto out = impl_->AddAll(schedule::GetChildBlocks(impl_->state, impl_->Block(block)));
  impl_->Record("get_child_blocks", {{"block_or_loop", Value(block)}}, Value(out).list);
  return out;
}

std::vector<BlockRV> Schedule::GetChildBlocks(const LoopRV& loop) {
  auto out = impl_->AddAll(schedule::GetChildBlocks(impl_->state, impl_->Loop(loop)));
  impl_->Record("get_child_blocks", {{"block_or_loop", Value(loop)}}, Value(out).list);
  return out;
}

std::vector<BlockRV> Schedule::GetProducers(const BlockRV& block) {
  auto out = impl_->AddAll(schedule::GetProducers(impl_->state, impl_->Block(block)));
  impl_->Record("get_producers", {{"block", Value(block)}}, Value(out).list);
  return out;
}

std::vector<BlockRV> Schedule::GetConsumers(const BlockRV& block) {
  auto out = impl_->AddAll(schedule::GetConsumers(impl_->state, impl_->Block(block)));
  impl_->Record("get_consumers", {{"block", Value(block)}}, Value(out).list);
  return out;
}

// ---- Loops ----------------------------------------------------------------------

std::vector<LoopRV> Schedule::Split(const LoopRV& loop, const std::vector<SplitFactor>& factors,
                                    bool preserve_unit_iters) {
  std::vector<std::optional<int64_t>> values;
  for (const SplitFactor& f : factors) {
    if (auto* i = std::get_if<int64_t>(&f)) {
      values.push_back(*i);
    } else if (auto* rv = std::get_if<ExprRV>(&f)) {
      values.push_back(impl_->Expr(*rv));
    } else {
      values.push_back(std::nullopt);
    }
  }
  auto out = impl_->AddAll(schedule::Split(impl_->state, impl_->Loop(loop), values, preserve_unit_iters));
  impl_->Record("split",
                {{"loop", Value(loop)}, {"factors", Value(factors)}, {"preserve_unit_iters", Value(preserve_unit_iters)}},
                Value(out).list);
  return out;
}

LoopRV Schedule::Fuse(const std::vector<LoopRV>& loops, bool preserve_unit_iters) {
  LoopRV out = impl_->Add(schedule::Fuse(impl_->state, impl_->Loops(loops), preserve_unit_iters));
  impl_->Record("fuse", {{"loops", Value(loops)}, {"preserve_unit_iters", Value(preserve_unit_iters)}}, {Value(out)});
  return out;
}

void Schedule::Reorder(const std::vector<LoopRV>& loops) {
  schedule::Reorder(impl_->state, impl_->Loops(loops));
  impl_->Record("reorder", {{"loops", Value(loops)}}, {});
}

void Schedule::Parallel(const LoopRV& loop) {
  schedule::SetForKind(impl_->state, impl_->Loop(loop), ForKind::kParallel, "");
  impl_->Record("parallel", {{"loop", Value(loop)}}, {});
}

void Schedule::Vectorize(const LoopRV& loop) {
  schedule::SetForKind(impl_->state, impl_->Loop(loop), ForKind::kVectorized, "");
  impl_->Record("vectorize", {{"loop", Value(loop)}}, {});
}

void Schedule::Unroll(const LoopRV& loop) {
  schedule::SetForKind(impl_->state, impl_->Loop(loop), ForKind::kUnrolled, "");
  impl_->Record("unroll", {{"loop", Value(loop)}}, {});
}

void Schedule::Bind(const LoopRV& loop, const std::string& thread_axis) {
  schedule::SetForKind(impl_->state, impl_->Loop(loop), ForKind::kThreadBinding, thread_axis);
  impl_->Record("bind", {{"loop", Value(loop)}, {"thread_axis", Value(thread_axis)}}, {});
}

void Schedule::Annotate(const LoopRV& loop, const std::string& key, const AnnotationValue& value) {
  schedule::Annotate(impl_->state, impl_->Loop(loop), key, value);
  impl_->Record("annotate", {{"block_or_loop", Value(loop)}, {"key", Value(key)}, {"value", Value(value)}}, {});
}

void Schedule::Annotate(const BlockRV& block, const std::string& key, const AnnotationValue& value) {
  schedule::Annotate(impl_->state, impl_->Block(block), key, value);
  impl_->Record("annotate", {{"block_or_loop", Value(block)}, {"key", Value(key)}, {"value", Value(value)}}, {});
}

void Schedule::Unannotate(const LoopRV& loop, const std::string& key) {
  schedule::Unannotate(impl_->state, impl_->Loop(loop), key);
  impl_->Record("unannotate", {{"block_or_loop", Value(loop)}, {"key", Value(key)}}, {});
}

void Schedule::Unannotate(const BlockRV& block, const std::string& key) {
  schedule::Unannotate(impl_->state, impl_->Block(block), key);
  impl_->Record("unannotate", {{"block_or_loop", Value(block)}, {"key", Value(key)}}, {});
}

// ---- Buffers and caches -----------------------------------------------------------

BlockRV Schedule::CacheRead(const BlockRV& block, int read_index, const std::string& scope) {
  BlockRV out = impl_->Add(schedule::CacheRead(impl_->state, impl_->Block(block), read_index, scope));
  impl_->Record("cache_read",
                {{"block", Value(block)}, {"read_index", Value(int64_t{read_index})}, {"scope", Value(scope)}},
                {Value(out)});
  return out;
}

BlockRV Schedule::CacheWrite(const BlockRV& block, int write_index, const std::string& scope) {
  BlockRV out = impl_->Add(schedule::CacheWrite(impl_->state, impl_->Block(block), write_index, scope));
  impl_->Record("cache_write",
                {{"block", Value(block)}, {"write_index", Value(int64_t{write_index})}, {"scope", Value(scope)}},
                {Value(out)});
  return out;
}

void Schedule::SetScope(const BlockRV& block, int write_index, const std::string& scope) {
  schedule::SetScope(impl_->state, impl_->Block(block), write_index, scope);
  impl_->Record("set_scope",
                {{"block", Value(block)}, {"write_index", Value(int64_t{write_index})}, {"scope", Value(scope)}}, {});
}

void Schedule::StorageAlign(const BlockRV& block, int write_index, int axis, int factor, int offset) {
  schedule::StorageAlign(impl_->state, impl_->Block(block), write_index, axis, factor, offset);
  impl_->Record("storage_align",
                {{"block", Value(block)},
                 {"write_index", Value(int64_t{write_index})},
                 {"axis", Value(int64_t{axis})},
                 {"factor", Value(int64_t{factor})},
                 {"offset", Value(int64_t{offset})}},
                {});
}

void Schedule::TransformLayout(const BlockRV& block, int buffer_index, bool is_write, const IndexMap& index_map) {
  schedule::TransformLayout(impl_->state, impl_->Block(block), buffer_index, is_write, index_map);
  impl_->Record("transform_layout",
                {{"block", Value(block)},
                 {"buffer_index", Value(int64_t{buffer_index})},
                 {"is_write", Value(is_write)},
                 {"index_map", Value(index_map.ToText())}},
                {});
}

// ---- Moving and inlining blocks -------------------------------------------------------

void Schedule::ComputeAt(const BlockRV& block, const LoopRV& loop, bool preserve_unit_loops) {
  const RVEntry& where = impl_->Entry(loop.id, "loop");
  if (where.kind == RVEntry::Kind::kInlineLocation) {
    schedule::ComputeInline(impl_->state, impl_->Block(block));
  } else if (where.kind != RVEntry::Kind::kRootLocation) {
    schedule::ComputeAt(impl_->state, impl_->Block(block), impl_->Loop(loop), preserve_unit_loops);
  }
  impl_->Record("compute_at",
                {{"block", Value(block)}, {"loop", Value(loop)}, {"preserve_unit_loops", Value(preserve_unit_loops)}},
                {});
}

void Schedule::ReverseComputeAt(const BlockRV& block, const LoopRV& loop, bool preserve_unit_loops) {
  schedule::ReverseComputeAt(impl_->state, impl_->Block(block), impl_->Loop(loop), preserve_unit_loops);
  impl_->Record("reverse_compute_at",
                {{"block", Value(block)}, {"loop", Value(loop)}, {"preserve_unit_loops", Value(preserve_unit_loops)}},
                {});
}

void Schedule::ComputeInline(const BlockRV& block) {
  schedule::ComputeInline(impl_->state, impl_->Block(block));
  impl_->Record("compute_inline", {{"block", Value(block)}}, {});
}

void Schedule::ReverseComputeInline(const BlockRV& block) {
  schedule::ReverseComputeInline(impl_->state, impl_->Block(block));
  impl_->Record("reverse_compute_inline", {{"block", Value(block)}}, {});
}

// ---- Reductions -------------------------------------------------------------------------

BlockRV Schedule::DecomposeReduction(const BlockRV& block, const LoopRV& loop) {
  BlockRV out = impl_->Add(schedule::DecomposeReduction(impl_->state, impl_->Block(block), impl_->Loop(loop)));
  impl_->Record("decompose_reduction", {{"block", Value(block)}, {"loop", Value(loop)}}, {Value(out)});
  return out;
}

BlockRV Schedule::RFactor(const LoopRV& loop, int factor_axis) {
  BlockRV out = impl_->Add(schedule::RFactor(impl_->state, impl_->Loop(loop), factor_axis));
  impl_->Record("rfactor", {{"loop", Value(loop)}, {"factor_axis", Value(int64_t{factor_axis})}}, {Value(out)});
  return out;
}

void Schedule::PadEinsum(const BlockRV& block, const std::vector<int64_t>& padding) {
  schedule::PadEinsum(impl_->state, impl_->Block(block), padding);
  impl_->Record("pad_einsum", {{"block", Value(block)}, {"padding", Value(padding)}}, {});
}

// ---- Blocks and tensor intrinsics ---------------------------------------------------------

BlockRV Schedule::Blockize(const LoopRV& loop) {
  BlockRV out = impl_->Add(schedule::Blockize(impl_->state, impl_->Loop(loop)));
  impl_->Record("blockize", {{"loop", Value(loop)}}, {Value(out)});
  return out;
}

void Schedule::Tensorize(const LoopRV& loop, const std::string& intrin) {
  schedule::Tensorize(impl_->state, impl_->Loop(loop), intrin);
  impl_->Record("tensorize", {{"block_or_loop", Value(loop)}, {"intrin", Value(intrin)}}, {});
}

void Schedule::Tensorize(const BlockRV& block, const std::string& intrin) {
  schedule::Tensorize(impl_->state, impl_->Block(block), intrin);
  impl_->Record("tensorize", {{"block_or_loop", Value(block)}, {"intrin", Value(intrin)}}, {});
}

// ---- Sampling ---------------------------------------------------------------------------------

std::vector<ExprRV> Schedule::SamplePerfectTile(const LoopRV& loop, int n, int64_t max_innermost_factor,
                                                std::optional<std::vector<int64_t>> decision) {
  LoopRef l = impl_->Loop(loop);
  std::vector<int64_t> factors;
  if (decision) {
    const ForNode* f = impl_->state.Find(l, "sample_perfect_tile").loop();
    auto extent = ConstIntValue(f->extent);
    KILN_CHECK(static_cast<int>(decision->size()) == n)
        << "sample_perfect_tile: the decision has " << decision->size() << " factors, not " << n;
    int64_t product = 1;
    for (int64_t d : *decision) product *= d;
    KILN_CHECK(extent && product == *extent)
        << "sample_perfect_tile: the decision's factors multiply to " << product << ", not to the extent of loop '"
        << l.var.name() << "'";
    factors = *decision;
  } else {
    factors = schedule::SamplePerfectTile(impl_->state, l, n, max_innermost_factor, impl_->rng);
  }
  auto out = impl_->AddAll(factors);
  impl_->Record("sample_perfect_tile",
                {{"loop", Value(loop)}, {"n", Value(int64_t{n})}, {"max_innermost_factor", Value(max_innermost_factor)}},
                Value(out).list, Value(factors));
  return out;
}

ExprRV Schedule::SampleCategorical(const std::vector<int64_t>& candidates, const std::vector<double>& probs,
                                   std::optional<int64_t> decision) {
  int64_t index;
  if (decision) {
    KILN_CHECK(*decision >= 0 && static_cast<size_t>(*decision) < candidates.size())
        << "sample_categorical: decision " << *decision << " is not an index of the " << candidates.size()
        << " candidates";
    index = *decision;
  } else {
    index = schedule::SampleCategorical(candidates, probs, impl_->rng);
  }
  ExprRV out = impl_->Add(candidates[index]);
  std::vector<TraceValue> p;
  for (double x : probs) p.push_back(TraceValue::Float(x));
  impl_->Record("sample_categorical", {{"candidates", Value(candidates)}, {"probs", TraceValue::List(p)}},
                {Value(out)}, Value(index));
  return out;
}

LoopRV Schedule::SampleComputeLocation(const BlockRV& block, std::optional<int64_t> decision) {
  BlockRef b = impl_->Block(block);
  std::vector<LoopRef> candidates = schedule::ComputeAtCandidates(impl_->state, b);
  bool can_inline = schedule::CanComputeInline(impl_->state, b);
  int64_t index;
  if (decision) {
    KILN_CHECK(*decision >= -2 && *decision < static_cast<int64_t>(candidates.size()))
        << "sample_compute_location: decision " << *decision << " is not a location of block '" << b.name << "'";
    KILN_CHECK(*decision != -2 || can_inline)
        << "sample_compute_location: block '" << b.name << "' cannot be inlined";
    index = *decision;
  } else {
    // Uniform over the candidates, the root, and inlining when possible.
    int64_t choices = static_cast<int64_t>(candidates.size()) + 1 + (can_inline ? 1 : 0);
    index = std::uniform_int_distribution<int64_t>(0, choices - 1)(impl_->rng);
    if (index == static_cast<int64_t>(candidates.size())) index = -1;
    if (index == static_cast<int64_t>(candidates.size()) + 1) index = -2;
  }
  LoopRV out = index == -1   ? impl_->AddLocation(RVEntry::Kind::kRootLocation)
               : index == -2 ? impl_->AddLocation(RVEntry::Kind::kInlineLocation)
                             : impl_->Add(candidates[index]);
  impl_->Record("sample_compute_location", {{"block", Value(block)}}, {Value(out)}, Value(index));
  return out;
}

}  // namespace kiln::tir
