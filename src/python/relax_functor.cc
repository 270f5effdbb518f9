// The C++ halves of kiln.relax.ExprVisitor and kiln.relax.ExprMutator
// (python/kiln/relax/functor.py): relax functors whose hooks call the
// Python subclass's overrides. A default called from Python
// (super().visit_call_(call)) runs the C++ traversal of that node, whose
// children come back through the hooks; the mutator keeps the C++ one's
// copy on write, normalization and variable remapping.
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "functor_hooks.h"
#include "kiln/relax/functor.h"

namespace kiln::python {
namespace {
using namespace kiln::relax;

constexpr size_t kNumKinds = 0
#define KILN_X(name) +1
    KILN_RELAX_EXPR_KINDS(KILN_X)
#undef KILN_X
    ;
// Hook numbers after the kinds' (which are their ExprKind).
enum Extra : size_t { kVisitExpr = kNumKinds, kVisitBinding, kVisitVarDef };

const std::vector<std::string>& HookNames() {
  static const std::vector<std::string> names = {
#define KILN_X(name) KindHook(#name),
      KILN_RELAX_EXPR_KINDS(KILN_X)
#undef KILN_X
          "visit_expr",
      "visit_binding", "visit_var_def"};
  return names;
}

// A binding handed to Python, which may keep it.
nb::object Copy(const Binding& b) {
  return nb::cast(b, nb::rv_policy::copy);
}

class PyExprVisitor : public ExprVisitor {
 public:
  PyExprVisitor(nb::handle self, const std::vector<std::string>& overridden) : hooks_(self, HookNames(), overridden) {}

  void VisitExpr(const Expr& e) override {
    if (!hooks_.Has(kVisitExpr)) return ExprVisitor::VisitExpr(e);
    hooks_.Call(kVisitExpr, Wrap(e));
  }

  // The C++ defaults, which the Python base class calls.
  void DefaultVisitExpr(const Expr& e) { ExprVisitor::VisitExpr(e); }
  void DefaultVisitNode(const Expr& e) {
    switch (KindOf(e.get())) {
#define KILN_X(name) \
  case ExprKind::k##name: return ExprVisitor::VisitExpr_(static_cast<const name##Node*>(e.get()));
      KILN_RELAX_EXPR_KINDS(KILN_X)
#undef KILN_X
    }
  }
  void DefaultVisitBinding(const Binding& b) { ExprVisitor::VisitBinding(b); }
  void DefaultVisitVarDef(const Var& v) { ExprVisitor::VisitVarDef(v); }

 protected:
#define KILN_X(name)                                                                                     \
  void VisitExpr_(const name##Node* op) override {                                                       \
    size_t hook = static_cast<size_t>(ExprKind::k##name);                                                \
    hooks_.Has(hook) ? (void)hooks_.Call(hook, Wrap(runtime::GetRef(op))) : ExprVisitor::VisitExpr_(op); \
  }
  KILN_RELAX_EXPR_KINDS(KILN_X)
#undef KILN_X
  void VisitBinding(const Binding& b) override {
    hooks_.Has(kVisitBinding) ? (void)hooks_.Call(kVisitBinding, Copy(b)) : ExprVisitor::VisitBinding(b);
  }
  void VisitVarDef(const Var& v) override {
    hooks_.Has(kVisitVarDef) ? (void)hooks_.Call(kVisitVarDef, Wrap(v)) : ExprVisitor::VisitVarDef(v);
  }

 private:
  PyHooks hooks_;
};

class PyExprMutator : public ExprMutator {
 public:
  PyExprMutator(nb::handle self, ir::IRModule mod, const std::vector<std::string>& overridden)
      : ExprMutator(std::move(mod)), hooks_(self, HookNames(), overridden) {}

  Expr VisitExpr(const Expr& e) override {
    if (!hooks_.Has(kVisitExpr)) return ExprMutator::VisitExpr(e);
    return hooks_.Result<ir::RelaxExprNode>(kVisitExpr, hooks_.Call(kVisitExpr, Wrap(e)));
  }

