// Bindings of the relax pattern language (kiln._core.relax.pattern, wrapped
// by kiln.relax.pattern) and of the passes built on it
// (kiln.transform.FuseOpsByPattern, DispatchToLibrary). Python callables
// (checks, rewriters) are called with the match as a dict {pattern: expr}.
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <memory>

#include "convert.h"
#include "ir_convert.h"
#include "kiln/relax/pattern/rewrite.h"
#include "kiln/transform/dispatch_to_library.h"
#include "node.h"

namespace kiln::python {
namespace {
using namespace kiln::relax;

using PyPattern = PyNode<PatternNode>;

Pattern ToPattern(nb::handle h, const char* what) {
  Pattern p(Unwrap<PatternNode>(h, what));
  KILN_CHECK(p) << what << ": expected a pattern, got None";
  return p;
}


nb::dict MatchToPython(const PatternMatch& m) {
  nb::dict d;
  for (const auto& [p, e] : m.matched) d[Wrap(runtime::GetRef<PatternNode>(p))] = Wrap(e);
  return d;
}

// Calls f(args...), turning a Python exception into a kiln::Error naming `what`.
template <typename... Args>
nb::object CallPython(const nb::object& f, const std::string& what, Args&&... args) {
  nb::gil_scoped_acquire gil;
  try {
    return f(std::forward<Args>(args)...);
  } catch (nb::python_error& e) {
    KILN_THROW() << what << " raised " << DescribePythonError(e);
  }
  return nb::none();
}

std::vector<transform::FusionPattern> ToFusionPatterns(nb::handle seq) {
  std::vector<transform::FusionPattern> out;
  for (nb::handle item : seq) {
    nb::tuple t = nb::cast<nb::tuple>(item);
    KILN_CHECK(t.size() == 2 || t.size() == 3)
        << "FuseOpsByPattern: each pattern is (name, pattern) or (name, pattern, check), got " << t.size() << " items";
    transform::FusionPattern p{nb::cast<std::string>(t[0]), ToPattern(t[1], "FuseOpsByPattern pattern"), {}};
    if (t.size() == 3 && !t[2].is_none()) {
      std::shared_ptr<nb::object> check = KeepCallable(t[2]);
      std::string what = "FuseOpsByPattern: the check of pattern '" + p.name + "'";
      p.check = [check, what](const PatternMatch& m) {
        nb::gil_scoped_acquire gil;
        return nb::cast<bool>(CallPython(*check, what, MatchToPython(m)));
      };
    }
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace

void BindPattern(nb::module_& parent) {
  nb::module_ relax = nb::borrow<nb::module_>(parent.attr("relax"));
  nb::module_ m = relax.def_submodule("pattern", "The relax pattern language.");
  BindNode<PatternNode>(m, "Pattern", "A pattern over relax expressions (kiln.relax.pattern).")
      .def("__or__", [](const PyPattern& a, nb::handle b) { return Wrap(a.handle() | ToPattern(b, "p | q")); })
      .def("has_attr", [](const PyPattern& p, nb::handle attrs) { return Wrap(HasAttr(p.handle(), ToAttrs(attrs))); })
      .def("has_dtype", [](const PyPattern& p, nb::handle dtype) { return Wrap(HasDtype(p.handle(), ToDataType(dtype))); })
      .def("has_shape",
           [](const PyPattern& p, nb::handle shape) { return Wrap(HasShape(p.handle(), ToPrimExprs(shape, "has_shape"))); })
      .def("match",
           [](const PyPattern& p, nb::handle expr) -> nb::object {
             Expr e(Unwrap<ir::RelaxExprNode>(expr, "Pattern.match"));
             KILN_CHECK(e) << "Pattern.match: expected a relax expression, got None";
             std::optional<PatternMatch> r = MatchPattern(p.handle(), e);
             return r ? nb::object(MatchToPython(*r)) : nb::none();
           })
      .def("__repr__", [](const PyPattern& p) { return PatternString(p.handle()); });
  m.def("wildcard", [] { return Wrap(Wildcard()); });
  m.def("is_const", [] { return Wrap(IsConst()); });
  m.def(
      "_is_op",
      [](const std::string& op, nb::handle args) {
        std::vector<Pattern> ps;
        for (nb::handle a : args) ps.push_back(ToPattern(a, ("is_op(" + op + ") argument").c_str()));
        return Wrap(IsOp(op, ps));
      },
      nb::arg("op"), nb::arg("args"));
  m.def(
      "rewrite_call",
      [](nb::handle pattern, nb::callable rewriter, nb::handle func) {
        Pattern p = ToPattern(pattern, "rewrite_call pattern");
        relax::Function f(Unwrap<FunctionNode>(func, "rewrite_call function"));
        nb::object fn = nb::borrow(rewriter);
        Rewriter rw = [&fn](const Expr& matched, const PatternMatch& m) {
          nb::gil_scoped_acquire gil;
          nb::object r = CallPython(fn, "rewrite_call: the rewriter", Wrap(matched), MatchToPython(m));
          return Expr(Unwrap<ir::RelaxExprNode>(r, "rewrite_call: the rewriter's result"));
        };
        return Wrap(RewriteCall(p, rw, f));
      },
      nb::arg("pattern"), nb::arg("rewriter"), nb::arg("func"));
  m.def("library_patterns", [](const std::string& library) {
    nb::list out;
    for (const transform::FusionPattern& p : transform::LibraryPatterns(library)) {
      out.append(nb::make_tuple(p.name, Wrap(p.pattern)));
    }
    return out;
  });
  m.def("library_available", &transform::LibraryAvailable, nb::arg("library"));

  nb::module_ t = nb::borrow<nb::module_>(parent.attr("transform"));
  t.def(
      "_fuse_ops_by_pattern",
      [](nb::handle patterns, bool annotate_codegen) {
        return Wrap(transform::FuseOpsByPattern(ToFusionPatterns(patterns), annotate_codegen));
      },
      nb::arg("patterns"), nb::arg("annotate_codegen") = false);
  t.def(
      "_dispatch_to_library",
      [](const std::vector<std::string>& libraries) { return Wrap(transform::DispatchToLibrary(libraries)); },
      nb::arg("libraries"));
}

}  // namespace kiln::python
