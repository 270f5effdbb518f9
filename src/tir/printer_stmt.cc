// tir statements, buffer declarations and PrimFuncs in the text format.
// A `let`, `alloc` or `decl_buffer` that ends its block prints flat (the
// rest of the block is its body); elsewhere it takes braces, so the tree
// reads back exactly.
#include "../text/syntax.h"
#include "../text/tir_printer.h"
#include "kiln/tir/functor.h"

namespace kiln::tir {
namespace {

using text::Indent;

bool IsZero(const PrimExpr& e, DataType dtype) {
  const int64_t* v = AsConstInt(e);
  return v && *v == 0 && e.dtype() == dtype;
}

bool IsEmptySeq(const Stmt& s) {
  const SeqNode* seq = s.as<SeqNode>();
  return seq && seq->seq.empty();
}

class StmtDoc : public StmtFunctor<void(const Stmt&)> {
 public:
  StmtDoc(const TextPrinter* p, int indent, std::string* out) : p_(p), indent_(indent), out_(out) {}

  // The statements of `s`; `last` says whether nothing follows them.
  void Items(const Stmt& s, bool last) {
    if (const SeqNode* seq = s.as<SeqNode>()) {
      for (size_t i = 0; i < seq->seq.size(); ++i) Items(seq->seq[i], last && i + 1 == seq->seq.size());
      return;
    }
    last_ = last;
    VisitStmt(s);
  }

 protected:
  void VisitStmt_(const BufferStoreNode* op) override {
    std::string target = p_->BufferName(op->buffer);
    target += "[" + List(op->indices) + "] = ";
    Line(target + p_->Expr(op->value));
  }
  void VisitStmt_(const ForNode* op) override {
    std::string kind = op->for_kind == ForKind::kSerial ? "range" : ForKindName(op->for_kind);
    std::string var = p_->Define(op->loop_var, op->extent.dtype());
    std::string args = IsZero(op->min, op->extent.dtype()) ? "" : p_->Expr(op->min) + ", extent=";
    args += p_->Expr(op->extent);
    if (!op->thread_tag.empty()) args += ", thread=" + text::Quote(op->thread_tag);
    if (!op->annotations.empty()) args += ", annotations=" + p_->AttrDict(op->annotations);
    Nested("for " + var + " in " + kind + "(" + args + ")", op->body);
  }
  void VisitStmt_(const WhileNode* op) override { Nested("while " + p_->Expr(op->condition), op->body); }
  void VisitStmt_(const SeqNode* op) override { Items(Stmt(runtime::GetRef(op)), last_); }
  void VisitStmt_(const IfThenElseNode* op) override {
    Line("if " + p_->Expr(op->condition) + " {");
    Inner(op->then_case);
    if (op->else_case) {
      Line("} else {");
      Inner(op->else_case);
    }
    Line("}");
  }
  void VisitStmt_(const LetStmtNode* op) override {
    std::string var = p_->Define(op->var, op->value.dtype());
    Scoped("let " + var + " = " + p_->Expr(op->value), op->body);
  }
  void VisitStmt_(const AllocateNode* op) override { Scoped("alloc " + p_->BufferDecl(op->buffer), op->body); }
  void VisitStmt_(const DeclBufferNode* op) override {
    Scoped("decl_buffer " + p_->BufferDecl(op->buffer, /*view=*/true), op->body);
  }
  void VisitStmt_(const EvaluateNode* op) override {
    std::string text = p_->Expr(op->value);
    Line(op->value.as<LetNode>() ? "(" + text + ")" : text);
  }
  void VisitStmt_(const BlockNode* op) override {
    Line("block " + text::Quote(op->name) + " {");
    ++indent_;
    for (const IterVar& iv : op->iter_vars) IterVarLine(iv);
    Regions("reads", op->reads);
    Regions("writes", op->writes);
    for (const Buffer& b : op->alloc_buffers) Line("alloc_buffer " + p_->BufferDecl(b));
    if (op->predicate) Line("where(" + p_->Expr(op->predicate) + ")");
    if (!op->annotations.empty()) Line("annotations(" + p_->AttrDict(op->annotations) + ")");
    if (op->init) Nested("init", op->init);
    Items(op->body, true);
    --indent_;
    Line("}");
  }

