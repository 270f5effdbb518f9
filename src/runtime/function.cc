// Function calls and the global registry of functions by name.
#include "kiln/runtime/function.h"

#include <algorithm>
#include <map>
#include <mutex>

#include "kiln/runtime/edit_distance.h"

namespace kiln::runtime {

Function::Function(std::string name, PackedBody body)
    : obj_(MakeObject<FunctionObj>(std::move(name), std::move(body))) {}

Any Function::CallPacked(const Any* args, int num_args) const {
  KILN_CHECK(obj_) << "call of an undefined function";
  Any result;
  obj_->body(args, num_args, &result);
  return result;
}

namespace detail {
void ThrowArity(const std::string& fname, int expected, int got) {
  KILN_THROW() << "function '" << fname << "' takes " << expected << " argument" << (expected == 1 ? "" : "s")
               << " but was called with " << got;
}
}  // namespace detail

namespace {
struct Table {
  std::mutex mutex;
  std::map<std::string, Function> functions;
};
Table& GlobalTable() {
  static Table* table = new Table();  // outlives static destructors that may look up functions
  return *table;
}

}  // namespace

void Registry::Register(const std::string& name, Function f, bool override_existing) {
  KILN_CHECK(!name.empty()) << "a global function needs a name";
  KILN_CHECK(f.defined()) << "global function '" << name << "' is undefined";
  Table& t = GlobalTable();
  std::lock_guard<std::mutex> lock(t.mutex);
  auto [it, inserted] = t.functions.emplace(name, f);
  if (!inserted) {
    KILN_CHECK(override_existing) << "global function '" << name
                                  << "' is already registered (pass override=True to replace it)";
    it->second = f;
  }
}

std::optional<Function> Registry::Find(const std::string& name) {
  Table& t = GlobalTable();
  std::lock_guard<std::mutex> lock(t.mutex);
  auto it = t.functions.find(name);
  if (it == t.functions.end()) return std::nullopt;
  return it->second;
}

Function Registry::Get(const std::string& name) {
  if (auto f = Find(name)) return *f;
  std::string best = ClosestName(name, ListNames());
  KILN_THROW() << "no global function named '" << name << "'"
               << (best.empty() ? "" : " (did you mean '" + best + "'?)");
}

bool Registry::Remove(const std::string& name) {
  Table& t = GlobalTable();
  std::lock_guard<std::mutex> lock(t.mutex);
  return t.functions.erase(name) > 0;
}

std::vector<std::string> Registry::ListNames() {
  Table& t = GlobalTable();
  std::lock_guard<std::mutex> lock(t.mutex);
  std::vector<std::string> names;
  for (const auto& [name, f] : t.functions) names.push_back(name);
  return names;
}

}  // namespace kiln::runtime
