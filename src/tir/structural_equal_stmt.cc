// StructuralComparator on statements, blocks and PrimFuncs: loop, let and
// block iteration variables and declared buffers (views included) are
// definitions.
#include "kiln/tir/structural_equal.h"

namespace kiln::tir {

namespace {
const char* IterKindName(IterKind kind) {
  return kind == IterKind::kSpatial ? "spatial" : "reduce";
}

std::string Describe(const Stmt& s) {
  if (!s) return "nothing";
  if (const BlockNode* b = s.as<BlockNode>()) return "Block '" + b->name + "'";
  return StmtKindName(s.kind());
}
}  // namespace

// ---- statements ----

bool StructuralComparator::EqualStmt(const Stmt& a, const Stmt& b) {
  if (!a || !b) return (!a && !b) || Fail("lhs " + Describe(a) + " vs rhs " + Describe(b));
  if (CanSkip(a.get(), b.get())) return true;
  if (a.kind() != b.kind()) return Fail("lhs " + Describe(a) + " vs rhs " + Describe(b));
  return VisitStmt(a, b);
}

bool StructuralComparator::VisitStmt_(const BufferStoreNode* a, const Stmt& other) {
  const auto* b = Other<BufferStoreNode>(other);
  return At("buffer", [&] { return EqualBufferUse(a->buffer, b->buffer); }) &&
         At("value", [&] { return EqualExpr(a->value, b->value); }) && EqualExprs("indices", a->indices, b->indices);
}
bool StructuralComparator::VisitStmt_(const ForNode* a, const Stmt& other) {
  const auto* b = Other<ForNode>(other);
  if (a->for_kind != b->for_kind) return FailField("kind", ForKindName(a->for_kind), ForKindName(b->for_kind));
  if (a->thread_tag != b->thread_tag) return FailField("thread_tag", Quoted(a->thread_tag), Quoted(b->thread_tag));
  return At("min", [&] { return EqualExpr(a->min, b->min); }) &&
         At("extent", [&] { return EqualExpr(a->extent, b->extent); }) &&
         At("loop_var", [&] { return DefineVar(a->loop_var.get(), b->loop_var.get()); }) &&
         At("annotations", [&] { return EqualAttrs(a->annotations, b->annotations); }) &&
         At("body", [&] { return EqualStmt(a->body, b->body); });
}
bool StructuralComparator::VisitStmt_(const WhileNode* a, const Stmt& other) {
  const auto* b = Other<WhileNode>(other);
  return At("condition", [&] { return EqualExpr(a->condition, b->condition); }) &&
         At("body", [&] { return EqualStmt(a->body, b->body); });
}
bool StructuralComparator::VisitStmt_(const SeqNode* a, const Stmt& other) {
  return EqualEach("seq", a->seq, Other<SeqNode>(other)->seq,
                   [&](const Stmt& x, const Stmt& y) { return EqualStmt(x, y); });
}
bool StructuralComparator::VisitStmt_(const IfThenElseNode* a, const Stmt& other) {
  const auto* b = Other<IfThenElseNode>(other);
  return At("condition", [&] { return EqualExpr(a->condition, b->condition); }) &&
         At("then_case", [&] { return EqualStmt(a->then_case, b->then_case); }) &&
         At("else_case", [&] { return EqualStmt(a->else_case, b->else_case); });
}
bool StructuralComparator::VisitStmt_(const LetStmtNode* a, const Stmt& other) {
  const auto* b = Other<LetStmtNode>(other);
  return At("value", [&] { return EqualExpr(a->value, b->value); }) &&
         At("var", [&] { return DefineVar(a->var.get(), b->var.get()); }) &&
         At("body", [&] { return EqualStmt(a->body, b->body); });
}
bool StructuralComparator::VisitStmt_(const AllocateNode* a, const Stmt& other) {
  const auto* b = Other<AllocateNode>(other);
  return At("buffer", [&] { return DeclareBuffer(a->buffer, b->buffer); }) &&
         At("body", [&] { return EqualStmt(a->body, b->body); });
}
// The view is a definition; its data variable is a use of storage defined
// elsewhere.
bool StructuralComparator::VisitStmt_(const DeclBufferNode* a, const Stmt& other) {
  const auto* b = Other<DeclBufferNode>(other);
  auto declare = [&] {
    if (!EqualBufferFields(a->buffer, b->buffer, /*declare=*/false)) return false;
    Bind(a->buffer.get(), b->buffer.get());
    return true;
  };
  return At("buffer", declare) && At("body", [&] { return EqualStmt(a->body, b->body); });
}
bool StructuralComparator::VisitStmt_(const EvaluateNode* a, const Stmt& other) {
  return At("value", [&] { return EqualExpr(a->value, Other<EvaluateNode>(other)->value); });
}

bool StructuralComparator::EqualIterVar(const IterVar& a, const IterVar& b) {
  if (a.kind != b.kind) return FailField("kind", IterKindName(a.kind), IterKindName(b.kind));
  return At("dom.min", [&] { return EqualExpr(a.dom.min, b.dom.min); }) &&
         At("dom.extent", [&] { return EqualExpr(a.dom.extent, b.dom.extent); }) &&
         At("binding", [&] { return EqualExpr(a.binding, b.binding); }) &&
         At("var", [&] { return DefineVar(a.var.get(), b.var.get()); });
}

bool StructuralComparator::VisitStmt_(const BlockNode* a, const Stmt& other) {
  const auto* b = Other<BlockNode>(other);
  if (a->name != b->name) return FailField("name", Quoted(a->name), Quoted(b->name));
  auto iter_var = [&](const IterVar& x, const IterVar& y) { return EqualIterVar(x, y); };
  auto declare = [&](const Buffer& x, const Buffer& y) { return DeclareBuffer(x, y); };
  auto region = [&](const BufferRegion& x, const BufferRegion& y) { return EqualRegion(x, y); };
  return EqualEach("iter_vars", a->iter_vars, b->iter_vars, iter_var) &&
         EqualEach("alloc_buffers", a->alloc_buffers, b->alloc_buffers, declare) &&
         EqualEach("reads", a->reads, b->reads, region) && EqualEach("writes", a->writes, b->writes, region) &&
         At("predicate", [&] { return EqualExpr(a->predicate, b->predicate); }) &&
         At("init", [&] { return EqualStmt(a->init, b->init); }) &&
         At("body", [&] { return EqualStmt(a->body, b->body); }) &&
         At("annotations", [&] { return EqualAttrs(a->annotations, b->annotations); });
}

// ---- functions ----

bool StructuralComparator::EqualFunc(const PrimFunc& a, const PrimFunc& b) {
  KILN_ICHECK(a && b) << "comparing an empty PrimFunc";
  if (CanSkip(a.get(), b.get())) return true;
  auto param = [&](const Var& x, const Var& y) { return DefineVar(x.get(), y.get()); };
  auto declare = [&](const std::pair<Var, Buffer>& x, const std::pair<Var, Buffer>& y) {
    DefiningScope defining(this);
    return At("param", [&] { return EqualExpr(x.first, y.first); }) &&
           At("buffer", [&] { return DeclareBuffer(x.second, y.second); });
  };
  return EqualEach("params", a->params, b->params, param) &&
         EqualEach("buffer_map", a->buffer_map, b->buffer_map, declare) &&
         At("body", [&] { return EqualStmt(a->body, b->body); }) &&
         At("attrs", [&] { return EqualAttrs(a->attrs, b->attrs); });
}

}  // namespace kiln::tir
