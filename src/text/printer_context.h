// State the tir and relax printers share while printing one function or
// module: unique names, the symbolic variables a function must declare, the
// buffers that own data variables, and the constants of the meta section.
#pragma once

#include <functional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "kiln/runtime/ndarray.h"
#include "kiln/tir/expr.h"

namespace kiln::text {

// One name per object, unique within a function, valid as an identifier and
// never a reserved word: two variables called x print as x and x_1.
class NameTable {
 public:
  // Names an object on first use from `hint`; later calls return the same.
  const std::string& Assign(const runtime::Object* obj, const std::string& hint);
  const std::string* Find(const runtime::Object* obj) const;
  // Names that must stay free as well (the relax printer adds op names).
  std::function<bool(const std::string&)> also_reserved;

 private:
  std::unordered_map<const runtime::Object*, std::string> names_;
  std::unordered_set<std::string> used_;
  std::unordered_map<std::string, int> last_suffix_;  // x_1, x_2, ... tried so far
};

struct PrintContext {
  NameTable names;
  // True while printing a signature, a struct info or a buffer declaration:
  // there an int64 size var's first occurrence defines it.
  bool in_decl = false;
  // tir variables used before anything defines them (in the order met),
  // printed as the function's declaration list [n: int32, ...].
  std::vector<tir::Var> declared;
  // A data variable of a buffer prints as "A.data".
  std::unordered_map<const runtime::Object*, const tir::BufferNode*> data_owner;
  // Large constants, printed in the module's meta section.
  std::vector<runtime::NDArray> constants;

  // The index of `array` in the meta section (added on first use).
  size_t MetaIndex(const runtime::NDArray& array);
  // Starts a new function: names and declarations are per function.
  void StartFunction();
};

// Sets ctx->in_decl for a scope.
class DeclScope {
 public:
  explicit DeclScope(PrintContext* ctx) : ctx_(ctx), saved_(ctx->in_decl) { ctx_->in_decl = true; }
  ~DeclScope() { ctx_->in_decl = saved_; }
  DeclScope(const DeclScope&) = delete;
  DeclScope& operator=(const DeclScope&) = delete;

 private:
  PrintContext* ctx_;
  bool saved_;
};

// "  " per level.
inline std::string Indent(int level) {
  return std::string(2 * static_cast<size_t>(level), ' ');
}

}  // namespace kiln::text
