// The bases of all IR expressions. tir's PrimExpr and relax's Expr both
// derive from BaseExprNode; relax expressions (and functions of either kind,
// and GlobalVars) carry StructInfo. Concrete struct-info kinds live in
// relax/struct_info.h; the base is here so that an IRModule can hold tir and
// relax functions side by side.
#pragma once

#include <string>

#include "kiln/ir/attrs.h"
#include "kiln/ir/span.h"
#include "kiln/runtime/object.h"

namespace kiln::ir {

using runtime::Object;
using runtime::Ref;

class BaseExprNode : public Object {
 public:
  KILN_OBJECT_TYPE(BaseExprNode, Object, "ir.BaseExpr")
  Span span;
};

// What is known statically about a relax value (its type, shape, dtype).
class StructInfoNode : public Object {
 public:
  KILN_OBJECT_TYPE(StructInfoNode, Object, "ir.StructInfo")
  Span span;
};
using StructInfo = Ref<StructInfoNode>;

class RelaxExprNode : public BaseExprNode {
 public:
  KILN_OBJECT_TYPE(RelaxExprNode, BaseExprNode, "ir.RelaxExpr")
  // Filled in by relax's normaliser (BlockBuilder); empty before that.
  StructInfo struct_info;
};

// A function of either kind: tir's PrimFunc or relax's Function.
class BaseFuncNode : public RelaxExprNode {
 public:
  KILN_OBJECT_TYPE(BaseFuncNode, RelaxExprNode, "ir.BaseFunc")
  Attrs attrs;
};
using BaseFunc = Ref<BaseFuncNode>;

// The name of a function in an IRModule. Calls refer to functions through
// it; two GlobalVars are the same function when they are the same object.
class GlobalVarNode : public RelaxExprNode {
 public:
  KILN_OBJECT_TYPE(GlobalVarNode, RelaxExprNode, "ir.GlobalVar")
  std::string name;
};
using GlobalVar = Ref<GlobalVarNode>;

GlobalVar MakeGlobalVar(std::string name, Span span = {});

}  // namespace kiln::ir
