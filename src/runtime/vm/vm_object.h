// VirtualMachineObj: the state of a VirtualMachine (internal header). The
// function table resolved to callees, the constants on the VM's device, a
// stack of frames reused across calls (no allocation per instruction or per
// call once warm), and the profiler's counters.
#pragma once

#include <chrono>
#include <memory>
#include <vector>

#include "kiln/runtime/vm/vm.h"
#include "param_check.h"

namespace kiln::runtime::vm {

class VirtualMachineObj final : public ModuleObj {
 public:
  KILN_OBJECT_TYPE(VirtualMachineObj, ModuleObj, "runtime.vm.VirtualMachine")
  VirtualMachineObj(Executable exec, Module kernels, Device device);

  Function GetFunction(const std::string& name) override;
  std::string kind() const override { return "vm"; }
  std::vector<std::string> FunctionNames() const override { return exec_->VMFunctionNames(); }
  // The executable's text form (format "" or "text").
  std::string GetSource(const std::string& format) const override;

  // A call from outside: checks the arguments, then runs.
  Any Invoke(int64_t func, const Any* args, int num_args);
  ProfileReport Profile(int64_t func, const Any* args, int num_args);
  // The index of VM function `name`; raises kiln::Error listing the others.
  int64_t VMFunctionIndex(const std::string& name) const;

  const Executable& exec() const { return exec_; }
  Device device() const { return devices_[kVMDevice]; }

 private:
  // One function table entry, resolved.
  struct Callee {
    int64_t vm = -1;            // a VM function: its table index; else -1
    FunctionObj* fn = nullptr;  // a packed function (owned by `function`)
    Function function;
    Any value;  // the entry as a Function value (Operand kind kFunc), packed only
  };
  struct Frame {
    int64_t func = 0;
    const Instruction* code = nullptr;
    int64_t pc = 0;
    int64_t ret_dst = kVoidRegister;  // the caller's register for the result
    std::vector<Any> regs;
    std::vector<Any> scratch;  // arguments of a packed call
  };
  struct CallStat {
    int64_t calls = 0;
    double ns = 0;
  };

  Frame* PushFrame(int64_t func, int64_t ret_dst);
  void PopFrame();
  Any Run(int64_t func, const Any* args, int num_args);
  Any Loop(size_t base);
  void CallPacked(Frame* f, const Instruction& in, const Callee& c);
  Any Read(const Frame& f, const Operand& op);
  [[noreturn]] void Rethrow(size_t base);

  Executable exec_;
  Module kernels_;
  std::vector<Device> devices_;  // kVMDevice, kHostDevice
  std::vector<Any> device_values_;
  std::vector<Callee> callees_;
  std::vector<Any> constants_;
  std::vector<ParamChecker> checkers_;  // per table entry (VM functions only are used)
  std::vector<int64_t> max_args_;       // per table entry: the most arguments of a packed call in its body
  std::vector<std::unique_ptr<Frame>> frames_;
  size_t depth_ = 0;
  std::vector<CallStat>* profile_ = nullptr;  // set while Profile runs
};

}  // namespace kiln::runtime::vm
