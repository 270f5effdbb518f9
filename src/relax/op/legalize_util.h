// Shared pieces of the op library's legalizations (see kiln/relax/legalize.h):
// NumPy broadcasting of inputs inside te computes, the output shape and dtype
// a call's struct info already decided, the one-line legalization of a
// broadcasting elementwise op, and the small index and expression helpers
// several op families share (casts, flat offsets, clamps, tuple arguments).
//
//   RegisterOp("relax.add")...
//       .Legalize([](BlockBuilder& bb, const CallNode* call) {
//         return LegalizeBroadcast(bb, call, "add", [](const std::vector<tir::PrimExpr>& v) { return v[0] + v[1]; });
//       });
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "kiln/relax/legalize.h"

namespace kiln::relax {

// The indices at which input `in` is read for the output element at
// `out_idx` under NumPy broadcasting: dims are aligned at the right, and an
// input dim that is the constant 1 is read at 0 (at the output index when
// `out_shape` says that dim is 1 too). Any other input dim is read
// at the output index: where symbolic dims could not be shown equal, the
// op's struct-info inference has already chosen the output dim (see
// infer::BroadcastShapes) and the run-time shape check verifies them.
// Raises an internal error when `in` has more dims than the output.
std::vector<tir::PrimExpr> BroadcastIndices(const std::vector<tir::Var>& out_idx, const tir::te::Tensor& in,
                                            const std::vector<tir::PrimExpr>& out_shape = {});

// The output shape and dtype of a call with one tensor result, from its
// struct info (inference has already decided them, broadcasting included).
// Raise kiln::Error naming the op when they are unknown.
std::vector<tir::PrimExpr> OutputShape(const CallNode* call);
DataType OutputDType(const CallNode* call);

// The value of one output element from the values of every input at its
// broadcast indices (in argument order).
using FElementwise = std::function<tir::PrimExpr(const std::vector<tir::PrimExpr>& values)>;

// out[i...] = f(in_0[BroadcastIndices(i, in_0)], in_1[...], ...) over
// `out_shape`; the compute is named `name`.
tir::te::Tensor BroadcastCompute(const std::vector<tir::PrimExpr>& out_shape,
                                 const std::vector<tir::te::Tensor>& inputs, const FElementwise& f,
                                 const std::string& name);

// The legalization of a broadcasting (or plain elementwise) op whose
// arguments are all tensors: CallTE over the call's arguments computing
// BroadcastCompute(OutputShape(call), ...) into a PrimFunc named `name_hint`.
Expr LegalizeBroadcast(BlockBuilder& bb, const CallNode* call, const std::string& name_hint, const FElementwise& f);

// The name of an op's legalized PrimFunc: its short name ("relax.conv2d" ->
// "conv2d"), prefixed "compute_" where the C math library owns the name
// (codegen refuses a kernel named exp).
std::string KernelName(const std::string& op_name);

// The shapes of the tensors of a call's tuple result (split, topk), from its
// struct info; raise kiln::Error naming the op when one is unknown.
std::vector<std::vector<tir::PrimExpr>> OutputShapes(const CallNode* call);

// The tensors of the call's tuple argument `i` as separate expressions, for
// CallTEOn: the fields of a Tuple, or the items of a tuple-valued variable
// (each bound in bb). Raises kiln::Error naming the op and argument when the
// argument is not a tuple.
std::vector<Expr> TupleFields(BlockBuilder& bb, const CallNode* call, size_t i);

// CallTE with one output over `args` rather than the call's own arguments:
// some of them (leaving a shape argument out), none, or TupleFields.
Expr CallTEOn(BlockBuilder& bb, const CallNode* call, const std::string& name_hint, const std::vector<Expr>& args,
              const TECompute1& f);

// `e` cast to `dtype`; `e` itself when it has that dtype already.
tir::PrimExpr CastTo(DataType dtype, const tir::PrimExpr& e);

// `a && b`, where an undefined `a` stands for true: a condition built up one
// clause at a time, starting from none.
tir::PrimExpr AndAlso(const tir::PrimExpr& a, const tir::PrimExpr& b);

// The index in `shape` of the row-major offset `flat` (which is in range); a
// dim of constant 1 is read at 0.
std::vector<tir::PrimExpr> UnflatIndex(tir::PrimExpr flat, const std::vector<tir::PrimExpr>& shape);

// `index` clamped into [0, dim - 1], so that a read stays inside an axis of
// size `dim` (in the dim's dtype, which `index` must have).
tir::PrimExpr ClampIndex(const tir::PrimExpr& index, const tir::PrimExpr& dim);

}  // namespace kiln::relax
