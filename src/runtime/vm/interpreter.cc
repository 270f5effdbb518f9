// The run loop: one switch over four opcodes. Frames are reused by depth, so
// a warm VM allocates nothing per instruction or per call (the values the
// callees make aside). An error unwinds the frames of the failed call, adds
// where it happened in the bytecode, and leaves the VM ready for the next
// call.
#include <chrono>
#include <cstring>

#include "vm_object.h"

namespace kiln::runtime::vm {

namespace {
constexpr size_t kMaxCallDepth = 10000;

// If's test: a non-zero bool or int, or a one-element bool/int/uint tensor
// whose value is not zero.
bool Truthy(const Any& v) {
  if (v.kind() == Any::Kind::kInt || v.kind() == Any::Kind::kBool) return v.AsInt() != 0;
  if (v.kind() == Any::Kind::kObject && v.AsObject()->IsInstance<NDArrayObj>()) {
    NDArray a(v.AsObject().As<NDArrayObj>());
    DataType t = a.dtype();
    if (a.numel() == 1 && t.lanes() == 1 && (t.is_int() || t.is_uint() || t.is_bool()) && t.bytes() <= 8) {
      unsigned char bytes[8] = {0};
      if (a.device().device_type == kDLCPU) {
        std::memcpy(bytes, a.data(), t.bytes());
      } else {
        a.CopyToBytes(bytes, t.bytes());
      }
      for (int64_t i = 0; i < t.bytes(); ++i) {
        if (bytes[i] != 0) return true;
      }
      return false;
    }
  }
  KILN_THROW() << "If: the condition must be a bool, an int, or a one-element bool or int tensor, got "
               << DescribeValue(v);
}

std::string Describe(const ExecutableObj& exec, const Instruction& in) {
  switch (in.op) {
    case Opcode::kCall: {
      const VMFunction& f = exec.functions[in.func];
      const char* kind = f.kind == FuncKind::kVM       ? "VM function"
                         : f.kind == FuncKind::kKernel ? "kernel"
                                                       : "global function";
      return std::string("call of ") + kind + " '" + f.name + "'";
    }
    case Opcode::kRet: return "ret";
    case Opcode::kGoto: return "goto";
    case Opcode::kIf: return "if";
  }
  return "?";
}
}  // namespace

VirtualMachineObj::Frame* VirtualMachineObj::PushFrame(int64_t func, int64_t ret_dst) {
  const VMFunction& vf = exec_->functions[func];
  KILN_CHECK(depth_ < kMaxCallDepth) << "VM function '" << vf.name << "': calls nested deeper than " << kMaxCallDepth
                                     << " (unbounded recursion?)";
  if (depth_ == frames_.size()) frames_.push_back(std::make_unique<Frame>());
  Frame* f = frames_[depth_++].get();
  f->func = func;
  f->code = vf.code.data();
  f->pc = 0;
  f->ret_dst = ret_dst;
  f->regs.resize(vf.num_registers);
  f->scratch.resize(max_args_[func]);
  return f;
}

void VirtualMachineObj::PopFrame() {
  Frame* f = frames_[--depth_].get();
  for (Any& r : f->regs) {
    if (!r.is_none()) r = Any();
  }
}

inline Any VirtualMachineObj::Read(const Frame& f, const Operand& op) {
  switch (op.kind) {
    case Operand::Kind::kRegister: return f.regs[op.value];
    case Operand::Kind::kConst: return constants_[op.value];
    case Operand::Kind::kImm: return Any(op.value);
    case Operand::Kind::kDevice: return device_values_[op.value];
    case Operand::Kind::kFunc: break;
  }
  const Callee& c = callees_[op.value];
  if (c.vm < 0) return c.value;
  return Any(GetFunction(exec_->functions[c.vm].name));  // holds the VM: made when asked, not kept
}

inline void VirtualMachineObj::CallPacked(Frame* f, const Instruction& in, const Callee& c) {
  int n = static_cast<int>(in.args.size());
  Any* args = f->scratch.data();
  for (int i = 0; i < n; ++i) args[i] = Read(*f, in.args[i]);
  Any result;
  if (profile_ == nullptr) [[likely]] {
    c.fn->body(args, n, &result);
  } else {
    auto start = std::chrono::steady_clock::now();
    c.fn->body(args, n, &result);
    if (devices_[kVMDevice].device_type != kDLCPU)
      DeviceAPI::Get(devices_[kVMDevice])->Synchronize(devices_[kVMDevice]);
    CallStat& s = (*profile_)[in.func];
    s.calls += 1;
    s.ns += std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
  }
  for (int i = 0; i < n; ++i) args[i] = Any();
  if (in.dst != kVoidRegister) f->regs[in.dst] = std::move(result);
}

Any VirtualMachineObj::Loop(size_t base) {
  Frame* f = frames_[depth_ - 1].get();
  for (;;) {
    const Instruction& in = f->code[f->pc];
    switch (in.op) {
      case Opcode::kCall: {
        const Callee& c = callees_[in.func];
        if (c.vm < 0) {
          CallPacked(f, in, c);
          ++f->pc;
          break;
        }
        Frame* callee = PushFrame(c.vm, in.dst);
        for (size_t i = 0; i < in.args.size(); ++i) callee->regs[i] = Read(*f, in.args[i]);
        f = callee;
        break;
      }
      case Opcode::kRet: {
        Any result =
            in.value.kind == Operand::Kind::kRegister ? std::move(f->regs[in.value.value]) : Read(*f, in.value);
        int64_t dst = f->ret_dst;
        PopFrame();
        if (depth_ == base) return result;
        f = frames_[depth_ - 1].get();
        if (dst != kVoidRegister) f->regs[dst] = std::move(result);
        ++f->pc;
        break;
      }
      case Opcode::kGoto: f->pc = in.target; break;
      case Opcode::kIf: f->pc = Truthy(Read(*f, in.value)) ? f->pc + 1 : in.target; break;
    }
  }
}

Any VirtualMachineObj::Run(int64_t func, const Any* args, int num_args) {
  size_t base = depth_;
  try {
    Frame* f = PushFrame(func, kVoidRegister);
    Device dev = devices_[kVMDevice];
    for (int i = 0; i < num_args; ++i) {
      const Any& a = args[i];
      NDArrayObj* t = a.kind() == Any::Kind::kObject && a.AsObject()->IsInstance<NDArrayObj>()
                          ? static_cast<NDArrayObj*>(a.AsObject().get())
                          : nullptr;
      bool elsewhere = t != nullptr &&
                       (t->tensor.device.device_type != dev.device_type || t->tensor.device.device_id != dev.device_id);
      f->regs[i] = elsewhere ? Any(NDArray(GetRef(t)).CopyTo(dev)) : a;
    }
    return Loop(base);
  } catch (...) {
    Rethrow(base);
  }
}

void VirtualMachineObj::Rethrow(size_t base) {
  // Where it happened, innermost call first, before the frames go.
  std::string where;
  for (size_t d = depth_; d > base; --d) {
    const Frame& f = *frames_[d - 1];
    where += "\n  in VM function '" + exec_->functions[f.func].name + "', instruction " + std::to_string(f.pc) + " (" +
             Describe(*exec_, f.code[f.pc]) + ")";
  }
  while (depth_ > base) {
    Frame* f = frames_[depth_ - 1].get();
    for (Any& a : f->scratch) a = Any();
    PopFrame();
  }
  try {
    throw;
  } catch (const InternalError& e) {
    auto colon = e.where().rfind(':');
    if (colon == std::string::npos) throw InternalError(e.message() + where);
    throw InternalError(e.message() + where, e.where().substr(0, colon).c_str(),
                        std::stoi(e.where().substr(colon + 1)));
  } catch (const Error& e) {
    auto colon = e.where().rfind(':');
    if (colon == std::string::npos) throw Error(e.message() + where);
    throw Error(e.message() + where, e.where().substr(0, colon).c_str(), std::stoi(e.where().substr(colon + 1)));
  }
}

}  // namespace kiln::runtime::vm
