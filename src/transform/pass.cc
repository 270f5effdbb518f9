// Module passes, the per-function pass helpers, and the registry of passes
// by name.
#include "kiln/transform/pass.h"

#include <mutex>

namespace kiln::transform {

namespace {

class ModulePassNode : public PassNode {
 public:
  KILN_OBJECT_TYPE(ModulePassNode, PassNode, "transform.ModulePass")
  ModulePassFunc func;

  IRModule Run(const IRModule& mod, const PassContext& ctx) const override {
    ctx.BeforePass(mod, info);
    IRModule out = func(mod, ctx);
    KILN_CHECK(out) << "pass '" << info.name << "' returned no module";
    ctx.AfterPass(out, info);
    return out;
  }
};

// Applies `func` to each function of kind Node; the module is shared when
// nothing changed.
template <typename Node, typename FuncRef, typename F>
Pass PerFunctionPass(F func, PassInfo info) {
  auto run = [func = std::move(func)](const IRModule& mod, const PassContext& ctx) {
    IRModule out = mod;
    for (const auto& [gv, f] : mod.functions()) {
      auto node = f.template As<Node>();
      if (!node) continue;
      FuncRef updated = func(FuncRef(node), mod, ctx);
      if (!updated) {
        out = out.Remove(gv);
      } else if (updated.get() != node.get()) {
        out = out.Update(gv, updated);
      }
    }
    return out;
  };
  return CreateModulePass(std::move(run), std::move(info));
}

struct Registry {
  std::mutex mutex;
  std::map<std::string, std::function<Pass()>> makers;
};
Registry& GetRegistry() {
  static Registry* r = new Registry();
  return *r;
}

std::string KnownNames() {
  Registry& r = GetRegistry();
  std::lock_guard<std::mutex> lock(r.mutex);
  std::string known;
  for (const auto& [name, make] : r.makers) known += (known.empty() ? "" : ", ") + name;
  return known;
}

}  // namespace

Pass CreateModulePass(ModulePassFunc func, PassInfo info) {
  KILN_CHECK(!info.name.empty()) << "a pass needs a name";
  auto n = runtime::MakeObject<ModulePassNode>();
  n->info = std::move(info);
  n->func = std::move(func);
  return Pass(n);
}

Pass CreateFunctionPass(FunctionPassFunc func, PassInfo info) {
  return PerFunctionPass<relax::FunctionNode, relax::Function>(std::move(func), std::move(info));
}

Pass CreatePrimFuncPass(PrimFuncPassFunc func, PassInfo info) {
  return PerFunctionPass<tir::PrimFuncNode, tir::PrimFunc>(std::move(func), std::move(info));
}

void RegisterPass(const std::string& name, std::function<Pass()> make) {
  Registry& r = GetRegistry();
  std::lock_guard<std::mutex> lock(r.mutex);
  KILN_CHECK(r.makers.emplace(name, std::move(make)).second) << "pass '" << name << "' is already registered";
}

Pass FindPass(const std::string& name) {
  std::function<Pass()> make;
  {
    Registry& r = GetRegistry();
    std::lock_guard<std::mutex> lock(r.mutex);
    auto it = r.makers.find(name);
    if (it == r.makers.end()) return Pass();
    make = it->second;
  }
  Pass pass = make();
  KILN_ICHECK(pass.info().name == name) << "pass registered as '" << name << "' is named '" << pass.info().name << "'";
  return pass;
}

Pass GetPass(const std::string& name) {
  Pass pass = FindPass(name);
  KILN_CHECK(pass) << "unknown pass '" << name << "' (known: " << KnownNames() << ")";
  return pass;
}

std::vector<PassInfo> ListPasses() {
  std::vector<std::string> names;
  {
    Registry& r = GetRegistry();
    std::lock_guard<std::mutex> lock(r.mutex);
    for (const auto& [name, make] : r.makers) names.push_back(name);
  }
  std::vector<PassInfo> infos;
  for (const std::string& name : names) infos.push_back(FindPass(name).info());
  return infos;
}

}  // namespace kiln::transform
