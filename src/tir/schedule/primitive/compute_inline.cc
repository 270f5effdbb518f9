// compute_inline, reverse_compute_inline: remove an elementwise block by
// folding its expression into its neighbours. compute_inline replaces every
// read of the block's output by the stored expression (at the read's
// indices); reverse_compute_inline makes the single producer of a consumer
// store the consumer's expression of the produced value straight into the
// consumer's output. The removed block's buffer disappears with it.
#include <algorithm>
#include <functional>
#include <tuple>

#include "../analysis.h"
#include "../analysis_dataflow.h"
#include "../primitives.h"
#include "kiln/tir/functor.h"
#include "kiln/tir/printer.h"

namespace kiln::tir::schedule {
namespace {

// The store of a complete spatial block that writes one element per
// instance: B[v0, v1, ...] = value, the indices its iteration variables each
// once; `perm[d]` is the iteration variable stored at dimension d.
struct ElementwiseStore {
  const BufferStoreNode* store;
  std::vector<size_t> perm;
};

// Whether `indices` are the iteration variables of `block`, each once; the
// variable at each dimension.
std::optional<std::vector<size_t>> AsIterVars(const BlockNode* block, const std::vector<PrimExpr>& indices) {
  if (indices.size() != block->iter_vars.size()) return std::nullopt;
  std::vector<size_t> perm;
  std::vector<bool> seen(indices.size(), false);
  for (const PrimExpr& i : indices) {
    size_t k = 0;
    while (k < block->iter_vars.size() && block->iter_vars[k].var.get() != i.get()) ++k;
    if (k == block->iter_vars.size() || seen[k]) return std::nullopt;
    seen[k] = true;
    perm.push_back(k);
  }
  return perm;
}

// `role` names the block in messages ("block 'B'", "producer 'C'");
// `if_reduction` says why a reduction cannot take part.
ElementwiseStore CheckElementwise(const BlockNode* b, const std::string& role, const char* if_reduction,
                                  const char* primitive) {
  KILN_SCHEDULE_CHECK(!HasReduceIter(b) && !b->init, primitive) << role << " is a reduction; " << if_reduction;
  KILN_SCHEDULE_CHECK(b->writes.size() == 1, primitive)
      << role << " writes " << b->writes.size() << " buffers; it must write one";
  const BufferStoreNode* store = b->body.as<BufferStoreNode>();
  KILN_SCHEDULE_CHECK(store && store->buffer.get() == b->writes[0].buffer.get(), primitive)
      << role << " has a body that is not one store to '" << b->writes[0].buffer->name << "'";
  std::optional<std::vector<size_t>> perm = AsIterVars(b, store->indices);
  KILN_SCHEDULE_CHECK(perm, primitive) << role << " stores to '" << store->buffer->name
                                       << "' at indices that are not exactly its iteration variables: "
                                       << ToText(runtime::GetRef<StmtNode>(store));
  bool reads_self = false;
  PreOrderVisit(store->value, [&](const PrimExpr& e) {
    const BufferLoadNode* load = e.as<BufferLoadNode>();
    reads_self |= load && load->buffer.get() == store->buffer.get();
  });
  KILN_SCHEDULE_CHECK(!reads_self, primitive) << role << " reads buffer '" << store->buffer->name << "' that it writes";
  KILN_SCHEDULE_CHECK(b->alloc_buffers.empty(), primitive) << role << " allocates buffers";
  return {store, *perm};
}

// The value uses no variable of `func` other than the block's iteration
// variables and those defined outside the body (sizes, scalar parameters).
void CheckSelfContained(const PrimFunc& func, const BlockNode* b, const PrimExpr& value, const std::string& role,
                        const char* primitive) {
  std::unordered_set<const VarNode*> defined = VarsDefinedIn(func->body);
  for (const IterVar& iv : b->iter_vars) defined.erase(iv.var.get());
  const VarNode* v = FirstUse(value, defined);
  KILN_SCHEDULE_CHECK(!v, primitive) << role << " uses '" << v->name << "', defined around it";
}

// No block after `block` (in program order over the whole function) writes
// a buffer `block` reads.
void CheckInputsStable(const PrimFunc& func, const BlockNode* block, const char* primitive) {
  bool after = false;
  for (const BlockNode* b : AllBlocks(func->body)) {
    if (after) {
      for (const BufferRegion& r : block->reads) {
        KILN_SCHEDULE_CHECK(!WritesBuffer(b, r.buffer), primitive)
            << "block '" << b->name << "' writes buffer '" << r.buffer->name << "' that block '" << block->name
            << "' reads, after it runs; the inlined expression would read the new values";
      }
    }
    after |= b == block;
  }
}

// ---- Rewriting -------------------------------------------------------------------

// Replaces statements as StmtReplacer does (a null replacement removes one
// from its sequence), rewrites loads of `buffer` through `load`, recomputes
// the regions of blocks that list `buffer` (inner blocks first), and drops
// its allocation.
class Rewriter : public StmtReplacer {
 public:
  Rewriter(std::unordered_map<const StmtNode*, Stmt> replacements, const Buffer& buffer,
           std::function<PrimExpr(const std::vector<PrimExpr>&)> load)
      : StmtReplacer(std::move(replacements)), buffer_(buffer), load_(std::move(load)) {}

