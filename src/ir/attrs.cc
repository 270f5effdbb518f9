// Attrs: lookups and copy-on-write updates.
#include "kiln/ir/attrs.h"

namespace kiln::ir {

std::optional<Any> Attrs::Find(const std::string& key) const {
  for (const auto& [k, v] : items_) {
    if (k == key) return v;
  }
  return std::nullopt;
}

Attrs Attrs::With(const std::string& key, Any value) const {
  Attrs out = *this;
  for (auto& [k, v] : out.items_) {
    if (k == key) {
      v = std::move(value);
      return out;
    }
  }
  out.items_.emplace_back(key, std::move(value));
  return out;
}

Attrs Attrs::Without(const std::string& key) const {
  Attrs out;
  for (const auto& item : items_) {
    if (item.first != key) out.items_.push_back(item);
  }
  return out;
}

}  // namespace kiln::ir
