// Bindings of relax (kiln.relax): expression nodes, struct info kinds, the
// op registry, and calls of ops by name with keyword attributes. The
// visitor and mutator to subclass in Python are in relax_functor.cc.
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "convert.h"
#include "ir_convert.h"
#include "kiln/relax/block_builder.h"
#include "kiln/relax/op.h"
#include "kiln/relax/printer.h"
#include "kiln/relax/well_formed.h"

namespace kiln::python {
namespace {
using namespace kiln::relax;

Expr ToExpr(nb::handle obj, const char* what) {
  Expr e(Unwrap<ir::RelaxExprNode>(obj, what));
  KILN_CHECK(e) << what << ": expected a relax expression, got None";
  return e;
}
std::vector<Expr> ToExprs(nb::handle seq, const char* what) {
  std::vector<Expr> out;
  for (nb::handle item : seq) out.push_back(ToExpr(item, what));
  return out;
}
StructInfo ToSInfo(nb::handle obj, const char* what) {
  return Unwrap<ir::StructInfoNode>(obj, what);
}
std::vector<StructInfo> ToSInfos(nb::handle seq, const char* what) {
  std::vector<StructInfo> out;
  if (seq.is_none()) return out;
  for (nb::handle item : seq) out.push_back(ToSInfo(item, what));
  return out;
}
Var ToVar(nb::handle obj, const char* what) {
  return Var(Unwrap<VarNode>(obj, what));
}

void BindStructInfo(nb::module_& m) {
  BindNode<ObjectStructInfoNode>(m, "ObjectStructInfo", "Any value.")
      .def("__init__", [](PyNode<ObjectStructInfoNode>* s) {
        new (s) PyNode<ObjectStructInfoNode>();
        s->ref = ObjectSInfo();
      });
  BindNode<PrimStructInfoNode>(m, "PrimStructInfo", "A scalar of a dtype, maybe with a known value.")
      .def(
          "__init__",
          [](PyNode<PrimStructInfoNode>* s, nb::handle dtype, nb::handle value) {
            new (s) PyNode<PrimStructInfoNode>();
            s->ref = PrimSInfo(ToDataType(dtype), value.is_none() ? tir::PrimExpr() : ToPrimExpr(value));
          },
          nb::arg("dtype"), nb::arg("value").none() = nb::none())
      .def_prop_ro("dtype", [](const PyNode<PrimStructInfoNode>& s) { return s->dtype.str(); })
      .def_prop_ro("value", [](const PyNode<PrimStructInfoNode>& s) { return Wrap(s->value); });
  BindNode<ShapeStructInfoNode>(m, "ShapeStructInfo", "A shape value: its dimensions, or its rank.")
      .def(
          "__init__",
          [](PyNode<ShapeStructInfoNode>* s, nb::handle values, int ndim) {
            new (s) PyNode<ShapeStructInfoNode>();
            s->ref = values.is_none() ? ShapeSInfoOfRank(ndim) : ShapeSInfo(ToPrimExprs(values));
          },
          nb::arg("values").none() = nb::none(), nb::arg("ndim") = -1)
      .def_prop_ro("values",
                   [](const PyNode<ShapeStructInfoNode>& s) {
                     return s->values ? nb::object(WrapList(*s->values)) : nb::none();
                   })
      .def_prop_ro("ndim", [](const PyNode<ShapeStructInfoNode>& s) { return s->ndim; });
  BindNode<TensorStructInfoNode>(m, "TensorStructInfo", "A tensor: shape (symbolic) or rank, and dtype.")
      .def(
          "__init__",
          [](PyNode<TensorStructInfoNode>* s, nb::handle shape, nb::handle dtype, int ndim) {
            new (s) PyNode<TensorStructInfoNode>();
            DataType t = dtype.is_none() ? DataType() : ToDataType(dtype);
            s->ref = shape.is_none() ? TensorSInfoOfRank(ndim, t) : TensorSInfo(ToPrimExprs(shape), t);
          },
          nb::arg("shape").none() = nb::none(), nb::arg("dtype").none() = "float32", nb::arg("ndim") = -1)
      .def_prop_ro(
          "shape",
          [](const PyNode<TensorStructInfoNode>& s) { return s->shape ? nb::object(WrapList(*s->shape)) : nb::none(); })
      .def_prop_ro("dtype",
                   [](const PyNode<TensorStructInfoNode>& s) {
                     return s->dtype.is_void() ? nb::none() : nb::object(nb::str(s->dtype.str().c_str()));
                   })
      .def_prop_ro("ndim", [](const PyNode<TensorStructInfoNode>& s) { return s->ndim; });
  BindNode<TupleStructInfoNode>(m, "TupleStructInfo", "A tuple of values.")
      .def(
          "__init__",
          [](PyNode<TupleStructInfoNode>* s, nb::handle fields) {
            new (s) PyNode<TupleStructInfoNode>();
            s->ref = TupleSInfo(ToSInfos(fields, "TupleStructInfo"));
          },
          nb::arg("fields"))
      .def_prop_ro("fields", [](const PyNode<TupleStructInfoNode>& s) { return WrapList(s->fields); });
  BindNode<FuncStructInfoNode>(m, "FuncStructInfo", "A function: parameters (when known), return, purity.")
      .def(
          "__init__",
          [](PyNode<FuncStructInfoNode>* s, nb::handle params, nb::handle ret, bool pure) {
            new (s) PyNode<FuncStructInfoNode>();
            StructInfo r = ToSInfo(ret, "FuncStructInfo return");
            s->ref = params.is_none() ? OpaqueFuncSInfo(r, pure) : FuncSInfo(ToSInfos(params, "params"), r, pure);
          },
          nb::arg("params").none(), nb::arg("ret"), nb::arg("is_pure") = true)
      .def_prop_ro(
          "params",
          [](const PyNode<FuncStructInfoNode>& s) { return s->params ? nb::object(WrapList(*s->params)) : nb::none(); })
      .def_prop_ro("ret", [](const PyNode<FuncStructInfoNode>& s) { return Wrap(s->ret); })
      .def_prop_ro("is_pure", [](const PyNode<FuncStructInfoNode>& s) { return s->is_pure; });
}

void BindLeaves(nb::module_& m) {
  BindNode<VarNode>(m, "Var", "A relax variable (a DataflowVar when is_dataflow).")
      .def(
          "__init__",
          [](PyNode<VarNode>* self, std::string name, nb::handle sinfo, bool dataflow) {
            new (self) PyNode<VarNode>();
            StructInfo s = ToSInfo(sinfo, "Var struct_info");
            self->ref = dataflow ? MakeDataflowVar(std::move(name), s) : MakeVar(std::move(name), s);
          },
          nb::arg("name"), nb::arg("struct_info"), nb::arg("is_dataflow") = false)
      .def_prop_ro("name", [](const PyNode<VarNode>& v) { return v->name; })
      .def_prop_ro("is_dataflow", [](const PyNode<VarNode>& v) { return v->is_dataflow; })
      .def("__repr__", [](const PyNode<VarNode>& v) { return "%" + v->name; });
  BindNode<ConstantNode>(m, "Constant", "A constant tensor.")
      .def(
          "__init__",
          [](PyNode<ConstantNode>* self, nb::handle data) {
            new (self) PyNode<ConstantNode>();
            self->ref = MakeConstant(ArrayFromDLPack(data).CopyTo(Device::CPU()));
          },
          nb::arg("data"), "A constant holding a copy of `data` (any array or DLPack tensor).")
      .def_prop_ro("data", [](const PyNode<ConstantNode>& c) { return c->data; });
  BindNode<TupleNode>(m, "Tuple", "A tuple of expressions.")
      .def(
          "__init__",
          [](PyNode<TupleNode>* self, nb::handle fields) {
            new (self) PyNode<TupleNode>();
            self->ref = MakeTuple(ToExprs(fields, "Tuple field"));
          },
          nb::arg("fields"))
      .def_prop_ro("fields", [](const PyNode<TupleNode>& t) { return WrapList(t->fields); });
  BindNode<TupleGetItemNode>(m, "TupleGetItem", "tuple[index]")
      .def(
          "__init__",
          [](PyNode<TupleGetItemNode>* self, nb::handle tuple, int index) {
            new (self) PyNode<TupleGetItemNode>();
            self->ref = MakeTupleGetItem(ToExpr(tuple, "TupleGetItem"), index);
          },
          nb::arg("tuple"), nb::arg("index"))
      .def_prop_ro("tuple", [](const PyNode<TupleGetItemNode>& t) { return Wrap(t->tuple); })
      .def_prop_ro("index", [](const PyNode<TupleGetItemNode>& t) { return t->index; });
  BindNode<ShapeExprNode>(m, "ShapeExpr", "A shape value of symbolic dimensions.")
      .def(
          "__init__",
          [](PyNode<ShapeExprNode>* self, nb::handle values) {
            new (self) PyNode<ShapeExprNode>();
            self->ref = MakeShapeExpr(ToPrimExprs(values));
          },
          nb::arg("values"))
      .def_prop_ro("values", [](const PyNode<ShapeExprNode>& s) { return WrapList(s->values); });
  BindNode<PrimValueNode>(m, "PrimValue", "A scalar given by a tir expression.")
      .def(
          "__init__",
          [](PyNode<PrimValueNode>* self, nb::handle v) {
            new (self) PyNode<PrimValueNode>();
            self->ref = MakePrimValue(ToPrimExpr(v));
          },
          nb::arg("value"))
      .def_prop_ro("value", [](const PyNode<PrimValueNode>& p) { return Wrap(p->value); });
  BindNode<StringImmNode>(m, "StringImm", "A string value.")
      .def(
          "__init__",
          [](PyNode<StringImmNode>* self, std::string v) {
            new (self) PyNode<StringImmNode>();
            self->ref = MakeStringImm(std::move(v));
          },
          nb::arg("value"))
      .def_prop_ro("value", [](const PyNode<StringImmNode>& s) { return s->value; });
  BindNode<ExternFuncNode>(m, "ExternFunc", "A runtime function found by name.")
      .def(
          "__init__",
          [](PyNode<ExternFuncNode>* self, std::string sym) {
            new (self) PyNode<ExternFuncNode>();
            self->ref = MakeExternFunc(std::move(sym));
          },
          nb::arg("global_symbol"))
      .def_prop_ro("global_symbol", [](const PyNode<ExternFuncNode>& f) { return f->global_symbol; });
}

void BindCompound(nb::module_& m) {
  BindNode<CallNode>(m, "Call", "A call of an op, a GlobalVar, or an extern function.")
      .def(
          "__init__",
          [](PyNode<CallNode>* self, nb::handle op, nb::handle args, nb::handle attrs, nb::handle sinfo_args) {
            new (self) PyNode<CallNode>();
            self->ref = MakeCall(ToExpr(op, "Call op"), ToExprs(args, "Call argument"), ToAttrs(attrs),
                                 ToSInfos(sinfo_args, "sinfo_args"));
          },
          nb::arg("op"), nb::arg("args"), nb::arg("attrs").none() = nb::none(),
          nb::arg("sinfo_args").none() = nb::none())
      .def_prop_ro("op", [](const PyNode<CallNode>& c) { return Wrap(c->op); })
      .def_prop_ro("args", [](const PyNode<CallNode>& c) { return WrapList(c->args); })
      .def_prop_ro("attrs", [](const PyNode<CallNode>& c) { return AttrsToPython(c->attrs); })
      .def_prop_ro("sinfo_args", [](const PyNode<CallNode>& c) { return WrapList(c->sinfo_args); });
  BindNode<IfNode>(m, "If", "if condition: true_branch else: false_branch")
      .def(
          "__init__",
          [](PyNode<IfNode>* self, nb::handle c, nb::handle t, nb::handle f) {
            new (self) PyNode<IfNode>();
            self->ref = MakeIf(ToExpr(c, "If"), ToExpr(t, "If"), ToExpr(f, "If"));
          },
          nb::arg("condition"), nb::arg("true_branch"), nb::arg("false_branch"))
      .def_prop_ro("condition", [](const PyNode<IfNode>& i) { return Wrap(i->condition); })
      .def_prop_ro("true_branch", [](const PyNode<IfNode>& i) { return Wrap(i->true_branch); })
      .def_prop_ro("false_branch", [](const PyNode<IfNode>& i) { return Wrap(i->false_branch); });

  nb::class_<Binding>(m, "Binding", "var = value, or var = match_cast(value, struct_info).")
      .def(
          "__init__",
          [](Binding* self, nb::handle var, nb::handle value, nb::handle match_cast) {
            new (self) Binding{ToVar(var, "Binding"), ToExpr(value, "Binding"),
                               match_cast.is_none() ? StructInfo() : ToSInfo(match_cast, "match_cast")};
          },
          nb::arg("var"), nb::arg("value"), nb::arg("match_cast").none() = nb::none())
      .def_prop_ro("var", [](const Binding& b) { return Wrap(b.var); })
      .def_prop_ro("value", [](const Binding& b) { return Wrap(b.value); })
      .def_prop_ro("match_cast", [](const Binding& b) { return Wrap(b.match_cast); });
  nb::class_<BindingBlock>(m, "BindingBlock", "Bindings in order; a dataflow block when is_dataflow.")
      .def(
          "__init__",
          [](BindingBlock* self, std::vector<Binding> bindings, bool dataflow) {
            new (self) BindingBlock{std::move(bindings), dataflow};
          },
          nb::arg("bindings"), nb::arg("is_dataflow") = false)
      .def_prop_ro("bindings", [](const BindingBlock& b) { return b.bindings; })
      .def_prop_ro("is_dataflow", [](const BindingBlock& b) { return b.is_dataflow; });
  BindNode<SeqExprNode>(m, "SeqExpr", "Binding blocks followed by a result expression.")
      .def(
          "__init__",
          [](PyNode<SeqExprNode>* self, std::vector<BindingBlock> blocks, nb::handle body) {
            new (self) PyNode<SeqExprNode>();
            self->ref = MakeSeqExpr(std::move(blocks), ToExpr(body, "SeqExpr body"));
          },
          nb::arg("blocks"), nb::arg("body"))
      .def_prop_ro("blocks", [](const PyNode<SeqExprNode>& s) { return s->blocks; })
      .def_prop_ro("body", [](const PyNode<SeqExprNode>& s) { return Wrap(s->body); });
  BindNode<FunctionNode>(m, "Function", "A relax function.")
      .def(
          "__init__",
          [](PyNode<FunctionNode>* self, nb::handle params, nb::handle body, nb::handle ret, bool is_pure,
             nb::handle attrs) {
            std::vector<Var> ps;
            for (nb::handle p : params) ps.push_back(ToVar(p, "Function parameter"));
            new (self) PyNode<FunctionNode>();
            self->ref = MakeFunction(ps, ToExpr(body, "Function body"),
                                     ret.is_none() ? StructInfo() : ToSInfo(ret, "ret"), is_pure, ToAttrs(attrs));
          },
          nb::arg("params"), nb::arg("body"), nb::arg("ret_struct_info").none() = nb::none(), nb::arg("is_pure") = true,
          nb::arg("attrs").none() = nb::none())
      .def_prop_ro("params", [](const PyNode<FunctionNode>& f) { return WrapList(f->params); })
      .def_prop_ro("body", [](const PyNode<FunctionNode>& f) { return Wrap(f->body); })
      .def_prop_ro("ret_struct_info", [](const PyNode<FunctionNode>& f) { return Wrap(f->ret_struct_info); })
      .def_prop_ro("is_pure", [](const PyNode<FunctionNode>& f) { return f->is_pure; });
}

void BindBuilder(nb::module_& m) {
  nb::class_<BlockBuilder>(m, "BlockBuilder", "Builds relax functions op by op, inferring struct info.")
      .def(
          "__init__",
          [](BlockBuilder* self, nb::handle mod) {
            new (self)
                BlockBuilder(mod.is_none() ? ir::IRModule() : ir::IRModule(Unwrap<ir::IRModuleNode>(mod, "module")));
          },
          nb::arg("mod").none() = nb::none())
      .def(
          "begin_function",
          [](BlockBuilder& b, const std::string& name, nb::handle params, nb::handle attrs, bool is_pure) {
            std::vector<Var> ps;
            for (nb::handle p : params) ps.push_back(ToVar(p, "parameter"));
            b.BeginFunction(name, ps, ToAttrs(attrs), is_pure);
          },
          nb::arg("name"), nb::arg("params"), nb::arg("attrs").none() = nb::none(), nb::arg("is_pure") = true)
      .def(
          "end_function",
          [](BlockBuilder& b, nb::handle output, nb::handle ret) {
            return Wrap(
                b.EndFunction(ToExpr(output, "function output"), ret.is_none() ? StructInfo() : ToSInfo(ret, "ret")));
          },
          nb::arg("output"), nb::arg("ret_struct_info").none() = nb::none())
      .def("begin_dataflow_block", &BlockBuilder::BeginDataflowBlock)
      .def("end_dataflow_block", &BlockBuilder::EndDataflowBlock)
      .def("begin_binding_block", &BlockBuilder::BeginBindingBlock)
      .def("end_binding_block", &BlockBuilder::EndBindingBlock)
      .def(
          "emit",
          [](BlockBuilder& b, nb::handle value, const std::string& name) {
            return Wrap(b.Emit(ToExpr(value, "emit"), name));
          },
          nb::arg("value"), nb::arg("name_hint") = "")
      .def(
          "emit_output",
          [](BlockBuilder& b, nb::handle value, const std::string& name) {
            return Wrap(b.EmitOutput(ToExpr(value, "emit_output"), name));
          },
          nb::arg("value"), nb::arg("name_hint") = "")
      .def(
          "emit_match_cast",
          [](BlockBuilder& b, nb::handle value, nb::handle sinfo, const std::string& name) {
            return Wrap(b.EmitMatchCast(ToExpr(value, "emit_match_cast"), ToSInfo(sinfo, "match_cast"), name));
          },
          nb::arg("value"), nb::arg("struct_info"), nb::arg("name_hint") = "")
      .def("normalize", [](BlockBuilder& b, nb::handle e) { return Wrap(b.Normalize(ToExpr(e, "normalize"))); })
      .def(
          "add_function",
          [](BlockBuilder& b, nb::handle f, const std::string& name) {
            return Wrap(b.AddFunction(Unwrap<ir::BaseFuncNode>(f, "add_function"), name));
          },
          nb::arg("func"), nb::arg("name_hint"))
      .def("get_module", [](const BlockBuilder& b) { return Wrap(b.GetModule()); });
  m.def(
      "check_well_formed",
      [](nb::handle mod) {
        nb::list out;
        for (const WellFormedProblem& p : CheckWellFormed(ir::IRModule(Unwrap<ir::IRModuleNode>(mod, "module")))) {
          out.append(p.str());
        }
        return out;
      },
      nb::arg("mod"), "The well-formedness problems of a module (empty when it is well formed).");
}

void BindOps(nb::module_& m) {
  BindNode<OpNode>(m, "Op", "A registered operator.")
      .def_prop_ro("name", [](const PyNode<OpNode>& o) { return o->name; })
      .def_prop_ro("description", [](const PyNode<OpNode>& o) { return o->description; })
      .def_prop_ro("arg_names", [](const PyNode<OpNode>& o) { return o->arg_names; })
      .def_prop_ro("variadic", [](const PyNode<OpNode>& o) { return o->variadic; })
      .def_prop_ro("pattern", [](const PyNode<OpNode>& o) { return std::string(OpPatternName(o->pattern)); })
      .def_prop_ro("attr_names",
                   [](const PyNode<OpNode>& o) {
                     std::vector<std::string> names;
                     for (const OpAttrSpec& a : o->attrs) names.push_back(a.name);
                     return names;
                   })
      .def_prop_ro("attr_defaults",
                   [](const PyNode<OpNode>& o) {
                     nb::dict d;
                     for (const OpAttrSpec& a : o->attrs) d[a.name.c_str()] = ToPython(a.default_value);
                     return d;
                   })
      .def("__repr__", [](const PyNode<OpNode>& o) { return "<kiln.relax.Op " + o->name + ">"; });
  m.def(
      "get_op", [](const std::string& name) { return Wrap(GetOp(name)); }, nb::arg("name"));
  m.def("list_ops", [] { return WrapList(ListOps()); });
  m.def(
      "call_op",
      [](const std::string& name, nb::handle args, nb::handle attrs, nb::handle sinfo_args) {
        Op op = GetOp(name);
        return Wrap(MakeCall(op, ToExprs(args, name.c_str()), CheckOpAttrs(op.get(), ToAttrs(attrs)),
                             ToSInfos(sinfo_args, "sinfo_args")));
      },
      nb::arg("name"), nb::arg("args"), nb::arg("attrs").none() = nb::none(), nb::arg("sinfo_args").none() = nb::none(),
      "A call of op `name` with its attributes checked and completed with defaults.");
}
}  // namespace

void BindRelaxFunctors(nb::module_& m);  // relax_functor.cc

void BindRelax(nb::module_& parent) {
  nb::module_ m = parent.def_submodule("relax", "Graph-level IR.");
  BindStructInfo(m);
  BindLeaves(m);
  BindCompound(m);
  BindOps(m);
  BindBuilder(m);
  BindRelaxFunctors(m);
}

}  // namespace kiln::python
