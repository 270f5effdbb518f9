// CompactBufferAllocation: a buffer a block allocates shrinks to the region
// that one execution of the block touches (a [1024, 1024] accumulator used
// for one 14x32 tile becomes [14, 32]), and its accesses are rebased to the
// region's minimum. Allocate statements are taken as written.
#include <unordered_map>
#include <unordered_set>

#include "kiln/runtime/error.h"
#include "kiln/tir/arith/analyzer.h"
#include "kiln/tir/functor.h"
#include "kiln/tir/lower.h"
#include "rewrite.h"

namespace kiln::tir {
namespace {

using arith::IntervalSet;

// A symbolic dimension becomes a constant only up to this: a larger bound
// says little more than the index dtype's range (an int32 n is below 2^31).
constexpr int64_t kMaxTileExtent = int64_t{1} << 16;

// The strides of `buffer` compacted to `shape`: compact row-major (empty).
// Hook for storage alignment. The schedule's storage_align writes padded
// strides into the buffer, and buffers with strides are not compacted (see
// Plan), so their alignment holds as written. To shrink them too, keep or
// recompute the padded strides here (keeping them preserves stride % factor
// == offset and stays within the original layout) and let Plan accept them.
std::vector<PrimExpr> CompactStrides(const ir::Attrs& block_annotations, const Buffer& buffer,
                                     const std::vector<PrimExpr>& shape) {
  (void)block_annotations;
  (void)buffer;
  (void)shape;
  return {};
}

// The union of the indices one execution of a block uses, per dimension.
struct Region {
  Buffer buffer;
  std::vector<IntervalSet> dims;
  std::vector<DataType> dtype;  // of each dimension's indices
  bool touched = false;
  bool opaque = false;  // used in a way that compaction cannot follow
};

// Collects the regions of the buffers a block allocates over the block's
// body: inner loop variables are relaxed over their (relaxed) ranges, block
// iteration variables replaced by their bindings, lets by their values.
class RegionCollector : public StmtVisitor {
 public:
  RegionCollector(arith::Analyzer& analyzer, std::unordered_map<const VarNode*, Region>& regions)
      : analyzer_(analyzer), regions_(regions) {}

 protected:
  void VisitStmt_(const ForNode* op) override {
    IntervalSet lo = Relax(op->min), hi = Relax(op->min + op->extent - IntImm(op->extent.dtype(), 1));
    inner_.insert(op->loop_var.get());
    bool bounded = lo.min && hi.max;
    if (bounded) {
      dom_.emplace_back(op->loop_var,
                        Range{lo.min, analyzer_.Simplify(hi.max - lo.min + IntImm(op->extent.dtype(), 1))});
    }
    StmtVisitor::VisitStmt_(op);
    if (bounded) dom_.pop_back();
  }

  void VisitStmt_(const BlockNode* op) override {
    for (const IterVar& iv : op->iter_vars) {
      inner_.insert(iv.var.get());
      subst_[iv.var.get()] = Subst(iv.binding);
    }
    if (op->init) VisitStmt(op->init);
    VisitStmt(op->body);
  }

  void VisitStmt_(const LetStmtNode* op) override {
    VisitExpr(op->value);
    inner_.insert(op->var.get());
    subst_[op->var.get()] = Subst(op->value);
    VisitStmt(op->body);
  }

  void VisitExpr_(const LetNode* op) override {
    inner_.insert(op->var.get());
    ExprVisitor::VisitExpr_(op);
  }

  void VisitExpr_(const BufferLoadNode* op) override {
    Access(op->buffer, op->indices);
    ExprVisitor::VisitExpr_(op);
  }

  void VisitStmt_(const BufferStoreNode* op) override {
    Access(op->buffer, op->indices);
    StmtVisitor::VisitStmt_(op);
  }

  // A view of the storage: the layout must stay.
  void VisitStmt_(const DeclBufferNode* op) override {
    VisitExpr_(op->buffer->data.get());
    StmtVisitor::VisitStmt_(op);
  }

  // A data pointer used as a value: its buffer's layout must stay.
  void VisitExpr_(const VarNode* op) override {
    auto it = regions_.find(op);
    if (it != regions_.end()) it->second.opaque = true;
  }

 private:
  PrimExpr Subst(const PrimExpr& e) const {
    return Substitute(e, [&](const Var& v) {
      auto it = subst_.find(v.get());
      return it == subst_.end() ? PrimExpr() : it->second;
    });
  }

