// RunCodegen: the functions tagged "Codegen" handed to their external code
// generators, their calls lowered to call_dps_packed of the symbols the
// returned modules define.
#include "kiln/transform/run_codegen.h"

#include <map>
#include <set>

#include "kiln/codegen/external.h"
#include "kiln/relax/functor.h"
#include "kiln/relax/op/tir_call.h"

namespace kiln::transform {
namespace {

using relax::Expr;

std::string CodegenOf(const ir::BaseFunc& func) {
  auto f = func.As<relax::FunctionNode>();
  return f ? f->attrs.Get<std::string>("Codegen", "") : "";
}

// The names of the module's functions that `func` refers to.
std::set<std::string> Callees(const ir::BaseFunc& func) {
  std::set<std::string> names;
  if (auto f = func.As<relax::FunctionNode>()) {
    relax::PostOrderVisit(relax::Function(f), [&](const Expr& e) {
      if (const auto* gv = e.as<ir::GlobalVarNode>()) names.insert(gv->name);
    });
  }
  return names;
}

// `roots` and every function of `mod` they call, directly or not, in module order.
IRModule WithCallees(const IRModule& mod, const std::vector<ir::GlobalVar>& roots) {
  std::set<std::string> keep;
  std::vector<std::string> work;
  for (const ir::GlobalVar& gv : roots) work.push_back(gv->name);
  while (!work.empty()) {
    std::string name = work.back();
    work.pop_back();
    if (!keep.insert(name).second) continue;
    if (ir::BaseFunc f = mod.Lookup(name)) {
      for (const std::string& callee : Callees(f)) work.push_back(callee);
    }
  }
  std::vector<std::pair<ir::GlobalVar, ir::BaseFunc>> functions;
  for (const auto& [gv, func] : mod.functions()) {
    if (keep.count(gv->name)) functions.emplace_back(gv, func);
  }
  return IRModule(std::move(functions));
}

std::string Registered() {
  std::string names;
  for (const std::string& n : codegen::ListExternalCodegens()) names += (names.empty() ? "" : ", ") + n;
  return names.empty() ? "none" : names;
}

// Calls the code generator of `name` on the functions `group`; checks that
// the module defines each symbol.
runtime::Module Generate(const IRModule& mod, const std::string& name, const std::vector<ir::GlobalVar>& group) {
  std::optional<codegen::ExternalCodegen> fn = codegen::FindExternalCodegen(name);
  KILN_CHECK(fn) << "RunCodegen: function '" << group.front()->name << "' has attr Codegen=\"" << name
                 << "\", but no external code generator is registered as '" << name << "' (registered: " << Registered()
                 << ")";
  runtime::Module out = (*fn)(WithCallees(mod, group));
  KILN_CHECK(out.defined()) << "RunCodegen: the code generator '" << name << "' returned no module";
  for (const ir::GlobalVar& gv : group) {
    KILN_CHECK(out.GetFunction(gv->name).defined())
        << "RunCodegen: the module the code generator '" << name << "' returned (kind " << out.kind()
        << ") has no function '" << gv->name << "' for the function of that name";
  }
  return out;
}

// Replaces each call of a handed-over function by call_dps_packed of its symbol.
class CallLowerer : public relax::ExprMutator {
 public:
  CallLowerer(const IRModule& mod, const std::set<std::string>& handed)
      : ExprMutator(mod), mod_(mod), handed_(handed) {}

  IRModule Run() {
    for (const auto& [gv, func] : mod_.functions()) {
      auto f = func.As<relax::FunctionNode>();
      if (!f || handed_.count(gv->name)) continue;
      Expr updated = VisitExpr(relax::Function(f));
      if (updated.get() != f.get()) builder_.UpdateFunction(gv, ir::BaseFunc(updated.As<relax::FunctionNode>()));
    }
    return builder_.GetModule();
  }

 protected:
  void VisitBinding(const relax::Binding& b) override {
    const auto* call = b.value.as<relax::CallNode>();
    const auto* gv = call ? call->op.as<ir::GlobalVarNode>() : nullptr;
    if (!gv || !handed_.count(gv->name)) return ExprMutator::VisitBinding(b);
    ExprMutator::VisitBinding({b.var, relax::op::call_dps_packed(gv->name, call->args, b.var.struct_info()), {}});
  }

 private:
  IRModule mod_;
  const std::set<std::string>& handed_;
};

IRModule Run(const IRModule& mod) {
  std::map<std::string, std::vector<ir::GlobalVar>> groups;  // codegen name -> its functions
  for (const auto& [gv, func] : mod.functions()) {
    std::string name = CodegenOf(func);
    if (!name.empty()) groups[name].push_back(gv);
  }
  if (groups.empty()) return mod;
  std::vector<runtime::Any> modules;
  if (std::optional<runtime::Any> existing = mod.attrs().Find(kExternalModsAttr)) {
    modules = existing->Cast<std::vector<runtime::Any>>();
  }
  std::set<std::string> handed;
  std::vector<ir::GlobalVar> roots;
  for (const auto& [name, group] : groups) {
    modules.emplace_back(Generate(mod, name, group));
    for (const ir::GlobalVar& gv : group) handed.insert(gv->name);
    roots.insert(roots.end(), group.begin(), group.end());
  }
  IRModule out = CallLowerer(mod, handed).Run();
  // The handed functions go, and what only they called (their Composite functions).
  std::set<std::string> called;
  for (const auto& [gv, func] : out.functions()) {
    if (handed.count(gv->name)) continue;
    for (const std::string& callee : Callees(func)) called.insert(callee);
  }
  std::set<std::string> only_theirs;
  IRModule reached = WithCallees(mod, roots);
  for (const auto& [gv, func] : reached.functions()) {
    if (handed.count(gv->name) || !called.count(gv->name)) only_theirs.insert(gv->name);
  }
  for (const std::string& name : only_theirs) out = out.Remove(out.GetGlobalVar(name));
  return out.WithAttrs(out.attrs().With(kExternalModsAttr, runtime::Any(std::move(modules))));
}

}  // namespace

Pass RunCodegen() {
  auto run = [](const IRModule& mod, const PassContext&) { return Run(mod); };
  return CreateModulePass(
      run, {"RunCodegen", 0, "hands the functions tagged Codegen to external code generators", {"Normalize"}});
}

KILN_REGISTER_PASS(RunCodegen);

}  // namespace kiln::transform
