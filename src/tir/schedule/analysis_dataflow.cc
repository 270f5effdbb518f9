// Dataflow facts for the block-moving primitives: the statement that goes
// with a block, complete writers, direct buffer access, defined variables.
#include "analysis_dataflow.h"

#include <sstream>

#include "kiln/tir/functor.h"
#include "kiln/tir/printer.h"

namespace kiln::tir::schedule {
namespace {

// Finds buffers other than `target` over the same data, and uses of the data
// variable as a value.
class AliasFinder : public StmtVisitor {
 public:
  explicit AliasFinder(const Buffer& target) : target_(target) {}
  std::string alias;  // the name of the first alias found
  bool data_used = false;

  void Check(const Buffer& b) {
    if (alias.empty() && b.get() != target_.get() && b->data.get() == target_->data.get()) alias = b->name;
  }

 protected:
  void VisitBufferUse(const Buffer& b) override { Check(b); }
  void VisitExpr_(const VarNode* op) override { data_used |= op == target_->data.get(); }
  void VisitStmt_(const AllocateNode* op) override {
    Check(op->buffer);
    StmtVisitor::VisitStmt_(op);
  }
  void VisitStmt_(const DeclBufferNode* op) override {
    Check(op->buffer);
    StmtVisitor::VisitStmt_(op);
  }
  void VisitStmt_(const BlockNode* op) override {
    for (const Buffer& b : op->alloc_buffers) Check(b);
    for (const auto* regions : {&op->reads, &op->writes}) {
      for (const BufferRegion& r : *regions) Check(r.buffer);
    }
    StmtVisitor::VisitStmt_(op);
  }

 private:
  const Buffer& target_;
};

class DefinedVars : public StmtVisitor {
 public:
  std::unordered_set<const VarNode*> vars;