  // The set of a scalar expression of the block's variables, with nothing
  // defined inside the block's body left in it; unbounded sides are empty.
  IntervalSet Relax(const PrimExpr& e) {
    IntervalSet s = analyzer_.EvalSet(Subst(e), dom_);
    if (s.min && MentionsInner(s.min)) s.min = PrimExpr();
    if (s.max && MentionsInner(s.max)) s.max = PrimExpr();
    return s;
  }

  bool MentionsInner(const PrimExpr& e) const {
    bool found = false;
    PreOrderVisit(e, [&](const PrimExpr& x) {
      if (const VarNode* v = x.as<VarNode>()) found = found || inner_.count(v) != 0;
    });
    return found;
  }

  // The set of one index; a ramp spans its first and last lanes.
  IntervalSet IndexSet(const PrimExpr& index) {
    if (index.dtype().lanes() == 1) return Relax(index);
    if (const BroadcastNode* b = index.as<BroadcastNode>()) return Relax(b->value);
    const RampNode* r = index.as<RampNode>();
    if (r == nullptr) return {};
    IntervalSet first = Relax(r->base), last = Relax(r->base + r->stride * IntImm(r->stride.dtype(), r->lanes - 1));
    return Union(first, last);
  }

  IntervalSet Union(const IntervalSet& a, const IntervalSet& b) {
    PrimExpr lo = a.min && b.min ? analyzer_.Simplify(min(a.min, b.min)) : PrimExpr();
    PrimExpr hi = a.max && b.max ? analyzer_.Simplify(max(a.max, b.max)) : PrimExpr();
    return {lo, hi};
  }

  void Access(const Buffer& buffer, const std::vector<PrimExpr>& indices) {
    auto it = regions_.find(buffer->data.get());
    if (it == regions_.end()) return;
    Region& r = it->second;
    if (buffer.get() != r.buffer.get()) {  // a view of the same storage
      r.opaque = true;
      return;
    }
    for (size_t d = 0; d < indices.size(); ++d) {
      if (r.touched && indices[d].dtype().element_of() != r.dtype[d]) {
        r.opaque = true;  // mixed index dtypes: leave the buffer alone
        return;
      }
      r.dtype[d] = indices[d].dtype().element_of();
      IntervalSet s = IndexSet(indices[d]);
      r.dims[d] = r.touched ? Union(r.dims[d], s) : s;
    }
    r.touched = true;
  }

  arith::Analyzer& analyzer_;
  std::unordered_map<const VarNode*, Region>& regions_;
  std::vector<std::pair<Var, Range>> dom_;
  std::unordered_map<const VarNode*, PrimExpr> subst_;
  std::unordered_set<const VarNode*> inner_;
};

// How the accesses of a compacted buffer change.
struct Remap {
  Buffer buffer;                 // the compacted buffer
  std::vector<PrimExpr> offset;  // per dimension: subtracted from indices; empty when unchanged
};

PrimExpr Rebase(const PrimExpr& index, const PrimExpr& offset) {
  if (!offset) return index;
  PrimExpr off = offset.dtype() == index.dtype().element_of() ? offset : Cast(index.dtype().element_of(), offset);
  if (const RampNode* r = index.as<RampNode>()) return Ramp(r->base - off, r->stride, r->lanes, r->span);
  if (index.dtype().lanes() > 1) return index - Broadcast(off, index.dtype().lanes());
  return index - off;
}

class Compactor : public StmtMutator {
 protected:
  Stmt VisitStmt_(const ForNode* op) override {
    analyzer_.Bind(op->loop_var, Range{op->min, op->extent});
    return StmtMutator::VisitStmt_(op);
  }

  Stmt VisitStmt_(const BlockNode* op) override {
    for (const IterVar& iv : op->iter_vars) analyzer_.Bind(iv.var, iv.dom);
    std::vector<Buffer> compacted = Plan(op);
    Stmt s = StmtMutator::VisitStmt_(op);
    const BlockNode* block = s.as<BlockNode>();
    bool regions_change = false;
    for (const auto* regions : {&block->reads, &block->writes}) {
      for (const BufferRegion& r : *regions) regions_change |= remap_.count(r.buffer.get()) != 0;
    }
    bool allocs_change = false;
    for (size_t i = 0; i < compacted.size(); ++i) allocs_change |= compacted[i].get() != op->alloc_buffers[i].get();
    if (!regions_change && !allocs_change) return s;
    BlockSpec spec{block->name,
                   block->iter_vars,
                   RebaseRegions(block->reads),
                   RebaseRegions(block->writes),
                   block->init,
                   block->body,
                   compacted,
                   block->predicate,
                   block->annotations,
                   block->span};
    return Block(std::move(spec));
  }

