// PlanBufferAllocation: each buffer of a block's alloc_buffers moves down to
// the lowest loop or block enclosing all its uses, so that a cache made at
// the root (cache_write's accumulator) is allocated inside the tile loops
// that use it and CompactBufferAllocation can shrink it to one tile. Under a
// loop, a block without iteration variables wraps the loop's body to hold
// the allocation (LowerBlocks makes it an Allocate).
#include <deque>
#include <unordered_map>
#include <unordered_set>

#include "kiln/runtime/error.h"
#include "kiln/tir/functor.h"
#include "kiln/tir/lower.h"

namespace kiln::tir {
namespace {

// A node of the tree of loops and blocks.
struct Scope {
  const StmtNode* node;  // a ForNode or a BlockNode
  const Scope* parent;
  int depth;
};

// Whether `s` is `ancestor` or below it.
bool Inside(const Scope* s, const Scope* ancestor) {
  while (s != nullptr && s->depth > ancestor->depth) s = s->parent;
  return s == ancestor;
}

const Scope* LowestCommonAncestor(const Scope* a, const Scope* b) {
  while (a->depth > b->depth) a = a->parent;
  while (b->depth > a->depth) b = b->parent;
  while (a != b) {
    a = a->parent;
    b = b->parent;
  }
  return a;
}

// The data variables of the buffers a statement stores to.
std::unordered_set<const VarNode*> StoredBuffers(const BlockNode* block) {
  struct Stores : StmtVisitor {
    std::unordered_set<const VarNode*> data;
    void VisitStmt_(const BufferStoreNode* op) override {
      data.insert(op->buffer->data.get());
      StmtVisitor::VisitStmt_(op);
    }
  } stores;
  if (block->init) stores.VisitStmt(block->init);
  stores.VisitStmt(block->body);
  for (const BufferRegion& r : block->writes) stores.data.insert(r.buffer->data.get());
  return stores.data;
}

// Finds, for every buffer some block allocates, the lowest scope where it
// can live: the common ancestor of its use points.
class UsePlanner : public StmtVisitor {
 public:
  struct Plan {
    Buffer buffer;
    const Scope* owner = nullptr;  // the allocating block
    const Scope* lca = nullptr;    // empty while unused
  };
  // By data variable, in order of allocation.
  std::unordered_map<const VarNode*, Plan> plans;
  std::vector<const VarNode*> order;

  // Where each moved buffer goes: the node that will allocate it.
  std::unordered_map<const StmtNode*, std::vector<Buffer>> Targets() {
    std::unordered_map<const StmtNode*, std::vector<Buffer>> targets;
    for (const VarNode* data : order) {
      Plan& p = plans.at(data);
      if (p.lca == nullptr || !Inside(p.lca, p.owner)) continue;  // unused, or needed above its block
      const Scope* at = p.lca;
      // Shared memory is visible to one group of threads: keep it above the
      // loops bound to threadIdx.
      if (p.buffer->scope == "shared") {
        for (const Scope* s = p.lca; s != p.owner; s = s->parent) {
          const ForNode* loop = s->node->kind == StmtKind::kFor ? static_cast<const ForNode*>(s->node) : nullptr;
          if (loop && loop->thread_tag.rfind("threadIdx", 0) == 0) at = s->parent;
        }
      }
      if (at != p.owner) targets[at->node].push_back(p.buffer);
    }
    return targets;
  }

 protected:
  void VisitStmt_(const ForNode* op) override {
    VisitExpr(op->min);
    VisitExpr(op->extent);
    Push(op);
    VisitStmt(op->body);
    stack_.pop_back();
  }

  void VisitStmt_(const BlockNode* op) override {
    const Scope* self = Push(op);
    for (const Buffer& b : op->alloc_buffers) {
      if (plans.emplace(b->data.get(), Plan{b, self, nullptr}).second) order.push_back(b->data.get());
    }
    blocks_.push_back(self);
    for (const auto* regions : {&op->reads, &op->writes}) {
      for (const BufferRegion& r : *regions) Use(r.buffer->data.get());
    }
    // Partial sums live across the iterations of the loops the reduce
    // variables are bound to: what the block writes is used above them.
    if (const Scope* outside = OutsideReduceLoops(op)) {
      for (const VarNode* data : StoredBuffers(op)) UseAt(data, outside);
    }
    StmtVisitor::VisitStmt_(op);
    blocks_.pop_back();
    stack_.pop_back();
  }

  // A view of the storage must be inside its allocation.
  void VisitStmt_(const DeclBufferNode* op) override {
    Use(op->buffer->data.get());
    for (const auto* exprs : {&op->buffer->shape, &op->buffer->strides}) {
      for (const PrimExpr& e : *exprs) VisitExpr(e);
    }
    VisitExpr(op->buffer->elem_offset);
    VisitStmt(op->body);
  }

