// Legalization: each op's lowering to a tir PrimFunc written with the compute
// DSL, called in destination-passing style with call_tir. An op's
// legalization lives beside its registration (src/relax/op/<family>.cc,
// `.Legalize(...)`); the LegalizeOps pass (include/kiln/transform/passes.h)
// applies them, with per-target overrides users register from C++ or Python.
//
//   RegisterOp("relax.add")...
//       .Legalize([](BlockBuilder& bb, const CallNode* call) {
//         return CallTE(bb, call, "add", [](const std::vector<te::Tensor>& in) {
//           return te::compute(in[0].shape(), [&](const std::vector<Var>& i) { return in[0][i] + in[1][i]; });
//         });
//       });
//
// Symbolic shapes stay symbolic: an argument of shape (n, 768) becomes a
// placeholder over the same tir variable n, and the PrimFunc reads n from its
// buffers (or takes it as a scalar, passed through call_tir's tir_vars).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "kiln/relax/block_builder.h"
#include "kiln/relax/op.h"
#include "kiln/tir/te.h"

namespace kiln::relax {

// The te computation of one op call: placeholders of the tensor arguments
// in, the output tensors out (one, or several for an op with a tuple result).
using TECompute = std::function<std::vector<tir::te::Tensor>(const std::vector<tir::te::Tensor>& inputs)>;
using TECompute1 = std::function<tir::te::Tensor(const std::vector<tir::te::Tensor>& inputs)>;

// Builds the PrimFunc computing `f` over placeholders for `args` (each a
// tensor with known dtype and rank; a placeholder's shape is the argument's
// shape, symbolic dimensions included), adds it to bb's module as
// `name_hint` (an identical function already there is reused), and returns
// call_tir(gv, args, out_sinfo[, tir_vars]). Raises kiln::Error naming the op
// when an argument has unknown dtype or shape.
Expr CallTE(BlockBuilder& bb, const std::string& op_name, const std::string& name_hint, const std::vector<Expr>& args,
            const TECompute& f);
// The common case: the call's own arguments (tensors) and one output.
Expr CallTE(BlockBuilder& bb, const CallNode* call, const std::string& name_hint, const TECompute1& f);

// The shape of a tensor argument (raises naming `op_name` when unknown).
std::vector<tir::PrimExpr> ShapeOf(const Expr& arg, const std::string& op_name);
DataType DTypeOf(const Expr& arg, const std::string& op_name);

// Legalizations that override an op's own for a target kind ("llvm",
// "cuda", "c", or "" for every target). Later registrations replace earlier
// ones; LegalizeOps looks here first.
void RegisterLegalizeOverride(const std::string& op_name, const std::string& target_kind, FLegalize f);
void RemoveLegalizeOverride(const std::string& op_name, const std::string& target_kind);
// The override for (op, target kind), else the one for (op, ""), else the
// op's own legalization; an empty function when there is none.
FLegalize FindLegalize(const Op& op, const std::string& target_kind);

}  // namespace kiln::relax