  PrimExpr VisitExpr_(const BufferLoadNode* op) override {
    auto it = remap_.find(op->buffer.get());
    if (it == remap_.end()) return StmtMutator::VisitExpr_(op);
    std::vector<PrimExpr> indices;
    for (size_t d = 0; d < op->indices.size(); ++d) {
      indices.push_back(Rebase(VisitExpr(op->indices[d]), it->second.offset[d]));
    }
    return BufferLoad(it->second.buffer, indices, op->span);
  }

  Stmt VisitStmt_(const BufferStoreNode* op) override {
    auto it = remap_.find(op->buffer.get());
    if (it == remap_.end()) return StmtMutator::VisitStmt_(op);
    std::vector<PrimExpr> indices;
    for (size_t d = 0; d < op->indices.size(); ++d) {
      indices.push_back(Rebase(VisitExpr(op->indices[d]), it->second.offset[d]));
    }
    return BufferStore(it->second.buffer, VisitExpr(op->value), indices, op->span);
  }

 private:
  // The compacted form of each buffer `block` allocates; the same buffer
  // when it stays. Records the remaps.
  std::vector<Buffer> Plan(const BlockNode* block) {
    const std::vector<Buffer>& buffers = block->alloc_buffers;
    std::unordered_map<const VarNode*, Region> regions;
    for (const Buffer& b : buffers) {
      const int64_t* offset = AsConstInt(b->elem_offset);
      if (!b->strides.empty() || !offset || *offset != 0) continue;
      regions[b->data.get()] =
          Region{b, std::vector<IntervalSet>(b->shape.size()), std::vector<DataType>(b->shape.size()), false, false};
    }
    std::vector<Buffer> out = buffers;
    if (regions.empty()) return out;
    RegionCollector collector(analyzer_, regions);
    if (block->init) collector.VisitStmt(block->init);
    collector.VisitStmt(block->body);
    for (Buffer& b : out) {
      auto it = regions.find(b->data.get());
      if (it == regions.end() || !it->second.touched || it->second.opaque) continue;
      if (std::optional<Remap> r = Shrink(block, b, it->second)) {
        remap_[b.get()] = *r;
        b = r->buffer;
      }
    }
    return out;
  }

  // The compacted buffer, or nullopt when no dimension shrinks.
  std::optional<Remap> Shrink(const BlockNode* block, const Buffer& b, const Region& region) {
    Remap remap{Buffer(), std::vector<PrimExpr>(b->shape.size())};
    std::vector<PrimExpr> shape = b->shape;
    bool changed = false;
    for (size_t d = 0; d < shape.size(); ++d) {
      const IntervalSet& s = region.dims[d];
      if (!s.is_bounded()) continue;
      arith::ConstIntBound bound = analyzer_.Bound(s.max - s.min + IntImm(s.min.dtype(), 1));
      if (bound.max_value == arith::ConstIntBound::kPosInf || bound.max_value < 1) continue;
      const int64_t* dim = AsConstInt(shape[d]);
      if (dim ? *dim <= bound.max_value : bound.max_value > kMaxTileExtent) continue;
      shape[d] = IntImm(shape[d].dtype(), bound.max_value);
      remap.offset[d] = s.min;
      changed = true;
    }
    if (!changed) return std::nullopt;
    remap.buffer = EditBuffer(b, [&](BufferNode& n) {
      n.shape = shape;
      n.strides = CompactStrides(block->annotations, b, shape);
    });
    return remap;
  }

  std::vector<BufferRegion> RebaseRegions(const std::vector<BufferRegion>& regions) const {
    std::vector<BufferRegion> out;
    for (const BufferRegion& r : regions) {
      auto it = remap_.find(r.buffer.get());
      if (it == remap_.end()) {
        out.push_back(r);
        continue;
      }
      BufferRegion n{it->second.buffer, {}};
      for (size_t d = 0; d < r.region.size(); ++d) {
        n.region.push_back({Rebase(r.region[d].min, it->second.offset[d]), r.region[d].extent});
      }
      out.push_back(n);
    }
    return out;
  }

  arith::Analyzer analyzer_;
  std::unordered_map<const BufferNode*, Remap> remap_;
};

}  // namespace

PrimFunc CompactBufferAllocation(const PrimFunc& func) {
  return RewriteBody(func, Compactor());
}

}  // namespace kiln::tir