 protected:
  void VisitStmt_(const ForNode* op) override {
    vars.insert(op->loop_var.get());
    StmtVisitor::VisitStmt_(op);
  }
  void VisitStmt_(const LetStmtNode* op) override {
    vars.insert(op->var.get());
    StmtVisitor::VisitStmt_(op);
  }
  void VisitExpr_(const LetNode* op) override {
    vars.insert(op->var.get());
    StmtVisitor::VisitExpr_(op);
  }
  void VisitStmt_(const BlockNode* op) override {
    for (const IterVar& iv : op->iter_vars) vars.insert(iv.var.get());
    StmtVisitor::VisitStmt_(op);
  }
};

}  // namespace

const StmtNode* EffectOutsideBlocks(const Stmt& stmt) {
  if (!stmt) return nullptr;
  switch (stmt.kind()) {
    case StmtKind::kBufferStore:
    case StmtKind::kEvaluate: return stmt.get();
    case StmtKind::kFor: return EffectOutsideBlocks(stmt.as<ForNode>()->body);
    case StmtKind::kWhile: return EffectOutsideBlocks(stmt.as<WhileNode>()->body);
    case StmtKind::kLetStmt: return EffectOutsideBlocks(stmt.as<LetStmtNode>()->body);
    case StmtKind::kAllocate: return EffectOutsideBlocks(stmt.as<AllocateNode>()->body);
    case StmtKind::kDeclBuffer: return EffectOutsideBlocks(stmt.as<DeclBufferNode>()->body);
    case StmtKind::kIfThenElse: {
      const auto* n = stmt.as<IfThenElseNode>();
      const StmtNode* s = EffectOutsideBlocks(n->then_case);
      return s ? s : EffectOutsideBlocks(n->else_case);
    }
    case StmtKind::kSeq:
      for (const Stmt& c : stmt.as<SeqNode>()->seq) {
        if (const StmtNode* s = EffectOutsideBlocks(c)) return s;
      }
      return nullptr;
    default: return nullptr;
  }
}

bool Encloses(const BlockNode* outer, const BlockNode* inner) {
  for (const BlockNode* b : AllBlocks(runtime::GetRef<StmtNode>(outer))) {
    if (b == inner) return true;
  }
  return false;
}

void CheckNoEffectsOutsideBlocks(const BlockNode* scope, const char* primitive) {
  const StmtNode* effect = EffectOutsideBlocks(scope->body);
  if (!effect) return;
  std::string text = ToText(runtime::GetRef<StmtNode>(effect));
  if (!text.empty() && text.back() == '\n') text.pop_back();
  Fail(primitive,
       "block '" + scope->name + "' has a statement outside its child blocks, whose effects no region shows: " + text);
}

void CheckVisibleAt(const PrimFunc& func, const Buffer& buffer, const BlockNode* site, const std::string& what,
                    const char* primitive) {
  for (const BlockNode* b : AllBlocks(func->body)) {
    for (const Buffer& a : b->alloc_buffers) {
      KILN_SCHEDULE_CHECK(a.get() != buffer.get() || Encloses(b, site), primitive)
          << what << " buffer '" << buffer->name << "' outside block '" << b->name << "', which allocates it";
    }
  }
}

const StmtNode* OutermostHolder(const Located& block, const char* primitive) {
  size_t i = block.path.size() - 1;
  while (i > 0) {
    const ForNode* loop = block.path[i - 1].as<ForNode>();
    if (!loop || loop->body.get() != block.path[i].get()) break;
    --i;
  }
  KILN_SCHEDULE_CHECK(i > 0 && block.path[i - 1].as<SeqNode>(), primitive)
      << "block '" << block.block()->name
      << "' is not one of a sequence of statements, so nothing would be left in its place";
  return block.path[i].get();
}

bool IsParam(const PrimFunc& func, const Buffer& buffer) {
  for (const auto& [param, b] : func->buffer_map) {
    if (b.get() == buffer.get()) return true;
  }
  return false;
}

void CheckCompleteWriter(const PrimFunc& func, const BlockNode* block, const char* primitive) {
  bool reduction = static_cast<bool>(block->init);
  for (const BufferRegion& w : block->writes) {
    KILN_SCHEDULE_CHECK(reduction || !ReadsBuffer(block, w.buffer), primitive)
        << "block '" << block->name << "' reads buffer '" << w.buffer->name << "' that it writes";
    for (const BlockNode* other : AllBlocks(func->body)) {
      // Blocks around `block` list what it writes among their own writes.
      if (other == block || !WritesBuffer(other, w.buffer) || Encloses(other, block) || Encloses(block, other))
        continue;
      Fail(primitive, "buffer '" + w.buffer->name + "' is written by block '" + other->name + "' as well as by '" +
                          block->name + "'");
    }
  }
}

void CheckOnlyDirectAccess(const PrimFunc& func, const Buffer& buffer, const char* primitive) {
  AliasFinder finder(buffer);
  for (const auto& [param, b] : func->buffer_map) finder.Check(b);
  finder.VisitStmt(func->body);
  KILN_SCHEDULE_CHECK(finder.alias.empty(), primitive)
      << "buffer '" << buffer->name << "' shares its storage with buffer '" << finder.alias << "'";
  KILN_SCHEDULE_CHECK(!finder.data_used, primitive)
      << "the data pointer of buffer '" << buffer->name << "' is used directly";
}

std::unordered_set<const VarNode*> VarsDefinedIn(const Stmt& stmt) {
  DefinedVars d;
  d.VisitStmt(stmt);
  return std::move(d.vars);
}

const VarNode* FirstUse(const PrimExpr& e, const std::unordered_set<const VarNode*>& vars) {
  const VarNode* found = nullptr;
  PreOrderVisit(e, [&](const PrimExpr& x) {
    const VarNode* v = x.as<VarNode>();
    if (!found && v && vars.count(v)) found = v;
  });
  return found;
}

std::string RegionText(const Buffer& buffer, const std::vector<Range>& region) {
  std::ostringstream os;
  os << buffer->name << "[";
  for (size_t d = 0; d < region.size(); ++d) {
    os << (d ? ", " : "") << ToText(region[d].min);
    if (!AsConstInt(region[d].extent) || *AsConstInt(region[d].extent) != 1) os << ":+" << ToText(region[d].extent);
  }
  os << "]";
  return os.str();
}

}  // namespace kiln::tir::schedule
