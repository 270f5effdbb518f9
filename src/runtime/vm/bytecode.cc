// Instructions and operands: constructors and their text form.
#include "kiln/runtime/vm/bytecode.h"

namespace kiln::runtime::vm {

std::string Operand::str() const {
  switch (kind) {
    case Kind::kRegister: return "%" + std::to_string(value);
    case Kind::kConst: return "c" + std::to_string(value);
    case Kind::kImm: return std::to_string(value);
    case Kind::kFunc: return "@" + std::to_string(value);
    case Kind::kDevice:
      if (value == kVMDevice) return "vm_device";
      if (value == kHostDevice) return "host_device";
      return "device" + std::to_string(value);
  }
  return "?";
}

Instruction Instruction::Call(int64_t func, std::vector<Operand> args, int64_t dst) {
  Instruction in;
  in.op = Opcode::kCall;
  in.func = func;
  in.args = std::move(args);
  in.dst = dst;
  return in;
}

Instruction Instruction::Ret(Operand value) {
  Instruction in;
  in.op = Opcode::kRet;
  in.value = value;
  return in;
}

Instruction Instruction::Goto(int64_t target) {
  Instruction in;
  in.op = Opcode::kGoto;
  in.target = target;
  return in;
}

Instruction Instruction::If(Operand cond, int64_t else_target) {
  Instruction in;
  in.op = Opcode::kIf;
  in.value = cond;
  in.target = else_target;
  return in;
}

}  // namespace kiln::runtime::vm
