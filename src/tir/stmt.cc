// tir statement factories and their checks.
#include "kiln/tir/stmt.h"

#include "kiln/runtime/error.h"

namespace kiln::tir {

using runtime::MakeObject;

const char* ForKindName(ForKind kind) {
  switch (kind) {
    case ForKind::kSerial: return "serial";
    case ForKind::kParallel: return "parallel";
    case ForKind::kVectorized: return "vectorized";
    case ForKind::kUnrolled: return "unrolled";
    case ForKind::kThreadBinding: return "thread_binding";
  }
  return "?";
}

const char* StmtKindName(StmtKind kind) {
  switch (kind) {
#define KILN_X(name) \
  case StmtKind::k##name: return #name;
    KILN_TIR_STMT_KINDS(KILN_X)
#undef KILN_X
  }
  return "?";
}

namespace {
void CheckIndices(const Buffer& buffer, const std::vector<PrimExpr>& indices, const char* what) {
  KILN_CHECK(buffer) << what << ": the buffer is undefined";
  KILN_CHECK(indices.size() == buffer->shape.size())
      << what << " of buffer '" << buffer->name << "' with " << indices.size() << " indices; it has "
      << buffer->shape.size() << " dimensions";
  for (const PrimExpr& i : indices) {
    KILN_CHECK(i && (i.dtype().is_int() || i.dtype().is_uint()))
        << what << " of buffer '" << buffer->name << "': indices must be integers";
  }
}
}  // namespace

Stmt BufferStore(Buffer buffer, PrimExpr value, std::vector<PrimExpr> indices, Span span) {
  CheckIndices(buffer, indices, "store");
  KILN_CHECK(value) << "store to buffer '" << buffer->name << "': the value is undefined";
  KILN_CHECK(value.dtype().element_of() == buffer->dtype.element_of())
      << "store of a " << value.dtype() << " value into buffer '" << buffer->name << "' of dtype " << buffer->dtype;
  auto n = MakeObject<BufferStoreNode>();
  n->buffer = std::move(buffer);
  n->value = std::move(value);
  n->indices = std::move(indices);
  n->span = span;
  return Stmt(n);
}

Stmt For(Var loop_var, PrimExpr min, PrimExpr extent, ForKind kind, Stmt body, std::string thread_tag,
         ir::Attrs annotations, Span span) {
  KILN_CHECK(loop_var && min && extent && body) << "for loop: an operand is undefined";
  KILN_CHECK(loop_var.dtype().is_int() || loop_var.dtype().is_uint())
      << "loop variable '" << loop_var.name() << "' must be an integer, not " << loop_var.dtype();
  KILN_CHECK(min.dtype() == loop_var.dtype() && extent.dtype() == loop_var.dtype())
      << "loop over '" << loop_var.name() << "': min and extent must have the loop variable's dtype "
      << loop_var.dtype();
  KILN_CHECK((kind == ForKind::kThreadBinding) == !thread_tag.empty())
      << "loop over '" << loop_var.name() << "': a thread tag goes with thread_binding loops only";
  auto n = MakeObject<ForNode>();
  n->loop_var = std::move(loop_var);
  n->min = std::move(min);
  n->extent = std::move(extent);
  n->for_kind = kind;
  n->thread_tag = std::move(thread_tag);
  n->body = std::move(body);
  n->annotations = std::move(annotations);
  n->span = span;
  return Stmt(n);
}

Stmt While(PrimExpr condition, Stmt body, Span span) {
  KILN_CHECK(condition && condition.dtype() == DataType::Bool()) << "while: the condition must be bool";
  KILN_CHECK(body) << "while: the body is undefined";
  auto n = MakeObject<WhileNode>();
  n->condition = std::move(condition);
  n->body = std::move(body);
  n->span = span;
  return Stmt(n);
}

Stmt Seq(std::vector<Stmt> seq, Span span) {
  std::vector<Stmt> flat;
  for (Stmt& s : seq) {
    KILN_CHECK(s) << "seq: a statement is undefined";
    if (const SeqNode* inner = s.as<SeqNode>()) {
      flat.insert(flat.end(), inner->seq.begin(), inner->seq.end());
    } else {
      flat.push_back(std::move(s));
    }
  }
  if (flat.size() == 1) return flat[0];
  auto n = MakeObject<SeqNode>();
  n->seq = std::move(flat);
  n->span = span;
  return Stmt(n);
}

Stmt IfThenElse(PrimExpr condition, Stmt then_case, Stmt else_case, Span span) {
  KILN_CHECK(condition && condition.dtype() == DataType::Bool()) << "if: the condition must be bool";
  KILN_CHECK(then_case) << "if: the then branch is undefined";
  auto n = MakeObject<IfThenElseNode>();
  n->condition = std::move(condition);
  n->then_case = std::move(then_case);
  n->else_case = std::move(else_case);
  n->span = span;
  return Stmt(n);
}

Stmt LetStmt(Var var, PrimExpr value, Stmt body, Span span) {
  KILN_CHECK(var && value && body) << "let: an operand is undefined";
  KILN_CHECK(var.dtype() == value.dtype()) << "let: variable '" << var.name() << "' of dtype " << var.dtype()
                                           << " bound to a value of dtype " << value.dtype();
  auto n = MakeObject<LetStmtNode>();
  n->var = std::move(var);
  n->value = std::move(value);
  n->body = std::move(body);
  n->span = span;
  return Stmt(n);
}

Stmt Allocate(Buffer buffer, Stmt body, Span span) {
  KILN_CHECK(buffer && body) << "allocate: an operand is undefined";
  auto n = MakeObject<AllocateNode>();
  n->buffer = std::move(buffer);
  n->body = std::move(body);
  n->span = span;
  return Stmt(n);
}

Stmt DeclBuffer(Buffer buffer, Stmt body, Span span) {
  KILN_CHECK(buffer && body) << "decl_buffer: an operand is undefined";
  KILN_CHECK(buffer->data && buffer->data.dtype().is_handle())
      << "decl_buffer of buffer '" << buffer->name << "': the buffer needs a handle data variable";
  auto n = MakeObject<DeclBufferNode>();
  n->buffer = std::move(buffer);
  n->body = std::move(body);
  n->span = span;
  return Stmt(n);
}

Buffer BufferView(Var data, std::string name, std::vector<PrimExpr> shape, DataType dtype,
                  std::vector<PrimExpr> strides, PrimExpr elem_offset, std::string scope, Span span) {
  KILN_CHECK(data && data.dtype().is_handle())
      << "view '" << name << "': the data must be a handle variable (another buffer's data)";
  Buffer fresh =
      DeclBuffer(name, std::move(shape), dtype, std::move(scope), std::move(strides), std::move(elem_offset), span);
  return EditBuffer(fresh, [&](BufferNode& n) { n.data = std::move(data); });
}

Buffer EditBuffer(const Buffer& buffer, const std::function<void(BufferNode&)>& edit) {
  auto n = MakeObject<BufferNode>();
  n->name = buffer->name;
  n->data = buffer->data;
  n->dtype = buffer->dtype;
  n->shape = buffer->shape;
  n->strides = buffer->strides;
  n->elem_offset = buffer->elem_offset;
  n->scope = buffer->scope;
  n->align = buffer->align;
  n->span = buffer->span;
  edit(*n);
  return Buffer(n);
}

Stmt Evaluate(PrimExpr value, Span span) {
  KILN_CHECK(value) << "evaluate: the value is undefined";
  auto n = MakeObject<EvaluateNode>();
  n->value = std::move(value);
  n->span = span;
  return Stmt(n);
}

Stmt Block(BlockSpec spec) {
  const std::string& name = spec.name;
  KILN_CHECK(spec.body) << "block '" << name << "': the body is undefined";
  for (const IterVar& iv : spec.iter_vars) {
    KILN_CHECK(iv.var && iv.dom.min && iv.dom.extent && iv.binding)
        << "block '" << name << "': an iteration variable is incomplete";
    KILN_CHECK(iv.binding.dtype() == iv.var.dtype())
        << "block '" << name << "': iteration variable '" << iv.var.name() << "' of dtype " << iv.var.dtype()
        << " bound to a value of dtype " << iv.binding.dtype();
  }
  for (const auto* regions : {&spec.reads, &spec.writes}) {
    for (const BufferRegion& r : *regions) {
      KILN_CHECK(r.buffer && r.region.size() == r.buffer->shape.size())
          << "block '" << name << "': a region of buffer '" << (r.buffer ? r.buffer->name : "?") << "' has "
          << r.region.size() << " ranges for " << (r.buffer ? r.buffer->shape.size() : 0) << " dimensions";
    }
  }
  if (spec.init) {
    bool has_reduce = false;
    for (const IterVar& iv : spec.iter_vars) has_reduce |= iv.kind == IterKind::kReduce;
    KILN_CHECK(has_reduce) << "block '" << name << "' has an init but no reduce iteration variable";
  }
  KILN_CHECK(!spec.predicate || spec.predicate.dtype() == DataType::Bool())
      << "block '" << name << "': the predicate must be bool";
  auto n = MakeObject<BlockNode>();
  n->name = std::move(spec.name);
  n->iter_vars = std::move(spec.iter_vars);
  n->reads = std::move(spec.reads);
  n->writes = std::move(spec.writes);
  n->init = std::move(spec.init);
  n->body = std::move(spec.body);
  n->alloc_buffers = std::move(spec.alloc_buffers);
  n->predicate = std::move(spec.predicate);
  n->annotations = std::move(spec.annotations);
  n->span = spec.span;
  return Stmt(n);
}

}  // namespace kiln::tir
