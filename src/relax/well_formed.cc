// The well-formedness checker: a scope-tracking visitor for relax functions
// and one for tir PrimFuncs, both reporting into one list of problems.
#include "kiln/relax/well_formed.h"

#include <unordered_map>
#include <unordered_set>

#include "kiln/relax/functor.h"
#include "kiln/relax/struct_info_analysis.h"
#include "kiln/tir/functor.h"

namespace kiln::relax {

std::string WellFormedProblem::str() const {
  return "in function '" + function + "'" + (span.defined() ? " (" + span.str() + ")" : "") + ": " + message;
}

namespace {

// Collects problems for one function, each node reported once.
class Reporter {
 public:
  Reporter(std::vector<WellFormedProblem>* out, std::string function) : out_(out), function_(std::move(function)) {}
  void Report(const void* key, std::string node, ir::Span span, const std::string& message) {
    if (key && !reported_.insert(key).second) return;
    std::string sentence = node + " " + message;
    out_->push_back({function_, std::move(node), span, std::move(sentence)});
  }

 private:
  std::vector<WellFormedProblem>* out_;
  std::string function_;
  std::unordered_set<const void*> reported_;
};

std::string Quoted(const char* kind, const std::string& name) {
  return std::string(kind) + " '" + name + "'";
}

class RelaxChecker : public ExprVisitor {
 public:
  RelaxChecker(const ir::IRModule& mod, Reporter* reporter, std::unordered_set<const VarNode*>* defined)
      : mod_(mod), reporter_(reporter), defined_(defined) {}

 protected:
  void VisitExpr_(const FunctionNode* op) override {
    scopes_.emplace_back();
    ExprVisitor::VisitExpr_(op);
    PopScope();
  }

  void VisitExpr_(const SeqExprNode* op) override {
    scopes_.emplace_back();
    ExprVisitor::VisitExpr_(op);
    PopScope();
  }

  void VisitBindingBlock(const BindingBlock& block) override {
    ExprVisitor::VisitBindingBlock(block);
    if (!block.is_dataflow) return;
    for (const Binding& b : block.bindings) {
      if (b.var->is_dataflow && visible_.erase(b.var.get())) ended_.insert(b.var.get());
    }
  }

  void VisitBinding(const Binding& b) override {
    VisitExpr(b.value);
    if (b.match_cast) VisitStructInfo(b.match_cast);
    CheckStructInfo(b);
    VisitVarDef(b.var);
  }

  void VisitVarDef(const Var& var) override {
    if (!defined_->insert(var.get()).second) {
      reporter_->Report(nullptr, Quoted("variable", var.name()), var->span, "is defined twice");
    }
    visible_.insert(var.get());
    scopes_.back().push_back(var.get());
  }

  void VisitExpr_(const VarNode* op) override {
    if (visible_.count(op)) return;
    const char* what = ended_.count(op) ? "is used outside its dataflow block" : "is used but not defined";
    reporter_->Report(op, Quoted(op->is_dataflow ? "dataflow variable" : "variable", op->name), op->span, what);
  }

  void VisitExpr_(const GlobalVarNode* op) override {
    if (mod_.Lookup(runtime::GetRef(op))) return;
    const char* what = mod_.Contains(op->name) ? "is not the module's GlobalVar of that name (another object)"
                                               : "is not a function of the module";
    reporter_->Report(op, Quoted("global function", op->name), op->span, what);
  }

 private:
  void PopScope() {
    for (const VarNode* v : scopes_.back()) visible_.erase(v);
    scopes_.pop_back();
  }

  StructInfo ValueSInfo(const Expr& value) const {
    if (value.struct_info()) return value.struct_info();
    auto gv = value.as<GlobalVarNode>();
    ir::BaseFunc f = gv ? mod_.Lookup(runtime::GetRef(gv)) : ir::BaseFunc();
    return f ? f->struct_info : StructInfo();
  }

  void CheckStructInfo(const Binding& b) {
    std::string node = Quoted("binding", b.var.name());
    const StructInfo& declared = b.var.struct_info();
    StructInfo actual = b.match_cast ? b.match_cast : ValueSInfo(b.value);
    if (!declared || !actual) {
      reporter_->Report(nullptr, node, b.var->span,
                        declared ? "has a value without struct info (run Normalize)" : "has no struct info");
    } else if (!IsBaseOf(declared, actual)) {
      reporter_->Report(nullptr, node, b.var->span,
                        "has struct info " + StructInfoString(declared) + ", which is not a base of its " +
                            (b.match_cast ? "match_cast's " : "value's ") + StructInfoString(actual));
    }
  }

  const ir::IRModule& mod_;
  Reporter* reporter_;
  std::unordered_set<const VarNode*>* defined_;  // module-wide: a variable is defined once
  std::unordered_set<const VarNode*> visible_, ended_;
  std::vector<std::vector<const VarNode*>> scopes_;
};

class PrimFuncChecker : public tir::StmtVisitor {
 public:
  explicit PrimFuncChecker(Reporter* reporter) : reporter_(reporter) {}

  void Check(const tir::PrimFuncNode* f) {
    for (const tir::Var& p : f->params) Define(p);
    for (const auto& [param, buffer] : f->buffer_map) {
      DefineBuffer(buffer);
      DefineSymbols(buffer);  // a buffer_map shape defines its symbolic dimensions
    }
    VisitStmt(f->body);
  }

 protected:
  void VisitExpr_(const tir::VarNode* op) override {
    if (vars_[op] > 0) return;
    const char* what = ever_.count(op) ? "is used outside the scope that defines it" : "is not defined";
    reporter_->Report(op, Quoted("tir variable", op->name), op->span, what);
  }

