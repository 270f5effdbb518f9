// Bindings of the ir layer (kiln.ir): the expression and function bases,
// GlobalVar, and IRModule.
#include <nanobind/stl/string.h>

#include "ir_convert.h"
#include "kiln/ir/module.h"
#include "kiln/relax/printer.h"

namespace kiln::python {
namespace {
using namespace kiln::ir;

BaseFunc ToFunc(nb::handle obj) {
  BaseFunc f = Unwrap<BaseFuncNode>(obj, "IRModule function");
  KILN_CHECK(f) << "IRModule: a function is None";
  return f;
}

void BindModule(nb::module_& m) {
  using M = PyNode<IRModuleNode>;
  BindNode<IRModuleNode>(m, "IRModule", "Functions of both levels (relax and tir) by name, and module attributes.")
      .def(
          "__init__",
          [](M* self, nb::handle functions, nb::handle attrs) {
            std::vector<std::pair<GlobalVar, BaseFunc>> items;
            if (!functions.is_none()) {
              for (auto [k, v] : nb::cast<nb::dict>(functions)) {
                GlobalVar gv = nb::isinstance<nb::str>(k) ? MakeGlobalVar(nb::cast<std::string>(k))
                                                          : Unwrap<GlobalVarNode>(k, "IRModule key");
                items.emplace_back(gv, ToFunc(v));
              }
            }
            new (self) M();
            self->ref = IRModule(std::move(items), ToAttrs(attrs));
          },
          nb::arg("functions").none() = nb::none(), nb::arg("attrs").none() = nb::none(),
          "A module from a dict of name (or GlobalVar) to function.")
      .def("__getitem__", [](const M& mod, const std::string& name) { return Wrap(IRModule(mod.handle())[name]); })
      .def("__contains__", [](const M& mod, const std::string& name) { return IRModule(mod.handle()).Contains(name); })
      .def("__len__", [](const M& mod) { return mod->functions.size(); })
      .def(
          "get_global_var",
          [](const M& mod, const std::string& name) { return Wrap(IRModule(mod.handle()).GetGlobalVar(name)); },
          nb::arg("name"))
      .def_prop_ro(
          "functions",
          [](const M& mod) {
            nb::dict out;
            for (const auto& [gv, f] : mod->functions) out[gv->name.c_str()] = Wrap(f);
            return out;
          },
          "The functions by name, in module order.")
      .def_prop_ro("global_vars",
                   [](const M& mod) {
                     nb::list out;
                     for (const auto& [gv, f] : mod->functions) out.append(Wrap(gv));
                     return out;
                   })
      .def_prop_ro("attrs", [](const M& mod) { return AttrsToPython(mod->attrs); })
      .def(
          "with_function",
          [](const M& mod, nb::handle key, nb::handle func) {
            IRModule m(mod.handle());
            GlobalVar gv = nb::isinstance<nb::str>(key) ? m.FindGlobalVar(nb::cast<std::string>(key))
                                                        : Unwrap<GlobalVarNode>(key, "with_function");
            if (!gv) gv = MakeGlobalVar(nb::cast<std::string>(key));
            return Wrap(m.Update(gv, ToFunc(func)));
          },
          nb::arg("name"), nb::arg("func"), "A new module with `func` added or replacing the function of that name.")
      .def(
          "without_function",
          [](const M& mod, const std::string& name) {
            IRModule m(mod.handle());
            return Wrap(m.Remove(m.GetGlobalVar(name)));
          },
          nb::arg("name"))
      .def(
          "with_attrs",
          [](const M& mod, nb::handle attrs) { return Wrap(IRModule(mod.handle()).WithAttrs(ToAttrs(attrs))); },
          nb::arg("attrs"))
      .def(
          "script", [](const M& mod) { return relax::ToText(IRModule(mod.handle())); },
          "The module in the text format (kiln.parse reads it back).")
      .def("__str__", [](const M& mod) { return relax::ToText(IRModule(mod.handle())); })
      .def("__repr__", [](const M& mod) { return relax::ToText(IRModule(mod.handle())); });
}
}  // namespace

void BindIr(nb::module_& parent) {
  nb::module_ m = parent.def_submodule("ir", "The IRModule and what both IR levels share.");
  BindNode<BaseExprNode>(m, "BaseExpr", "The base of tir and relax expressions.")
      .def_prop_ro(
          "span",
          [](const PyNode<BaseExprNode>& e) {
            return e->span.defined() ? nb::object(nb::make_tuple(e->span.line, e->span.column)) : nb::none();
          },
          "(line, column) in the text it was parsed from, or None.");
  BindNode<StructInfoNode>(m, "StructInfo", "What is known about a relax value before it runs.")
      .def("__repr__", [](const PyNode<StructInfoNode>& s) { return relax::ToText(StructInfo(s.handle())); });
  BindNode<RelaxExprNode>(m, "RelaxExpr", "The base of relax expressions; carries struct info.")
      .def_prop_ro("struct_info", [](const PyNode<RelaxExprNode>& e) { return Wrap(e->struct_info); })
      .def("__repr__", [](const PyNode<RelaxExprNode>& e) { return relax::ToText(relax::Expr(e.handle())); });
  BindNode<BaseFuncNode>(m, "BaseFunc", "A function of either level.")
      .def_prop_ro("attrs", [](const PyNode<BaseFuncNode>& f) { return AttrsToPython(f->attrs); });
  BindNode<GlobalVarNode>(m, "GlobalVar", "The name of a function in an IRModule.")
      .def(
          "__init__",
          [](PyNode<GlobalVarNode>* self, std::string name) {
            new (self) PyNode<GlobalVarNode>();
            self->ref = MakeGlobalVar(std::move(name));
          },
          nb::arg("name"))
      .def_prop_ro("name", [](const PyNode<GlobalVarNode>& g) { return g->name; })
      .def("__repr__", [](const PyNode<GlobalVarNode>& g) { return "@" + g->name; });
  BindModule(m);
}

}  // namespace kiln::python
