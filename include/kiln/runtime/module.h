// Module: a set of named functions plus the modules it imports (a compiled
// library, later a VM executable or a CUDA module). Module::Load picks a
// loader by file extension; shared libraries follow the C convention in
// c_api.h.
#pragma once

#include <string>
#include <vector>

#include "kiln/runtime/c_api.h"
#include "kiln/runtime/function.h"

namespace kiln::runtime {

class Module;

class ModuleObj : public Object {
 public:
  KILN_OBJECT_TYPE(ModuleObj, Object, "runtime.Module")
  // The function called `name`, or an undefined Function when there is none.
  virtual Function GetFunction(const std::string& name) = 0;
  // What kind of module this is: "library", "vm", ...
  virtual std::string kind() const = 0;
  // Names of the functions this module defines (not its imports).
  virtual std::vector<std::string> FunctionNames() const { return {}; }
  // Source code for a format ("ll", "asm", "c", ...), if the module keeps it.
  virtual std::string GetSource(const std::string& format) const;

  std::vector<Module> imports;
};

class Module {
 public:
  Module() = default;
  explicit Module(Ref<ModuleObj> obj) : obj_(std::move(obj)) {}

  // Looks in this module, then in its imports; undefined when absent.
  Function GetFunction(const std::string& name) const;
  // Like GetFunction but raises kiln::Error naming the module and function.
  Function operator[](const std::string& name) const;
  void Import(const Module& other) const { obj_->imports.push_back(other); }
  const std::vector<Module>& imports() const { return obj_->imports; }
  std::string kind() const { return obj_->kind(); }
  std::string GetSource(const std::string& format = "") const { return obj_->GetSource(format); }

  // Loads a module file. The loader is the registered function
  // "runtime.module.load_<ext>" for the file's extension ("so", ...).
  static Module Load(const std::string& path);

  bool defined() const { return static_cast<bool>(obj_); }
  const Ref<ModuleObj>& obj() const { return obj_; }

 private:
  Ref<ModuleObj> obj_;
};

// A Function over a compiled function in the C convention of c_api.h: Any
// arguments become KilnValues, a non-zero return a kiln::Error carrying the
// message the code set. `keep_alive` owns the code (a library, a JIT) for as
// long as the Function lives.
Function WrapCFunction(const std::string& name, KilnCFunc f, ObjectRef keep_alive);

template <>
struct AnyCast<Module> {
  static constexpr const char* kName = "Module";
  static Module Get(const Any& a);
};

}  // namespace kiln::runtime