 private:
  void Line(const std::string& text) { *out_ += Indent(indent_) + text + "\n"; }
  void Inner(const Stmt& body) {
    ++indent_;
    Items(body, true);
    --indent_;
  }
  void Nested(const std::string& head, const Stmt& body) {
    Line(head + " {");
    Inner(body);
    Line("}");
  }
  // `head` then its body: flat when it ends the block, else in braces.
  void Scoped(const std::string& head, const Stmt& body) {
    if (last_ && !IsEmptySeq(body)) {
      Line(head);
      Items(body, true);
    } else {
      Nested(head, body);
    }
  }
  void IterVarLine(const IterVar& iv) {
    std::string args = p_->Expr(iv.dom.extent) + ", ";
    args += p_->Expr(iv.binding);
    if (!IsZero(iv.dom.min, iv.dom.extent.dtype())) args += ", min=" + p_->Expr(iv.dom.min);
    std::string kind = iv.kind == IterKind::kReduce ? "reduce" : "spatial";
    Line(p_->Define(iv.var, iv.binding.dtype()) + " = " + kind + "(" + args + ")");
  }
  void Regions(const char* what, const std::vector<BufferRegion>& regions) {
    if (regions.empty()) return;
    std::string out;
    for (const BufferRegion& r : regions) {
      std::string dims;
      for (const Range& range : r.region) {
        const int64_t* ext = AsConstInt(range.extent);
        bool point = ext && *ext == 1 && range.extent.dtype() == range.min.dtype();
        dims += (dims.empty() ? "" : ", ") + p_->Expr(range.min);
        if (!point) dims += ":+" + p_->Expr(range.extent);
      }
      out += (out.empty() ? "" : ", ") + p_->BufferName(r.buffer) + "[" + dims + "]";
    }
    Line(std::string(what) + "(" + out + ")");
  }
  std::string List(const std::vector<PrimExpr>& values) {
    std::string out;
    for (const PrimExpr& v : values) out += (out.empty() ? "" : ", ") + p_->Expr(v);
    return out;
  }

  const TextPrinter* p_;
  int indent_;
  std::string* out_;
  bool last_ = true;
};

bool IsDefaultOffset(const PrimExpr& offset) {
  return !offset || IsZero(offset, DataType::Int(64));
}

// The alignment DeclBuffer gives a buffer of `dtype`: what the parser makes
// when no align= is written.
int64_t DefaultAlign(DataType dtype) {
  return DeclBuffer("b", {}, dtype)->align;
}

}  // namespace

void TextPrinter::Body(const Stmt& stmt, int indent, std::string* out) const {
  StmtDoc(this, indent, out).Items(stmt, true);
}

std::string TextPrinter::BufferName(const Buffer& buffer) const {
  return ctx_->names.Assign(buffer.get(), buffer->name);
}

std::string TextPrinter::BufferDecl(const Buffer& b, bool view) const {
  text::DeclScope decl(ctx_);
  std::string out = BufferName(b) + ": Buffer(";
  out += Tuple(b->shape) + ", " + b->dtype.str();
  if (!b->strides.empty()) out += ", strides=" + Tuple(b->strides);
  if (!IsDefaultOffset(b->elem_offset)) out += ", offset=" + Expr(b->elem_offset);
  if (b->scope != "global") out += ", scope=" + text::Quote(b->scope);
  if (b->align != DefaultAlign(b->dtype)) out += ", align=" + std::to_string(b->align);
  const runtime::Object* data = b->data.get();
  if (data && (view || ctx_->names.Find(data) || ctx_->data_owner.count(data))) {
    out += ", data=" + Use(b->data);
  } else if (data) {
    ctx_->data_owner.emplace(data, b.get());
  }
  return out + ")";
}

std::string TextPrinter::PrimFunc(const tir::PrimFunc& func, const std::string& name, int indent) const {
  ctx_->StartFunction();
  // Scalar parameters are visible in the whole signature (buffer shapes
  // may name a parameter that comes later).
  for (const Var& p : func->params) {
    if (!func->BufferOf(p)) ctx_->names.Assign(p.get(), p.name());
  }
  std::string params;
  for (const Var& p : func->params) {
    Buffer b = func->BufferOf(p);
    params += (params.empty() ? "" : ", ") + (b ? BufferDecl(b) : *ctx_->names.Find(p.get()) + ": " + VarType(p));
  }
  std::string body;
  if (!func->attrs.empty()) body += Indent(indent + 1) + "attrs " + AttrDict(func->attrs) + "\n";
  Body(func->body, indent + 1, &body);
  return Indent(indent) + "prim " + GlobalName(name) + DeclList() + "(" + params + ") {\n" + body + Indent(indent) +
         "}\n";
}

}  // namespace kiln::tir
