// FuseOps: builds the dataflow graph of each dataflow block, groups it with
// fusion::Partition, and rewrites each group of two or more bindings into a
// call of a new "Primitive" relax function.
#include "kiln/transform/fuse_ops.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "fusion/partition.h"
#include "kiln/relax/functor.h"
#include "kiln/relax/structural_equal.h"
#include "kiln/relax/struct_info_analysis.h"
#include "kiln/tir/analysis/op_pattern.h"
#include "kiln/tir/functor.h"
#include "kiln/tir/structural_equal.h"

namespace kiln::transform {
namespace {

using relax::Binding;
using relax::BindingBlock;
using relax::Expr;
using relax::OpPattern;
using relax::StructInfo;
using relax::Var;

// A binding `v = call_tir(@f, (args...), [tir_vars])` with a tensor result.
struct TirCall {
  const relax::CallNode* call = nullptr;
  ir::GlobalVar callee;
};

std::optional<TirCall> AsTirCall(const Binding& b) {
  static const relax::Op call_tir = relax::GetOp("relax.call_tir");
  const auto* call = b.value.as<relax::CallNode>();
  if (b.match_cast || !call || call->op.get() != call_tir.get() || call->args.size() < 2) return std::nullopt;
  const auto* gv = call->args[0].as<ir::GlobalVarNode>();
  if (!gv || !b.var.struct_info().As<relax::TensorStructInfoNode>()) return std::nullopt;
  return TirCall{call, runtime::GetRef(gv)};
}

OpPattern PatternOf(const Binding& b, const IRModule& mod) {
  std::optional<TirCall> tc = AsTirCall(b);
  if (!tc) return OpPattern::kOpaque;
  auto f = mod.Lookup(tc->callee).As<tir::PrimFuncNode>();
  if (!f) return OpPattern::kOpaque;
  int64_t p = f->attrs.Get<int64_t>(tir::kAttrOpPattern, static_cast<int64_t>(OpPattern::kOpaque));
  return p < 0 || p > static_cast<int64_t>(OpPattern::kOpaque) ? OpPattern::kOpaque : static_cast<OpPattern>(p);
}

const std::vector<tir::PrimExpr>* ShapeOf(const StructInfo& s) {
  auto t = s.As<relax::TensorStructInfoNode>();
  return t && t->shape ? &*t->shape : nullptr;
}

bool SameShape(const StructInfo& a, const StructInfo& b) {
  const std::vector<tir::PrimExpr>*x = ShapeOf(a), *y = ShapeOf(b);
  if (!x || !y || x->size() != y->size()) return false;
  for (size_t i = 0; i < x->size(); ++i) {
    if (!tir::StructuralEqual((*x)[i], (*y)[i])) return false;
  }
  return true;
}

// The dataflow graph of a block: one node per binding.
std::vector<fusion::GraphNode> BuildGraph(const BindingBlock& block, const IRModule& mod) {
  std::unordered_map<const relax::VarNode*, size_t> index;
  std::vector<fusion::GraphNode> nodes(block.bindings.size());
  std::vector<size_t> barriers;
  for (size_t v = 0; v < block.bindings.size(); ++v) {
    const Binding& b = block.bindings[v];
    fusion::GraphNode& n = nodes[v];
    n.pattern = PatternOf(b, mod);
    n.escapes = !b.var->is_dataflow;
    n.after = barriers;
    relax::PostOrderVisit(b.value, [&](const Expr& e) {
      auto var = e.as<relax::VarNode>();
      if (!var || !index.count(var)) return;
      size_t u = index[var];
      if (std::count(n.inputs.begin(), n.inputs.end(), u)) return;
      n.inputs.push_back(u);
      n.same_shape.push_back(SameShape(b.var.struct_info(), block.bindings[u].var.struct_info()));
    });
    if (b.match_cast) barriers.push_back(v);  // it may define symbolic variables later bindings use
    index[b.var.get()] = v;
  }
  return nodes;
}

std::string FusedName(const std::vector<std::string>& kernels) {
  std::string name = "fused";
  size_t n = 0;
  for (const std::string& k : kernels) {
    if (n == 4) return name + "_etc";
    name += "_" + k;
    ++n;
  }
  return name;
}

// One group's function and how to call it.
struct GroupCall {
  std::vector<Expr> inputs;          // the caller's values for the tensor parameters
  std::vector<tir::PrimExpr> dims;   // the caller's symbolic values for the Shape parameter
  std::vector<Var> outputs;          // the caller's variables the result defines
  relax::Function func;
  std::string name;
};

// Builds the Primitive function of the group `members` (binding indices in
// order) of `block`.
GroupCall BuildGroup(const BindingBlock& block, const std::vector<size_t>& members,
                     const std::vector<bool>& used_outside) {
  GroupCall g;
  std::unordered_set<const relax::VarNode*> inside;
  for (size_t m : members) inside.insert(block.bindings[m].var.get());
  std::vector<std::string> kernels;
  // Inputs: variables bound outside the group and constants, in order.
  std::unordered_set<const runtime::Object*> seen;
  for (size_t m : members) {
    const TirCall tc = *AsTirCall(block.bindings[m]);
    if (kernels.empty() || kernels.back() != tc.callee->name) kernels.push_back(tc.callee->name);
    for (const Expr& a : tc.call->args[1].as<relax::TupleNode>()->fields) {
      bool input = a.as<relax::ConstantNode>() || (a.as<relax::VarNode>() && !inside.count(a.as<relax::VarNode>()));
      if (input && seen.insert(a.get()).second) g.inputs.push_back(a);
    }
    if (used_outside[m]) g.outputs.push_back(block.bindings[m].var);
  }
  g.name = FusedName(kernels);

  // Fresh symbolic variables: those the inputs' shapes define (bare
  // dimensions), then the others the group uses, passed in a Shape.
  std::unordered_map<const tir::VarNode*, tir::Var> fresh;
  auto renew = [&](const tir::Var& v) {
    if (!fresh.count(v.get())) {
      fresh[v.get()] = v->is_size_var ? tir::SizeVar(v->name, v->dtype) : tir::Var(v->name, v->dtype);
    }
  };
  for (const Expr& in : g.inputs) {
    if (const auto* shape = ShapeOf(in.struct_info())) {
      for (const tir::PrimExpr& d : *shape) {
        if (d.as<tir::VarNode>()) renew(tir::Var(d));
      }
    }
  }
  auto collect = [&](const tir::PrimExpr& e) {
    tir::PreOrderVisit(e, [&](const tir::PrimExpr& x) {
      if (x.as<tir::VarNode>() && !fresh.count(x.as<tir::VarNode>())) {
        g.dims.push_back(x);
        renew(tir::Var(x));
      }
    });
  };
  for (const Expr& in : g.inputs) relax::VisitStructInfoExprs(in.struct_info(), collect);
  for (size_t m : members) {
    const TirCall tc = *AsTirCall(block.bindings[m]);
    for (const StructInfo& s : tc.call->sinfo_args) relax::VisitStructInfoExprs(s, collect);
    if (tc.call->args.size() > 2) relax::VisitStructInfoExprs(tc.call->args[2].struct_info(), collect);
  }
  auto subst = [&](const tir::PrimExpr& e) {
    return tir::Substitute(e, [&](const tir::Var& v) -> tir::PrimExpr {
      auto it = fresh.find(v.get());
      return it == fresh.end() ? tir::PrimExpr() : tir::PrimExpr(it->second);
    });
  };
  auto subst_sinfo = [&](const StructInfo& s) { return relax::MapStructInfoExprs(s, subst); };

  std::vector<Var> params;
  std::unordered_map<const runtime::Object*, Expr> env;
  for (const Expr& in : g.inputs) {
    auto var = in.as<relax::VarNode>();
    params.push_back(relax::MakeVar(var ? var->name : "c", subst_sinfo(in.struct_info())));
    env[in.get()] = params.back();
  }
  if (!g.dims.empty()) {
    std::vector<tir::PrimExpr> values;
    for (const tir::PrimExpr& d : g.dims) values.push_back(subst(d));
    params.push_back(relax::MakeVar("dims", relax::ShapeSInfo(values)));
  }

  relax::BlockBuilder bb;
  bb.BeginFunction(g.name, params, {{"Primitive", int64_t{1}}});
  bb.BeginDataflowBlock();
  for (size_t m : members) {
    const Binding& b = block.bindings[m];
    const TirCall tc = *AsTirCall(b);
    std::vector<Expr> args;
    for (const Expr& a : tc.call->args[1].as<relax::TupleNode>()->fields) {
      auto it = env.find(a.get());
      args.push_back(it == env.end() ? a : it->second);
    }
    std::vector<Expr> call_args = {tc.callee, relax::MakeTuple(args)};
    if (tc.call->args.size() > 2) {
      std::vector<tir::PrimExpr> values;
      for (const tir::PrimExpr& v : tc.call->args[2].as<relax::ShapeExprNode>()->values) values.push_back(subst(v));
      call_args.push_back(relax::MakeShapeExpr(values));
    }
    std::vector<StructInfo> sinfo_args;
    for (const StructInfo& s : tc.call->sinfo_args) sinfo_args.push_back(subst_sinfo(s));
    Expr call = relax::MakeCall(tc.call->op, call_args, tc.call->attrs, sinfo_args);
    env[b.var.get()] = used_outside[m] ? bb.EmitOutput(call, b.var.name()) : bb.Emit(call, b.var.name());
  }
  bb.EndDataflowBlock();
  std::vector<Expr> results;
  for (const Var& out : g.outputs) results.push_back(env[out.get()]);
  ir::GlobalVar gv = bb.EndFunction(results.size() == 1 ? results[0] : relax::MakeTuple(results));
  g.func = bb.GetModule().Lookup(gv).As<relax::FunctionNode>();
  return g;
}

class Fuser : public relax::ExprMutator {
 public:
  explicit Fuser(const IRModule& mod) : ExprMutator(mod), mod_(mod) {}

