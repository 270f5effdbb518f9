// Bindings of legalization (kiln.relax.register_legalize, remove_legalize,
// has_legalize, call_te, and kiln.transform.LegalizeOps with its target):
// op legalizations written in Python that override an op's own for a
// target kind.
#include "kiln/relax/legalize.h"

#include <nanobind/stl/string.h>

#include <memory>

#include "convert.h"
#include "kiln/transform/legalize_ops.h"
#include "node.h"

namespace kiln::python {
using namespace kiln::relax;

// f(bb, call) -> Expr as an FLegalize (also an op's own legalization when
// the op is registered from Python: custom_op.cc). The builder is lent to
// Python for the call only. A Python exception becomes a kiln::Error naming the op.
FLegalize PythonLegalize(const std::string& op_name, nb::handle f) {
  std::shared_ptr<nb::object> fn = KeepCallable(f);
  return [fn, op_name](BlockBuilder& bb, const CallNode* call) -> Expr {
    nb::gil_scoped_acquire gil;
    nb::object result;
    try {
      result = (*fn)(nb::cast(&bb, nb::rv_policy::reference), Wrap(runtime::GetRef<CallNode>(call)));
    } catch (nb::python_error& e) {
      KILN_THROW() << op_name << ": the legalization registered from Python raised " << DescribePythonError(e);
    }
    Expr out(Unwrap<ir::RelaxExprNode>(result, (op_name + " legalization").c_str()));
    KILN_CHECK(out) << op_name << ": the legalization registered from Python returned None";
    return out;
  };
}

namespace {
tir::te::Tensor ToTensor(nb::handle h, const std::string& what) {
  auto t = Unwrap<tir::te::TensorNode>(h, what.c_str());
  KILN_CHECK(t) << what << ": expected a te tensor, got None";
  return tir::te::Tensor(t);
}

// CallTE with a Python fcompute(*placeholders) returning a tensor or a
// list of tensors.
nb::object PythonCallTE(BlockBuilder& bb, nb::handle call_h, const std::string& name_hint, nb::callable fcompute,
                        nb::handle args_h) {
  auto call = Unwrap<CallNode>(call_h, "call_te call");
  KILN_CHECK(call) << "call_te: expected a relax Call, got None";
  const auto* op = call->op.as<OpNode>();
  std::string op_name = op ? op->name : "call_te";
  std::vector<Expr> args = call->args;
  if (!args_h.is_none()) {
    args.clear();
    for (nb::handle a : args_h) args.push_back(Expr(Unwrap<ir::RelaxExprNode>(a, "call_te argument")));
  }
  std::string what = op_name + ": call_te '" + name_hint + "'";
  Expr out = CallTE(bb, op_name, name_hint, args, [&](const std::vector<tir::te::Tensor>& in) {
    nb::list py_in;
    for (const tir::te::Tensor& t : in) py_in.append(Wrap(t));
    nb::object r = fcompute(*nb::tuple(py_in));
    std::vector<tir::te::Tensor> outs;
    if (nb::isinstance<nb::list>(r) || nb::isinstance<nb::tuple>(r)) {
      for (nb::handle h : r) outs.push_back(ToTensor(h, what + " output"));
    } else {
      outs.push_back(ToTensor(r, what + " output"));
    }
    return outs;
  });
  return Wrap(out);
}

}  // namespace

void BindLegalize(nb::module_& parent) {
  nb::module_ relax = nb::borrow<nb::module_>(parent.attr("relax"));
  relax.def(
      "register_legalize",
      [](const std::string& op_name, nb::handle f, const std::string& target) {
        KILN_CHECK(PyCallable_Check(f.ptr())) << "register_legalize(" << op_name << "): f must be callable";
        RegisterLegalizeOverride(op_name, target, PythonLegalize(op_name, f));
      },
      nb::arg("op"), nb::arg("f"), nb::arg("target") = "",
      "Overrides op's legalization for a target kind (\"\": every target) with f(bb, call) -> Expr.");
  relax.def(
      "remove_legalize",
      [](const std::string& op_name, const std::string& target) { RemoveLegalizeOverride(op_name, target); },
      nb::arg("op"), nb::arg("target") = "", "Removes the override registered for (op, target).");
  relax.def(
      "has_legalize",
      [](const std::string& op_name, const std::string& target) {
        return static_cast<bool>(FindLegalize(GetOp(op_name), target));
      },
      nb::arg("op"), nb::arg("target") = "llvm",
      "Whether LegalizeOps for the target kind lowers op (an override or the op's own legalization).");
  relax.def("call_te", &PythonCallTE, nb::arg("bb"), nb::arg("call"), nb::arg("name_hint"), nb::arg("fcompute"),
            nb::arg("args").none() = nb::none(),
            "call_tir of the PrimFunc computing fcompute(*placeholders) over the call's tensor arguments (or `args`).");

  nb::module_ transform = nb::borrow<nb::module_>(parent.attr("transform"));
  transform.def(
      "_legalize_ops", [](const std::string& target_kind) { return Wrap(transform::LegalizeOps(target_kind)); },
      nb::arg("target_kind") = "llvm");
}

}  // namespace kiln::python
