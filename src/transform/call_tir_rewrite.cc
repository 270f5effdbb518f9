// CallTIRRewrite: an ExprMutator that emits one builtin.alloc_tensor per
// output and an explicit kernel call for each call_tir / call_dps_packed
// binding, and turns dataflow blocks (and their variables) into one ordinary
// block per sequence.
#include "kiln/transform/call_tir_rewrite.h"

#include "kiln/relax/functor.h"
#include "kiln/relax/op/memory.h"

namespace kiln::transform {
namespace {

using relax::Binding;
using relax::BindingBlock;
using relax::Expr;
using relax::Var;

class Rewriter : public relax::ExprMutator {
 public:
  Rewriter(const IRModule& mod, std::string func_name) : ExprMutator(mod), func_(std::move(func_name)) {}

 protected:
  BindingBlock VisitBindingBlock(const BindingBlock& block) override {
    builder_.BeginBindingBlock();
    for (const Binding& b : block.bindings) VisitBinding(b);
    return builder_.EndBindingBlock();
  }

  // One ordinary block per sequence: the blocks it had are all ordinary now.
  Expr VisitExpr_(const relax::SeqExprNode* op) override {
    Expr out = ExprMutator::VisitExpr_(op);
    const auto* seq = out.as<relax::SeqExprNode>();
    if (!seq || seq->blocks.size() < 2) return out;
    BindingBlock merged;
    for (const BindingBlock& block : seq->blocks) {
      merged.bindings.insert(merged.bindings.end(), block.bindings.begin(), block.bindings.end());
    }
    Expr joined = relax::MakeSeqExpr({std::move(merged)}, seq->body, seq->span);
    joined->struct_info = seq->struct_info;
    return joined;
  }

  Var VisitVarDef(const Var& var) override {
    if (!var->is_dataflow) return ExprMutator::VisitVarDef(var);
    Var out = relax::MakeVar(var.name(), VisitStructInfo(var.struct_info()), var->span);
    RemapVar(var, out);
    return out;
  }

  void VisitBinding(const Binding& b) override {
    const auto* call = b.value.as<relax::CallNode>();
    const auto* op = call ? call->op.as<relax::OpNode>() : nullptr;
    if (b.match_cast || !op || (op->name != "relax.call_tir" && op->name != "relax.call_dps_packed")) {
      ExprMutator::VisitBinding(b);
      return;
    }
    const auto* tuple = call->args[1].as<relax::TupleNode>();
    KILN_CHECK(tuple) << "CallTIRRewrite: function '" << func_ << "': the arguments of " << op->name
                      << " must be a tuple expression";
    std::vector<Expr> args;
    for (const Expr& a : tuple->fields) args.push_back(VisitExpr(a));

    const relax::StructInfo& out = call->sinfo_args.at(0);
    auto out_tuple = out.As<relax::TupleStructInfoNode>();
    std::vector<relax::StructInfo> fields = out_tuple ? out_tuple->fields : std::vector<relax::StructInfo>{out};
    Var var = VisitVarDef(b.var);
    std::vector<Expr> outs;
    for (size_t i = 0; i < fields.size(); ++i) {
      auto t = fields[i].As<relax::TensorStructInfoNode>();
      KILN_CHECK(t && t->shape && !t->dtype.is_void())
          << "CallTIRRewrite: function '" << func_ << "': output " << i << " of " << op->name << " of "
          << CalleeName(call->args[0]) << " must be a tensor of known shape and dtype, got "
          << relax::StructInfoString(fields[i]);
      Expr alloc = relax::op::builtin_alloc_tensor(*t->shape, t->dtype);
      if (out_tuple) {
        outs.push_back(builder_.Emit(alloc, var.name() + "_" + std::to_string(i)));
      } else {
        outs.push_back(builder_.EmitBinding({var, builder_.Normalize(alloc), {}}));
      }
    }
    args.insert(args.end(), outs.begin(), outs.end());
    if (call->args.size() == 3) {
      const auto* tir_vars = call->args[2].as<relax::ShapeExprNode>();
      KILN_CHECK(tir_vars) << "CallTIRRewrite: function '" << func_ << "': tir_vars of " << op->name << " of "
                           << CalleeName(call->args[0]) << " must be a shape expression";
      for (const tir::PrimExpr& v : tir_vars->values) args.push_back(relax::MakePrimValue(v));
    }
    builder_.Emit(relax::MakeCall(call->args[0], std::move(args)), "_");
    if (out_tuple) {
      Var bound = builder_.EmitBinding({var, builder_.Normalize(relax::MakeTuple(outs)), {}});
      if (bound.get() != b.var.get()) RemapVar(b.var, bound);
    } else if (outs[0].get() != b.var.get()) {
      RemapVar(b.var, Var(outs[0].As<relax::VarNode>()));
    }
  }

 private:
  static std::string CalleeName(const Expr& callee) {
    if (const auto* gv = callee.as<ir::GlobalVarNode>()) return "'" + gv->name + "'";
    if (const auto* ext = callee.as<relax::ExternFuncNode>()) return "'" + ext->global_symbol + "'";
    return "a callee";
  }

  std::string func_;
};

}  // namespace

Pass CallTIRRewrite() {
  auto run = [](const relax::Function& f, const IRModule& mod, const PassContext&) {
    std::string name = f->attrs.Get<std::string>("global_symbol", "");
    for (const auto& [gv, func] : mod.functions()) {
      if (func.get() == f.get()) name = gv->name;
    }
    return Rewriter(mod, name).VisitExpr(f).As<relax::FunctionNode>();
  };
  return CreateFunctionPass(
      run, {"CallTIRRewrite", 0, "call_tir -> explicit output allocations and a kernel call", {"Normalize"}});
}

KILN_REGISTER_PASS(CallTIRRewrite);

}  // namespace kiln::transform
