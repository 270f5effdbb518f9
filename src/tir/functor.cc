// Default traversals of the tir visitors and copy-on-write mutators.
#include "kiln/tir/functor.h"

#include <unordered_map>

namespace kiln::tir {

namespace {
template <typename T>
bool Same(const std::vector<T>& a, const std::vector<T>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].get() != b[i].get()) return false;
  }
  return true;
}
}  // namespace

// ---- ExprVisitor ----

void ExprVisitor::VisitBufferUse(const Buffer&) {}
void ExprVisitor::VisitExpr_(const IntImmNode*) {}
void ExprVisitor::VisitExpr_(const FloatImmNode*) {}
void ExprVisitor::VisitExpr_(const StringImmNode*) {}
void ExprVisitor::VisitExpr_(const VarNode*) {}
void ExprVisitor::VisitExpr_(const BinaryNode* op) {
  VisitExpr(op->a);
  VisitExpr(op->b);
}
void ExprVisitor::VisitExpr_(const NotNode* op) {
  VisitExpr(op->a);
}
void ExprVisitor::VisitExpr_(const CastNode* op) {
  VisitExpr(op->value);
}
void ExprVisitor::VisitExpr_(const SelectNode* op) {
  VisitExpr(op->condition);
  VisitExpr(op->true_value);
  VisitExpr(op->false_value);
}
void ExprVisitor::VisitExpr_(const BufferLoadNode* op) {
  VisitBufferUse(op->buffer);
  for (const PrimExpr& i : op->indices) VisitExpr(i);
}
void ExprVisitor::VisitExpr_(const CallNode* op) {
  for (const PrimExpr& a : op->args) VisitExpr(a);
}
void ExprVisitor::VisitExpr_(const RampNode* op) {
  VisitExpr(op->base);
  VisitExpr(op->stride);
}
void ExprVisitor::VisitExpr_(const BroadcastNode* op) {
  VisitExpr(op->value);
}
void ExprVisitor::VisitExpr_(const LetNode* op) {
  VisitExpr(op->value);
  VisitExpr(op->body);
}

// ---- StmtVisitor ----

void StmtVisitor::VisitStmt_(const BufferStoreNode* op) {
  VisitBufferUse(op->buffer);
  VisitExpr(op->value);
  for (const PrimExpr& i : op->indices) VisitExpr(i);
}
void StmtVisitor::VisitStmt_(const ForNode* op) {
  VisitExpr(op->min);
  VisitExpr(op->extent);
  VisitStmt(op->body);
}
void StmtVisitor::VisitStmt_(const WhileNode* op) {
  VisitExpr(op->condition);
  VisitStmt(op->body);
}
void StmtVisitor::VisitStmt_(const SeqNode* op) {
  for (const Stmt& s : op->seq) VisitStmt(s);
}
void StmtVisitor::VisitStmt_(const IfThenElseNode* op) {
  VisitExpr(op->condition);
  VisitStmt(op->then_case);
  if (op->else_case) VisitStmt(op->else_case);
}
void StmtVisitor::VisitStmt_(const LetStmtNode* op) {
  VisitExpr(op->value);
  VisitStmt(op->body);
}
void StmtVisitor::VisitStmt_(const AllocateNode* op) {
  VisitStmt(op->body);
}
void StmtVisitor::VisitStmt_(const DeclBufferNode* op) {
  VisitStmt(op->body);
}
void StmtVisitor::VisitStmt_(const EvaluateNode* op) {
  VisitExpr(op->value);
}
void StmtVisitor::VisitStmt_(const BlockNode* op) {
  for (const IterVar& iv : op->iter_vars) {
    VisitExpr(iv.dom.min);
    VisitExpr(iv.dom.extent);
    VisitExpr(iv.binding);
  }
  for (const auto* regions : {&op->reads, &op->writes}) {
    for (const BufferRegion& r : *regions) {
      for (const Range& rg : r.region) {
        VisitExpr(rg.min);
        VisitExpr(rg.extent);
      }
    }
  }
  if (op->predicate) VisitExpr(op->predicate);
  if (op->init) VisitStmt(op->init);
  VisitStmt(op->body);
}

// ---- ExprMutator ----

// The node itself, as a handle: what a mutator returns when nothing changed.
#define KILN_SELF PrimExpr(runtime::GetRef<PrimExprNode>(op))