 protected:
  PrimExpr VisitExpr_(const BufferLoadNode* op) override {
    if (op->buffer.get() != buffer_.get() || !load_) return StmtMutator::VisitExpr_(op);
    std::vector<PrimExpr> indices;
    for (const PrimExpr& i : op->indices) indices.push_back(VisitExpr(i));
    return load_(indices);
  }
  Stmt VisitStmt_(const BlockNode* op) override {
    Stmt out = StmtMutator::VisitStmt_(op);
    const BlockNode* b = out.as<BlockNode>();
    bool allocates = std::any_of(b->alloc_buffers.begin(), b->alloc_buffers.end(),
                                 [&](const Buffer& a) { return a.get() == buffer_.get(); });
    bool reads = ReadsBuffer(op, buffer_), writes = WritesBuffer(op, buffer_);
    if (!reads && !writes && !allocates) return out;
    BlockSpec spec = SpecOf(b);
    if (reads || writes) {
      AccessRegions regions = InferAccessRegions(spec);
      if (reads) spec.reads = regions.reads;
      if (writes) spec.writes = regions.writes;
    }
    if (allocates) {
      spec.alloc_buffers.erase(std::remove_if(spec.alloc_buffers.begin(), spec.alloc_buffers.end(),
                                              [&](const Buffer& a) { return a.get() == buffer_.get(); }),
                               spec.alloc_buffers.end());
    }
    return Block(std::move(spec));
  }

