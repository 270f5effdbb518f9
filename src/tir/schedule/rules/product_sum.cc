// The product-sum anchor of the matmul and conv rules and its register-tile
// accumulator (see product_sum.h).
#include "product_sum.h"

#include "kiln/tir/functor.h"
#include "kiln/tir/schedule/index_map.h"
#include "kiln/tir/structural_equal.h"

namespace kiln::tir::rules {
namespace {

const BufferLoadNode* StripCast(const PrimExpr& e) {
  PrimExpr v = e;
  while (const CastNode* c = v.as<CastNode>()) v = c->value;
  return v.as<BufferLoadNode>();
}

int ReadIndex(const BlockNode* b, const Buffer& buf) {
  for (size_t i = 0; i < b->reads.size(); ++i) {
    if (b->reads[i].buffer.get() == buf.get()) return static_cast<int>(i);
  }
  return -1;
}

bool SameIndices(const std::vector<PrimExpr>& a, const std::vector<PrimExpr>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!StructuralEqual(a[i], b[i])) return false;
  }
  return true;
}

}  // namespace

std::optional<ProductSum> FindProductSum(const Schedule& sch, const std::vector<Stage>& stages) {
  std::optional<size_t> anchor;
  for (size_t i = 0; i < stages.size(); ++i) {
    if (!stages[i].reduction) continue;
    if (anchor) return std::nullopt;
    anchor = i;
  }
  if (!anchor) return std::nullopt;
  const BlockNode* b = BlockOf(sch, stages[*anchor].block);
  const BufferStoreNode* store = b->body.as<BufferStoreNode>();
  if (b->writes.size() != 1 || !store) return std::nullopt;
  const BinaryNode* add = store->value.as<BinaryNode>();
  if (!add || add->op != BinaryOp::kAdd) return std::nullopt;
  const BufferLoadNode* acc = add->a.as<BufferLoadNode>();
  const BinaryNode* mul = add->b.as<BinaryNode>();
  if (!acc || acc->buffer.get() != store->buffer.get() || !SameIndices(acc->indices, store->indices)) {
    return std::nullopt;
  }
  if (!mul || mul->op != BinaryOp::kMul) return std::nullopt;
  const BufferLoadNode* x = StripCast(mul->a);
  const BufferLoadNode* y = StripCast(mul->b);
  if (!x || !y || x->buffer.get() == y->buffer.get() || x->buffer.get() == store->buffer.get() ||
      y->buffer.get() == store->buffer.get()) {
    return std::nullopt;
  }
  ProductSum ps{
      *anchor, {x->buffer, x->indices, ReadIndex(b, x->buffer)}, {y->buffer, y->indices, ReadIndex(b, y->buffer)}};
  if (ps.x.read_index < 0 || ps.y.read_index < 0) return std::nullopt;
  return ps;
}

bool AllBare(const BlockNode* block, const std::vector<PrimExpr>& indices) {
  for (const PrimExpr& e : indices) {
    if (!IterIndex(block, e) && !e.as<IntImmNode>()) return false;
  }
  return true;
}

std::optional<std::vector<size_t>> IterOfEachLoop(const Schedule& sch, const BlockNode* block,
                                                  const std::vector<LoopRV>& loops) {
  if (loops.size() != block->iter_vars.size()) return std::nullopt;
  std::vector<size_t> iter_of(loops.size());
  for (size_t v = 0; v < block->iter_vars.size(); ++v) {
    std::optional<size_t> at = LoopOfIter(sch, loops, block->iter_vars[v]);
    if (!at) return std::nullopt;
    iter_of[*at] = v;
  }
  return iter_of;
}

std::vector<bool> UsedIters(const BlockNode* block, const std::vector<PrimExpr>& indices) {
  std::vector<bool> used(block->iter_vars.size(), false);
  for (const PrimExpr& index : indices) {
    PreOrderVisit(index, [&](const PrimExpr& e) {
      if (std::optional<size_t> i = IterIndex(block, e)) used[*i] = true;
    });
  }
  return used;
}

std::vector<Stage> AccumulateInRegisters(Schedule& sch, const std::vector<Stage>& stages, size_t anchor,
                                         const LoopRV& tile, const LoopRV& first_reduce,
                                         std::optional<size_t> vector_dim) {
  const BlockRV& block = stages[anchor].block;
  BlockRV write_back = sch.CacheWrite(block, 0, "local");
  size_t ndim = BlockOf(sch, block)->writes[0].buffer->shape.size();
  if (vector_dim && *vector_dim + 1 < ndim) {
    size_t vd = *vector_dim;
    IndexMap last = IndexMap::FromFunc(ndim, [&](const std::vector<Var>& v) {
      std::vector<PrimExpr> out;
      for (size_t d = 0; d < ndim; ++d) {
        if (d != vd) out.push_back(v[d]);
      }
      out.push_back(v[vd]);
      return out;
    });
    sch.TransformLayout(block, 0, true, last);
  }
  std::vector<Stage> rest;
  for (size_t i = anchor + 1; i < stages.size(); ++i) {
    if (!Try(sch, [&](Schedule& f) { f.ReverseComputeInline(stages[i].block); })) rest.push_back(stages[i]);
  }
  sch.ReverseComputeAt(write_back, tile);
  sch.DecomposeReduction(block, first_reduce);
  // The write-back reads the tile along its contiguous (vector) dimension
  // and at constant offsets otherwise: then LLVM keeps the whole tile in
  // registers (a gather from it would keep it in memory).
  Try(sch, [&](Schedule& f) {
    std::vector<LoopRV> loops = f.GetLoops(write_back);
    const Var& tile_var = LoopOf(f, tile)->loop_var;
    size_t first = 0;
    while (first < loops.size() && LoopOf(f, loops[first])->loop_var.get() != tile_var.get()) ++first;
    std::vector<LoopRV> inner(loops.begin() + static_cast<std::ptrdiff_t>(first) + 1, loops.end());
    const BlockNode* wb = BlockOf(f, write_back);
    // The loop under the tile that the vector dimension's binding uses.
    const PrimExpr& binding = wb->iter_vars[vector_dim.value_or(ndim - 1)].binding;
    std::optional<size_t> lane;
    for (size_t i = 0; i < inner.size(); ++i) {
      const VarNode* v = LoopOf(f, inner[i])->loop_var.get();
      PreOrderVisit(binding, [&](const PrimExpr& e) {
        if (e.get() == v) lane = i;
      });
    }
    KILN_CHECK(lane) << "no loop of the write-back runs the vector dimension";
    std::vector<LoopRV> order;
    for (size_t i = 0; i < inner.size(); ++i) {
      if (i != *lane) order.push_back(inner[i]);
    }
    order.push_back(inner[*lane]);
    f.Reorder(order);
    f.Vectorize(inner[*lane]);
    for (size_t i = 0; i + 1 < order.size(); ++i) f.Unroll(order[i]);
  });
  return rest;
}

void ScheduleRest(Schedule& sch, const std::vector<Stage>& rest, const CpuScheduleOptions& options) {
  for (const Stage& s : rest) {
    if (!s.reduction) ScheduleSpatialLoops(sch, s.block, 0, true, options);
  }
}

}  // namespace kiln::tir::rules
