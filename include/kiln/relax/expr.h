// relax expressions: the graph level. Every expression carries StructInfo
// (its type, and shape and dtype where known), filled in by normalisation.
// Dataflow blocks hold pure bindings whose DataflowVars do not escape the
// block; other bindings may have effects. Calls go to an Op (a registered
// operator), a GlobalVar (a relax or tir function of the module), or an
// ExternFunc (a runtime function by name).
#pragma once

#include <string>
#include <vector>

#include "kiln/ir/expr.h"
#include "kiln/runtime/ndarray.h"
#include "kiln/tir/expr.h"

namespace kiln::relax {

using ir::Attrs;
using ir::Span;
using ir::StructInfo;
using runtime::DataType;
using runtime::Ref;

class Expr : public Ref<ir::RelaxExprNode> {
 public:
  Expr() = default;
  template <typename T, typename = std::enable_if_t<std::is_base_of_v<ir::RelaxExprNode, T>>>
  Expr(Ref<T> n) : Ref<ir::RelaxExprNode>(std::move(n)) {}
  template <typename T>
  const T* as() const {
    return get() != nullptr && get()->IsInstance<T>() ? static_cast<const T*>(get()) : nullptr;
  }
  const StructInfo& struct_info() const { return get()->struct_info; }
};

class VarNode : public ir::RelaxExprNode {
 public:
  KILN_OBJECT_TYPE(VarNode, ir::RelaxExprNode, "relax.Var")
  std::string name;
  bool is_dataflow = false;  // a DataflowVar: visible only inside its dataflow block
};
class Var : public Expr {
 public:
  Var() = default;
  explicit Var(Ref<VarNode> n) : Expr(std::move(n)) {}
  const VarNode* get() const { return static_cast<const VarNode*>(Expr::get()); }
  const VarNode* operator->() const { return get(); }
  const std::string& name() const { return get()->name; }
};
Var MakeVar(std::string name, StructInfo sinfo, Span span = {});
Var MakeDataflowVar(std::string name, StructInfo sinfo, Span span = {});

class ConstantNode : public ir::RelaxExprNode {
 public:
  KILN_OBJECT_TYPE(ConstantNode, ir::RelaxExprNode, "relax.Constant")
  runtime::NDArray data;
};
class TupleNode : public ir::RelaxExprNode {
 public:
  KILN_OBJECT_TYPE(TupleNode, ir::RelaxExprNode, "relax.Tuple")
  std::vector<Expr> fields;
};
class TupleGetItemNode : public ir::RelaxExprNode {
 public:
  KILN_OBJECT_TYPE(TupleGetItemNode, ir::RelaxExprNode, "relax.TupleGetItem")
  Expr tuple;
  int index = 0;
};
// A shape value: a list of symbolic tir expressions.
class ShapeExprNode : public ir::RelaxExprNode {
 public:
  KILN_OBJECT_TYPE(ShapeExprNode, ir::RelaxExprNode, "relax.ShapeExpr")
  std::vector<tir::PrimExpr> values;
};
// A scalar value known as a tir expression (e.g. an int argument).
class PrimValueNode : public ir::RelaxExprNode {
 public:
  KILN_OBJECT_TYPE(PrimValueNode, ir::RelaxExprNode, "relax.PrimValue")
  tir::PrimExpr value;
};
class StringImmNode : public ir::RelaxExprNode {
 public:
  KILN_OBJECT_TYPE(StringImmNode, ir::RelaxExprNode, "relax.StringImm")
  std::string value;
};
// A function of the runtime found by name (a packed function).
class ExternFuncNode : public ir::RelaxExprNode {
 public:
  KILN_OBJECT_TYPE(ExternFuncNode, ir::RelaxExprNode, "relax.ExternFunc")
  std::string global_symbol;
};

class OpNode;  // op.h: a registered operator, itself an expression

class CallNode : public ir::RelaxExprNode {
 public:
  KILN_OBJECT_TYPE(CallNode, ir::RelaxExprNode, "relax.Call")
  Expr op;  // an Op, a GlobalVar, an ExternFunc, or a Var holding a function
  std::vector<Expr> args;
  Attrs attrs;                         // the op's attributes (axis=1, ...)
  std::vector<StructInfo> sinfo_args;  // struct info the op needs, e.g. call_tir's output
};
class IfNode : public ir::RelaxExprNode {
 public:
  KILN_OBJECT_TYPE(IfNode, ir::RelaxExprNode, "relax.If")
  Expr condition, true_branch, false_branch;
};

// One binding `var = value`, or with match_cast set, `var = match_cast(value,
// match_cast)`: a run-time check that binds the symbolic variables it names.
struct Binding {
  Var var;
  Expr value;
  StructInfo match_cast;
};
struct BindingBlock {
  std::vector<Binding> bindings;
  bool is_dataflow = false;
};

class SeqExprNode : public ir::RelaxExprNode {
 public:
  KILN_OBJECT_TYPE(SeqExprNode, ir::RelaxExprNode, "relax.SeqExpr")
  std::vector<BindingBlock> blocks;
  Expr body;
};

class FunctionNode : public ir::BaseFuncNode {
 public:
  KILN_OBJECT_TYPE(FunctionNode, ir::BaseFuncNode, "relax.Function")
  std::vector<Var> params;
  Expr body;
  StructInfo ret_struct_info;
  bool is_pure = true;
};
using Function = Ref<FunctionNode>;

Expr MakeConstant(runtime::NDArray data, Span span = {});
Expr MakeTuple(std::vector<Expr> fields, Span span = {});
Expr MakeTupleGetItem(Expr tuple, int index, Span span = {});
Expr MakeShapeExpr(std::vector<tir::PrimExpr> values, Span span = {});
Expr MakePrimValue(tir::PrimExpr value, Span span = {});
Expr MakeStringImm(std::string value, Span span = {});
Expr MakeExternFunc(std::string global_symbol, Span span = {});
Expr MakeCall(Expr op, std::vector<Expr> args, Attrs attrs = {}, std::vector<StructInfo> sinfo_args = {},
              Span span = {});
Expr MakeIf(Expr condition, Expr true_branch, Expr false_branch, Span span = {});
Expr MakeSeqExpr(std::vector<BindingBlock> blocks, Expr body, Span span = {});
Function MakeFunction(std::vector<Var> params, Expr body, StructInfo ret_struct_info, bool is_pure = true,
                      Attrs attrs = {}, Span span = {});

}  // namespace kiln::relax
