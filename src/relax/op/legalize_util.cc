// Shared pieces of the op library's legalizations: broadcasting indices,
// output shapes from struct info, broadcasting elementwise computes, and the
// index and expression helpers several op families share.
#include "legalize_util.h"

#include "infer_util.h"
#include "kiln/runtime/error.h"

namespace kiln::relax {
namespace {
using infer::OpName;

const TensorStructInfoNode* OutputTensor(const CallNode* call) {
  const auto* t = call->struct_info.As<TensorStructInfoNode>().get();
  KILN_CHECK(t) << OpName(call) << ": legalization needs a tensor result, got "
                << (call->struct_info ? call->struct_info->type_key() : std::string("no struct info"));
  return t;
}

bool IsConstOne(const tir::PrimExpr& dim) {
  const auto* imm = dim.as<tir::IntImmNode>();
  return imm && imm->value == 1;
}

}  // namespace

std::vector<tir::PrimExpr> BroadcastIndices(const std::vector<tir::Var>& out_idx, const tir::te::Tensor& in,
                                            const std::vector<tir::PrimExpr>& out_shape) {
  size_t ndim = in.ndim();
  KILN_ICHECK(ndim <= out_idx.size()) << "broadcasting " << in.name() << " of rank " << ndim << " to rank "
                                      << out_idx.size();
  size_t offset = out_idx.size() - ndim;
  std::vector<tir::PrimExpr> indices;
  indices.reserve(ndim);
  for (size_t d = 0; d < ndim; ++d) {
    const tir::PrimExpr& dim = in.shape()[d];
    // A dimension of 1 broadcast to a larger one reads index 0; where the
    // result's dimension is 1 too, its own variable (always 0) keeps the read
    // at the block's iteration variables, which inlining needs.
    bool broadcast = IsConstOne(dim) && !(offset + d < out_shape.size() && IsConstOne(out_shape[offset + d]));
    indices.push_back(broadcast ? tir::IntImm(dim.dtype(), 0) : tir::PrimExpr(out_idx[offset + d]));
  }
  return indices;
}

std::vector<tir::PrimExpr> OutputShape(const CallNode* call) {
  const TensorStructInfoNode* t = OutputTensor(call);
  KILN_CHECK(t->shape) << OpName(call) << ": legalization needs the shape of the result (it has "
                       << (t->ndim >= 0 ? "rank " + std::to_string(t->ndim) + " but no shape" : "unknown rank") << ")";
  return *t->shape;
}

DataType OutputDType(const CallNode* call) {
  const TensorStructInfoNode* t = OutputTensor(call);
  KILN_CHECK(!t->dtype.is_void()) << OpName(call) << ": legalization needs the dtype of the result";
  return t->dtype;
}

tir::te::Tensor BroadcastCompute(const std::vector<tir::PrimExpr>& out_shape,
                                 const std::vector<tir::te::Tensor>& inputs, const FElementwise& f,
                                 const std::string& name) {
  return tir::te::compute(
      out_shape,
      [&](const std::vector<tir::Var>& i) {
        std::vector<tir::PrimExpr> values;
        values.reserve(inputs.size());
        for (const tir::te::Tensor& in : inputs) values.push_back(in[BroadcastIndices(i, in, out_shape)]);
        return f(values);
      },
      name);
}

Expr LegalizeBroadcast(BlockBuilder& bb, const CallNode* call, const std::string& name_hint, const FElementwise& f) {
  std::vector<tir::PrimExpr> out_shape = OutputShape(call);
  return CallTE(bb, call, name_hint,
                [&](const std::vector<tir::te::Tensor>& in) { return BroadcastCompute(out_shape, in, f, name_hint); });
}

std::string KernelName(const std::string& op_name) {
  std::string name = op_name.substr(op_name.find('.') + 1);
  for (const char* libc : {"abs", "exp", "log", "sqrt", "tanh", "erf", "floor", "ceil", "round"}) {
    if (name == libc) return "compute_" + name;
  }
  return name;
}

std::vector<std::vector<tir::PrimExpr>> OutputShapes(const CallNode* call) {
  const auto* tuple = call->struct_info.As<TupleStructInfoNode>().get();
  KILN_CHECK(tuple) << OpName(call) << ": legalization needs a tuple result";
  std::vector<std::vector<tir::PrimExpr>> shapes;
  for (const StructInfo& field : tuple->fields) {
    const auto* t = field.As<TensorStructInfoNode>().get();
    KILN_CHECK(t && t->shape) << OpName(call) << ": legalization needs the shape of every tensor of the result";
    shapes.push_back(*t->shape);
  }
  return shapes;
}

std::vector<Expr> TupleFields(BlockBuilder& bb, const CallNode* call, size_t i) {
  const Expr& arg = call->args[i];
  if (const auto* tuple = arg.as<TupleNode>()) return tuple->fields;
  const auto* sinfo = arg->struct_info.As<TupleStructInfoNode>().get();
  KILN_CHECK(sinfo) << OpName(call) << ": legalization needs a tuple of tensors as " << infer::ArgName(call, i);
  std::vector<Expr> fields;
  for (size_t k = 0; k < sinfo->fields.size(); ++k) {
    fields.push_back(bb.Emit(MakeTupleGetItem(arg, static_cast<int>(k))));
  }
  return fields;
}

Expr CallTEOn(BlockBuilder& bb, const CallNode* call, const std::string& name_hint, const std::vector<Expr>& args,
              const TECompute1& f) {
  return CallTE(bb, OpName(call), name_hint, args,
                [&](const std::vector<tir::te::Tensor>& in) { return std::vector<tir::te::Tensor>{f(in)}; });
}

tir::PrimExpr CastTo(DataType dtype, const tir::PrimExpr& e) {
  return e.dtype() == dtype ? e : tir::Cast(dtype, e);
}

tir::PrimExpr AndAlso(const tir::PrimExpr& a, const tir::PrimExpr& b) {
  return a ? tir::logical_and(a, b) : b;
}

std::vector<tir::PrimExpr> UnflatIndex(tir::PrimExpr flat, const std::vector<tir::PrimExpr>& shape) {
  std::vector<tir::PrimExpr> idx(shape.size());
  for (size_t d = shape.size(); d-- > 0;) {
    if (IsConstOne(shape[d])) {
      idx[d] = tir::IntImm(shape[d].dtype(), 0);
      continue;
    }
    idx[d] = d == 0 ? flat : tir::floormod(flat, shape[d]);
    flat = tir::floordiv(flat, shape[d]);
  }
  return idx;
}

tir::PrimExpr ClampIndex(const tir::PrimExpr& index, const tir::PrimExpr& dim) {
  return tir::max(tir::min(index, dim - tir::IntImm(dim.dtype(), 1)), tir::IntImm(dim.dtype(), 0));
}

}  // namespace kiln::relax
