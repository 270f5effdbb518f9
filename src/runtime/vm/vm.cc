// VirtualMachine: resolving the function table, calls from outside (argument
// checks, devices), and the handle's API. The run loop is in interpreter.cc.
#include "kiln/runtime/vm/vm.h"

#include "kiln/runtime/edit_distance.h"
#include "vm_object.h"

namespace kiln::runtime::vm {

namespace {
Function ResolvePacked(const VMFunction& f, const Module& kernels) {
  if (f.kind == FuncKind::kKernel) {
    KILN_CHECK(kernels.defined()) << "VirtualMachine: the executable calls kernel '" << f.name
                                  << "' but no kernel module was given";
    Function fn = kernels.GetFunction(f.name);
    KILN_CHECK(fn.defined()) << "VirtualMachine: kernel '" << f.name << "' is not in the kernel module (a "
                             << kernels.kind() << " module)";
    return fn;
  }
  try {
    return Registry::Get(f.name);
  } catch (const Error& e) {
    KILN_THROW() << "VirtualMachine: cannot resolve global function '" << f.name << "': " << e.message();
  }
}
}  // namespace

VirtualMachineObj::VirtualMachineObj(Executable exec, Module kernels, Device device)
    : exec_(std::move(exec)), kernels_(std::move(kernels)) {
  KILN_CHECK(exec_) << "VirtualMachine: the executable is undefined";
  exec_->Validate();
  DeviceAPI::Get(device);  // raises when the device is not available here
  devices_ = {device, Device::CPU()};
  device_values_ = {Any(device), Any(Device::CPU())};
  for (const Any& c : exec_->constants) {
    NDArray a = c.kind() == Any::Kind::kObject ? NDArray(c.AsObject().As<NDArrayObj>()) : NDArray();
    constants_.push_back(a.defined() && a.device() != device ? Any(a.CopyTo(device)) : c);
  }
  const std::vector<VMFunction>& funcs = exec_->functions;
  callees_.resize(funcs.size());
  max_args_.resize(funcs.size(), 0);
  checkers_.reserve(funcs.size());
  for (size_t i = 0; i < funcs.size(); ++i) {
    const VMFunction& f = funcs[i];
    Callee& c = callees_[i];
    checkers_.emplace_back(f);
    if (f.kind == FuncKind::kVM) {
      c.vm = static_cast<int64_t>(i);
      for (const Instruction& in : f.code) max_args_[i] = std::max<int64_t>(max_args_[i], in.args.size());
      continue;
    }
    c.function = ResolvePacked(f, kernels_);
    c.fn = c.function.obj().get();
    c.value = Any(c.function);
  }
}

Function VirtualMachineObj::GetFunction(const std::string& name) {
  int64_t index = exec_->FindVMFunction(name);
  if (index < 0) return Function();
  return Function(name, [self = GetRef(this), index](const Any* args, int n, Any* result) {
    *result = self->Invoke(index, args, n);
  });
}

std::string VirtualMachineObj::GetSource(const std::string& format) const {
  if (format.empty() || format == "text") return exec_->AsText();
  return ModuleObj::GetSource(format);
}

int64_t VirtualMachineObj::VMFunctionIndex(const std::string& name) const {
  int64_t index = exec_->FindVMFunction(name);
  if (index >= 0) return index;
  std::vector<std::string> names = exec_->VMFunctionNames();
  std::string list, best = ClosestName(name, names);
  for (const std::string& n : names) list += (list.empty() ? "" : ", ") + n;
  KILN_THROW() << "VirtualMachine: no function '" << name << "'"
               << (best.empty() ? "" : " (did you mean '" + best + "'?)") << "; the executable has: " << list;
}

Any VirtualMachineObj::Invoke(int64_t func, const Any* args, int num_args) {
  checkers_[func].Check(args, num_args);
  return Run(func, args, num_args);
}

namespace {
VirtualMachineObj* Impl(const Module& mod) {
  KILN_CHECK(mod.defined()) << "VirtualMachine: use of an undefined virtual machine";
  return static_cast<VirtualMachineObj*>(mod.obj().get());
}
}  // namespace

VirtualMachine::VirtualMachine(const Executable& exec, const Module& kernels, Device device)
    : mod_(MakeObject<VirtualMachineObj>(exec, kernels, device)) {}

Function VirtualMachine::GetFunction(const std::string& name) const {
  VirtualMachineObj* vm = Impl(mod_);
  vm->VMFunctionIndex(name);  // raises with the list of functions
  return vm->GetFunction(name);
}

Any VirtualMachine::Invoke(const std::string& name, const std::vector<Any>& args) const {
  VirtualMachineObj* vm = Impl(mod_);
  return vm->Invoke(vm->VMFunctionIndex(name), args.data(), static_cast<int>(args.size()));
}

ProfileReport VirtualMachine::Profile(const std::string& name, const std::vector<Any>& args) const {
  VirtualMachineObj* vm = Impl(mod_);
  return vm->Profile(vm->VMFunctionIndex(name), args.data(), static_cast<int>(args.size()));
}

const Executable& VirtualMachine::executable() const {
  return Impl(mod_)->exec();
}

Device VirtualMachine::device() const {
  return Impl(mod_)->device();
}

}  // namespace kiln::runtime::vm
