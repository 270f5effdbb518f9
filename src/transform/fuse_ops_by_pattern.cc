// FuseOpsByPattern: matches each dataflow block with relax::BlockMatcher,
// builds one function per match, and re-emits the block with the root
// binding calling it.
#include "kiln/transform/fuse_ops_by_pattern.h"

#include <unordered_map>

#include "kiln/relax/functor.h"
#include "kiln/relax/struct_info_analysis.h"
#include "kiln/relax/structural_equal.h"
#include "kiln/tir/functor.h"

namespace kiln::transform {
namespace {

using relax::Binding;
using relax::BindingBlock;
using relax::Expr;
using relax::PatternMatch;
using relax::StructInfo;
using relax::Var;

std::string NameHint(const std::string& pattern_name) {
  std::string s = pattern_name;
  for (char& c : s) {
    if (c == '.') c = '_';
  }
  return s;
}

// The function of one match: parameters for its variable and constant
// inputs (over fresh symbolic dimensions), the matched bindings re-emitted.
struct Group {
  std::vector<Expr> args;  // the caller's values for the parameters
  relax::Function func;
};

Group BuildComposite(const BindingBlock& block, const std::vector<size_t>& members, const PatternMatch& m,
                     const std::string& name) {
  Group g;
  std::unordered_map<const tir::VarNode*, tir::Var> fresh;
  auto subst = [&](const tir::PrimExpr& e) {
    return tir::Substitute(e, [&](const tir::Var& v) -> tir::PrimExpr {
      auto it = fresh.find(v.get());
      return it == fresh.end() ? tir::PrimExpr() : tir::PrimExpr(it->second);
    });
  };
  for (const Expr& in : m.inputs) {
    if (!in.as<relax::VarNode>() && !in.as<relax::ConstantNode>()) continue;
    g.args.push_back(in);
    relax::VisitStructInfoExprs(in.struct_info(), [&](const tir::PrimExpr& d) {
      tir::PreOrderVisit(d, [&](const tir::PrimExpr& x) {
        const auto* v = x.as<tir::VarNode>();
        if (v && !fresh.count(v)) fresh[v] = v->is_size_var ? tir::SizeVar(v->name, v->dtype) : tir::Var(v->name, v->dtype);
      });
    });
  }
  std::vector<Var> params;
  std::unordered_map<const runtime::Object*, Expr> env;
  for (const Expr& in : g.args) {
    auto var = in.as<relax::VarNode>();
    params.push_back(relax::MakeVar(var ? var->name : "c", relax::MapStructInfoExprs(in.struct_info(), subst)));
    env[in.get()] = params.back();
  }
  // Call arguments in A-normal form: leaves, or tuples of leaves.
  std::function<Expr(const Expr&)> remap = [&](const Expr& e) -> Expr {
    if (auto it = env.find(e.get()); it != env.end()) return it->second;
    if (const auto* t = e.as<relax::TupleNode>()) {
      std::vector<Expr> fields;
      for (const Expr& f : t->fields) fields.push_back(remap(f));
      return relax::MakeTuple(fields);
    }
    if (const auto* s = e.as<relax::ShapeExprNode>()) {
      std::vector<tir::PrimExpr> values;
      for (const tir::PrimExpr& v : s->values) values.push_back(subst(v));
      return relax::MakeShapeExpr(values);
    }
    if (const auto* p = e.as<relax::PrimValueNode>()) return relax::MakePrimValue(subst(p->value));
    return e;
  };
  relax::BlockBuilder bb;
  bb.BeginFunction(NameHint(name), params, {{"Composite", name}});
  bb.BeginDataflowBlock();
  Expr result;
  for (size_t i : members) {
    const Binding& b = block.bindings[i];
    const auto* call = b.value.as<relax::CallNode>();
    Expr value = b.value;
    if (call) {
      std::vector<Expr> args;
      for (const Expr& a : call->args) args.push_back(remap(a));
      std::vector<StructInfo> sinfo_args;
      for (const StructInfo& s : call->sinfo_args) sinfo_args.push_back(relax::MapStructInfoExprs(s, subst));
      value = relax::MakeCall(call->op, args, call->attrs, sinfo_args);
    } else {
      value = remap(value);
    }
    bool last = i == members.back();
    Var v = last ? bb.EmitOutput(value, b.var.name()) : bb.Emit(value, b.var.name());
    env[b.var.get()] = v;
    result = v;
  }
  bb.EndDataflowBlock();
  ir::GlobalVar gv = bb.EndFunction(result);
  g.func = bb.GetModule().Lookup(gv).As<relax::FunctionNode>();
  return g;
}

// `composite` called from a function tagged "Codegen"=`codegen`.
relax::Function WrapForCodegen(const relax::Function& composite, const ir::GlobalVar& composite_gv,
                               const std::string& codegen, const std::string& name) {
  std::vector<Var> params;
  std::vector<Expr> args;
  for (const Var& p : composite->params) {
    params.push_back(relax::MakeVar(p->name, p.struct_info()));
    args.push_back(params.back());
  }
  relax::BlockBuilder bb;
  bb.BeginFunction("fused_" + NameHint(name), params, {{"Codegen", codegen}});
  Var out = bb.Emit(relax::MakeCall(composite_gv, args));
  ir::GlobalVar gv = bb.EndFunction(out, composite->ret_struct_info);
  return bb.GetModule().Lookup(gv).As<relax::FunctionNode>();
}

class PatternFuser : public relax::ExprMutator {
 public:
  PatternFuser(const IRModule& mod, const std::vector<FusionPattern>& patterns, bool annotate_codegen)
      : ExprMutator(mod), mod_(mod), patterns_(patterns), annotate_codegen_(annotate_codegen) {}

