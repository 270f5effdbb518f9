// VirtualMachine: runs an Executable's VM functions on one device, calling
// kernels from its kernel module and builtins from the global registry (all
// resolved once, when the VM is made). Calls from outside check their
// arguments against the function's parameter infos first and raise
// kiln::Error naming the function, the argument and the expected struct
// info; after any error the VM is ready for the next call. A VM is a Module
// (kind "vm") whose functions are the executable's VM functions, so C++ and
// Python call them like any Function, and time them with TimeEvaluator;
// its GetSource() is the executable's text form.
//
// A VirtualMachine is not thread-safe: use one per thread (they can share one
// Executable and kernel module). Calls from inside a call (a builtin or a
// Python callback calling back into the same VM) are fine.
#pragma once

#include <string>
#include <vector>

#include "kiln/runtime/module.h"
#include "kiln/runtime/vm/executable.h"

namespace kiln::runtime::vm {

// Time per packed function over one profiled run.
class ProfileReportObj : public Object {
 public:
  KILN_OBJECT_TYPE(ProfileReportObj, Object, "runtime.vm.ProfileReport")
  struct Row {
    std::string name;
    std::string kind;  // "kernel" (kernel module) or "global" (registry)
    int64_t calls = 0;
    double total_us = 0;
  };
  std::string function;   // the VM function that ran
  std::vector<Row> rows;  // by total time, longest first
  double total_us = 0;    // the whole run, checks and interpretation included

  // One line per row plus the time outside packed functions and the total.
  std::string Table() const;
};
using ProfileReport = Ref<ProfileReportObj>;

class VirtualMachine {
 public:
  VirtualMachine() = default;
  // `kernels` may be undefined when the executable calls no kernel. Raises
  // kiln::Error naming any function table entry that cannot be resolved.
  VirtualMachine(const Executable& exec, const Module& kernels, Device device);
  // A shared library written by export (deploy.h): its executable and, as the
  // kernel module, the library itself.
  static VirtualMachine FromLibrary(const Module& library, Device device);

  // The VM function `name` as a Function (arguments checked on each call);
  // raises kiln::Error listing the functions when there is none.
  Function GetFunction(const std::string& name) const;
  Any Invoke(const std::string& name, const std::vector<Any>& args) const;
  // Runs `name` once and times every call of a packed function (the device
  // is synchronised after each when it is not the CPU).
  ProfileReport Profile(const std::string& name, const std::vector<Any>& args) const;

  const Executable& executable() const;
  Device device() const;
  // The VM as a Module (kind "vm").
  const Module& module() const { return mod_; }
  bool defined() const { return mod_.defined(); }

 private:
  explicit VirtualMachine(Module mod) : mod_(std::move(mod)) {}
  Module mod_;
};

}  // namespace kiln::runtime::vm
