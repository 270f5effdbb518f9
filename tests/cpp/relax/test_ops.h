// Small test ops with simple struct-info inference, registered once per
// program, so relax and transform tests do not depend on the op library:
// test.ir.add, relu, cast_f16, sum (attr axis), pair, and the impure print.
#pragma once

#include <string>
#include <vector>

#include "kiln/relax/op.h"
#include "kiln/runtime/error.h"
#include "kiln/tir/arith/expr_order.h"

namespace kiln::relax::testing {

inline const TensorStructInfoNode* TensorArg(const CallNode* call, size_t i) {
  auto t = call->args[i].struct_info().As<TensorStructInfoNode>();
  KILN_CHECK(t) << "test op: argument " << i << " must be a tensor";
  return t.get();
}

// Elementwise add of two tensors of one dtype; a shape is known when both are
// the same.
inline StructInfo InferAdd(const CallNode* call) {
  const TensorStructInfoNode *a = TensorArg(call, 0), *b = TensorArg(call, 1);
  KILN_CHECK(a->dtype == b->dtype) << "test.ir.add: dtypes " << a->dtype << " and " << b->dtype << " differ";
  bool same = a->shape && b->shape && a->shape->size() == b->shape->size();
  for (size_t i = 0; same && i < a->shape->size(); ++i)
    same = tir::arith::ExprDeepEqual((*a->shape)[i], (*b->shape)[i]);
  return same ? call->args[0].struct_info() : TensorSInfoOfRank(a->ndim == b->ndim ? a->ndim : -1, a->dtype);
}

inline void RegisterTestOps() {
  static const bool registered = [] {
    RegisterOp("test.ir.add").Args({"x1", "x2"}).Pattern(OpPattern::kElementwise).InferStructInfo(InferAdd);
    RegisterOp("test.ir.relu").Args({"x"}).InferStructInfo([](const CallNode* c) {
      TensorArg(c, 0);
      return c->args[0].struct_info();
    });
    RegisterOp("test.ir.cast_f16").Args({"x"}).InferStructInfo([](const CallNode* c) {
      const TensorStructInfoNode* t = TensorArg(c, 0);
      return t->shape ? TensorSInfo(*t->shape, DataType::Float(16)) : TensorSInfoOfRank(t->ndim, DataType::Float(16));
    });
    RegisterOp("test.ir.sum")
        .Args({"x"})
        .Attr("axis", AttrKind::kInt, int64_t{0})
        .InferStructInfo([](const CallNode* c) {
          const TensorStructInfoNode* t = TensorArg(c, 0);
          return TensorSInfoOfRank(t->ndim < 0 ? -1 : t->ndim - 1, t->dtype);
        });
    RegisterOp("test.ir.pair").Args({"x"}).InferStructInfo([](const CallNode* c) {
      return TupleSInfo({c->args[0].struct_info(), c->args[0].struct_info()});
    });
    RegisterOp("test.ir.print").Args({"x"}).Impure().InferStructInfo([](const CallNode*) { return ObjectSInfo(); });
    return true;
  }();
  (void)registered;
}

// A call of test op `name`.
inline Expr TestCall(const std::string& name, std::vector<Expr> args, Attrs attrs = {}) {
  RegisterTestOps();
  return MakeCall(GetOp(name), std::move(args), std::move(attrs));
}

inline StructInfo F32(std::vector<tir::PrimExpr> shape) {
  return TensorSInfo(std::move(shape), DataType::Float(32));
}

}  // namespace kiln::relax::testing
