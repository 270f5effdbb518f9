// Bindings of the compute DSL (kiln._core.te, re-exported as kiln.tir.te):
// placeholders, compute with a Python function of the indices, reductions
// (built-in and custom combiners) and create_prim_func.
#include "kiln/tir/intrinsics.h"
#include "kiln/tir/te.h"

#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "convert.h"
#include "ir_convert.h"

namespace kiln::python {
namespace {

using namespace kiln::tir;

// Calls a Python function of index variables and converts its result.
PrimExpr CallIndexFunction(nb::handle f, const std::vector<Var>& vars, const char* what) {
  nb::list args;
  for (const Var& v : vars) args.append(Wrap(PrimExpr(v)));
  return ToPrimExpr(f(*nb::tuple(args)), what);
}

std::vector<te::ReduceAxis> ToAxes(nb::handle axes) {
  std::vector<te::ReduceAxis> out;
  for (nb::handle a : axes) {
    nb::tuple t = nb::cast<nb::tuple>(a);
    KILN_CHECK(t.size() == 3) << "a reduce axis is (var, min, extent)";
    out.push_back({Var(Unwrap<PrimExprNode>(t[0], "reduce axis")),
                   Range{ToPrimExpr(t[1], "axis min"), ToPrimExpr(t[2], "axis extent")}});
  }
  return out;
}

te::Tensor ToTensor(nb::handle h, const char* what) {
  auto t = Unwrap<te::TensorNode>(h, what);
  KILN_CHECK(t) << what << ": expected a tensor, got None";
  return te::Tensor(t);
}

}  // namespace

void BindTe(nb::module_& parent) {
  nb::module_ m = parent.def_submodule("te", "The compute DSL.");
  BindNode<te::TensorNode>(m, "Tensor", "A te tensor: a placeholder or the result of a compute.")
      .def_prop_ro("is_placeholder", [](const PyNode<te::TensorNode>& t) { return t->is_placeholder(); })
      .def_prop_ro("body", [](const PyNode<te::TensorNode>& t) { return Wrap(t->body); })
      .def_prop_ro("axis", [](const PyNode<te::TensorNode>& t) { return WrapList(t->axis); });

  m.def(
      "placeholder",
      [](nb::handle shape, nb::handle dtype, const std::string& name) {
        return Wrap(te::placeholder(ToPrimExprs(shape, "placeholder shape"), ToDataType(dtype), name));
      },
      nb::arg("shape"), nb::arg("dtype") = "float32", nb::arg("name") = "placeholder");
  m.def(
      "compute",
      [](nb::handle shape, nb::callable f, const std::string& name, nb::handle attrs) {
        std::vector<PrimExpr> dims = ToPrimExprs(shape, "compute shape");
        nb::object fn = nb::borrow(f);
        te::FCompute fc = [fn, name](const std::vector<Var>& vars) {
          return CallIndexFunction(fn, vars, ("compute '" + name + "'").c_str());
        };
        return Wrap(te::compute(std::move(dims), fc, name, ToAttrs(attrs)));
      },
      nb::arg("shape"), nb::arg("fcompute"), nb::arg("name") = "compute", nb::arg("attrs").none() = nb::none());
  m.def(
      "reduce",
      [](const std::string& kind, nb::handle source, nb::handle axes, nb::handle init) {
        PrimExpr src = ToPrimExpr(source, "reduction source");
        PrimExpr start = init.is_none() ? PrimExpr() : ToPrimExpr(init, "reduction init");
        std::vector<te::ReduceAxis> ax = ToAxes(axes);
        if (kind == "sum") return Wrap(te::sum(src, ax, start));
        if (kind == "max") return Wrap(te::max(src, ax, start));
        if (kind == "min") return Wrap(te::min(src, ax, start));
        if (kind == "prod") return Wrap(te::prod(src, ax, start));
        KILN_THROW() << "unknown reduction '" << kind << "' (sum, max, min, prod)";
      },
      nb::arg("kind"), nb::arg("source"), nb::arg("axes"), nb::arg("init").none() = nb::none());
  m.def(
      "comm_reduce",
      [](nb::callable combine, nb::callable identity, nb::handle source, nb::handle axes, nb::handle init) {
        nb::object c = nb::borrow(combine), id = nb::borrow(identity);
        te::Reducer r;
        r.combine = [c](PrimExpr acc, PrimExpr x) { return ToPrimExpr(c(Wrap(acc), Wrap(x)), "reducer combine"); };
        r.identity = [id](DataType t) { return ToPrimExpr(id(t.str()), "reducer identity"); };
        PrimExpr start = init.is_none() ? PrimExpr() : ToPrimExpr(init, "reduction init");
        return Wrap(te::reduce(r, ToPrimExpr(source, "reduction source"), ToAxes(axes), start));
      },
      nb::arg("combine"), nb::arg("identity"), nb::arg("source"), nb::arg("axes"), nb::arg("init").none() = nb::none());
  m.def(
      "create_prim_func",
      [](nb::handle inputs, nb::handle outputs, nb::handle scalars) {
        std::vector<te::Tensor> in, out;
        for (nb::handle h : inputs) in.push_back(ToTensor(h, "create_prim_func input"));
        for (nb::handle h : outputs) out.push_back(ToTensor(h, "create_prim_func output"));
        std::vector<Var> sc;
        for (nb::handle h : scalars) sc.push_back(Var(Unwrap<PrimExprNode>(h, "create_prim_func scalar")));
        return Wrap(te::create_prim_func(in, out, sc));
      },
      nb::arg("inputs"), nb::arg("outputs"), nb::arg("scalars") = nb::list());
  // Intrinsics, re-exported by kiln.tir: exp(x), if_then_else(c, a, b), ...
  auto unary = [&](const char* name, PrimExpr (*f)(PrimExpr)) {
    m.def(name, [f, name](nb::handle x) { return Wrap(f(ToPrimExpr(x, name))); }, nb::arg("x"));
  };
  unary("exp", &tir::exp);
  unary("log", &tir::log);
  unary("sqrt", &tir::sqrt);
  unary("rsqrt", &tir::rsqrt);
  unary("tanh", &tir::tanh);
  unary("sigmoid", &tir::sigmoid);
  unary("erf", &tir::erf);
  unary("floor", &tir::floor);
  unary("ceil", &tir::ceil);
  unary("round", &tir::round);
  unary("abs", &tir::abs);
  unary("likely", &tir::likely);
  m.def(
      "pow", [](nb::handle x, nb::handle y) { return Wrap(tir::pow(ToPrimExpr(x, "pow"), ToPrimExpr(y, "pow"))); },
      nb::arg("x"), nb::arg("y"));
  m.def(
      "if_then_else",
      [](nb::handle c, nb::handle a, nb::handle b) {
        return Wrap(tir::if_then_else(ToPrimExpr(c, "if_then_else"), ToPrimExpr(a, "if_then_else"),
                                      ToPrimExpr(b, "if_then_else")));
      },
      nb::arg("cond"), nb::arg("then_value"), nb::arg("else_value"));
  m.def(
      "min_value", [](nb::handle dtype) { return Wrap(te::min_value(ToDataType(dtype))); }, nb::arg("dtype"));
  m.def(
      "max_value", [](nb::handle dtype) { return Wrap(te::max_value(ToDataType(dtype))); }, nb::arg("dtype"));
}

}  // namespace kiln::python
