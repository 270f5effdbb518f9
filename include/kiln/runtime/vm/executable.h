// Executable: what the VM runs. A function table (VM functions with their
// parameters, register count and bytecode, plus the names of packed functions
// to resolve when a VirtualMachine is made: kernels from the kernel module,
// builtins from the global registry), a constant pool, a versioned binary form
// that rejects truncated or corrupt bytes with kiln::Error, and a text dump.
// Build one with ExecBuilder (exec_builder.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kiln/runtime/any.h"
#include "kiln/runtime/vm/bytecode.h"
#include "kiln/runtime/vm/param_info.h"

namespace kiln::runtime::vm {

enum class FuncKind : uint8_t {
  kVM = 0,      // bytecode in this executable
  kKernel = 1,  // a function of the kernel module (compiled tir), by name
  kGlobal = 2,  // a function of the global registry (builtins, libraries), by name
};

// One entry of the function table. Only VM functions have a body.
struct VMFunction {
  FuncKind kind = FuncKind::kVM;
  std::string name;
  std::vector<std::string> param_names;  // VM: one per parameter
  std::vector<ParamInfo> params;         // VM: what each argument must be
  int64_t num_registers = 0;             // VM: at least the number of parameters
  std::vector<Instruction> code;         // VM: the body

  // "main(x: Tensor((n, 784), float32), w: Tensor((784, 10), float32))".
  std::string Signature() const;
};

// An executable must not change once a VirtualMachine uses it (the VM keeps
// pointers into it); LoadFromBytes and ExecBuilder::Finish make new ones.
class ExecutableObj : public Object {
 public:
  KILN_OBJECT_TYPE(ExecutableObj, Object, "runtime.vm.Executable")

  std::vector<VMFunction> functions;
  // None, int, float, bool, str, DataType (not void), Shape, or NDArray (kept
  // on the CPU; a VM copies them to its device once).
  std::vector<Any> constants;

  // The index of the VM function `name`, or -1.
  int64_t FindVMFunction(const std::string& name) const;
  std::vector<std::string> VMFunctionNames() const;

  // Raises kiln::Error naming the function and instruction when an index is
  // out of range, a target leaves its function, a function can run off its
  // end, a name is missing or repeated, or a constant has a kind the pool
  // does not hold. The VM and LoadFromBytes run it; the builder too.
  void Validate() const;

  // Human-readable form: the function table, the constants, each VM function
  // with one instruction per line.
  std::string AsText() const;

  // The binary form (format in src/runtime/vm/executable_bytes.cc).
  std::string SaveToBytes() const;
  // Reads SaveToBytes' output; raises kiln::Error naming what is wrong and the
  // byte offset for anything else, and validates the result.
  static Ref<ExecutableObj> LoadFromBytes(const void* data, size_t size);
  static Ref<ExecutableObj> LoadFromBytes(const std::string& bytes) {
    return LoadFromBytes(bytes.data(), bytes.size());
  }
};
using Executable = Ref<ExecutableObj>;

}  // namespace kiln::runtime::vm
