// relax expression factories.
#include "kiln/relax/expr.h"

#include "kiln/relax/struct_info.h"
#include "kiln/runtime/error.h"

namespace kiln::relax {

using runtime::MakeObject;

namespace {
Var NewVar(std::string name, StructInfo sinfo, bool dataflow, Span span) {
  KILN_CHECK(!name.empty()) << "a relax variable needs a name";
  auto n = MakeObject<VarNode>();
  n->name = std::move(name);
  n->struct_info = std::move(sinfo);
  n->is_dataflow = dataflow;
  n->span = span;
  return Var(n);
}

template <typename T>
Ref<T> New(Span span) {
  auto n = MakeObject<T>();
  n->span = span;
  return n;
}
}  // namespace

Var MakeVar(std::string name, StructInfo sinfo, Span span) {
  return NewVar(std::move(name), std::move(sinfo), false, span);
}
Var MakeDataflowVar(std::string name, StructInfo sinfo, Span span) {
  return NewVar(std::move(name), std::move(sinfo), true, span);
}

Expr MakeConstant(runtime::NDArray data, Span span) {
  KILN_CHECK(data.defined()) << "relax constant: the array is undefined";
  auto n = New<ConstantNode>(span);
  std::vector<tir::PrimExpr> shape;
  for (int64_t d : data.shape()) shape.push_back(tir::PrimExpr(d));
  n->struct_info = TensorSInfo(shape, data.dtype());
  n->data = std::move(data);
  return n;
}

Expr MakeTuple(std::vector<Expr> fields, Span span) {
  auto n = New<TupleNode>(span);
  for (const Expr& f : fields) KILN_CHECK(f) << "relax tuple: a field is undefined";
  n->fields = std::move(fields);
  return n;
}

Expr MakeTupleGetItem(Expr tuple, int index, Span span) {
  KILN_CHECK(tuple) << "relax tuple item: the tuple is undefined";
  KILN_CHECK(index >= 0) << "relax tuple item: negative index " << index;
  auto n = New<TupleGetItemNode>(span);
  n->tuple = std::move(tuple);
  n->index = index;
  return n;
}

Expr MakeShapeExpr(std::vector<tir::PrimExpr> values, Span span) {
  for (size_t i = 0; i < values.size(); ++i) {
    KILN_CHECK(values[i] && (values[i].dtype().is_int() || values[i].dtype().is_uint()))
        << "shape: dimension " << i << " must be an integer expression";
  }
  auto n = New<ShapeExprNode>(span);
  n->struct_info = ShapeSInfo(values);
  n->values = std::move(values);
  return n;
}

Expr MakePrimValue(tir::PrimExpr value, Span span) {
  KILN_CHECK(value) << "relax prim value: the value is undefined";
  auto n = New<PrimValueNode>(span);
  n->struct_info = PrimSInfo(value.dtype(), value);
  n->value = std::move(value);
  return n;
}

Expr MakeStringImm(std::string value, Span span) {
  auto n = New<StringImmNode>(span);
  n->value = std::move(value);
  n->struct_info = ObjectSInfo();
  return n;
}

Expr MakeExternFunc(std::string global_symbol, Span span) {
  KILN_CHECK(!global_symbol.empty()) << "extern function: the symbol is empty";
  auto n = New<ExternFuncNode>(span);
  n->global_symbol = std::move(global_symbol);
  n->struct_info = OpaqueFuncSInfo(ObjectSInfo());
  return n;
}

Expr MakeCall(Expr op, std::vector<Expr> args, Attrs attrs, std::vector<StructInfo> sinfo_args, Span span) {
  KILN_CHECK(op) << "relax call: the callee is undefined";
  for (const Expr& a : args) KILN_CHECK(a) << "relax call: an argument is undefined";
  auto n = New<CallNode>(span);
  n->op = std::move(op);
  n->args = std::move(args);
  n->attrs = std::move(attrs);
  n->sinfo_args = std::move(sinfo_args);
  return n;
}

Expr MakeIf(Expr condition, Expr true_branch, Expr false_branch, Span span) {
  KILN_CHECK(condition && true_branch && false_branch) << "relax if: an operand is undefined";
  auto n = New<IfNode>(span);
  n->condition = std::move(condition);
  n->true_branch = std::move(true_branch);
  n->false_branch = std::move(false_branch);
  return n;
}

Expr MakeSeqExpr(std::vector<BindingBlock> blocks, Expr body, Span span) {
  KILN_CHECK(body) << "relax seq: the body is undefined";
  for (const BindingBlock& b : blocks) {
    for (const Binding& bind : b.bindings) {
      KILN_CHECK(bind.var && bind.value) << "relax seq: a binding is incomplete";
      KILN_CHECK(b.is_dataflow || !bind.var->is_dataflow)
          << "dataflow variable '" << bind.var.name() << "' bound outside a dataflow block";
    }
  }
  auto n = New<SeqExprNode>(span);
  n->blocks = std::move(blocks);
  n->body = std::move(body);
  return n;
}

Function MakeFunction(std::vector<Var> params, Expr body, StructInfo ret_struct_info, bool is_pure, Attrs attrs,
                      Span span) {
  KILN_CHECK(body) << "relax function: the body is undefined";
  std::vector<StructInfo> param_sinfo;
  for (const Var& p : params) {
    KILN_CHECK(p && p.struct_info()) << "relax function: parameter '" << (p ? p.name() : "?") << "' needs struct info";
    KILN_CHECK(!p->is_dataflow) << "relax function: parameter '" << p.name() << "' cannot be a dataflow variable";
    param_sinfo.push_back(p.struct_info());
  }
  if (!ret_struct_info) ret_struct_info = body.struct_info();
  KILN_CHECK(ret_struct_info) << "relax function: the return struct info is unknown";
  auto n = MakeObject<FunctionNode>();
  n->params = std::move(params);
  n->body = std::move(body);
  n->ret_struct_info = ret_struct_info;
  n->is_pure = is_pure;
  n->attrs = std::move(attrs);
  n->span = span;
  n->struct_info = FuncSInfo(param_sinfo, ret_struct_info, is_pure);
  return Function(n);
}

}  // namespace kiln::relax
