// Bindings of the text format and structural equality: kiln.parse and the
// functions that compare IR of any level.
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>

#include "ir_convert.h"
#include "kiln/relax/printer.h"
#include "kiln/relax/structural_equal.h"
#include "kiln/text/parser.h"
#include "kiln/tir/printer.h"
#include "kiln/tir/structural_equal.h"

namespace kiln::python {
namespace {

// Dispatches on what kind of IR `a` holds; both sides must be of one kind.
template <typename OnModule, typename OnRelax, typename OnSInfo, typename OnFunc, typename OnExpr, typename OnStmt>
auto OnIR(nb::handle a, nb::handle b, const char* what, OnModule mod, OnRelax rel, OnSInfo si, OnFunc fn, OnExpr ex,
          OnStmt st) {
  runtime::ObjectRef x = Unwrap<runtime::Object>(a, what), y = Unwrap<runtime::Object>(b, what);
  KILN_CHECK(x && y) << what << ": cannot compare None";
  if (auto m = x.As<ir::IRModuleNode>()) {
    auto n = y.As<ir::IRModuleNode>();
    KILN_CHECK(n) << what << ": an IRModule compared with a " << y->type_key();
    return mod(ir::IRModule(m), ir::IRModule(n));
  }
  if (auto f = x.As<tir::PrimFuncNode>(); f && y.As<tir::PrimFuncNode>()) {
    return fn(tir::PrimFunc(f), tir::PrimFunc(y.As<tir::PrimFuncNode>()));
  }
  if (auto e = x.As<ir::RelaxExprNode>()) {
    auto g = y.As<ir::RelaxExprNode>();
    KILN_CHECK(g) << what << ": a relax expression compared with a " << y->type_key();
    return rel(relax::Expr(e), relax::Expr(g));
  }
  if (auto s = x.As<ir::StructInfoNode>()) {
    auto t = y.As<ir::StructInfoNode>();
    KILN_CHECK(t) << what << ": struct info compared with a " << y->type_key();
    return si(ir::StructInfo(s), ir::StructInfo(t));
  }
  if (auto e = x.As<tir::PrimExprNode>()) {
    auto g = y.As<tir::PrimExprNode>();
    KILN_CHECK(g) << what << ": a tir expression compared with a " << y->type_key();
    return ex(tir::PrimExpr(e), tir::PrimExpr(g));
  }
  if (auto s = x.As<tir::StmtNode>()) {
    auto t = y.As<tir::StmtNode>();
    KILN_CHECK(t) << what << ": a tir statement compared with a " << y->type_key();
    return st(tir::Stmt(s), tir::Stmt(t));
  }
  KILN_THROW() << what << ": cannot compare a " << x->type_key();
}

std::optional<std::string> Mismatch(nb::handle a, nb::handle b, bool map_free_vars) {
  auto rel = [&](auto x, auto y) { return relax::FindMismatch(x, y, map_free_vars); };
  auto tir_side = [&](auto x, auto y) { return tir::FindMismatch(x, y, map_free_vars); };
  auto si = [&](const ir::StructInfo& x, const ir::StructInfo& y) { return relax::FindMismatch(x, y, map_free_vars); };
  return OnIR(a, b, "structural_equal", rel, rel, si, tir_side, tir_side, tir_side);
}

size_t Hash(nb::handle a, bool map_free_vars) {
  runtime::ObjectRef x = Unwrap<runtime::Object>(a, "structural_hash");
  KILN_CHECK(x) << "structural_hash: cannot hash None";
  if (auto m = x.As<ir::IRModuleNode>()) return relax::StructuralHash(ir::IRModule(m), map_free_vars);
  if (auto f = x.As<tir::PrimFuncNode>()) return tir::StructuralHash(tir::PrimFunc(f), map_free_vars);
  if (auto e = x.As<ir::RelaxExprNode>()) return relax::StructuralHash(relax::Expr(e), map_free_vars);
  if (auto s = x.As<ir::StructInfoNode>()) return relax::StructuralHash(ir::StructInfo(s), map_free_vars);
  if (auto e = x.As<tir::PrimExprNode>()) return tir::StructuralHash(tir::PrimExpr(e), map_free_vars);
  if (auto s = x.As<tir::StmtNode>()) return tir::StructuralHash(tir::Stmt(s), map_free_vars);
  KILN_THROW() << "structural_hash: cannot hash a " << x->type_key();
}
}  // namespace

void BindText(nb::module_& m) {
  m.def(
      "parse",
      [](const std::string& text, const std::string& source_name) { return Wrap(text::Parse(text, source_name)); },
      nb::arg("text"), nb::arg("source_name") = "<text>",
      "Parses a module in the text format; errors name line:column.");
  m.def(
      "structural_equal",
      [](nb::handle a, nb::handle b, bool map_free_vars) { return !Mismatch(a, b, map_free_vars).has_value(); },
      nb::arg("a"), nb::arg("b"), nb::arg("map_free_vars") = false,
      "Equality of IR modulo variable names (alpha-equivalence).");
  m.def(
      "assert_structural_equal",
      [](nb::handle a, nb::handle b, bool map_free_vars) {
        if (auto diff = Mismatch(a, b, map_free_vars)) KILN_THROW() << "structurally different: " << *diff;
      },
      nb::arg("a"), nb::arg("b"), nb::arg("map_free_vars") = false,
      "Raises kiln.Error describing the first difference, if any.");
  m.def("find_mismatch", &Mismatch, nb::arg("a"), nb::arg("b"), nb::arg("map_free_vars") = false,
        "None when equal, else where and how the two first differ.");
  m.def("structural_hash", &Hash, nb::arg("a"), nb::arg("map_free_vars") = false,
        "A hash that agrees with structural_equal.");
}

}  // namespace kiln::python
