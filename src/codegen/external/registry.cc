// The registry of external code generators, and the module of in-process
// functions that code generators written in Python return.
#include <mutex>

#include "kiln/codegen/external.h"
#include "kiln/runtime/error.h"

namespace kiln::codegen {

namespace {

struct Registry {
  std::mutex mu;
  std::map<std::string, ExternalCodegen> codegens;
};

Registry& Global() {
  static auto* registry = new Registry();
  return *registry;
}

// Functions called in process by name (kind "functions").
class FunctionModuleObj final : public runtime::ModuleObj {
 public:
  explicit FunctionModuleObj(std::map<std::string, runtime::Function> functions) : functions_(std::move(functions)) {}
  runtime::Function GetFunction(const std::string& name) override {
    auto it = functions_.find(name);
    return it == functions_.end() ? runtime::Function() : it->second;
  }
  std::string kind() const override { return "functions"; }
  std::vector<std::string> FunctionNames() const override {
    std::vector<std::string> names;
    for (const auto& [name, f] : functions_) names.push_back(name);
    return names;
  }

 private:
  std::map<std::string, runtime::Function> functions_;
};

}  // namespace

void RegisterExternalCodegen(const std::string& name, ExternalCodegen fn, bool override_existing) {
  KILN_CHECK(!name.empty()) << "RegisterExternalCodegen: the name is empty";
  KILN_CHECK(fn) << "RegisterExternalCodegen: the code generator for '" << name << "' is empty";
  Registry& r = Global();
  std::lock_guard<std::mutex> lock(r.mu);
  KILN_CHECK(override_existing || !r.codegens.count(name))
      << "RegisterExternalCodegen: a code generator is already registered as '" << name
      << "' (pass override to replace it)";
  r.codegens[name] = std::move(fn);
}

std::optional<ExternalCodegen> FindExternalCodegen(const std::string& name) {
  Registry& r = Global();
  std::lock_guard<std::mutex> lock(r.mu);
  auto it = r.codegens.find(name);
  if (it == r.codegens.end()) return std::nullopt;
  return it->second;
}

bool RemoveExternalCodegen(const std::string& name) {
  Registry& r = Global();
  std::lock_guard<std::mutex> lock(r.mu);
  return r.codegens.erase(name) > 0;
}

std::vector<std::string> ListExternalCodegens() {
  Registry& r = Global();
  std::lock_guard<std::mutex> lock(r.mu);
  std::vector<std::string> names;
  for (const auto& [name, fn] : r.codegens) names.push_back(name);
  return names;
}

runtime::Module MakeFunctionModule(std::map<std::string, runtime::Function> functions) {
  for (const auto& [name, f] : functions) {
    KILN_CHECK(f.defined()) << "MakeFunctionModule: the function '" << name << "' is undefined";
  }
  return runtime::Module(runtime::MakeObject<FunctionModuleObj>(std::move(functions)));
}

}  // namespace kiln::codegen