PrimExpr ExprMutator::VisitExpr_(const IntImmNode* op) {
  return KILN_SELF;
}
PrimExpr ExprMutator::VisitExpr_(const FloatImmNode* op) {
  return KILN_SELF;
}
PrimExpr ExprMutator::VisitExpr_(const StringImmNode* op) {
  return KILN_SELF;
}
PrimExpr ExprMutator::VisitExpr_(const VarNode* op) {
  return KILN_SELF;
}

PrimExpr ExprMutator::VisitExpr_(const BinaryNode* op) {
  PrimExpr a = VisitExpr(op->a), b = VisitExpr(op->b);
  if (a.get() == op->a.get() && b.get() == op->b.get()) return KILN_SELF;
  return Binary(op->op, a, b, op->span);
}
PrimExpr ExprMutator::VisitExpr_(const NotNode* op) {
  PrimExpr a = VisitExpr(op->a);
  return a.get() == op->a.get() ? KILN_SELF : Not(a, op->span);
}
PrimExpr ExprMutator::VisitExpr_(const CastNode* op) {
  PrimExpr v = VisitExpr(op->value);
  return v.get() == op->value.get() ? KILN_SELF : Cast(op->dtype, v, op->span);
}
PrimExpr ExprMutator::VisitExpr_(const SelectNode* op) {
  PrimExpr c = VisitExpr(op->condition), t = VisitExpr(op->true_value), f = VisitExpr(op->false_value);
  if (c.get() == op->condition.get() && t.get() == op->true_value.get() && f.get() == op->false_value.get()) {
    return KILN_SELF;
  }
  return Select(c, t, f, op->span);
}
PrimExpr ExprMutator::VisitExpr_(const BufferLoadNode* op) {
  Buffer buffer = VisitBufferUse(op->buffer);
  std::vector<PrimExpr> indices;
  for (const PrimExpr& i : op->indices) indices.push_back(VisitExpr(i));
  if (buffer.get() == op->buffer.get() && Same(indices, op->indices)) return KILN_SELF;
  return BufferLoad(buffer, indices, op->span);
}
PrimExpr ExprMutator::VisitExpr_(const CallNode* op) {
  std::vector<PrimExpr> args;
  for (const PrimExpr& a : op->args) args.push_back(VisitExpr(a));
  return Same(args, op->args) ? KILN_SELF : Call(op->dtype, op->op, args, op->span);
}
PrimExpr ExprMutator::VisitExpr_(const RampNode* op) {
  PrimExpr base = VisitExpr(op->base), stride = VisitExpr(op->stride);
  if (base.get() == op->base.get() && stride.get() == op->stride.get()) return KILN_SELF;
  return Ramp(base, stride, op->lanes, op->span);
}
PrimExpr ExprMutator::VisitExpr_(const BroadcastNode* op) {
  PrimExpr v = VisitExpr(op->value);
  return v.get() == op->value.get() ? KILN_SELF : Broadcast(v, op->lanes, op->span);
}
PrimExpr ExprMutator::VisitExpr_(const LetNode* op) {
  PrimExpr value = VisitExpr(op->value), body = VisitExpr(op->body);
  if (value.get() == op->value.get() && body.get() == op->body.get()) return KILN_SELF;
  return Let(op->var, value, body, op->span);
}
#undef KILN_SELF

// ---- StmtMutator ----

#define KILN_SELF Stmt(runtime::GetRef<StmtNode>(op))

Range StmtMutator::VisitRange(const Range& r) {
  return {VisitExpr(r.min), VisitExpr(r.extent)};
}

BufferRegion StmtMutator::VisitBufferRegion(const BufferRegion& r) {
  BufferRegion out{VisitBufferUse(r.buffer), {}};
  for (const Range& rg : r.region) out.region.push_back(VisitRange(rg));
  return out;
}

