// Access region inference and region relaxation.
#include "analysis.h"

#include <unordered_set>

#include "kiln/tir/functor.h"

namespace kiln::tir::schedule {
namespace {

struct Access {
  Buffer buffer;
  std::vector<Range> region;
};

// Collects the accesses of a block's statements with the loops inside
// relaxed away; nested blocks contribute their own regions with their
// iteration variables replaced by their bindings.
class AccessCollector : public StmtVisitor {
 public:
  std::vector<Access> reads, writes;
  std::unordered_set<const BufferNode*> local;

 protected:
  void VisitExpr_(const BufferLoadNode* op) override {
    Add(reads, op->buffer, Points(op->indices));
    StmtVisitor::VisitExpr_(op);
  }
  void VisitStmt_(const BufferStoreNode* op) override {
    Add(writes, op->buffer, Points(op->indices));
    StmtVisitor::VisitStmt_(op);
  }
  void VisitStmt_(const ForNode* op) override {
    dom_.push_back({op->loop_var, Range{op->min, op->extent}});
    VisitStmt(op->body);
    dom_.pop_back();
  }
  void VisitStmt_(const AllocateNode* op) override {
    local.insert(op->buffer.get());
    VisitStmt(op->body);
  }
  void VisitStmt_(const BlockNode* op) override {
    for (const Buffer& b : op->alloc_buffers) local.insert(b.get());
    auto bind = [&](const std::vector<Range>& region) {
      std::vector<Range> out;
      for (const Range& r : region) {
        auto sub = [&](const PrimExpr& e) {
          return Substitute(e, [&](const Var& v) -> PrimExpr {
            for (const IterVar& iv : op->iter_vars) {
              if (iv.var.get() == v.get()) return iv.binding;
            }
            return PrimExpr();
          });
        };
        out.push_back(Range{sub(r.min), sub(r.extent)});
      }
      return out;
    };
    for (const BufferRegion& r : op->reads) Add(reads, r.buffer, bind(r.region));
    for (const BufferRegion& w : op->writes) Add(writes, w.buffer, bind(w.region));
    // Conditions inside are not tracked: the regions are a superset.
  }

 private:
  static std::vector<Range> Points(const std::vector<PrimExpr>& indices) {
    std::vector<Range> out;
    for (const PrimExpr& i : indices) out.push_back(Range{i, IntImm(i.dtype(), 1)});
    return out;
  }
  void Add(std::vector<Access>& out, const Buffer& buffer, std::vector<Range> region) {
    if (!dom_.empty()) region = RelaxRegion(buffer, region, dom_, ana_);
    for (Access& a : out) {
      if (a.buffer.get() == buffer.get()) {
        a.region = UnionRegion(a.region, region, ana_);
        return;
      }
    }
    out.push_back({buffer, std::move(region)});
  }

  std::vector<std::pair<Var, Range>> dom_;
  arith::Analyzer ana_;
};

}  // namespace

AccessRegions InferAccessRegions(const BlockSpec& block) {
  AccessCollector c;
  for (const Buffer& b : block.alloc_buffers) c.local.insert(b.get());
  if (block.init) c.VisitStmt(block.init);
  c.VisitStmt(block.body);
  AccessRegions out;
  auto keep = [&](const Access& a) { return !c.local.count(a.buffer.get()); };
  for (const Access& w : c.writes) {
    if (keep(w)) out.writes.push_back({w.buffer, w.region});
  }
  for (const Access& r : c.reads) {
    if (!keep(r)) continue;
    bool written = false;
    for (const Access& w : c.writes) written |= w.buffer.get() == r.buffer.get();
    if (written && block.init) continue;
    out.reads.push_back({r.buffer, r.region});
  }
  return out;
}

std::vector<Range> RelaxRegion(const Buffer& buffer, const std::vector<Range>& region,
                               const std::vector<std::pair<Var, Range>>& dom, arith::Analyzer& ana) {
  std::vector<Range> out;
  for (size_t d = 0; d < region.size(); ++d) {
    const Range& r = region[d];
    arith::IntervalSet lo = ana.EvalSet(r.min, dom);
    arith::IntervalSet hi = ana.EvalSet(r.min + r.extent - 1, dom);
    if (!lo.min || !hi.max) {
      const PrimExpr& extent = buffer->shape[d];
      out.push_back(Range{IntImm(extent.dtype(), 0), extent});
      continue;
    }
    out.push_back(Range{lo.min, ana.Simplify(hi.max - lo.min + 1)});
  }
  return out;
}

std::vector<Range> UnionRegion(const std::vector<Range>& a, const std::vector<Range>& b, arith::Analyzer& ana) {
  std::vector<Range> out;
  for (size_t d = 0; d < a.size(); ++d) {
    if (ana.CanProveEqual(a[d].min, b[d].min) && ana.CanProveEqual(a[d].extent, b[d].extent)) {
      out.push_back(a[d]);
      continue;
    }
    PrimExpr lo = ana.Simplify(min(a[d].min, b[d].min));
    PrimExpr hi = ana.Simplify(max(a[d].min + a[d].extent, b[d].min + b[d].extent));
    out.push_back(Range{lo, ana.Simplify(hi - lo)});
  }
  return out;
}

void Conjuncts(const PrimExpr& e, std::vector<PrimExpr>& out) {
  const BinaryNode* b = e.as<BinaryNode>();
  if (b && b->op == BinaryOp::kAnd) {
    Conjuncts(b->a, out);
    Conjuncts(b->b, out);
    return;
  }
  out.push_back(e);
}

PrimExpr AndAll(const std::vector<PrimExpr>& conds) {
  PrimExpr out;
  for (const PrimExpr& c : conds) out = out ? logical_and(out, c) : c;
  return out;
}

}  // namespace kiln::tir::schedule