  Expr DefaultVisitExpr(const Expr& e) { return ExprMutator::VisitExpr(e); }
  Expr DefaultVisitNode(const Expr& e) {
    switch (KindOf(e.get())) {
#define KILN_X(name) \
  case ExprKind::k##name: return ExprMutator::VisitExpr_(static_cast<const name##Node*>(e.get()));
      KILN_RELAX_EXPR_KINDS(KILN_X)
#undef KILN_X
    }
    return e;
  }
  void DefaultVisitBinding(const Binding& b) { ExprMutator::VisitBinding(b); }
  Var DefaultVisitVarDef(const Var& v) { return ExprMutator::VisitVarDef(v); }
  BlockBuilder& builder() { return builder_; }
  void Remap(const Var& from, const Var& to) { RemapVar(from, to); }

 protected:
#define KILN_X(name)                                                                             \
  Expr VisitExpr_(const name##Node* op) override {                                               \
    size_t hook = static_cast<size_t>(ExprKind::k##name);                                        \
    if (!hooks_.Has(hook)) return ExprMutator::VisitExpr_(op);                                   \
    return hooks_.Result<ir::RelaxExprNode>(hook, hooks_.Call(hook, Wrap(runtime::GetRef(op)))); \
  }
  KILN_RELAX_EXPR_KINDS(KILN_X)
#undef KILN_X
  void VisitBinding(const Binding& b) override {
    hooks_.Has(kVisitBinding) ? (void)hooks_.Call(kVisitBinding, Copy(b)) : ExprMutator::VisitBinding(b);
  }
  Var VisitVarDef(const Var& v) override {
    if (!hooks_.Has(kVisitVarDef)) return ExprMutator::VisitVarDef(v);
    return Var(hooks_.Result<VarNode>(kVisitVarDef, hooks_.Call(kVisitVarDef, Wrap(v))));
  }

 private:
  PyHooks hooks_;
};

Expr ToExpr(nb::handle obj, const char* what) {
  Expr e(Unwrap<ir::RelaxExprNode>(obj, what));
  KILN_CHECK(e) << what << ": expected a relax expression, got None";
  return e;
}

}  // namespace

void BindRelaxFunctors(nb::module_& m) {
  m.def(
      "_hook_names", [] { return HookNames(); }, "Every hook of the relax visitor and mutator.");
  nb::class_<PyExprVisitor>(m, "_ExprVisitor", "The C++ half of kiln.relax.ExprVisitor.")
      .def(nb::init<nb::handle, const std::vector<std::string>&>(), nb::arg("owner"), nb::arg("overridden"))
      .def("visit_expr", [](PyExprVisitor& v, nb::handle e) { v.DefaultVisitExpr(ToExpr(e, "visit_expr")); })
      .def("visit_node", [](PyExprVisitor& v, nb::handle e) { v.DefaultVisitNode(ToExpr(e, "visit_node")); })
      .def("visit_binding", &PyExprVisitor::DefaultVisitBinding)
      .def("visit_var_def",
           [](PyExprVisitor& v, nb::handle var) { v.DefaultVisitVarDef(Var(Unwrap<VarNode>(var, "visit_var_def"))); });
  nb::class_<PyExprMutator>(m, "_ExprMutator", "The C++ half of kiln.relax.ExprMutator.")
      .def(
          "__init__",
          [](PyExprMutator* self, nb::handle owner, nb::handle mod, const std::vector<std::string>& overridden) {
            ir::IRModule m = mod.is_none() ? ir::IRModule() : ir::IRModule(Unwrap<ir::IRModuleNode>(mod, "module"));
            new (self) PyExprMutator(owner, std::move(m), overridden);
          },
          nb::arg("owner"), nb::arg("mod").none(), nb::arg("overridden"))
      .def("visit_expr",
           [](PyExprMutator& v, nb::handle e) { return Wrap(v.DefaultVisitExpr(ToExpr(e, "visit_expr"))); })
      .def("visit_node",
           [](PyExprMutator& v, nb::handle e) { return Wrap(v.DefaultVisitNode(ToExpr(e, "visit_node"))); })
      .def("visit_binding", &PyExprMutator::DefaultVisitBinding)
      .def("visit_var_def",
           [](PyExprMutator& v, nb::handle var) {
             return Wrap(v.DefaultVisitVarDef(Var(Unwrap<VarNode>(var, "visit_var_def"))));
           })
      .def(
          "remap_var",
          [](PyExprMutator& v, nb::handle from, nb::handle to) {
            v.Remap(Var(Unwrap<VarNode>(from, "remap_var")), Var(Unwrap<VarNode>(to, "remap_var")));
          },
          nb::arg("old"), nb::arg("new"))
      .def_prop_ro("builder", &PyExprMutator::builder, nb::rv_policy::reference_internal);
}

}  // namespace kiln::python
