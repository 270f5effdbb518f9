// Attrs: an ordered dictionary of named values (ints, floats, strings, lists,
// IR nodes) attached to functions, calls, loops and blocks. Order is kept so
// that printing is stable.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "kiln/runtime/any.h"

namespace kiln::ir {

using runtime::Any;

class Attrs {
 public:
  Attrs() = default;
  Attrs(std::initializer_list<std::pair<std::string, Any>> items) : items_(items) {}

  // The value of `key`, or nullopt.
  std::optional<Any> Find(const std::string& key) const;
  // The value of `key` as T, or `fallback` when absent; raises kiln::Error
  // naming the key when the value has another kind.
  template <typename T>
  T Get(const std::string& key, T fallback) const {
    auto v = Find(key);
    if (!v) return fallback;
    return CastAttr<T>(key, *v);
  }
  // Sets or replaces `key` (returns a modified copy; Attrs are values).
  Attrs With(const std::string& key, Any value) const;
  Attrs Without(const std::string& key) const;

  bool empty() const { return items_.empty(); }
  size_t size() const { return items_.size(); }
  const std::vector<std::pair<std::string, Any>>& items() const { return items_; }

 private:
  template <typename T>
  static T CastAttr(const std::string& key, const Any& v) {
    try {
      return v.Cast<T>();
    } catch (const Error& e) {
      throw Error("attribute '" + key + "': " + e.message());
    }
  }
  std::vector<std::pair<std::string, Any>> items_;
};

}  // namespace kiln::ir
