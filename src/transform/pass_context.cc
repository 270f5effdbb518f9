// PassContext: the registered configuration keys, validation of a context's
// config, the per-thread stack of entered contexts, and instrument calls.
#include <cstdlib>
#include <mutex>

#include "kiln/runtime/env.h"
#include "kiln/transform/pass.h"

namespace kiln::transform {

namespace {

struct ConfigTable {
  std::mutex mutex;
  std::map<std::string, PassConfigOption> options;
};

ConfigTable& Configs() {
  static ConfigTable* t = [] {
    auto* table = new ConfigTable();
    for (PassConfigOption o : {
             PassConfigOption{"dump_ir", ConfigType::kString, std::string(),
                              "a folder to write the module to after each pass (as KILN_DUMP_IR does)"},
             PassConfigOption{"verify_well_formed", ConfigType::kBool, false,
                              "check that the module is well formed after each pass"},
         }) {
      table->options.emplace(o.key, o);
    }
    return table;
  }();
  return *t;
}

const char* TypeName(ConfigType type) {
  switch (type) {
    case ConfigType::kBool: return "a bool";
    case ConfigType::kInt: return "an int";
    case ConfigType::kFloat: return "a float";
    case ConfigType::kString: return "a string";
  }
  return "?";
}

bool Fits(ConfigType type, const runtime::Any& v) {
  using K = runtime::Any::Kind;
  switch (type) {
    case ConfigType::kBool: return v.kind() == K::kBool;
    case ConfigType::kInt: return v.kind() == K::kInt;
    case ConfigType::kFloat: return v.kind() == K::kFloat || v.kind() == K::kInt;
    case ConfigType::kString: return v.TypeName() == "str";
  }
  return false;
}

// The registered option for `key`; raises naming the known keys.
PassConfigOption FindOption(const std::string& key) {
  ConfigTable& t = Configs();
  std::lock_guard<std::mutex> lock(t.mutex);
  auto it = t.options.find(key);
  if (it != t.options.end()) return it->second;
  std::string known;
  for (const auto& [k, o] : t.options) known += (known.empty() ? "" : ", ") + k;
  KILN_THROW() << "unknown PassContext config '" << key << "' (known: " << known << ")";
}

void CheckConfig(const std::string& key, const runtime::Any& value) {
  PassConfigOption option = FindOption(key);
  KILN_CHECK(Fits(option.type, value)) << "PassContext config '" << key << "' must be " << TypeName(option.type)
                                       << ", got " << value.TypeName();
}

std::vector<PassContext>& Stack() {
  thread_local std::vector<PassContext> stack;
  return stack;
}

}  // namespace

void RegisterPassConfig(PassConfigOption option) {
  KILN_CHECK(Fits(option.type, option.default_value))
      << "PassContext config '" << option.key << "': the default must be " << TypeName(option.type);
  ConfigTable& t = Configs();
  std::lock_guard<std::mutex> lock(t.mutex);
  std::string key = option.key;
  KILN_CHECK(t.options.emplace(key, std::move(option)).second)
      << "PassContext config '" << key << "' is already registered";
}

std::vector<PassConfigOption> ListPassConfigs() {
  ConfigTable& t = Configs();
  std::lock_guard<std::mutex> lock(t.mutex);
  std::vector<PassConfigOption> out;
  for (const auto& [key, option] : t.options) out.push_back(option);
  return out;
}

PassContext PassContext::Create(int opt_level, std::map<std::string, runtime::Any> config,
                                std::vector<PassInstrument> instruments) {
  KILN_CHECK(opt_level >= 0 && opt_level <= 3) << "PassContext: opt level " << opt_level << " is not in 0..3";
  for (const auto& [key, value] : config) CheckConfig(key, value);
  auto n = runtime::MakeObject<PassContextNode>();
  n->opt_level = opt_level;
  n->config = std::move(config);
  n->instruments = std::move(instruments);
  PassContext ctx(n);
  std::string dump = ctx.GetConfig<std::string>("dump_ir");
  if (const char* env = runtime::GetEnv("KILN_DUMP_IR"); dump.empty() && env != nullptr) dump = env;
  if (!dump.empty()) n->instruments.push_back(MakeDumpIR(dump));
  if (ctx.GetConfig<bool>("verify_well_formed")) n->instruments.push_back(MakeWellFormedCheck());
  return ctx;
}

PassContext PassContext::Current() {
  if (!Stack().empty()) return Stack().back();
  thread_local PassContext fallback = Create();
  return fallback;
}

void PassContext::Enter() const {
  Stack().push_back(*this);
}

void PassContext::Exit() const {
  KILN_CHECK(!Stack().empty() && Stack().back() == *this)
      << "PassContext::Exit of a context that is not the current one";
  Stack().pop_back();
}

runtime::Any PassContext::GetConfig(const std::string& key) const {
  auto it = get()->config.find(key);
  return it != get()->config.end() ? it->second : FindOption(key).default_value;
}

void PassContext::BeforePass(const IRModule& mod, const PassInfo& info) const {
  for (const PassInstrument& i : get()->instruments) i->BeforePass(mod, info);
}

void PassContext::AfterPass(const IRModule& mod, const PassInfo& info) const {
  for (const PassInstrument& i : get()->instruments) i->AfterPass(mod, info);
}

}  // namespace kiln::transform
