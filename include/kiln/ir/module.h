// IRModule: the one abstraction every pass transforms. An ordered set of
// functions (relax and tir side by side) by GlobalVar, plus module attributes.
// Modules are values: Add/Update/Remove return a new module and share every
// function that did not change.
#pragma once

#include <string>
#include <vector>

#include "kiln/ir/attrs.h"
#include "kiln/ir/expr.h"

namespace kiln::ir {

class IRModuleNode : public Object {
 public:
  KILN_OBJECT_TYPE(IRModuleNode, Object, "ir.IRModule")
  std::vector<std::pair<GlobalVar, BaseFunc>> functions;  // in order
  Attrs attrs;
};

class IRModule : public Ref<IRModuleNode> {
 public:
  IRModule();  // empty module
  explicit IRModule(Ref<IRModuleNode> n) : Ref<IRModuleNode>(std::move(n)) {}
  IRModule(std::vector<std::pair<GlobalVar, BaseFunc>> functions, Attrs attrs = {});

  // The GlobalVar called `name`, or an empty handle.
  GlobalVar FindGlobalVar(const std::string& name) const;
  // Like FindGlobalVar but raises kiln::Error naming the missing function.
  GlobalVar GetGlobalVar(const std::string& name) const;
  BaseFunc Lookup(const GlobalVar& gv) const;  // empty when absent
  BaseFunc Lookup(const std::string& name) const;
  BaseFunc operator[](const std::string& name) const;  // raises when absent
  bool Contains(const std::string& name) const { return static_cast<bool>(FindGlobalVar(name)); }

  // A module with `func` added under a new name (raises when taken).
  IRModule Add(const GlobalVar& gv, BaseFunc func) const;
  // A module with the function of `gv` replaced (added when absent).
  IRModule Update(const GlobalVar& gv, BaseFunc func) const;
  IRModule Remove(const GlobalVar& gv) const;
  IRModule WithAttrs(Attrs attrs) const;

  const std::vector<std::pair<GlobalVar, BaseFunc>>& functions() const { return get()->functions; }
  const Attrs& attrs() const { return get()->attrs; }
};

}  // namespace kiln::ir
