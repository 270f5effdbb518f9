// ScheduleState: locating blocks and loops, replacing statements by
// identity, and the block queries primitives share.
#include "state.h"

#include <functional>
#include <sstream>
#include <unordered_set>

#include "kiln/runtime/edit_distance.h"
#include "kiln/tir/functor.h"

namespace kiln::tir::schedule {
namespace {

// Depth-first search for the first statement satisfying `pred`, recording
// the path to it.
bool FindPath(const Stmt& s, const std::function<bool(const Stmt&)>& pred, std::vector<Stmt>& path) {
  if (!s) return false;
  path.push_back(s);
  if (pred(s)) return true;
  bool found = false;
  switch (s.kind()) {
    case StmtKind::kFor: found = FindPath(s.as<ForNode>()->body, pred, path); break;
    case StmtKind::kWhile: found = FindPath(s.as<WhileNode>()->body, pred, path); break;
    case StmtKind::kSeq:
      for (const Stmt& c : s.as<SeqNode>()->seq) {
        if ((found = FindPath(c, pred, path))) break;
      }
      break;
    case StmtKind::kIfThenElse: {
      const auto* n = s.as<IfThenElseNode>();
      found = FindPath(n->then_case, pred, path) || FindPath(n->else_case, pred, path);
      break;
    }
    case StmtKind::kLetStmt: found = FindPath(s.as<LetStmtNode>()->body, pred, path); break;
    case StmtKind::kAllocate: found = FindPath(s.as<AllocateNode>()->body, pred, path); break;
    case StmtKind::kDeclBuffer: found = FindPath(s.as<DeclBufferNode>()->body, pred, path); break;
    case StmtKind::kBlock: {
      const auto* b = s.as<BlockNode>();
      found = FindPath(b->init, pred, path) || FindPath(b->body, pred, path);
      break;
    }
    default: break;
  }
  if (!found) path.pop_back();
  return found;
}

void CollectBlocks(const Stmt& s, bool descend_into_blocks, std::vector<const BlockNode*>& out) {
  if (!s) return;
  switch (s.kind()) {
    case StmtKind::kBlock: {
      const auto* b = s.as<BlockNode>();
      out.push_back(b);
      if (descend_into_blocks) {
        CollectBlocks(b->init, true, out);
        CollectBlocks(b->body, true, out);
      }
      return;
    }
    case StmtKind::kFor: return CollectBlocks(s.as<ForNode>()->body, descend_into_blocks, out);
    case StmtKind::kWhile: return CollectBlocks(s.as<WhileNode>()->body, descend_into_blocks, out);
    case StmtKind::kSeq:
      for (const Stmt& c : s.as<SeqNode>()->seq) CollectBlocks(c, descend_into_blocks, out);
      return;
    case StmtKind::kIfThenElse:
      CollectBlocks(s.as<IfThenElseNode>()->then_case, descend_into_blocks, out);
      CollectBlocks(s.as<IfThenElseNode>()->else_case, descend_into_blocks, out);
      return;
    case StmtKind::kLetStmt: return CollectBlocks(s.as<LetStmtNode>()->body, descend_into_blocks, out);
    case StmtKind::kAllocate: return CollectBlocks(s.as<AllocateNode>()->body, descend_into_blocks, out);
    case StmtKind::kDeclBuffer: return CollectBlocks(s.as<DeclBufferNode>()->body, descend_into_blocks, out);
    default: return;
  }
}

bool InRegions(const std::vector<BufferRegion>& regions, const Buffer& buffer) {
  for (const BufferRegion& r : regions) {
    if (r.buffer.get() == buffer.get()) return true;
  }
  return false;
}

}  // namespace

const BlockNode* Located::block() const {
  const BlockNode* b = stmt().as<BlockNode>();
  KILN_ICHECK(b) << "the located statement is not a block";
  return b;
}

const ForNode* Located::loop() const {
  const ForNode* l = stmt().as<ForNode>();
  KILN_ICHECK(l) << "the located statement is not a loop";
  return l;
}

const BlockNode* Located::scope() const {
  for (size_t i = path.size() - 1; i-- > 0;) {
    if (const BlockNode* b = path[i].as<BlockNode>()) return b;
  }
  return nullptr;
}

std::vector<const ForNode*> Located::loops() const {
  std::vector<const ForNode*> out;
  for (size_t i = path.size() - 1; i-- > 0;) {
    if (path[i].as<BlockNode>()) break;
    if (const ForNode* f = path[i].as<ForNode>()) out.insert(out.begin(), f);
  }
  return out;
}

ScheduleState::ScheduleState(ir::IRModule mod) : mod_(std::move(mod)) {
  for (const std::string& f : FuncNames()) {
    std::unordered_set<std::string> names;
    for (const BlockNode* b : AllBlocks(Func(f)->body)) {
      KILN_CHECK(names.insert(b->name).second) << "schedule: function '" << f << "' has two blocks named '" << b->name
                                               << "'; block names must be unique to be scheduled";
    }
  }
}

PrimFunc ScheduleState::Func(const std::string& name) const {
  ir::BaseFunc f = mod_.Lookup(name);
  KILN_CHECK(f) << "schedule: the module has no function '" << name << "'";
  auto pf = f.As<PrimFuncNode>();
  KILN_CHECK(pf) << "schedule: function '" << name << "' is not a PrimFunc";
  return PrimFunc(pf);
}

std::vector<std::string> ScheduleState::FuncNames() const {
  std::vector<std::string> out;
  for (const auto& [gv, f] : mod_.functions()) {
    if (f.As<PrimFuncNode>()) out.push_back(gv->name);
  }
  return out;
}

Located ScheduleState::Find(const BlockRef& block, const char* primitive) const {
  Located loc{block.func, {}};
  bool found = FindPath(
      Func(block.func)->body,
      [&](const Stmt& s) {
        const BlockNode* b = s.as<BlockNode>();
        return b && b->name == block.name;
      },
      loc.path);
  if (!found) {
    std::vector<std::string> names;
    for (const BlockNode* b : AllBlocks(Func(block.func)->body)) names.push_back(b->name);
    std::string hint = runtime::ClosestName(block.name, names);
    Fail(primitive, "function '" + block.func + "' has no block '" + block.name + "'" +
                        (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
  }
  return loc;
}

Located ScheduleState::Find(const LoopRef& loop, const char* primitive) const {
  Located loc{loop.func, {}};
  bool found = FindPath(
      Func(loop.func)->body,
      [&](const Stmt& s) {
        const ForNode* f = s.as<ForNode>();
        return f && f->loop_var.get() == loop.var.get();
      },
      loc.path);
  if (!found) {
    Fail(primitive, "loop '" + loop.var.name() + "' is no longer in function '" + loop.func +
                        "' (a split, fuse, compute_at or similar replaced it)");
  }
  return loc;
}

bool ScheduleState::Exists(const BlockRef& block) const {
  std::vector<Stmt> path;
  return FindPath(
      Func(block.func)->body,
      [&](const Stmt& s) {
        const BlockNode* b = s.as<BlockNode>();
        return b && b->name == block.name;
      },
      path);
}

bool ScheduleState::Exists(const LoopRef& loop) const {
  std::vector<Stmt> path;
  return FindPath(
      Func(loop.func)->body,
      [&](const Stmt& s) {
        const ForNode* f = s.as<ForNode>();
        return f && f->loop_var.get() == loop.var.get();
      },
      path);
}

void ScheduleState::Replace(const std::string& func, const std::unordered_map<const StmtNode*, Stmt>& replacements) {
  PrimFunc f = Func(func);
  StmtReplacer r(replacements);
  Stmt body = r.VisitStmt(f->body);
  KILN_ICHECK(r.used() == replacements.size())
      << "schedule: " << replacements.size() - r.used() << " replaced statement(s) not found in '" << func << "'";
  KILN_ICHECK(body) << "schedule: the replacement removed the function body";
  SetFunc(func, MakePrimFunc(f->params, f->buffer_map, body, f->attrs, f->span));
}

Stmt StmtReplacer::VisitStmt(const Stmt& s) {
  auto it = replacements_.find(s.get());
  if (it != replacements_.end()) {
    ++used_;
    return it->second;
  }
  return StmtMutator::VisitStmt(s);
}

Stmt StmtReplacer::VisitStmt_(const SeqNode* op) {
  std::vector<Stmt> seq;
  bool same = true;
  for (const Stmt& c : op->seq) {
    Stmt n = VisitStmt(c);
    same &= n.get() == c.get();
    if (n) seq.push_back(n);
  }
  if (same) return runtime::GetRef<StmtNode>(op);
  KILN_ICHECK(!seq.empty()) << "a replacement removed every statement of a sequence";
  return Seq(std::move(seq), op->span);
}

void ScheduleState::SetFunc(const std::string& func, PrimFunc f) {
  mod_ = mod_.Update(mod_.GetGlobalVar(func), f);
}

std::string ScheduleState::UniqueBlockName(const std::string& func, const std::string& base) const {
  std::unordered_set<std::string> names;
  for (const BlockNode* b : AllBlocks(Func(func)->body)) names.insert(b->name);
  if (!names.count(base)) return base;
  for (int i = 1;; ++i) {
    std::string n = base + "_" + std::to_string(i);
    if (!names.count(n)) return n;
  }
}

std::vector<const BlockNode*> ChildBlocks(const Stmt& stmt) {
  std::vector<const BlockNode*> out;
  if (const BlockNode* b = stmt.as<BlockNode>()) {
    CollectBlocks(b->init, false, out);
    CollectBlocks(b->body, false, out);
  } else {
    CollectBlocks(stmt, false, out);
  }
  return out;
}

std::vector<const BlockNode*> AllBlocks(const Stmt& stmt) {
  std::vector<const BlockNode*> out;
  CollectBlocks(stmt, true, out);
  return out;
}

bool ReadsBuffer(const BlockNode* block, const Buffer& buffer) {
  return InRegions(block->reads, buffer);
}
bool WritesBuffer(const BlockNode* block, const Buffer& buffer) {
  return InRegions(block->writes, buffer);
}

std::vector<const BlockNode*> Producers(const BlockNode* scope, const BlockNode* block) {
  std::vector<const BlockNode*> out;
  for (const BlockNode* b : ChildBlocks(runtime::GetRef<StmtNode>(scope))) {
    if (b == block) continue;
    for (const BufferRegion& r : block->reads) {
      if (WritesBuffer(b, r.buffer)) {
        out.push_back(b);
        break;
      }
    }
  }
  return out;
}

std::vector<const BlockNode*> Consumers(const BlockNode* scope, const BlockNode* block) {
  std::vector<const BlockNode*> out;
  for (const BlockNode* b : ChildBlocks(runtime::GetRef<StmtNode>(scope))) {
    if (b == block) continue;
    for (const BufferRegion& w : block->writes) {
      if (ReadsBuffer(b, w.buffer)) {
        out.push_back(b);
        break;
      }
    }
  }
  return out;
}

bool HasReduceIter(const BlockNode* block) {
  for (const IterVar& iv : block->iter_vars) {
    if (iv.kind == IterKind::kReduce) return true;
  }
  return false;
}

BlockSpec SpecOf(const BlockNode* b) {
  return BlockSpec{b->name, b->iter_vars,     b->reads,     b->writes,      b->init,
                   b->body, b->alloc_buffers, b->predicate, b->annotations, b->span};
}

Stmt WithBody(const ForNode* loop, Stmt body) {
  return For(loop->loop_var, loop->min, loop->extent, loop->for_kind, std::move(body), loop->thread_tag,
             loop->annotations, loop->span);
}

Buffer FindBuffer(const PrimFunc& func, const std::string& name) {
  for (const auto& [param, buffer] : func->buffer_map) {
    if (buffer->name == name) return buffer;
  }
  for (const BlockNode* b : AllBlocks(func->body)) {
    for (const Buffer& buffer : b->alloc_buffers) {
      if (buffer->name == name) return buffer;
    }
  }
  return Buffer();
}

void Fail(const char* primitive, const std::string& message) {
  KILN_THROW() << primitive << ": " << message;
}

}  // namespace kiln::tir::schedule
