// Finding where buffers are defined and how they are used, and replacing a
// buffer throughout a statement.
#include "analysis_buffer.h"

#include "kiln/tir/functor.h"
#include "state.h"

namespace kiln::tir::schedule {
namespace {

class Replacer : public StmtMutator {
 public:
  explicit Replacer(const BufferReplacement& r) : r_(r) {}

 protected:
  Buffer VisitBufferUse(const Buffer& b) override { return b.get() == r_.from.get() ? r_.to : b; }

  // Loads and stores of `from` are rebuilt whole: mapped indices may differ
  // in number from the old ones.
  PrimExpr VisitExpr_(const BufferLoadNode* op) override {
    if (op->buffer.get() != r_.from.get()) return StmtMutator::VisitExpr_(op);
    return BufferLoad(r_.to, Indices(op->indices), op->span);
  }

  Stmt VisitStmt_(const BufferStoreNode* op) override {
    if (op->buffer.get() != r_.from.get()) return StmtMutator::VisitStmt_(op);
    PrimExpr value = VisitExpr(op->value);
    return BufferStore(r_.to, value, Indices(op->indices), op->span);
  }

  // A block that names `from` is rebuilt whole (its regions of `from` may
  // change rank); others go through the base.
  Stmt VisitStmt_(const BlockNode* op) override {
    if (!Names(op)) return StmtMutator::VisitStmt_(op);
    BlockSpec spec = SpecOf(op);
    for (IterVar& iv : spec.iter_vars) {
      iv.dom = VisitRange(iv.dom);
      iv.binding = VisitExpr(iv.binding);
    }
    for (auto* regions : {&spec.reads, &spec.writes}) {
      for (BufferRegion& r : *regions) r = Region(r);
    }
    for (Buffer& a : spec.alloc_buffers) a = VisitBufferUse(a);
    if (spec.predicate) spec.predicate = VisitExpr(spec.predicate);
    if (spec.init) spec.init = VisitStmt(spec.init);
    spec.body = VisitStmt(spec.body);
    return Block(std::move(spec));
  }

  Stmt VisitStmt_(const AllocateNode* op) override {
    Stmt s = StmtMutator::VisitStmt_(op);
    if (op->buffer.get() != r_.from.get()) return s;
    return Allocate(r_.to, s.as<AllocateNode>()->body, op->span);
  }

 private:
  std::vector<PrimExpr> Indices(const std::vector<PrimExpr>& indices) {
    std::vector<PrimExpr> out;
    for (const PrimExpr& i : indices) out.push_back(VisitExpr(i));
    return r_.map_indices ? r_.map_indices(out) : out;
  }

  bool Names(const BlockNode* op) const {
    for (const Buffer& a : op->alloc_buffers) {
      if (a.get() == r_.from.get()) return true;
    }
    for (const auto* regions : {&op->reads, &op->writes}) {
      for (const BufferRegion& r : *regions) {
        if (r.buffer.get() == r_.from.get()) return true;
      }
    }
    return false;
  }

  BufferRegion Region(const BufferRegion& r) {
    if (r.buffer.get() != r_.from.get()) return VisitBufferRegion(r);
    std::vector<Range> region;
    for (const Range& range : r.region) region.push_back(VisitRange(range));
    return {r_.to, r_.map_region ? r_.map_region(region) : region};
  }

  const BufferReplacement& r_;
};

// Finds accesses of one buffer.
class AccessFinder : public StmtVisitor {
 public:
  explicit AccessFinder(const Buffer& b) : b_(b) {}
  bool loads = false, stores = false, pointer = false;

 protected:
  void VisitExpr_(const VarNode* op) override { pointer |= op == b_->data.get(); }
  void VisitExpr_(const BufferLoadNode* op) override {
    loads |= op->buffer.get() == b_.get();
    StmtVisitor::VisitExpr_(op);
  }
  void VisitStmt_(const BufferStoreNode* op) override {
    stores |= op->buffer.get() == b_.get();
    StmtVisitor::VisitStmt_(op);
  }
  void VisitStmt_(const BlockNode* op) override {
    loads |= ReadsBuffer(op, b_);
    stores |= WritesBuffer(op, b_);
    StmtVisitor::VisitStmt_(op);
  }

 private:
  const Buffer& b_;
};

AccessFinder Accesses(const Stmt& stmt, const Buffer& buffer) {
  AccessFinder f(buffer);
  if (stmt) f.VisitStmt(stmt);
  return f;
}

}  // namespace

BufferDef FindBufferDef(const PrimFunc& func, const Buffer& buffer) {
  for (const auto& [param, b] : func->buffer_map) {
    if (b.get() == buffer.get()) return {true, nullptr};
  }
  for (const BlockNode* block : AllBlocks(func->body)) {
    for (const Buffer& b : block->alloc_buffers) {
      if (b.get() == buffer.get()) return {false, block};
    }
  }
  return {};
}

bool UsesDataPointer(const Stmt& stmt, const Buffer& buffer) {
  return Accesses(stmt, buffer).pointer;
}
bool LoadsOrReads(const Stmt& stmt, const Buffer& buffer) {
  return Accesses(stmt, buffer).loads;
}
bool StoresOrWrites(const Stmt& stmt, const Buffer& buffer) {
  return Accesses(stmt, buffer).stores;
}

Stmt ReplaceBuffer(const Stmt& stmt, const BufferReplacement& r) {
  return Replacer(r).VisitStmt(stmt);
}

const Buffer& BufferAt(const BlockNode* block, bool is_write, int index, const char* what, const char* primitive) {
  const std::vector<BufferRegion>& regions = is_write ? block->writes : block->reads;
  int n = static_cast<int>(regions.size());
  KILN_SCHEDULE_CHECK(index >= 0 && index < n, primitive)
      << "block '" << block->name << "' has " << n << (is_write ? " write" : " read") << (n == 1 ? "" : "s") << "; "
      << what << " " << index << " is out of range";
  return regions[index].buffer;
}

void CheckStorageScope(const std::string& scope, const char* primitive) {
  KILN_SCHEDULE_CHECK(scope == "global" || scope == "shared" || scope == "local", primitive)
      << "'" << scope << "' is not a storage scope (global, shared, local)";
}

}  // namespace kiln::tir::schedule
