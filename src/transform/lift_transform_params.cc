// LiftTransformParams: a forward scan of a function's top-level bindings
// finds those computed from weights (and constants) alone; one mutator
// re-emits them into the transform function, another removes them from the
// function and turns the values it still needs into parameters.
#include "kiln/transform/lift_transform_params.h"

#include <algorithm>
#include <unordered_set>

#include "kiln/relax/functor.h"
#include "kiln/relax/struct_info_analysis.h"
#include "kiln/tir/functor.h"

namespace kiln::transform {
namespace {

using relax::Binding;
using relax::Expr;
using relax::Var;
using VarSet = std::unordered_set<const relax::VarNode*>;

// The relax variables an expression uses and the tir variables it names.
class UseCollector : public relax::ExprVisitor {
 public:
  VarSet vars;
  std::unordered_set<const tir::VarNode*> tir_vars;

  using relax::ExprVisitor::VisitStructInfo;

 protected:
  void VisitExpr_(const relax::VarNode* op) override { vars.insert(op); }
  void VisitPrimExpr(const tir::PrimExpr& e) override {
    tir::PreOrderVisit(e, [&](const tir::PrimExpr& x) {
      if (const auto* v = x.as<tir::VarNode>()) tir_vars.insert(v);
    });
  }
};

// Whether a call (or a leaf, or a tuple) has no effect besides its value.
bool IsPureValue(const Expr& value, const IRModule& mod) {
  if (value.as<relax::IfNode>() || value.as<relax::SeqExprNode>() || value.as<relax::FunctionNode>()) return false;
  const auto* call = value.as<relax::CallNode>();
  if (!call) return true;
  if (const auto* op = call->op.as<relax::OpNode>()) return op->is_pure;
  if (const auto* gv = call->op.as<ir::GlobalVarNode>()) {
    auto f = mod.Lookup(gv->name).As<relax::FunctionNode>();
    return f && f->is_pure;
  }
  return false;
}

// What moves: the bindings to lift and the constant-only ones they need, in
// order, and the values the function keeps using, in order of definition.
struct LiftPlan {
  std::vector<Binding> lifted;   // computed from weights
  std::vector<Binding> emitted;  // lifted plus needed constant-only bindings, in binding order
  std::vector<Var> outputs;      // weights and lifted variables the function still uses
};

// Uses in the function except in the lifted bindings.
class RemainingUses : public relax::ExprVisitor {
 public:
  explicit RemainingUses(const VarSet& lifted) : lifted_(lifted) {}
  VarSet used;

 protected:
  void VisitExpr_(const relax::VarNode* op) override { used.insert(op); }
  void VisitBinding(const Binding& b) override {
    if (!lifted_.count(b.var.get())) ExprVisitor::VisitBinding(b);
  }

 private:
  const VarSet& lifted_;
};

LiftPlan Plan(const relax::Function& func, size_t num_input, const IRModule& mod) {
  VarSet weights;
  UseCollector weight_dims;
  for (size_t i = num_input; i < func->params.size(); ++i) {
    weights.insert(func->params[i].get());
    weight_dims.VisitStructInfo(func->params[i].struct_info());
  }
  const auto* seq = func->body.as<relax::SeqExprNode>();
  std::vector<Binding> bindings;
  if (seq) {
    for (const relax::BindingBlock& block : seq->blocks) {
      bindings.insert(bindings.end(), block.bindings.begin(), block.bindings.end());
    }
  }

  // Forward: what is computable from weights and constants, and what of it
  // depends on a weight.
  VarSet computable = weights, lifted;
  std::vector<VarSet> uses(bindings.size());
  for (size_t i = 0; i < bindings.size(); ++i) {
    const Binding& b = bindings[i];
    if (b.match_cast || !IsPureValue(b.value, mod)) continue;
    UseCollector c;
    c.VisitExpr(b.value);
    c.VisitStructInfo(b.var.struct_info());
    bool ok =
        std::all_of(c.vars.begin(), c.vars.end(), [&](auto* v) { return computable.count(v) > 0; }) &&
        std::all_of(c.tir_vars.begin(), c.tir_vars.end(), [&](auto* v) { return weight_dims.tir_vars.count(v) > 0; });
    if (!ok) continue;
    computable.insert(b.var.get());
    if (std::any_of(c.vars.begin(), c.vars.end(),
                    [&](auto* v) { return weights.count(v) > 0 || lifted.count(v) > 0; })) {
      lifted.insert(b.var.get());
    }
    uses[i] = std::move(c.vars);
  }

  // Backward: the constant-only bindings the lifted ones need.
  LiftPlan plan;
  VarSet needed;
  std::vector<bool> emit(bindings.size(), false);
  for (size_t i = bindings.size(); i-- > 0;) {
    const relax::VarNode* v = bindings[i].var.get();
    if (!lifted.count(v) && !(computable.count(v) && needed.count(v))) continue;
    emit[i] = true;
    needed.insert(uses[i].begin(), uses[i].end());
  }
  for (size_t i = 0; i < bindings.size(); ++i) {
    if (emit[i]) plan.emitted.push_back(bindings[i]);
    if (lifted.count(bindings[i].var.get())) plan.lifted.push_back(bindings[i]);
  }

  RemainingUses remaining(lifted);
  remaining.VisitExpr(func->body);
  for (size_t i = num_input; i < func->params.size(); ++i) {
    if (remaining.used.count(func->params[i].get())) plan.outputs.push_back(func->params[i]);
  }
  for (const Binding& b : plan.lifted) {
    if (remaining.used.count(b.var.get())) plan.outputs.push_back(b.var);
  }
  return plan;
}

// Builds `<name>_transform_params`(weights...) -> (outputs...) from the
// planned bindings, with fresh variables.
class TransformFunctionBuilder : public relax::ExprMutator {
 public:
  explicit TransformFunctionBuilder(const IRModule& mod) : ExprMutator(mod) {}