  IRModule Run() {
    for (const auto& [gv, func] : mod_.functions()) {
      auto f = func.As<relax::FunctionNode>();
      if (!f || f->attrs.Find("Primitive") || f->attrs.Find("Composite") || f->attrs.Find("Codegen")) continue;
      Expr updated = VisitExpr(relax::Function(f));
      if (updated.get() != f.get()) builder_.UpdateFunction(gv, ir::BaseFunc(updated.As<relax::FunctionNode>()));
    }
    return builder_.GetModule();
  }

 protected:
  BindingBlock VisitBindingBlock(const BindingBlock& block) override {
    if (!block.is_dataflow) return ExprMutator::VisitBindingBlock(block);
    size_t n = block.bindings.size();
    relax::BlockMatcher matcher(block);
    std::vector<bool> taken(n, false), dropped(n, false);
    std::vector<std::optional<std::pair<const FusionPattern*, PatternMatch>>> root(n);
    for (size_t i = n; i-- > 0;) {
      if (taken[i] || !block.bindings[i].value.as<relax::CallNode>()) continue;
      for (const FusionPattern& p : patterns_) {
        std::optional<PatternMatch> m = matcher.MatchAt(p.pattern, i, taken);
        if (!m || (p.check && !p.check(*m))) continue;
        taken[i] = true;
        for (const Var& v : m->intermediates) taken[matcher.IndexOf(v.get())] = dropped[matcher.IndexOf(v.get())] = true;
        root[i].emplace(&p, std::move(*m));
        break;
      }
    }
    builder_.BeginDataflowBlock();
    for (size_t i = 0; i < n; ++i) {
      if (dropped[i]) continue;
      if (!root[i]) {
        VisitBinding(block.bindings[i]);
        continue;
      }
      const auto& [pattern, m] = *root[i];
      std::vector<size_t> members;
      for (const Var& v : m.intermediates) members.push_back(matcher.IndexOf(v.get()));
      members.push_back(i);
      Group g = BuildComposite(block, members, m, pattern->name);
      std::vector<Expr> args;
      for (const Expr& a : g.args) args.push_back(VisitExpr(a));
      const Binding& b = block.bindings[i];
      Var bound = builder_.EmitBinding({b.var, relax::MakeCall(AddFunctions(g.func, pattern->name), args), StructInfo()});
      if (bound.get() != b.var.get()) RemapVar(b.var, bound);
    }
    return builder_.EndDataflowBlock();
  }

 private:
  // Adds the composite function (and its codegen wrapper), or finds
  // identical ones; returns the function the graph calls.
  ir::GlobalVar AddFunctions(const relax::Function& composite, const std::string& name) {
    for (const auto& [f, known] : composites_) {
      if (relax::StructuralEqual(Expr(f), Expr(composite))) return known;
    }
    ir::GlobalVar gv = builder_.AddFunction(ir::BaseFunc(composite), NameHint(name));
    if (annotate_codegen_) {
      std::string codegen = name.substr(0, name.find('.'));
      gv = builder_.AddFunction(ir::BaseFunc(WrapForCodegen(composite, gv, codegen, name)), "fused_" + NameHint(name));
    }
    composites_.emplace_back(composite, gv);
    return gv;
  }

  IRModule mod_;
  const std::vector<FusionPattern>& patterns_;
  bool annotate_codegen_;
  std::vector<std::pair<relax::Function, ir::GlobalVar>> composites_;
};

}  // namespace

Pass FuseOpsByPattern(std::vector<FusionPattern> patterns, bool annotate_codegen) {
  for (const FusionPattern& p : patterns) {
    KILN_CHECK(!p.name.empty()) << "FuseOpsByPattern: a pattern has no name";
    KILN_CHECK(p.pattern) << "FuseOpsByPattern: pattern '" << p.name << "' is empty";
  }
  auto run = [patterns, annotate_codegen](const IRModule& mod, const PassContext&) {
    return PatternFuser(mod, patterns, annotate_codegen).Run();
  };
  return CreateModulePass(run, {"FuseOpsByPattern", 0, "groups pattern matches into Composite functions", {"Normalize"}});
}

}  // namespace kiln::transform
