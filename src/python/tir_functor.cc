// The C++ halves of kiln.tir's visitors and mutators (python/kiln/tir/
// functor.py): a tir StmtVisitor and StmtMutator whose hooks, one per
// expression and statement kind plus visit_expr, visit_stmt and
// visit_buffer_use, call the Python subclass's overrides. A default called
// from Python (super().visit_for_(loop)) runs the C++ traversal of that
// node, whose children come back through the hooks; the mutator copies on
// write.
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "functor_hooks.h"
#include "kiln/tir/functor.h"

namespace kiln::python {
namespace {
using namespace kiln::tir;

constexpr size_t kNumExprKinds = 0
#define KILN_X(name) +1
    KILN_TIR_EXPR_KINDS(KILN_X)
#undef KILN_X
    ;
constexpr size_t kNumStmtKinds = 0
#define KILN_X(name) +1
    KILN_TIR_STMT_KINDS(KILN_X)
#undef KILN_X
    ;
// Hook numbers: expression kinds, statement kinds (after the expressions'),
// then these.
enum Extra : size_t { kVisitExpr = kNumExprKinds + kNumStmtKinds, kVisitStmt, kVisitBufferUse };

size_t HookOf(ExprKind kind) {
  return static_cast<size_t>(kind);
}
size_t HookOf(StmtKind kind) {
  return kNumExprKinds + static_cast<size_t>(kind);
}

const std::vector<std::string>& HookNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n = {
#define KILN_X(name) KindHook(#name),
        KILN_TIR_EXPR_KINDS(KILN_X) KILN_TIR_STMT_KINDS(KILN_X)
#undef KILN_X
    };
    for (const char* extra : {"visit_expr", "visit_stmt", "visit_buffer_use"}) n.push_back(extra);
    return n;
  }();
  return names;
}

class PyStmtVisitor : public StmtVisitor {
 public:
  PyStmtVisitor(nb::handle self, const std::vector<std::string>& overridden) : hooks_(self, HookNames(), overridden) {}

  void VisitExpr(const PrimExpr& e) override {
    hooks_.Has(kVisitExpr) ? (void)hooks_.Call(kVisitExpr, Wrap(e)) : StmtVisitor::VisitExpr(e);
  }
  void VisitStmt(const Stmt& s) override {
    hooks_.Has(kVisitStmt) ? (void)hooks_.Call(kVisitStmt, Wrap(s)) : StmtVisitor::VisitStmt(s);
  }

  // The C++ defaults, which the Python base class calls.
  void DefaultVisitExpr(const PrimExpr& e) { StmtVisitor::VisitExpr(e); }
  void DefaultVisitStmt(const Stmt& s) { StmtVisitor::VisitStmt(s); }
  void DefaultVisitNode(const PrimExpr& e) {
    switch (e.kind()) {
#define KILN_X(name) \
  case ExprKind::k##name: return StmtVisitor::VisitExpr_(static_cast<const name##Node*>(e.get()));
      KILN_TIR_EXPR_KINDS(KILN_X)
#undef KILN_X
    }
  }
  void DefaultVisitNode(const Stmt& s) {
    switch (s.kind()) {
#define KILN_X(name) \
  case StmtKind::k##name: return StmtVisitor::VisitStmt_(static_cast<const name##Node*>(s.get()));
      KILN_TIR_STMT_KINDS(KILN_X)
#undef KILN_X
    }
  }
  void DefaultVisitBufferUse(const Buffer& b) { StmtVisitor::VisitBufferUse(b); }

