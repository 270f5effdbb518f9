// The VM's bytecode: four opcodes over a frame of registers, each register a
// runtime::Any. Everything that is not control flow (kernels, allocation,
// shape checks and arithmetic, tuples) is a Call of an entry of the
// executable's function table; the builtins it calls are listed in
// builtins.h.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace kiln::runtime::vm {

// Semantics, for one frame (the registers of one call of a VM function; the
// arguments arrive in registers 0 .. num_params - 1, the others start as
// None):
//
//   Call  dst = functions[func](args...)   a packed function (kernel or
//         builtin) is called with the argument values; a VM function gets a
//         fresh frame and runs until its Ret. dst may be kVoidRegister (the
//         result is dropped, e.g. for a kernel in destination-passing style).
//   Ret   return value                      ends the frame; the caller's dst
//         receives the value.
//   Goto  pc = target
//   If    pc = truthy(value) ? pc + 1 : target
//         truthy: a bool or int that is not zero, or a one-element tensor of
//         bool, int or uint dtype holding a value that is not zero (read from
//         the device if needed); anything else is a kiln::Error.
//
// Targets are instruction indices inside the same function. The last
// instruction of a function is a Ret or a Goto, so control never runs off the
// end (Executable::Validate checks this and every index).
enum class Opcode : uint8_t { kCall = 0, kRet = 1, kGoto = 2, kIf = 3 };

// The register that a Call whose result is not needed writes to.
constexpr int64_t kVoidRegister = -1;
// Device operands: the device the VM runs on, and the host CPU.
constexpr int64_t kVMDevice = 0;
constexpr int64_t kHostDevice = 1;

// Where an instruction reads a value.
struct Operand {
  enum class Kind : uint8_t {
    kRegister = 0,  // register `value` of the current frame
    kConst = 1,     // constant `value` of the executable's constant pool
    kImm = 2,       // the int64 `value` itself
    kFunc = 3,      // entry `value` of the function table, as a Function value
    kDevice = 4,    // a Device: kVMDevice or kHostDevice
  };
  Kind kind = Kind::kImm;
  int64_t value = 0;

  static Operand Reg(int64_t index) { return {Kind::kRegister, index}; }
  static Operand Const(int64_t index) { return {Kind::kConst, index}; }
  static Operand Imm(int64_t v) { return {Kind::kImm, v}; }
  static Operand Func(int64_t index) { return {Kind::kFunc, index}; }
  static Operand DeviceOf(int64_t which) { return {Kind::kDevice, which}; }

  // "%3" (register), "c2" (constant), "7" (immediate), "@1" (function),
  // "vm_device" or "host_device".
  std::string str() const;
  bool operator==(const Operand& o) const { return kind == o.kind && value == o.value; }
};

struct Instruction {
  Opcode op = Opcode::kRet;
  int64_t dst = kVoidRegister;  // Call: the register that receives the result
  int64_t func = -1;            // Call: index into the function table
  std::vector<Operand> args;    // Call: the arguments
  Operand value;                // Ret: the result; If: the condition
  int64_t target = 0;           // Goto: the next pc; If: the pc when false

  static Instruction Call(int64_t func, std::vector<Operand> args, int64_t dst = kVoidRegister);
  static Instruction Ret(Operand value);
  static Instruction Goto(int64_t target);
  static Instruction If(Operand cond, int64_t else_target);
};

}  // namespace kiln::runtime::vm