 private:
  Buffer buffer_;
  std::function<PrimExpr(const std::vector<PrimExpr>&)> load_;
};

// Whether `func` still refers to `buffer` (loads, stores, regions).
bool StillUsed(const Stmt& body, const Buffer& buffer) {
  struct Finder : StmtVisitor {
    const BufferNode* target;
    bool found = false;
    void VisitBufferUse(const Buffer& b) override { found |= b.get() == target; }
    void VisitStmt_(const BlockNode* op) override {
      for (const auto* regions : {&op->reads, &op->writes}) {
        for (const BufferRegion& r : *regions) found |= r.buffer.get() == target;
      }
      StmtVisitor::VisitStmt_(op);
    }
  } f;
  f.target = buffer.get();
  f.VisitStmt(body);
  return f.found;
}

void SetBody(ScheduleState& s, const std::string& name, const PrimFunc& func, Stmt body, const Buffer& buffer) {
  KILN_ICHECK(!StillUsed(body, buffer)) << "buffer '" << buffer->name << "' is still used after inlining";
  s.SetFunc(name, MakePrimFunc(func->params, func->buffer_map, std::move(body), func->attrs, func->span));
}

// ---- compute_inline ----------------------------------------------------------------

struct InlinePlan {
  PrimFunc func;
  Located block;
  ElementwiseStore store;
};

InlinePlan PlanInline(const ScheduleState& s, const BlockRef& ref) {
  const char* primitive = "compute_inline";
  InlinePlan p{s.Func(ref.func), s.Find(ref, primitive), {}};
  const BlockNode* b = p.block.block();
  std::string role = "block '" + b->name + "'";
  KILN_SCHEDULE_CHECK(p.block.scope(), primitive) << role << " is the root of its function";
  p.store = CheckElementwise(b, role, "only a spatial block can be inlined", primitive);
  const Buffer& out = p.store.store->buffer;
  KILN_SCHEDULE_CHECK(!IsParam(p.func, out), primitive)
      << role << " writes buffer '" << out->name << "', a parameter of the function; an output cannot be inlined";
  KILN_SCHEDULE_CHECK(!b->predicate, primitive)
      << role << " has the predicate " << ToText(b->predicate) << "; inlining would drop it";
  CheckCompleteWriter(p.func, b, primitive);
  CheckOnlyDirectAccess(p.func, out, primitive);
  CheckSelfContained(p.func, b, p.store.store->value, role, primitive);
  CheckInputsStable(p.func, b, primitive);
  CheckNoEffectsOutsideBlocks(p.block.scope(), primitive);
  // What the expression reads must exist where it is inlined.
  for (const BlockNode* reader : AllBlocks(p.func->body)) {
    if (reader == b || !ReadsBuffer(reader, out)) continue;
    for (const BufferRegion& r : b->reads) {
      CheckVisibleAt(p.func, r.buffer, reader, "block '" + reader->name + "' would read", primitive);
    }
  }
  OutermostHolder(p.block, primitive);
  return p;
}

// ---- reverse_compute_inline --------------------------------------------------------

struct ReversePlan {
  PrimFunc func;
  Located consumer;
  const BlockNode* producer;
  ElementwiseStore cstore, pstore;
  Buffer buffer;  // what the producer writes and the consumer reads
};

// The single producer of the consumer, and the buffer between them.
std::pair<const BlockNode*, Buffer> SingleProducer(const Located& consumer, const char* primitive) {
  const BlockNode* c = consumer.block();
  std::vector<const BlockNode*> producers = Producers(consumer.scope(), c);
  KILN_SCHEDULE_CHECK(producers.size() == 1, primitive)
      << "block '" << c->name << "' has " << producers.size() << " producers in its scope; it needs exactly one";
  std::vector<Buffer> between;
  for (const BufferRegion& r : c->reads) {
    if (WritesBuffer(producers[0], r.buffer)) between.push_back(r.buffer);
  }
  KILN_SCHEDULE_CHECK(between.size() == 1, primitive)
      << "block '" << c->name << "' reads " << between.size() << " buffers of producer '" << producers[0]->name
      << "'; it must read one";
  return {producers[0], between[0]};
}

// Every load of `buffer` in the consumer's value is at the consumer's
// iteration variables, the same for each load; the variable at each
// dimension.
std::vector<size_t> CheckReadAtOwnIndices(const BlockNode* c, const PrimExpr& value, const Buffer& buffer,
                                          const char* primitive) {
  std::optional<std::vector<size_t>> perm;
  bool ok = true;
  PreOrderVisit(value, [&](const PrimExpr& e) {
    const BufferLoadNode* load = e.as<BufferLoadNode>();
    if (!load || load->buffer.get() != buffer.get()) return;
    std::optional<std::vector<size_t>> p = AsIterVars(c, load->indices);
    ok &= p && (!perm || *perm == *p);
    if (p) perm = p;
  });
  KILN_SCHEDULE_CHECK(ok && perm, primitive) << "block '" << c->name << "' reads buffer '" << buffer->name
                                             << "' at indices that are not exactly its iteration variables";
  return *perm;
}

// Blocks between the producer and the consumer neither write what the
// consumer reads nor touch what it writes.
void CheckNothingBetween(const BlockNode* scope, const BlockNode* p, const BlockNode* c, const char* primitive) {
  std::vector<const BlockNode*> children = ChildBlocks(runtime::GetRef<StmtNode>(scope));
  size_t from = std::find(children.begin(), children.end(), p) - children.begin();
  size_t to = std::find(children.begin(), children.end(), c) - children.begin();
  KILN_SCHEDULE_CHECK(from < to, primitive) << "producer '" << p->name << "' comes after block '" << c->name << "'";
  const Buffer& out = c->writes[0].buffer;
  for (size_t i = from + 1; i < to; ++i) {
    const BlockNode* b = children[i];
    KILN_SCHEDULE_CHECK(!ReadsBuffer(b, out) && !WritesBuffer(b, out), primitive)
        << "block '" << b->name << "', between producer '" << p->name << "' and block '" << c->name
        << "', reads or writes buffer '" << out->name << "'";
    for (const BufferRegion& r : c->reads) {
      KILN_SCHEDULE_CHECK(!WritesBuffer(b, r.buffer), primitive)
          << "block '" << b->name << "', between producer '" << p->name << "' and block '" << c->name
          << "', writes buffer '" << r.buffer->name << "' that '" << c->name << "' reads";
    }
  }
}

ReversePlan PlanReverseInline(const ScheduleState& s, const BlockRef& ref) {
  const char* primitive = "reverse_compute_inline";
  ReversePlan p{s.Func(ref.func), s.Find(ref, primitive), nullptr, {}, {}, {}};
  const BlockNode* c = p.consumer.block();
  std::string role = "block '" + c->name + "'";
  KILN_SCHEDULE_CHECK(p.consumer.scope(), primitive) << role << " is the root of its function";
  p.cstore = CheckElementwise(c, role, "only a spatial consumer can be inlined into its producer", primitive);
  KILN_SCHEDULE_CHECK(!c->predicate, primitive)
      << role << " has the predicate " << ToText(c->predicate) << "; inlining would drop it";
  std::tie(p.producer, p.buffer) = SingleProducer(p.consumer, primitive);
  std::string prole = "producer '" + p.producer->name + "'";
  p.pstore = CheckElementwise(p.producer, prole,
                              "its store runs once per reduction step, so the consumer's expression would apply to "
                              "partial sums (inline into a cache_write copy of the result instead)",
                              primitive);
  KILN_SCHEDULE_CHECK(!IsParam(p.func, p.buffer), primitive)
      << prole << " writes buffer '" << p.buffer->name << "', a parameter of the function, which must stay written";
  for (const BlockNode* b : AllBlocks(p.func->body)) {
    std::vector<const BlockNode*> inside = AllBlocks(runtime::GetRef<StmtNode>(b));
    bool encloses_consumer = std::find(inside.begin(), inside.end(), c) != inside.end();
    KILN_SCHEDULE_CHECK(encloses_consumer || !ReadsBuffer(b, p.buffer), primitive)
        << "buffer '" << p.buffer->name << "' is read by block '" << b->name << "' as well as by " << role;
  }
  const Buffer& out = p.cstore.store->buffer;
  KILN_SCHEDULE_CHECK(!ReadsBuffer(p.producer, out), primitive)
      << prole << " reads buffer '" << out->name << "' that " << role << " writes";
  std::vector<size_t> read = CheckReadAtOwnIndices(c, p.cstore.store->value, p.buffer, primitive);
  arith::Analyzer ana;
  for (size_t d = 0; d < read.size(); ++d) {
    const Range& cd = c->iter_vars[read[d]].dom;
    const Range& pd = p.producer->iter_vars[p.pstore.perm[d]].dom;
    KILN_SCHEDULE_CHECK(ana.CanProveEqual(cd.min, pd.min) && ana.CanProveEqual(cd.extent, pd.extent), primitive)
        << role << " and " << prole << " run over different ranges of dimension " << d << " of '" << p.buffer->name
        << "'";
  }
  CheckCompleteWriter(p.func, c, primitive);
  CheckCompleteWriter(p.func, p.producer, primitive);
  CheckOnlyDirectAccess(p.func, p.buffer, primitive);
  CheckSelfContained(p.func, c, p.cstore.store->value, role, primitive);
  CheckNothingBetween(p.consumer.scope(), p.producer, c, primitive);
  CheckNoEffectsOutsideBlocks(p.consumer.scope(), primitive);
  // What the consumer reads and writes must exist where the producer runs.
  for (const auto* regions : {&c->reads, &c->writes}) {
    for (const BufferRegion& r : *regions) {
      if (r.buffer.get() == p.buffer.get()) continue;
      CheckVisibleAt(p.func, r.buffer, p.producer, prole + " would use", primitive);
    }
  }
  OutermostHolder(p.consumer, primitive);
  return p;
}

// The producer storing the consumer's expression of its value into the
// consumer's output.
Stmt FoldedProducer(const ReversePlan& p) {
  const BlockNode* c = p.consumer.block();
  // The consumer's variable at dimension d of the buffer becomes the
  // producer's variable there.
  std::unordered_map<const VarNode*, PrimExpr> vmap;
  std::vector<size_t> read = CheckReadAtOwnIndices(c, p.cstore.store->value, p.buffer, "reverse_compute_inline");
  for (size_t d = 0; d < read.size(); ++d) {
    vmap[c->iter_vars[read[d]].var.get()] = p.producer->iter_vars[p.pstore.perm[d]].var;
  }
  auto rename = [&](const PrimExpr& e) {
    return Substitute(e, [&](const Var& v) {
      auto it = vmap.find(v.get());
      return it == vmap.end() ? PrimExpr() : it->second;
    });
  };
  Rewriter fold({}, p.buffer, [&](const std::vector<PrimExpr>&) { return p.pstore.store->value; });
  PrimExpr value = fold.VisitExpr(rename(p.cstore.store->value));
  std::vector<PrimExpr> indices;
  for (const PrimExpr& i : p.cstore.store->indices) indices.push_back(rename(i));
  BlockSpec spec = SpecOf(p.producer);
  spec.body = BufferStore(p.cstore.store->buffer, value, indices, p.pstore.store->span);
  AccessRegions regions = InferAccessRegions(spec);
  spec.reads = regions.reads;
  spec.writes = regions.writes;
  return Block(std::move(spec));
}

}  // namespace

void ComputeInline(ScheduleState& s, const BlockRef& block) {
  InlinePlan p = PlanInline(s, block);
  const BlockNode* b = p.block.block();
  const BufferStoreNode* store = p.store.store;
  auto load = [&](const std::vector<PrimExpr>& indices) {
    // The stored value with the variable stored at dimension d := the load's index d.
    std::unordered_map<const VarNode*, PrimExpr> vmap;
    for (size_t d = 0; d < indices.size(); ++d) vmap[b->iter_vars[p.store.perm[d]].var.get()] = indices[d];
    return Substitute(store->value, [&](const Var& v) {
      auto it = vmap.find(v.get());
      return it == vmap.end() ? PrimExpr() : it->second;
    });
  };
  Rewriter r({{OutermostHolder(p.block, "compute_inline"), Stmt()}}, store->buffer, load);
  SetBody(s, block.func, p.func, r.VisitStmt(p.func->body), store->buffer);
}

void ReverseComputeInline(ScheduleState& s, const BlockRef& block) {
  ReversePlan p = PlanReverseInline(s, block);
  Rewriter r({{OutermostHolder(p.consumer, "reverse_compute_inline"), Stmt()}, {p.producer, FoldedProducer(p)}},
             p.buffer, nullptr);
  SetBody(s, block.func, p.func, r.VisitStmt(p.func->body), p.buffer);
}

bool CanComputeInline(const ScheduleState& s, const BlockRef& block) {
  try {
    PlanInline(s, block);
    return true;
  } catch (const Error&) {
    return false;
  }
}

}  // namespace kiln::tir::schedule
