// KernelCopier: a StmtMutator that renews every definition it passes and
// maps every use through the tables it was given.
#include "kernel_copier.h"

#include "kiln/runtime/error.h"

namespace kiln::transform::fusion {

std::string NameSet::Unique(const std::string& hint) {
  std::string name = hint;
  for (int i = 1; taken_.count(name); ++i) name = hint + "_" + std::to_string(i);
  taken_.insert(name);
  return name;
}

KernelCopier::KernelCopier(std::unordered_map<const tir::VarNode*, tir::PrimExpr> vars,
                           std::unordered_map<const tir::BufferNode*, tir::Buffer> buffers, NameSet* block_names,
                           NameSet* buffer_names, std::string kernel)
    : vars_(std::move(vars)),
      buffers_(std::move(buffers)),
      block_names_(block_names),
      buffer_names_(buffer_names),
      kernel_(std::move(kernel)) {}

tir::Var KernelCopier::Renew(const tir::Var& v) {
  tir::Var fresh = v->is_size_var ? tir::SizeVar(v->name, v->dtype) : tir::Var(v->name, v->dtype);
  vars_[v.get()] = fresh;
  return fresh;
}

tir::Buffer KernelCopier::CopyBuffer(const tir::Buffer& buffer) {
  auto visit = [&](const std::vector<tir::PrimExpr>& in) {
    std::vector<tir::PrimExpr> out;
    for (const tir::PrimExpr& e : in) out.push_back(VisitExpr(e));
    return out;
  };
  tir::PrimExpr offset = buffer->elem_offset ? VisitExpr(buffer->elem_offset) : tir::PrimExpr();
  tir::Buffer out = tir::DeclBuffer(buffer_names_->Unique(buffer->name), visit(buffer->shape), buffer->dtype,
                                    buffer->scope, visit(buffer->strides), offset);
  buffers_[buffer.get()] = out;
  vars_[buffer->data.get()] = out->data;
  return out;
}

tir::PrimExpr KernelCopier::VisitExpr_(const tir::VarNode* op) {
  auto it = vars_.find(op);
  return it == vars_.end() ? tir::PrimExpr(runtime::GetRef<tir::PrimExprNode>(op)) : it->second;
}

tir::PrimExpr KernelCopier::VisitExpr_(const tir::LetNode* op) {
  tir::PrimExpr value = VisitExpr(op->value);
  tir::Var var = Renew(op->var);
  return tir::Let(var, value, VisitExpr(op->body), op->span);
}

tir::Buffer KernelCopier::VisitBufferUse(const tir::Buffer& buffer) {
  auto it = buffers_.find(buffer.get());
  KILN_CHECK(it != buffers_.end()) << "FuseTIR: kernel '" << kernel_ << "' uses buffer '" << buffer->name
                                   << "' that it neither takes nor allocates in a block";
  return it->second;
}

tir::Stmt KernelCopier::VisitStmt_(const tir::ForNode* op) {
  tir::PrimExpr min = VisitExpr(op->min), extent = VisitExpr(op->extent);
  tir::Var var = Renew(op->loop_var);
  return tir::For(var, min, extent, op->for_kind, VisitStmt(op->body), op->thread_tag, op->annotations, op->span);
}

tir::Stmt KernelCopier::VisitStmt_(const tir::LetStmtNode* op) {
  tir::PrimExpr value = VisitExpr(op->value);
  tir::Var var = Renew(op->var);
  return tir::LetStmt(var, value, VisitStmt(op->body), op->span);
}

tir::Stmt KernelCopier::VisitStmt_(const tir::BlockNode* op) {
  tir::BlockSpec spec;
  spec.name = block_names_->Unique(op->name);
  for (const tir::Buffer& b : op->alloc_buffers) spec.alloc_buffers.push_back(CopyBuffer(b));
  for (const tir::IterVar& iv : op->iter_vars) {
    tir::Range dom = VisitRange(iv.dom);
    tir::PrimExpr binding = VisitExpr(iv.binding);
    spec.iter_vars.push_back({Renew(iv.var), dom, iv.kind, binding});
  }
  for (const tir::BufferRegion& r : op->reads) spec.reads.push_back(VisitBufferRegion(r));
  for (const tir::BufferRegion& r : op->writes) spec.writes.push_back(VisitBufferRegion(r));
  spec.predicate = op->predicate ? VisitExpr(op->predicate) : tir::PrimExpr();
  spec.init = op->init ? VisitStmt(op->init) : tir::Stmt();
  spec.body = VisitStmt(op->body);
  spec.annotations = op->annotations;
  spec.span = op->span;
  return tir::Block(std::move(spec));
}

tir::Stmt KernelCopier::VisitStmt_(const tir::AllocateNode*) {
  KILN_THROW() << "FuseTIR: kernel '" << kernel_ << "' allocates outside blocks; it cannot be fused";
}

tir::Stmt KernelCopier::VisitStmt_(const tir::DeclBufferNode*) {
  KILN_THROW() << "FuseTIR: kernel '" << kernel_ << "' declares buffer views; it cannot be fused";
}

}  // namespace kiln::transform::fusion
