// Read regions of te blocks: a point per index, hulls of reads at constant
// distance, and the whole dimension for what cannot be placed.
#include "access_region.h"

#include <algorithm>
#include <optional>
#include <unordered_set>

#include "kiln/tir/arith/analyzer.h"
#include "kiln/tir/functor.h"

namespace kiln::tir::te {

namespace {
// a - b when it is a constant.
std::optional<int64_t> ConstDifference(arith::Analyzer& ana, const PrimExpr& a, const PrimExpr& b) {
  if (a.dtype() != b.dtype()) return std::nullopt;
  return ConstIntValue(ana.Simplify(a - b));
}

Range Whole(const Buffer& buffer, size_t dim) {
  const PrimExpr& extent = buffer->shape[dim];
  return {IntImm(extent.dtype(), 0), extent};
}
bool IsWhole(const Range& r, const Buffer& buffer, size_t dim) {
  const int64_t* min = AsConstInt(r.min);
  return min && *min == 0 && r.extent.get() == buffer->shape[dim].get();
}

// The smallest range holding a and b when their distance is known, else the
// whole dimension.
Range Hull(arith::Analyzer& ana, const Range& a, const Range& b, const Buffer& buffer, size_t dim) {
  if (a.min.get() == b.min.get() && a.extent.get() == b.extent.get()) return a;
  const int64_t* ea = AsConstInt(a.extent);
  const int64_t* eb = AsConstInt(b.extent);
  std::optional<int64_t> c = ConstDifference(ana, a.min, b.min);  // offsets relative to b.min: a at c, b at 0
  if (IsWhole(a, buffer, dim) || IsWhole(b, buffer, dim) || !ea || !eb || !c) return Whole(buffer, dim);
  int64_t lo = std::min<int64_t>(*c, 0), hi = std::max(*c + *ea, *eb);
  return {lo == *c ? a.min : b.min, IntImm(a.extent.dtype(), hi - lo)};
}

// Vars bound by a Let inside `exprs`: they mean nothing outside the block.
std::unordered_set<const PrimExprNode*> LetVars(const std::vector<PrimExpr>& exprs) {
  std::unordered_set<const PrimExprNode*> vars;
  for (const PrimExpr& e : exprs) {
    PreOrderVisit(e, [&](const PrimExpr& x) {
      if (const LetNode* let = x.as<LetNode>()) vars.insert(let->var.get());
    });
  }
  return vars;
}

// An index is placed when it reads no memory and uses no Let-bound var.
bool IsPlaceable(const PrimExpr& index, const std::unordered_set<const PrimExprNode*>& let_vars) {
  bool ok = true;
  PreOrderVisit(index, [&](const PrimExpr& x) { ok &= !x.as<BufferLoadNode>() && !let_vars.count(x.get()); });
  return ok;
}

BufferRegion RegionOf(const BufferLoadNode* load, const std::unordered_set<const PrimExprNode*>& let_vars) {
  BufferRegion r{load->buffer, {}};
  for (size_t d = 0; d < load->indices.size(); ++d) {
    const PrimExpr& i = load->indices[d];
    r.region.push_back(IsPlaceable(i, let_vars) ? Range{i, IntImm(i.dtype(), 1)} : Whole(load->buffer, d));
  }
  return r;
}
}  // namespace

std::vector<BufferRegion> ReadRegions(const std::vector<PrimExpr>& exprs, const Buffer& output) {
  std::unordered_set<const PrimExprNode*> let_vars = LetVars(exprs);
  arith::Analyzer ana;
  std::vector<BufferRegion> regions;
  auto add = [&](const BufferLoadNode* load) {
    BufferRegion r = RegionOf(load, let_vars);
    for (BufferRegion& seen : regions) {
      if (seen.buffer.get() != r.buffer.get()) continue;
      for (size_t d = 0; d < r.region.size(); ++d) seen.region[d] = Hull(ana, seen.region[d], r.region[d], r.buffer, d);
      return;
    }
    regions.push_back(std::move(r));
  };
  for (const PrimExpr& e : exprs) {
    PreOrderVisit(e, [&](const PrimExpr& x) {
      const BufferLoadNode* load = x.as<BufferLoadNode>();
      if (load && load->buffer.get() != output.get()) add(load);
    });
  }
  return regions;
}

}  // namespace kiln::tir::te