  IRModule Run() {
    for (const auto& [gv, func] : mod_.functions()) {
      auto f = func.As<relax::FunctionNode>();
      if (!f || f->attrs.Find("Primitive")) continue;
      Expr updated = VisitExpr(relax::Function(f));
      if (updated.get() != f.get()) builder_.UpdateFunction(gv, ir::BaseFunc(updated.As<relax::FunctionNode>()));
    }
    return builder_.GetModule();
  }

 protected:
  BindingBlock VisitBindingBlock(const BindingBlock& block) override {
    if (!block.is_dataflow) return ExprMutator::VisitBindingBlock(block);
    std::vector<fusion::GraphNode> nodes = BuildGraph(block, mod_);
    std::vector<size_t> group = fusion::Partition(nodes);
    std::vector<std::vector<size_t>> members(nodes.size());
    for (size_t v = 0; v < nodes.size(); ++v) members[group[v]].push_back(v);
    // A member's value is a group output when a binding of another group
    // reads it or it is visible after the block.
    std::vector<bool> used_outside(nodes.size(), false);
    for (size_t v = 0; v < nodes.size(); ++v) {
      used_outside[v] = used_outside[v] || nodes[v].escapes;
      for (size_t u : nodes[v].inputs) used_outside[u] = used_outside[u] || group[u] != group[v];
    }
    builder_.BeginDataflowBlock();
    for (size_t g : fusion::GroupOrder(nodes, group)) {
      if (members[g].size() == 1) {
        VisitBinding(block.bindings[g]);
      } else {
        EmitGroup(BuildGroup(block, members[g], used_outside));
      }
    }
    return builder_.EndDataflowBlock();
  }

