// CallTE and the legalization overrides: the shared machinery every op's
// legalization uses.
#include "kiln/relax/legalize.h"

#include <map>
#include <mutex>
#include <unordered_set>

#include "kiln/relax/op/tir_call.h"
#include "kiln/runtime/error.h"
#include "kiln/tir/functor.h"
#include "kiln/tir/structural_equal.h"

namespace kiln::relax {
namespace {

const TensorStructInfoNode* TensorInfo(const Expr& arg, const std::string& op_name) {
  const auto* t = arg->struct_info.As<TensorStructInfoNode>().get();
  KILN_CHECK(t) << op_name << ": legalization needs tensor arguments, got " << arg->struct_info->type_key();
  return t;
}

// The variables of `e` (a dimension of an input or output) that no input or
// output dimension defines by itself: the PrimFunc takes them as scalar
// parameters.
void CollectFreeVars(const tir::PrimExpr& e, const std::unordered_set<const tir::VarNode*>& bound,
                     std::vector<tir::Var>& out) {
  tir::PreOrderVisit(e, [&](const tir::PrimExpr& x) {
    const tir::VarNode* v = x.as<tir::VarNode>();
    if (!v || bound.count(v)) return;
    for (const tir::Var& seen : out) {
      if (seen.get() == v) return;
    }
    out.push_back(tir::Var(x));
  });
}

std::mutex& OverrideMutex() {
  static std::mutex m;
  return m;
}
std::map<std::pair<std::string, std::string>, FLegalize>& Overrides() {
  static std::map<std::pair<std::string, std::string>, FLegalize> o;
  return o;
}

}  // namespace

std::vector<tir::PrimExpr> ShapeOf(const Expr& arg, const std::string& op_name) {
  const TensorStructInfoNode* t = TensorInfo(arg, op_name);
  KILN_CHECK(t->shape) << op_name << ": legalization needs the shape of every tensor argument (an argument has "
                       << (t->ndim >= 0 ? "rank " + std::to_string(t->ndim) + " but no shape" : "unknown rank") << ")";
  return *t->shape;
}

DataType DTypeOf(const Expr& arg, const std::string& op_name) {
  const TensorStructInfoNode* t = TensorInfo(arg, op_name);
  KILN_CHECK(!t->dtype.is_void()) << op_name << ": legalization needs the dtype of every tensor argument";
  return t->dtype;
}

Expr CallTE(BlockBuilder& bb, const std::string& op_name, const std::string& name_hint, const std::vector<Expr>& args,
            const TECompute& f) {
  std::vector<tir::te::Tensor> inputs;
  std::unordered_set<const tir::VarNode*> bound;
  for (size_t i = 0; i < args.size(); ++i) {
    std::vector<tir::PrimExpr> shape = ShapeOf(args[i], op_name);
    for (const tir::PrimExpr& d : shape) {
      if (const tir::VarNode* v = d.as<tir::VarNode>()) bound.insert(v);
    }
    std::string name = std::string(1, static_cast<char>('A' + i % 26)) + (i >= 26 ? std::to_string(i / 26) : "");
    inputs.push_back(tir::te::placeholder(shape, DTypeOf(args[i], op_name), name));
  }
  std::vector<tir::te::Tensor> outputs = f(inputs);
  KILN_ICHECK(!outputs.empty()) << op_name << ": a legalization returned no output";
  std::vector<StructInfo> out_sinfo;
  for (const tir::te::Tensor& t : outputs) {
    for (const tir::PrimExpr& d : t.shape()) {
      if (const tir::VarNode* v = d.as<tir::VarNode>()) bound.insert(v);
    }
    out_sinfo.push_back(TensorSInfo(t.shape(), t.dtype()));
  }
  // Variables only inside compound dims, e.g. c of an input (c + s, 4): scalars.
  std::vector<tir::Var> scalars;
  for (const std::vector<tir::te::Tensor>* ts : {&inputs, &outputs}) {
    for (const tir::te::Tensor& t : *ts) {
      for (const tir::PrimExpr& d : t.shape()) CollectFreeVars(d, bound, scalars);
    }
  }
  tir::PrimFunc prim = tir::te::create_prim_func(inputs, outputs, scalars);

  // Reuse an identical function already in the module.
  ir::GlobalVar gv;
  for (const auto& [existing_gv, func] : bb.GetModule().functions()) {
    auto existing = func.As<tir::PrimFuncNode>();
    if (existing && tir::StructuralEqual(tir::PrimFunc(existing), prim)) {
      gv = existing_gv;
      break;
    }
  }
  if (!gv) gv = bb.AddFunction(prim, name_hint);
  Expr tir_vars;
  if (!scalars.empty()) tir_vars = MakeShapeExpr(std::vector<tir::PrimExpr>(scalars.begin(), scalars.end()));
  StructInfo sinfo = out_sinfo.size() == 1 ? out_sinfo[0] : TupleSInfo(out_sinfo);
  return op::call_tir(gv, args, sinfo, tir_vars);
}

Expr CallTE(BlockBuilder& bb, const CallNode* call, const std::string& name_hint, const TECompute1& f) {
  const auto* op = call->op.as<OpNode>();
  std::string op_name = op ? op->name : "call";
  return CallTE(bb, op_name, name_hint, call->args,
                [&](const std::vector<tir::te::Tensor>& in) { return std::vector<tir::te::Tensor>{f(in)}; });
}

void RegisterLegalizeOverride(const std::string& op_name, const std::string& target_kind, FLegalize f) {
  Op op = GetOp(op_name);  // raises with a suggestion for an unknown op
  KILN_CHECK(f) << "legalization override for '" << op->name << "' is empty";
  std::lock_guard<std::mutex> lock(OverrideMutex());
  Overrides()[{op->name, target_kind}] = std::move(f);
}

void RemoveLegalizeOverride(const std::string& op_name, const std::string& target_kind) {
  Op op = GetOp(op_name);
  std::lock_guard<std::mutex> lock(OverrideMutex());
  Overrides().erase({op->name, target_kind});
}

FLegalize FindLegalize(const Op& op, const std::string& target_kind) {
  {
    std::lock_guard<std::mutex> lock(OverrideMutex());
    auto& o = Overrides();
    auto it = o.find({op->name, target_kind});
    if (it == o.end()) it = o.find({op->name, ""});
    if (it != o.end()) return it->second;
  }
  return op->legalize;
}

}  // namespace kiln::relax