  IRModule Build(const std::string& name, const std::vector<Var>& weights, const LiftPlan& plan) {
    std::vector<Var> params;
    for (const Var& w : weights) {
      params.push_back(relax::MakeVar(w.name(), w.struct_info(), w->span));
      RemapVar(w, params.back());
    }
    builder_.BeginFunction(name, params, {{"global_symbol", name}});
    builder_.BeginDataflowBlock();
    for (const Binding& b : plan.emitted) RemapVar(b.var, builder_.Emit(VisitExpr(b.value), b.var.name()));
    std::vector<Expr> outputs;
    for (const Var& v : plan.outputs) outputs.push_back(VisitExpr(v));
    Var out = builder_.EmitOutput(relax::MakeTuple(std::move(outputs)), "params");
    builder_.EndDataflowBlock();
    builder_.EndFunction(out);
    return builder_.GetModule();
  }
};

// The function without the lifted bindings, taking (inputs..., outputs...).
class LiftedFunctionRewriter : public relax::ExprMutator {
 public:
  LiftedFunctionRewriter(const IRModule& mod, const LiftPlan& plan) : ExprMutator(mod) {
    for (const Binding& b : plan.lifted) lifted_.insert(b.var.get());
  }

  relax::Function Rewrite(const relax::Function& func, size_t num_input, const LiftPlan& plan) {
    builder_.ReserveNames(Expr(func));
    std::vector<Var> params(func->params.begin(), func->params.begin() + static_cast<std::ptrdiff_t>(num_input));
    for (const Var& v : plan.outputs) {
      if (!lifted_.count(v.get())) {
        params.push_back(v);  // a weight used directly
        continue;
      }
      params.push_back(relax::MakeVar(v.name(), v.struct_info(), v->span));
      RemapVar(v, params.back());
    }
    Expr body = VisitWithNewScope(func->body);
    return relax::MakeFunction(params, body, func->ret_struct_info, func->is_pure, func->attrs, func->span);
  }

 protected:
  void VisitBinding(const Binding& b) override {
    if (!lifted_.count(b.var.get())) ExprMutator::VisitBinding(b);
  }

 private:
  VarSet lifted_;
};

IRModule Lift(const IRModule& mod) {
  IRModule out = mod;
  for (const auto& [gv, f] : mod.functions()) {
    auto func = f.As<relax::FunctionNode>();
    if (!func) continue;
    std::optional<runtime::Any> attr = func->attrs.Find("num_input");
    std::string name = gv->name + "_transform_params";
    if (!attr || mod.Contains(name)) continue;
    int64_t num_input = func->attrs.Get<int64_t>("num_input", 0);
    KILN_CHECK(num_input >= 0 && static_cast<size_t>(num_input) <= func->params.size())
        << "LiftTransformParams: function '" << gv->name << "' has \"num_input\" " << num_input << " but "
        << func->params.size() << " parameters";
    size_t k = static_cast<size_t>(num_input);
    LiftPlan plan = Plan(relax::Function(func), k, out);
    std::vector<Var> weights(func->params.begin() + static_cast<std::ptrdiff_t>(k), func->params.end());
    out = TransformFunctionBuilder(out).Build(name, weights, plan);
    relax::Function lifted = LiftedFunctionRewriter(out, plan).Rewrite(relax::Function(func), k, plan);
    out = out.Update(gv, ir::BaseFunc(lifted));
  }
  return out;
}

}  // namespace

Pass LiftTransformParams() {
  auto run = [](const IRModule& mod, const PassContext&) { return Lift(mod); };
  return CreateModulePass(
      run, {"LiftTransformParams",
            0,
            "moves bindings computed from weights alone into a function <name>_transform_params run once",
            {"Normalize"}});
}

KILN_REGISTER_PASS(LiftTransformParams);

}  // namespace kiln::transform