Stmt StmtMutator::VisitStmt_(const BufferStoreNode* op) {
  Buffer buffer = VisitBufferUse(op->buffer);
  PrimExpr value = VisitExpr(op->value);
  std::vector<PrimExpr> indices;
  for (const PrimExpr& i : op->indices) indices.push_back(VisitExpr(i));
  if (buffer.get() == op->buffer.get() && value.get() == op->value.get() && Same(indices, op->indices)) {
    return KILN_SELF;
  }
  return BufferStore(buffer, value, indices, op->span);
}
Stmt StmtMutator::VisitStmt_(const ForNode* op) {
  PrimExpr min = VisitExpr(op->min), extent = VisitExpr(op->extent);
  Stmt body = VisitStmt(op->body);
  if (min.get() == op->min.get() && extent.get() == op->extent.get() && body.get() == op->body.get()) {
    return KILN_SELF;
  }
  return For(op->loop_var, min, extent, op->for_kind, body, op->thread_tag, op->annotations, op->span);
}
Stmt StmtMutator::VisitStmt_(const WhileNode* op) {
  PrimExpr c = VisitExpr(op->condition);
  Stmt body = VisitStmt(op->body);
  if (c.get() == op->condition.get() && body.get() == op->body.get()) return KILN_SELF;
  return While(c, body, op->span);
}
Stmt StmtMutator::VisitStmt_(const SeqNode* op) {
  std::vector<Stmt> seq;
  for (const Stmt& s : op->seq) seq.push_back(VisitStmt(s));
  return Same(seq, op->seq) ? KILN_SELF : Seq(seq, op->span);
}
Stmt StmtMutator::VisitStmt_(const IfThenElseNode* op) {
  PrimExpr c = VisitExpr(op->condition);
  Stmt t = VisitStmt(op->then_case);
  Stmt e = op->else_case ? VisitStmt(op->else_case) : Stmt();
  if (c.get() == op->condition.get() && t.get() == op->then_case.get() && e.get() == op->else_case.get()) {
    return KILN_SELF;
  }
  return IfThenElse(c, t, e, op->span);
}
Stmt StmtMutator::VisitStmt_(const LetStmtNode* op) {
  PrimExpr value = VisitExpr(op->value);
  Stmt body = VisitStmt(op->body);
  if (value.get() == op->value.get() && body.get() == op->body.get()) return KILN_SELF;
  return LetStmt(op->var, value, body, op->span);
}
Stmt StmtMutator::VisitStmt_(const AllocateNode* op) {
  Stmt body = VisitStmt(op->body);
  return body.get() == op->body.get() ? KILN_SELF : Allocate(op->buffer, body, op->span);
}
Stmt StmtMutator::VisitStmt_(const DeclBufferNode* op) {
  Stmt body = VisitStmt(op->body);
  return body.get() == op->body.get() ? KILN_SELF : DeclBuffer(op->buffer, body, op->span);
}
Stmt StmtMutator::VisitStmt_(const EvaluateNode* op) {
  PrimExpr v = VisitExpr(op->value);
  return v.get() == op->value.get() ? KILN_SELF : Evaluate(v, op->span);
}
Stmt StmtMutator::VisitStmt_(const BlockNode* op) {
  BlockSpec spec{op->name, {}, {}, {}, Stmt(), Stmt(), op->alloc_buffers, PrimExpr(), op->annotations, op->span};
  bool same = true;
  for (const IterVar& iv : op->iter_vars) {
    IterVar n{iv.var, VisitRange(iv.dom), iv.kind, VisitExpr(iv.binding)};
    same &= n.dom.min.get() == iv.dom.min.get() && n.dom.extent.get() == iv.dom.extent.get() &&
            n.binding.get() == iv.binding.get();
    spec.iter_vars.push_back(n);
  }
  auto regions = [&](const std::vector<BufferRegion>& in, std::vector<BufferRegion>& out) {
    for (const BufferRegion& r : in) {
      BufferRegion n = VisitBufferRegion(r);
      same &= n.buffer.get() == r.buffer.get();
      for (size_t i = 0; i < r.region.size(); ++i) {
        same &= n.region[i].min.get() == r.region[i].min.get() && n.region[i].extent.get() == r.region[i].extent.get();
      }
      out.push_back(n);
    }
  };
  regions(op->reads, spec.reads);
  regions(op->writes, spec.writes);
  spec.predicate = op->predicate ? VisitExpr(op->predicate) : PrimExpr();
  spec.init = op->init ? VisitStmt(op->init) : Stmt();
  spec.body = VisitStmt(op->body);
  same &= spec.predicate.get() == op->predicate.get() && spec.init.get() == op->init.get() &&
          spec.body.get() == op->body.get();
  return same ? KILN_SELF : Block(std::move(spec));
}
#undef KILN_SELF