 private:
  // Adds the group's function (or finds an identical one) and emits its call.
  void EmitGroup(const GroupCall& g) {
    ir::GlobalVar gv;
    for (const auto& [f, known] : functions_) {
      if (relax::StructuralEqual(Expr(f), Expr(g.func))) gv = known;
    }
    if (!gv) {
      gv = builder_.AddFunction(ir::BaseFunc(g.func), g.name);
      functions_.emplace_back(g.func, gv);
    }
    std::vector<Expr> args;
    for (const Expr& in : g.inputs) args.push_back(VisitExpr(in));
    if (!g.dims.empty()) args.push_back(relax::MakeShapeExpr(g.dims));
    Expr call = relax::MakeCall(gv, args);
    if (g.outputs.size() == 1) {
      Var bound = builder_.EmitBinding({g.outputs[0], call, StructInfo()});
      if (bound.get() != g.outputs[0].get()) RemapVar(g.outputs[0], bound);
      return;
    }
    Var tuple = builder_.Emit(call, g.outputs[0].name() + "_t");
    for (size_t i = 0; i < g.outputs.size(); ++i) {
      Var bound = builder_.EmitBinding({g.outputs[i], relax::MakeTupleGetItem(tuple, static_cast<int>(i)), StructInfo()});
      if (bound.get() != g.outputs[i].get()) RemapVar(g.outputs[i], bound);
    }
  }

  IRModule mod_;
  std::vector<std::pair<relax::Function, ir::GlobalVar>> functions_;
};

}  // namespace

Pass FuseOps() {
  auto run = [](const IRModule& mod, const PassContext&) { return Fuser(mod).Run(); };
  return CreateModulePass(run, {"FuseOps", 1, "groups call_tir bindings into Primitive relax functions", {"Normalize"}});
}

KILN_REGISTER_PASS(FuseOps);

}  // namespace kiln::transform