 protected:
#define KILN_X(name)                                                                                     \
  void VisitExpr_(const name##Node* op) override {                                                       \
    size_t hook = HookOf(ExprKind::k##name);                                                             \
    hooks_.Has(hook) ? (void)hooks_.Call(hook, Wrap(runtime::GetRef(op))) : StmtVisitor::VisitExpr_(op); \
  }
  KILN_TIR_EXPR_KINDS(KILN_X)
#undef KILN_X
#define KILN_X(name)                                                                                     \
  void VisitStmt_(const name##Node* op) override {                                                       \
    size_t hook = HookOf(StmtKind::k##name);                                                             \
    hooks_.Has(hook) ? (void)hooks_.Call(hook, Wrap(runtime::GetRef(op))) : StmtVisitor::VisitStmt_(op); \
  }
  KILN_TIR_STMT_KINDS(KILN_X)
#undef KILN_X
  void VisitBufferUse(const Buffer& b) override {
    hooks_.Has(kVisitBufferUse) ? (void)hooks_.Call(kVisitBufferUse, Wrap(b)) : StmtVisitor::VisitBufferUse(b);
  }

 private:
  PyHooks hooks_;
};

class PyStmtMutator : public StmtMutator {
 public:
  PyStmtMutator(nb::handle self, const std::vector<std::string>& overridden) : hooks_(self, HookNames(), overridden) {}

  PrimExpr VisitExpr(const PrimExpr& e) override {
    if (!hooks_.Has(kVisitExpr)) return StmtMutator::VisitExpr(e);
    return hooks_.Result<PrimExprNode>(kVisitExpr, hooks_.Call(kVisitExpr, Wrap(e)));
  }
  Stmt VisitStmt(const Stmt& s) override {
    if (!hooks_.Has(kVisitStmt)) return StmtMutator::VisitStmt(s);
    return hooks_.Result<StmtNode>(kVisitStmt, hooks_.Call(kVisitStmt, Wrap(s)));
  }

  PrimExpr DefaultVisitExpr(const PrimExpr& e) { return StmtMutator::VisitExpr(e); }
  Stmt DefaultVisitStmt(const Stmt& s) { return StmtMutator::VisitStmt(s); }
  PrimExpr DefaultVisitNode(const PrimExpr& e) {
    switch (e.kind()) {
#define KILN_X(name) \
  case ExprKind::k##name: return StmtMutator::VisitExpr_(static_cast<const name##Node*>(e.get()));
      KILN_TIR_EXPR_KINDS(KILN_X)
#undef KILN_X
    }
    return e;
  }
  Stmt DefaultVisitNode(const Stmt& s) {
    switch (s.kind()) {
#define KILN_X(name) \
  case StmtKind::k##name: return StmtMutator::VisitStmt_(static_cast<const name##Node*>(s.get()));
      KILN_TIR_STMT_KINDS(KILN_X)
#undef KILN_X
    }
    return s;
  }
  Buffer DefaultVisitBufferUse(const Buffer& b) { return StmtMutator::VisitBufferUse(b); }

 protected:
#define KILN_X(name)                                                                        \
  PrimExpr VisitExpr_(const name##Node* op) override {                                      \
    size_t hook = HookOf(ExprKind::k##name);                                                \
    if (!hooks_.Has(hook)) return StmtMutator::VisitExpr_(op);                              \
    return hooks_.Result<PrimExprNode>(hook, hooks_.Call(hook, Wrap(runtime::GetRef(op)))); \
  }
  KILN_TIR_EXPR_KINDS(KILN_X)
#undef KILN_X
#define KILN_X(name)                                                                    \
  Stmt VisitStmt_(const name##Node* op) override {                                      \
    size_t hook = HookOf(StmtKind::k##name);                                            \
    if (!hooks_.Has(hook)) return StmtMutator::VisitStmt_(op);                          \
    return hooks_.Result<StmtNode>(hook, hooks_.Call(hook, Wrap(runtime::GetRef(op)))); \
  }
  KILN_TIR_STMT_KINDS(KILN_X)
#undef KILN_X
  Buffer VisitBufferUse(const Buffer& b) override {
    if (!hooks_.Has(kVisitBufferUse)) return StmtMutator::VisitBufferUse(b);
    return Buffer(hooks_.Result<BufferNode>(kVisitBufferUse, hooks_.Call(kVisitBufferUse, Wrap(b))));
  }

 private:
  PyHooks hooks_;
};

PrimExpr ToExpr(nb::handle obj, const char* what) {
  PrimExpr e(Unwrap<PrimExprNode>(obj, what));
  KILN_CHECK(e) << what << ": expected a tir expression, got None";
  return e;
}
Stmt ToStmt(nb::handle obj, const char* what) {
  Stmt s(Unwrap<StmtNode>(obj, what));
  KILN_CHECK(s) << what << ": expected a tir statement, got None";
  return s;
}
Buffer ToBuffer(nb::handle obj, const char* what) {
  Buffer b(Unwrap<BufferNode>(obj, what));
  KILN_CHECK(b) << what << ": expected a buffer, got None";
  return b;
}

// f(the tir expression or statement `obj`); raises naming `what` otherwise.
template <typename F>
auto OnNode(nb::handle obj, const char* what, F f) {
  runtime::ObjectRef node = Unwrap<runtime::Object>(obj, what);
  if (node && node->IsInstance<PrimExprNode>()) return f(PrimExpr(node.As<PrimExprNode>()));
  KILN_CHECK(node && node->IsInstance<StmtNode>())
      << what << ": expected a tir expression or statement, got " << (node ? node->type_key() : "None");
  return f(Stmt(node.As<StmtNode>()));
}

}  // namespace

void BindTirFunctors(nb::module_& m) {
  m.def(
      "_hook_names", [] { return HookNames(); }, "Every hook of the tir visitors and mutators.");
  m.def(
      "_stmt_hook_names",
      [] {
        std::vector<std::string> out(HookNames().begin() + kNumExprKinds, HookNames().begin() + kVisitExpr);
        out.push_back(HookNames()[kVisitStmt]);
        return out;
      },
      "The hooks of statements: the statement visitors' and mutators' own.");
  using V = PyStmtVisitor;
  nb::class_<V>(m, "_StmtVisitor", "The C++ half of kiln.tir.StmtVisitor and ExprVisitor.")
      .def(nb::init<nb::handle, const std::vector<std::string>&>(), nb::arg("owner"), nb::arg("overridden"))
      .def("visit_expr", [](V& v, nb::handle e) { v.DefaultVisitExpr(ToExpr(e, "visit_expr")); })
      .def("visit_stmt", [](V& v, nb::handle s) { v.DefaultVisitStmt(ToStmt(s, "visit_stmt")); })
      .def("visit_node", [](V& v, nb::handle n) { OnNode(n, "visit_node", [&](auto x) { v.DefaultVisitNode(x); }); })
      .def("visit_buffer_use", [](V& v, nb::handle b) { v.DefaultVisitBufferUse(ToBuffer(b, "visit_buffer_use")); });
  using M = PyStmtMutator;
  nb::class_<M>(m, "_StmtMutator", "The C++ half of kiln.tir.StmtMutator and ExprMutator.")
      .def(nb::init<nb::handle, const std::vector<std::string>&>(), nb::arg("owner"), nb::arg("overridden"))
      .def("visit_expr", [](M& v, nb::handle e) { return Wrap(v.DefaultVisitExpr(ToExpr(e, "visit_expr"))); })
      .def("visit_stmt", [](M& v, nb::handle s) { return Wrap(v.DefaultVisitStmt(ToStmt(s, "visit_stmt"))); })
      .def("visit_node",
           [](M& v, nb::handle n) {
             return OnNode(n, "visit_node", [&](auto x) { return NodeToPython(v.DefaultVisitNode(x)); });
           })
      .def("visit_buffer_use",
           [](M& v, nb::handle b) { return Wrap(v.DefaultVisitBufferUse(ToBuffer(b, "visit_buffer_use"))); });
}

}  // namespace kiln::python