// ---- helpers ----

namespace {
class PreOrder : public StmtVisitor {
 public:
  explicit PreOrder(const std::function<void(const PrimExpr&)>& f) : f_(f) {}
  void VisitExpr(const PrimExpr& e) override {
    f_(e);
    StmtVisitor::VisitExpr(e);
  }

 private:
  const std::function<void(const PrimExpr&)>& f_;
};

// Buffers declared inside the statement whose shape, strides or offset
// change are declared anew, and their uses follow; other buffers are kept.
class Substituter : public StmtMutator {
 public:
  explicit Substituter(const std::function<PrimExpr(const Var&)>& vmap) : vmap_(vmap) {}

 protected:
  PrimExpr VisitExpr_(const VarNode* op) override {
    Var v(runtime::GetRef<PrimExprNode>(op));
    PrimExpr r = vmap_(v);
    return r ? r : PrimExpr(v);
  }
  Buffer VisitBufferUse(const Buffer& buffer) override {
    auto it = declared_.find(buffer.get());
    return it == declared_.end() ? buffer : it->second;
  }
  Stmt VisitStmt_(const AllocateNode* op) override {
    Buffer buffer = Declare(op->buffer);
    Stmt body = VisitStmt(op->body);
    if (buffer.get() == op->buffer.get() && body.get() == op->body.get()) return Stmt(runtime::GetRef<StmtNode>(op));
    return Allocate(buffer, body, op->span);
  }
  Stmt VisitStmt_(const DeclBufferNode* op) override {
    Buffer buffer = Declare(op->buffer);
    Stmt body = VisitStmt(op->body);
    if (buffer.get() == op->buffer.get() && body.get() == op->body.get()) return Stmt(runtime::GetRef<StmtNode>(op));
    return DeclBuffer(buffer, body, op->span);
  }
  Stmt VisitStmt_(const BlockNode* op) override {
    std::vector<Buffer> allocs;
    bool changed = false;
    for (const Buffer& b : op->alloc_buffers) {
      allocs.push_back(Declare(b));
      changed |= allocs.back().get() != b.get();
    }
    Stmt out = StmtMutator::VisitStmt_(op);
    if (!changed) return out;
    const BlockNode* n = out.as<BlockNode>();
    return Block(
        {n->name, n->iter_vars, n->reads, n->writes, n->init, n->body, allocs, n->predicate, n->annotations, n->span});
  }

 private:
  // `buffer` with its fields substituted, recorded for the uses that follow.
  Buffer Declare(const Buffer& buffer) {
    std::vector<PrimExpr> shape, strides;
    bool same = true;
    auto visit = [&](const PrimExpr& e) {
      PrimExpr out = e ? VisitExpr(e) : e;
      same &= out.get() == e.get();
      return out;
    };
    for (const PrimExpr& d : buffer->shape) shape.push_back(visit(d));
    for (const PrimExpr& s : buffer->strides) strides.push_back(visit(s));
    PrimExpr offset = visit(buffer->elem_offset);
    if (same) return buffer;
    Buffer out = EditBuffer(buffer, [&](BufferNode& n) {
      n.shape = std::move(shape);
      n.strides = std::move(strides);
      n.elem_offset = std::move(offset);
    });
    declared_[buffer.get()] = out;
    return out;
  }

  const std::function<PrimExpr(const Var&)>& vmap_;
  std::unordered_map<const BufferNode*, Buffer> declared_;
};
}  // namespace

void PreOrderVisit(const Stmt& stmt, const std::function<void(const PrimExpr&)>& f) {
  PreOrder(f).VisitStmt(stmt);
}
void PreOrderVisit(const PrimExpr& expr, const std::function<void(const PrimExpr&)>& f) {
  PreOrder(f).VisitExpr(expr);
}

PrimExpr Substitute(const PrimExpr& expr, const std::function<PrimExpr(const Var&)>& vmap) {
  return Substituter(vmap).VisitExpr(expr);
}
Stmt Substitute(const Stmt& stmt, const std::function<PrimExpr(const Var&)>& vmap) {
  return Substituter(vmap).VisitStmt(stmt);
}

}  // namespace kiln::tir
