// IRModule and GlobalVar.
#include "kiln/ir/module.h"

namespace kiln::ir {

GlobalVar MakeGlobalVar(std::string name, Span span) {
  KILN_CHECK(!name.empty()) << "a global function needs a name";
  auto n = runtime::MakeObject<GlobalVarNode>();
  n->name = std::move(name);
  n->span = span;
  return n;
}

IRModule::IRModule() : Ref<IRModuleNode>(runtime::MakeObject<IRModuleNode>()) {}

IRModule::IRModule(std::vector<std::pair<GlobalVar, BaseFunc>> functions, Attrs attrs) : IRModule() {
  for (auto& [gv, f] : functions) {
    KILN_CHECK(gv && f) << "IRModule: an empty function or GlobalVar";
    KILN_CHECK(!FindGlobalVar(gv->name)) << "IRModule: two functions named '" << gv->name << "'";
    get()->functions.emplace_back(gv, f);
  }
  get()->attrs = std::move(attrs);
}

GlobalVar IRModule::FindGlobalVar(const std::string& name) const {
  for (const auto& [gv, f] : get()->functions) {
    if (gv->name == name) return gv;
  }
  return GlobalVar();
}

GlobalVar IRModule::GetGlobalVar(const std::string& name) const {
  GlobalVar gv = FindGlobalVar(name);
  if (!gv) {
    std::string names;
    for (const auto& [g, f] : get()->functions) names += (names.empty() ? "" : ", ") + g->name;
    KILN_THROW() << "the module has no function '" << name << "'" << (names.empty() ? "" : " (it has: " + names + ")");
  }
  return gv;
}

BaseFunc IRModule::Lookup(const GlobalVar& gv) const {
  for (const auto& [g, f] : get()->functions) {
    if (g == gv) return f;
  }
  return BaseFunc();
}

BaseFunc IRModule::Lookup(const std::string& name) const {
  GlobalVar gv = FindGlobalVar(name);
  return gv ? Lookup(gv) : BaseFunc();
}

BaseFunc IRModule::operator[](const std::string& name) const {
  return Lookup(GetGlobalVar(name));
}

IRModule IRModule::Add(const GlobalVar& gv, BaseFunc func) const {
  KILN_CHECK(!FindGlobalVar(gv->name)) << "the module already has a function '" << gv->name << "'";
  auto functions = get()->functions;
  functions.emplace_back(gv, std::move(func));
  return IRModule(std::move(functions), get()->attrs);
}

IRModule IRModule::Update(const GlobalVar& gv, BaseFunc func) const {
  auto n = runtime::MakeObject<IRModuleNode>();
  n->functions = get()->functions;
  n->attrs = get()->attrs;
  for (auto& [g, f] : n->functions) {
    if (g == gv || g->name == gv->name) {
      g = gv;
      f = std::move(func);
      return IRModule(n);
    }
  }
  n->functions.emplace_back(gv, std::move(func));
  return IRModule(n);
}

IRModule IRModule::Remove(const GlobalVar& gv) const {
  auto n = runtime::MakeObject<IRModuleNode>();
  n->attrs = get()->attrs;
  for (const auto& item : get()->functions) {
    if (item.first != gv) n->functions.push_back(item);
  }
  return IRModule(n);
}

IRModule IRModule::WithAttrs(Attrs attrs) const {
  auto n = runtime::MakeObject<IRModuleNode>();
  n->functions = get()->functions;
  n->attrs = std::move(attrs);
  return IRModule(n);
}

}  // namespace kiln::ir