  void VisitExpr_(const tir::LetNode* op) override {
    VisitExpr(op->value);
    Scoped({op->var}, {}, [&] { VisitExpr(op->body); });
  }

  void VisitStmt_(const tir::ForNode* op) override {
    VisitExpr(op->min);
    VisitExpr(op->extent);
    Scoped({op->loop_var}, {}, [&] { VisitStmt(op->body); });
  }

  void VisitStmt_(const tir::LetStmtNode* op) override {
    VisitExpr(op->value);
    Scoped({op->var}, {}, [&] { VisitStmt(op->body); });
  }

  void VisitStmt_(const tir::AllocateNode* op) override {
    VisitBufferShape(op->buffer);
    Scoped({}, {op->buffer}, [&] { VisitStmt(op->body); });
  }

  // A view: its storage (the data variable) must be defined already.
  void VisitStmt_(const tir::DeclBufferNode* op) override {
    VisitBufferShape(op->buffer);
    VisitExpr(op->buffer->data);
    Scoped({}, {op->buffer}, [&] { VisitStmt(op->body); });
  }

  void VisitStmt_(const tir::BlockNode* op) override {
    std::vector<tir::Var> iters;
    for (const tir::IterVar& iv : op->iter_vars) {
      VisitExpr(iv.dom.min);
      VisitExpr(iv.dom.extent);
      VisitExpr(iv.binding);
      iters.push_back(iv.var);
    }
    for (const tir::Buffer& b : op->alloc_buffers) VisitBufferShape(b);
    Scoped(iters, op->alloc_buffers, [&] { VisitBlockInside(op); });
  }

  void VisitBufferUse(const tir::Buffer& buffer) override {
    if (buffers_[buffer.get()] > 0 || vars_[buffer->data.get()] > 0) return;
    const char* what = ever_buffers_.count(buffer.get())
                           ? "is used outside the scope that declares it"
                           : "is not declared (by the buffer_map, an Allocate or a block's alloc_buffers)";
    reporter_->Report(buffer.get(), Quoted("buffer", buffer->name), buffer->span, what);
  }

 private:
  void VisitBlockInside(const tir::BlockNode* op) {
    for (const auto* regions : {&op->reads, &op->writes}) {
      for (const tir::BufferRegion& r : *regions) {
        VisitBufferUse(r.buffer);
        for (const tir::Range& rg : r.region) {
          VisitExpr(rg.min);
          VisitExpr(rg.extent);
        }
      }
    }
    if (op->predicate) VisitExpr(op->predicate);
    if (op->init) VisitStmt(op->init);
    VisitStmt(op->body);
  }

  void VisitBufferShape(const tir::Buffer& b) {
    for (const tir::PrimExpr& e : b->shape) VisitExpr(e);
    for (const tir::PrimExpr& e : b->strides) VisitExpr(e);
    if (b->elem_offset) VisitExpr(b->elem_offset);
  }

  void Define(const tir::Var& v) {
    ++vars_[v.get()];
    ever_.insert(v.get());
  }
  void DefineBuffer(const tir::Buffer& b) {
    ++buffers_[b.get()];
    ever_buffers_.insert(b.get());
    Define(b->data);
  }
  void DefineSymbols(const tir::Buffer& b) {
    auto define = [&](const tir::PrimExpr& e) {
      tir::PreOrderVisit(e, [&](const tir::PrimExpr& sub) {
        if (sub.as<tir::VarNode>()) Define(tir::Var(sub));
      });
    };
    for (const tir::PrimExpr& e : b->shape) define(e);
    for (const tir::PrimExpr& e : b->strides) define(e);
    if (b->elem_offset) define(b->elem_offset);
  }

  // Runs `body` with `vars` and `buffers` in scope.
  template <typename F>
  void Scoped(const std::vector<tir::Var>& vars, const std::vector<tir::Buffer>& buffers, F body) {
    for (const tir::Var& v : vars) Define(v);
    for (const tir::Buffer& b : buffers) DefineBuffer(b);
    body();
    for (const tir::Var& v : vars) --vars_[v.get()];
    for (const tir::Buffer& b : buffers) {
      --buffers_[b.get()];
      --vars_[b->data.get()];
    }
  }

  Reporter* reporter_;
  std::unordered_map<const tir::VarNode*, int> vars_;  // how many enclosing scopes define each
  std::unordered_map<const tir::BufferNode*, int> buffers_;
  std::unordered_set<const tir::VarNode*> ever_;
  std::unordered_set<const tir::BufferNode*> ever_buffers_;
};

}  // namespace

std::vector<WellFormedProblem> CheckWellFormed(const ir::IRModule& mod) {
  std::vector<WellFormedProblem> problems;
  std::unordered_set<const VarNode*> defined;
  for (const auto& [gv, func] : mod.functions()) {
    Reporter reporter(&problems, gv->name);
    if (auto f = func.As<FunctionNode>()) RelaxChecker(mod, &reporter, &defined).VisitExpr(f);
    if (auto f = func.As<tir::PrimFuncNode>()) PrimFuncChecker(&reporter).Check(f.get());
  }
  return problems;
}

void VerifyWellFormed(const ir::IRModule& mod, const std::string& context) {
  std::vector<WellFormedProblem> problems = CheckWellFormed(mod);
  if (problems.empty()) return;
  std::string text = "the module is not well formed" + (context.empty() ? "" : " " + context) + ":";
  for (const WellFormedProblem& p : problems) text += "\n  " + p.str();
  KILN_THROW() << text;
}

}  // namespace kiln::relax
