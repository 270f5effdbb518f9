// Destination-passing calls as ops: inference checks the callee and argument
// kinds and returns the output struct info the call declares (its one
// sinfo_arg); call_tir_inplace also matches outputs to the arguments they overwrite.
#include "kiln/relax/op/tir_call.h"

#include <algorithm>

#include "infer_util.h"

namespace kiln::relax {
namespace {
using namespace infer;

// The declared output: a tensor or a tuple of tensors; returns its tensors.
std::vector<TensorRef> DeclaredOutputs(const CallNode* call) {
  KILN_CHECK(call->sinfo_args.size() == 1)
      << OpName(call) << ": needs the output struct info as its one sinfo_arg, got " << call->sinfo_args.size();
  const StructInfo& out = call->sinfo_args[0];
  Ref<TupleStructInfoNode> tuple = out.As<TupleStructInfoNode>();
  std::vector<StructInfo> fields = tuple ? tuple->fields : std::vector<StructInfo>{out};
  std::vector<TensorRef> outs;
  for (size_t i = 0; i < fields.size(); ++i) {
    TensorRef t = fields[i].As<TensorStructInfoNode>();
    KILN_CHECK(t) << OpName(call) << ": the output must be a tensor or a tuple of tensors, got "
                  << (tuple ? "a tuple whose field " + std::to_string(i) + " is " : "") << SInfoKind(fields[i]);
    outs.push_back(t);
  }
  return outs;
}

template <typename CalleeNode>
void CheckCallee(const CallNode* call, const char* expected) {
  KILN_CHECK(call->args[0].as<CalleeNode>())
      << OpName(call) << ": argument 'func' must be " << expected << ", got " << call->args[0]->type_key();
}

// Checks the argument tuple and the optional tir_vars; returns the arguments.
std::vector<TensorRef> CheckDpsArgs(const CallNode* call) {
  if (call->args.size() == 3) ShapeArg(call, 2);
  return TensorTupleArg(call, 1);
}

constexpr const char* kTirCallee = "a GlobalVar (a tir function of the module)";

StructInfo InferCallTir(const CallNode* call) {
  CheckNumArgs(call, 2, 3);
  CheckCallee<ir::GlobalVarNode>(call, kTirCallee);
  CheckDpsArgs(call);
  DeclaredOutputs(call);
  return call->sinfo_args[0];
}

void CheckInplaceOutput(const CallNode* call, size_t i, const TensorRef& out, const TensorRef& arg) {
  KILN_CHECK(out->dtype.is_void() || arg->dtype.is_void() || out->dtype == arg->dtype)
      << OpName(call) << ": output " << i << " has dtype " << out->dtype << " but the argument it is written over has "
      << arg->dtype;
  if (!out->shape || !arg->shape) return;
  bool same = out->shape->size() == arg->shape->size();
  for (size_t k = 0; same && k < out->shape->size(); ++k) same = !DimsDiffer((*out->shape)[k], (*arg->shape)[k]);
  KILN_CHECK(same) << OpName(call) << ": output " << i << " has shape " << ShapeString(*out->shape)
                   << " but the argument it is written over has " << ShapeString(*arg->shape);
}

StructInfo InferCallTirInplace(const CallNode* call) {
  CheckNumArgs(call, 2, 3);
  CheckCallee<ir::GlobalVarNode>(call, kTirCallee);
  std::vector<TensorRef> args = CheckDpsArgs(call), outs = DeclaredOutputs(call);
  std::vector<int64_t> indices = IntListAttr(call, "inplace_indices");
  KILN_CHECK(indices.size() == outs.size())
      << OpName(call) << ": inplace_indices has " << indices.size() << " entries for " << outs.size() << " outputs";
  for (size_t i = 0; i < indices.size(); ++i) {
    int64_t a = indices[i];
    if (a == -1) continue;
    KILN_CHECK(a >= 0 && a < static_cast<int64_t>(args.size()))
        << OpName(call) << ": inplace index " << a << " is not -1 or an argument index below " << args.size();
    KILN_CHECK(std::count(indices.begin(), indices.end(), a) == 1)
        << OpName(call) << ": argument " << a << " is written over by two outputs";
    CheckInplaceOutput(call, i, outs[i], args[a]);
  }
  return call->sinfo_args[0];
}

StructInfo InferCallDpsPacked(const CallNode* call) {
  CheckNumArgs(call, 2);
  CheckCallee<ExternFuncNode>(call, "an ExternFunc (a runtime function by name)");
  CheckDpsArgs(call);
  DeclaredOutputs(call);
  return call->sinfo_args[0];
}

[[maybe_unused]] const bool kRegistered = [] {
  RegisterOp("relax.call_tir")
      .Describe("calls a tir function with fresh output tensors of the declared struct info")
      .Args({"func", "args", "tir_vars"}, false, 1)
      .Pattern(OpPattern::kOpaque)
      .InferStructInfo(InferCallTir);
  RegisterOp("relax.call_tir_inplace")
      .Describe("calls a tir function that writes some outputs over its arguments")
      .Args({"func", "args", "tir_vars"}, false, 1)
      .Attr("inplace_indices", AttrKind::kIntList, {}, "per output: the argument it overwrites, or -1")
      .Pattern(OpPattern::kOpaque)
      .InferStructInfo(InferCallTirInplace);
  RegisterOp("relax.call_dps_packed")
      .Describe("calls a runtime function by name with fresh output tensors")
      .Args({"func", "args"})
      .Pattern(OpPattern::kOpaque)
      .InferStructInfo(InferCallDpsPacked);
  return true;
}();

std::vector<Expr> DpsArgs(Expr func, std::vector<Expr> args, Expr tir_vars) {
  std::vector<Expr> out = {std::move(func), MakeTuple(std::move(args))};
  if (tir_vars) out.push_back(std::move(tir_vars));
  return out;
}
}  // namespace

namespace op {
Expr call_tir(ir::GlobalVar func, std::vector<Expr> args, StructInfo out_sinfo, Expr tir_vars) {
  return MakeOpCall("relax.call_tir", DpsArgs(func, std::move(args), std::move(tir_vars)), {}, {std::move(out_sinfo)});
}
Expr call_tir_inplace(ir::GlobalVar func, std::vector<Expr> args, std::vector<int64_t> inplace_indices,
                      StructInfo out_sinfo, Expr tir_vars) {
  return MakeOpCall("relax.call_tir_inplace", DpsArgs(func, std::move(args), std::move(tir_vars)),
                    {{"inplace_indices", IntListAny(inplace_indices)}}, {std::move(out_sinfo)});
}
Expr call_dps_packed(std::string func, std::vector<Expr> args, StructInfo out_sinfo) {
  return MakeOpCall("relax.call_dps_packed", DpsArgs(MakeExternFunc(std::move(func)), std::move(args), Expr()), {},
                    {std::move(out_sinfo)});
}
}  // namespace op

}  // namespace kiln::relax
