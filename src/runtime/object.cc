// The type registry: type keys, indices and parents of Object subclasses.
#include "kiln/runtime/object.h"

#include <mutex>
#include <vector>

namespace kiln::runtime {
namespace {
struct TypeTable {
  std::mutex mutex;
  std::vector<std::string> keys{"Object"};
  std::vector<uint32_t> parents{0};
};
TypeTable& Table() {
  static TypeTable* table = new TypeTable();  // never destroyed: used by static destructors
  return *table;
}
}  // namespace

uint32_t TypeRegistry::Register(const char* key, uint32_t parent_index) {
  TypeTable& t = Table();
  std::lock_guard<std::mutex> lock(t.mutex);
  // Each shared library that inlines a TypeIndex() asks once; all get one index.
  for (uint32_t i = 0; i < t.keys.size(); ++i) {
    if (t.keys[i] != key) continue;
    KILN_ICHECK(t.parents[i] == parent_index) << "type key '" << key << "' registered with two parents";
    return i;
  }
  t.keys.emplace_back(key);
  t.parents.push_back(parent_index);
  return static_cast<uint32_t>(t.keys.size() - 1);
}

bool TypeRegistry::IsDerivedFrom(uint32_t child, uint32_t parent) {
  TypeTable& t = Table();
  std::lock_guard<std::mutex> lock(t.mutex);
  while (child != 0) {
    if (child == parent) return true;
    child = t.parents[child];
  }
  return parent == 0;
}

uint32_t TypeRegistry::Parent(uint32_t index) {
  TypeTable& t = Table();
  std::lock_guard<std::mutex> lock(t.mutex);
  KILN_ICHECK(index < t.parents.size()) << "type index " << index;
  return t.parents[index];
}

const std::string& TypeRegistry::Key(uint32_t index) {
  TypeTable& t = Table();
  std::lock_guard<std::mutex> lock(t.mutex);
  KILN_ICHECK(index < t.keys.size()) << "type index " << index;
  return t.keys[index];
}

}  // namespace kiln::runtime