  void VisitBufferUse(const Buffer& buffer) override { Use(buffer->data.get()); }
  // A data pointer used as a value (passed to an extern function).
  void VisitExpr_(const VarNode* op) override { Use(op); }

 private:
  const Scope* Push(const StmtNode* node) {
    const Scope* parent = stack_.empty() ? nullptr : stack_.back();
    arena_.push_back(Scope{node, parent, parent ? parent->depth + 1 : 0});
    stack_.push_back(&arena_.back());
    return stack_.back();
  }

  // The parent of the outermost loop that a reduce variable of `block` is
  // bound to, or nullptr when there is none.
  const Scope* OutsideReduceLoops(const BlockNode* block) const {
    std::unordered_set<const VarNode*> reduce_vars;
    for (const IterVar& iv : block->iter_vars) {
      if (iv.kind != IterKind::kReduce) continue;
      PreOrderVisit(iv.binding, [&](const PrimExpr& e) {
        if (const VarNode* v = e.as<VarNode>()) reduce_vars.insert(v);
      });
    }
    for (const Scope* s : stack_) {
      if (s->node->kind != StmtKind::kFor) continue;
      if (reduce_vars.count(static_cast<const ForNode*>(s->node)->loop_var.get())) return s->parent;
    }
    return nullptr;
  }

  // A use inside the innermost block: loops inside a block's body may carry
  // values between their iterations, so the block is the lowest place.
  void Use(const VarNode* data) {
    if (!blocks_.empty()) UseAt(data, blocks_.back());
  }

  void UseAt(const VarNode* data, const Scope* at) {
    auto it = plans.find(data);
    if (it == plans.end() || at == nullptr) return;
    Plan& p = it->second;
    p.lca = p.lca ? LowestCommonAncestor(p.lca, at) : at;
  }

  std::deque<Scope> arena_;
  std::vector<const Scope*> stack_;
  std::vector<const Scope*> blocks_;
};

// Removes the moved buffers from their blocks and allocates them at their
// targets: a block's alloc_buffers, or a block "alloc" (no iteration
// variables, no regions) that wraps a loop's body to allocate them.
class Mover : public StmtMutator {
 public:
  explicit Mover(std::unordered_map<const StmtNode*, std::vector<Buffer>> targets) : targets_(std::move(targets)) {
    for (const auto& [node, buffers] : targets_) {
      for (const Buffer& b : buffers) moved_.insert(b.get());
    }
  }

 protected:
  Stmt VisitStmt_(const ForNode* op) override {
    Stmt s = StmtMutator::VisitStmt_(op);
    auto it = targets_.find(op);
    if (it == targets_.end()) return s;
    const ForNode* loop = s.as<ForNode>();
    BlockSpec spec;
    spec.name = "alloc";
    spec.alloc_buffers = it->second;
    spec.body = loop->body;
    return For(loop->loop_var, loop->min, loop->extent, loop->for_kind, Block(std::move(spec)), loop->thread_tag,
               loop->annotations, loop->span);
  }

  Stmt VisitStmt_(const BlockNode* op) override {
    Stmt s = StmtMutator::VisitStmt_(op);
    auto it = targets_.find(op);
    bool moves_out = false;
    for (const Buffer& b : op->alloc_buffers) moves_out |= moved_.count(b.get()) != 0;
    if (it == targets_.end() && !moves_out) return s;
    const BlockNode* block = s.as<BlockNode>();
    BlockSpec spec{block->name, block->iter_vars, block->reads,       block->writes, block->init, block->body,
                   {},          block->predicate, block->annotations, block->span};
    for (const Buffer& b : block->alloc_buffers) {
      if (!moved_.count(b.get())) spec.alloc_buffers.push_back(b);
    }
    if (it != targets_.end()) spec.alloc_buffers.insert(spec.alloc_buffers.end(), it->second.begin(), it->second.end());
    return Block(std::move(spec));
  }

 private:
  std::unordered_map<const StmtNode*, std::vector<Buffer>> targets_;
  std::unordered_set<const BufferNode*> moved_;
};

}  // namespace

PrimFunc PlanBufferAllocation(const PrimFunc& func) {
  UsePlanner planner;
  planner.VisitStmt(func->body);
  auto targets = planner.Targets();
  if (targets.empty()) return func;
  Stmt body = Mover(std::move(targets)).VisitStmt(func->body);
  return MakePrimFunc(func->params, func->buffer_map, body, func->attrs, func->span);
}

}  // namespace kiln::tir
