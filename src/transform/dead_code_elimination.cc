// DeadCodeElimination: a backward liveness walk marks the variables that are
// used, a mutator drops the other pure bindings, then a walk over calls from
// the entry functions finds the functions to keep.
#include "kiln/transform/dead_code_elimination.h"

#include <unordered_set>

#include "kiln/relax/functor.h"

namespace kiln::transform {

namespace {

using relax::Binding;
using relax::Expr;

// Whether evaluating `value` has no effect besides its result.
bool IsPure(const Expr& value, const IRModule& mod) {
  bool pure = true;
  relax::PostOrderVisit(value, [&](const Expr& e) {
    auto call = e.as<relax::CallNode>();
    if (!call) return;
    if (auto op = call->op.as<relax::OpNode>()) {
      pure &= op->is_pure;
      return;
    }
    relax::StructInfo callee = call->op.struct_info();
    if (auto gv = call->op.as<ir::GlobalVarNode>(); gv && !callee) {
      ir::BaseFunc f = mod.Lookup(gv->name);
      callee = f ? f->struct_info : relax::StructInfo();
    }
    auto func = callee.As<relax::FuncStructInfoNode>();
    pure &= func && func->is_pure;
  });
  return pure;
}

// Walks each sequence from its end, so a binding's value counts as a use only
// when the binding stays.
class Liveness : public relax::ExprVisitor {
 public:
  explicit Liveness(const IRModule& mod) : mod_(mod) {}
  bool Keeps(const Binding& b) const { return live_.count(b.var.get()) || b.match_cast || !IsPure(b.value, mod_); }

 protected:
  void VisitExpr_(const relax::VarNode* op) override { live_.insert(op); }
  void VisitExpr_(const relax::SeqExprNode* op) override {
    VisitExpr(op->body);
    for (auto block = op->blocks.rbegin(); block != op->blocks.rend(); ++block) {
      for (auto b = block->bindings.rbegin(); b != block->bindings.rend(); ++b) {
        if (Keeps(*b)) VisitBinding(*b);
      }
    }
  }

 private:
  const IRModule& mod_;
  std::unordered_set<const relax::VarNode*> live_;
};

class DeadBindingRemover : public relax::ExprMutator {
 public:
  DeadBindingRemover(const IRModule& mod, const Liveness& liveness) : ExprMutator(mod), liveness_(liveness) {}

 protected:
  void VisitBinding(const Binding& b) override {
    if (liveness_.Keeps(b)) ExprMutator::VisitBinding(b);
  }

 private:
  const Liveness& liveness_;
};

IRModule RemoveDeadBindings(const IRModule& mod) {
  IRModule out = mod;
  for (const auto& [gv, f] : mod.functions()) {
    auto func = f.As<relax::FunctionNode>();
    if (!func) continue;
    Liveness liveness(mod);
    liveness.VisitExpr(func);
    Expr updated = DeadBindingRemover(mod, liveness).VisitExpr(func);
    if (updated.get() != func.get()) out = out.Update(gv, updated.As<relax::FunctionNode>());
  }
  return out;
}

bool IsEntry(const ir::GlobalVar& gv, const ir::BaseFunc& f, bool relax_functions_are_entries) {
  if (gv->name == "main" || f->attrs.Find("global_symbol")) return true;
  return relax_functions_are_entries && f.As<relax::FunctionNode>() && !f->attrs.Find("Primitive");
}

// The names of the entry functions and every function they reach.
std::unordered_set<std::string> Reachable(const IRModule& mod, const std::vector<std::string>& entries,
                                          bool relax_functions_are_entries) {
  std::vector<std::string> work = entries;
  for (const auto& [gv, f] : mod.functions()) {
    if (IsEntry(gv, f, relax_functions_are_entries)) work.push_back(gv->name);
  }
  std::unordered_set<std::string> reached;
  while (!work.empty()) {
    std::string name = work.back();
    work.pop_back();
    if (!reached.insert(name).second) continue;
    ir::BaseFunc f = mod.Lookup(name);
    KILN_CHECK(f) << "DeadCodeElimination: entry function '" << name << "' is not in the module";
    if (!f.As<relax::FunctionNode>()) continue;
    relax::PostOrderVisit(relax::Expr(f), [&](const Expr& e) {
      if (auto gv = e.as<ir::GlobalVarNode>()) work.push_back(gv->name);
    });
  }
  return reached;
}

IRModule RemoveUnreachable(const IRModule& mod, const std::vector<std::string>& entries,
                           bool relax_functions_are_entries) {
  std::unordered_set<std::string> reached = Reachable(mod, entries, relax_functions_are_entries);
  if (reached.empty()) return mod;
  IRModule out = mod;
  for (const auto& [gv, f] : mod.functions()) {
    if (!reached.count(gv->name)) out = out.Remove(gv);
  }
  return out;
}

}  // namespace

Pass DeadCodeElimination(std::vector<std::string> entry_functions, bool relax_functions_are_entries) {
  auto run = [entry_functions, relax_functions_are_entries](const IRModule& mod, const PassContext&) {
    return RemoveUnreachable(RemoveDeadBindings(mod), entry_functions, relax_functions_are_entries);
  };
  return CreateModulePass(run, {"DeadCodeElimination",
                                1,
                                "removes unused pure bindings and functions unreachable from the entry functions",
                                {"Normalize"}});
}

KILN_REGISTER_PASS(DeadCodeElimination);

}  // namespace kiln::transform
