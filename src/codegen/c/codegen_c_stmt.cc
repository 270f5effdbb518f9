// CodeGenC, statements and memory: loops (vectorized and unrolled kinds
// that remain loops get the compiler's hints), while, if, let, seq,
// evaluate; loads and stores of flat buffers (vector ones as a loop over the
// lanes); Allocate (a 64-byte aligned stack array for small constant sizes,
// else a runtime workspace, freed on every return).
#include "codegen_c.h"
#include "kiln/runtime/device.h"
#include "kiln/runtime/error.h"

namespace kiln::codegen {

using namespace tir;

namespace {

// Allocations up to this size with a constant shape live on the stack.
constexpr int64_t kMaxStackBytes = 16 * 1024;

const PrimExpr& FlatIndex(const std::string& fname, const Buffer& b, const std::vector<PrimExpr>& indices) {
  KILN_CHECK(indices.size() == 1) << fname << ": access of buffer '" << b->name << "' with " << indices.size()
                                  << " indices reached code generation; run FlattenBuffers first";
  return indices[0];
}

// Whether `e` loads through the data pointer `data`.
bool Reads(const PrimExpr& e, const Var& data) {
  bool found = false;
  PreOrderVisit(e, [&](const PrimExpr& x) {
    if (const BufferLoadNode* load = x.as<BufferLoadNode>()) found |= load->buffer->data.get() == data.get();
  });
  return found;
}

}  // namespace

// ---- loads and stores ----

std::string CodeGenC::VisitExpr_(const BufferLoadNode* op) {
  std::string access = Access(op->buffer, Emit(FlatIndex(function_name_, op->buffer, op->indices)));
  return op->buffer->dtype.is_bool() ? "(" + access + " != 0)" : access;
}

void CodeGenC::VisitStmt_(const BufferStoreNode* op) {
  const PrimExpr& index = FlatIndex(function_name_, op->buffer, op->indices);
  if (op->value.dtype().lanes() > 1 || index.dtype().lanes() > 1) {
    EmitVectorStore(op);
    return;
  }
  std::string value = Emit(op->value);
  std::string access = Access(op->buffer, Emit(index));
  FlushDeclarations();
  Line() << access << " = " << (op->buffer->dtype.is_bool() ? "(uint8_t)" : "") << value << ";";
}

// for (lane = 0; lane < lanes; ++lane) buffer[index@lane] = value@lane; with
// the values computed first into an array when they read the buffer stored.
void CodeGenC::EmitVectorStore(const BufferStoreNode* op) {
  const PrimExpr& index = op->indices[0];
  int lanes = std::max(op->value.dtype().lanes(), index.dtype().lanes());
  lane_ = "lane";
  std::string value = Emit(op->value);
  std::string access = Access(op->buffer, Emit(index));
  lane_.clear();
  FlushDeclarations();
  std::string loop = "for (int32_t lane = 0; lane < " + std::to_string(lanes) + "; ++lane) ";
  if (Reads(op->value, op->buffer->data)) {
    std::string tmp = FreshName(op->buffer->name + "_value");
    Line() << Type(op->value.dtype()) << " " << tmp << "[" << lanes << "];";
    Line() << "KILN_LANES";
    Line() << loop << tmp << "[lane] = " << value << ";";
    value = tmp + "[lane]";
  }
  Line() << "KILN_LANES";
  Line() << loop << access << " = " << (op->buffer->dtype.is_bool() ? "(uint8_t)" : "") << value << ";";
}

// ---- control flow ----

void CodeGenC::EmitBody(const Stmt& s) {
  Indent();
  Emit(s);
  Dedent();
}

void CodeGenC::EmitLoop(const std::string& var_type, const std::string& var, const std::string& begin,
                        const std::string& end, const Stmt& body) {
  std::string end_name = FreshName(var + "_end");
  Line() << "for (" << var_type << " " << var << " = " << begin << ", " << end_name << " = " << end << "; " << var
         << " < " << end_name << "; ++" << var << ") {";
  EmitBody(body);
  Line() << "}";
}

void CodeGenC::VisitStmt_(const ForNode* op) {
  KILN_CHECK(op->for_kind != ForKind::kThreadBinding)
      << function_name_ << ": loop over '" << op->loop_var.name() << "' is bound to " << op->thread_tag
      << ", which needs a GPU target";
  if (op->for_kind == ForKind::kParallel) {
    EmitParallelFor(op);
    return;
  }
  std::string type = Type(op->loop_var.dtype());
  std::string begin = Emit(op->min);
  std::string extent = Emit(op->extent);
  FlushDeclarations();
  if (op->for_kind == ForKind::kVectorized) Line() << "KILN_VECTORIZE";
  if (op->for_kind == ForKind::kUnrolled) Line() << "KILN_UNROLL";
  std::string var = Bind(op->loop_var);
  EmitLoop(type, var, begin, var + " + " + extent, op->body);
  Unbind(op->loop_var);
}

void CodeGenC::VisitStmt_(const WhileNode* op) {
  std::string cond = Emit(op->condition);
  FlushDeclarations();
  Line() << "while (" << cond << ") {";
  EmitBody(op->body);
  Line() << "}";
}

void CodeGenC::VisitStmt_(const SeqNode* op) {
  for (const Stmt& s : op->seq) Emit(s);
}

void CodeGenC::VisitStmt_(const IfThenElseNode* op) {
  const CallNode* call = op->condition.as<CallNode>();
  std::string cond = Emit(op->condition);
  FlushDeclarations();
  if (call && call->op == "likely") cond = "KILN_LIKELY(" + cond + ")";
  Line() << "if (" << cond << ") {";
  EmitBody(op->then_case);
  if (op->else_case) {
    Line() << "} else {";
    EmitBody(op->else_case);
  }
  Line() << "}";
}

void CodeGenC::VisitStmt_(const LetStmtNode* op) {
  DataType t = op->var.dtype();
  if (t.lanes() == 1) {
    std::string value = Emit(op->value);
    FlushDeclarations();
    std::string name = Bind(op->var);
    Line() << Type(t) << " " << name << " = " << value << ";";
  } else {
    lane_ = "lane";
    std::string value = Emit(op->value);
    lane_.clear();
    FlushDeclarations();
    std::string name = Bind(op->var);
    Line() << Type(t.element_of()) << " " << name << "[" << t.lanes() << "];";
    Line() << "KILN_LANES";
    Line() << "for (int32_t lane = 0; lane < " << t.lanes() << "; ++lane) " << name << "[lane] = " << value << ";";
  }
  Emit(op->body);
  Unbind(op->var);
}

// A view of storage that exists already: its accesses address the data
// variable, bound by the parameter or Allocate that owns it.
void CodeGenC::VisitStmt_(const DeclBufferNode* op) {
  Emit(op->body);
}

void CodeGenC::VisitStmt_(const EvaluateNode* op) {
  if (op->value.as<IntImmNode>()) return;  // a no-op statement
  if (op->value.dtype().lanes() > 1) {
    lane_ = "lane";
    std::string value = Emit(op->value);
    lane_.clear();
    FlushDeclarations();
    Line() << "for (int32_t lane = 0; lane < " << op->value.dtype().lanes() << "; ++lane) (void)" << value << ";";
    return;
  }
  std::string value = Emit(op->value);
  FlushDeclarations();
  Line() << (op->value.dtype().is_void() ? "" : "(void)") << value << ";";
}

void CodeGenC::VisitStmt_(const BlockNode* op) {
  KILN_THROW() << function_name_ << ": block '" << op->name << "' reached code generation; run LowerBlocks first";
}

// ---- allocation ----

void CodeGenC::VisitStmt_(const AllocateNode* op) {
  const Buffer& b = op->buffer;
  std::string elem = MemType(b->dtype);
  int64_t elem_bytes = b->dtype.bytes();
  int64_t count = 1;
  bool constant = true;
  std::vector<std::string> dims;
  for (const PrimExpr& d : b->shape) {
    const int64_t* v = AsConstInt(d);
    constant = constant && v != nullptr;
    if (v) count *= *v;
    dims.push_back(EmitCast(d.dtype(), DataType::Int(64), Emit(d)));
  }
  FlushDeclarations();
  Line() << "{";
  Indent();
  std::string name = Bind(b->data);
  pointer_types_[b->data.get()] = elem;
  if (constant && count * elem_bytes <= kMaxStackBytes) {
    int64_t align = std::max<int64_t>(b->align, 1);
    if (count * elem_bytes >= static_cast<int64_t>(runtime::kAllocAlignment)) {
      align = std::max<int64_t>(align, runtime::kAllocAlignment);
    }
    Line() << "_Alignas(" << align << ") " << elem << " " << name << "[" << std::max<int64_t>(count, 1) << "];";
    Emit(op->body);
  } else {
    std::string nbytes = FreshName(name + "_nbytes");
    std::ostream& os = Line();
    os << "uint64_t " << nbytes << " = (uint64_t)" << elem_bytes;
    for (const std::string& d : dims) os << " * (uint64_t)" << d;
    os << ";";
    Line() << elem << "* restrict " << name << " = (" << elem << "*)__kiln_runtime_api->alloc_workspace(1, 0, "
           << nbytes << ");";
    EmitFailure(
        "if (" + name + " == NULL)",
        EscapeFormatC(function_name_) + ": cannot allocate %llu bytes for buffer '" + EscapeFormatC(b->name) + "'",
        {"(unsigned long long)" + nbytes});
    state_.workspaces.push_back(name);
    Emit(op->body);
    state_.workspaces.pop_back();
    std::string rc = FreshName("rc_" + name);
    Line() << "int32_t " << rc << " = __kiln_runtime_api->free_workspace(1, 0, " << name << ");";
    std::ostream& fail = Line();
    fail << "if (" << rc << " != 0) {";
    for (auto it = state_.workspaces.rbegin(); it != state_.workspaces.rend(); ++it) {
      fail << " __kiln_runtime_api->free_workspace(1, 0, " << *it << ");";
    }
    fail << " return " << rc << "; }";
  }
  Unbind(b->data);
  Dedent();
  Line() << "}";
}

}  // namespace kiln::codegen
