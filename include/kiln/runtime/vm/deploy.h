// How an executable ships inside the shared library of its kernels. The
// export step compiles ExecutableAsCSource(exec) with the kernels' object
// into one .so, which then defines
//
//   const uint64_t __kiln_vm_executable_size;             // bytes
//   const unsigned char __kiln_vm_executable[];            // SaveToBytes()
//   int32_t kiln_vm_executable_data(...);  // KilnCFunc: returns the address as an int
//   int32_t kiln_vm_executable_size(...);  // KilnCFunc: returns the size
//
// The two functions exist because a library module hands out functions only
// (Module::GetFunction); the names kiln_vm_* are reserved for this. Loading:
//   Module lib = Module::Load("model.so");
//   VirtualMachine vm = VirtualMachine::FromLibrary(lib, Device::CPU());
#pragma once

#include <string>

#include "kiln/runtime/module.h"
#include "kiln/runtime/vm/executable.h"

namespace kiln::runtime::vm {

constexpr const char* kExecutableSymbol = "__kiln_vm_executable";
constexpr const char* kExecutableSizeSymbol = "__kiln_vm_executable_size";
constexpr const char* kExecutableDataFunc = "kiln_vm_executable_data";
constexpr const char* kExecutableSizeFunc = "kiln_vm_executable_size";

// A self-contained C file (it includes only <stdint.h>) defining the symbols
// above for `exec`.
std::string ExecutableAsCSource(const Executable& exec);
// The bytes as above, for a caller that already has them.
std::string ExecutableBytesAsCSource(const std::string& bytes);

// The executable a library carries; raises kiln::Error when it has none.
Executable LoadExecutableFromLibrary(const Module& library);

}  // namespace kiln::runtime::vm
