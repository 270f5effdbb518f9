// Executables inside shared libraries: the C source that carries the bytes,
// and reading them back from a loaded library.
#include "kiln/runtime/vm/deploy.h"

#include "kiln/runtime/vm/vm.h"

namespace kiln::runtime::vm {

std::string ExecutableBytesAsCSource(const std::string& bytes) {
  std::string out;
  out.reserve(bytes.size() * 3 + 2048);
  out += "/* A Kiln VM executable (" + std::to_string(bytes.size()) +
         " bytes), made by ExecutableAsCSource: compile it with the\n"
         " * kernels into one shared library; VirtualMachine::FromLibrary reads it back. */\n"
         "#include <stdint.h>\n\n";
  out += "const uint64_t __kiln_vm_executable_size = " + std::to_string(bytes.size()) + "ull;\n";
  // A string literal (one byte longer than the executable: its terminating
  // zero): printable bytes as themselves, the rest as three-digit octal
  // escapes, which compiles much faster than a list of numbers.
  out += "const unsigned char __kiln_vm_executable[" + std::to_string(bytes.size() + 1) + "] =\n    \"";
  size_t column = 0;
  for (unsigned char c : bytes) {
    if (column >= 100) {
      out += "\"\n    \"";
      column = 0;
    }
    if (c >= 0x20 && c < 0x7f && c != '\\' && c != '"' && c != '?') {
      out += static_cast<char>(c);
      column += 1;
    } else {
      char esc[5] = {'\\', static_cast<char>('0' + (c >> 6)), static_cast<char>('0' + ((c >> 3) & 7)),
                     static_cast<char>('0' + (c & 7)), 0};
      out += esc;
      column += 4;
    }
  }
  out += "\";\n\n";
  // The accessors, in the KilnCFunc convention of kiln/runtime/c_api.h
  // (KilnValue is a union whose first member is int64_t; type code 0 is int).
  out +=
      "typedef union {\n  int64_t v_int64;\n  double v_float64;\n  void* v_handle;\n} KilnVMValue;\n\n"
      "int32_t kiln_vm_executable_data(const KilnVMValue* args, const int32_t* codes, int32_t n, KilnVMValue* ret,\n"
      "                                int32_t* ret_code) {\n"
      "  (void)args;\n  (void)codes;\n  (void)n;\n"
      "  ret->v_int64 = (int64_t)(intptr_t)__kiln_vm_executable;\n  *ret_code = 0;\n  return 0;\n}\n\n"
      "int32_t kiln_vm_executable_size(const KilnVMValue* args, const int32_t* codes, int32_t n, KilnVMValue* ret,\n"
      "                                int32_t* ret_code) {\n"
      "  (void)args;\n  (void)codes;\n  (void)n;\n"
      "  ret->v_int64 = (int64_t)__kiln_vm_executable_size;\n  *ret_code = 0;\n  return 0;\n}\n";
  return out;
}

std::string ExecutableAsCSource(const Executable& exec) {
  KILN_CHECK(exec) << "ExecutableAsCSource: the executable is undefined";
  return ExecutableBytesAsCSource(exec->SaveToBytes());
}

Executable LoadExecutableFromLibrary(const Module& library) {
  KILN_CHECK(library.defined()) << "VirtualMachine: the library module is undefined";
  Function data = library.GetFunction(kExecutableDataFunc);
  Function size = library.GetFunction(kExecutableSizeFunc);
  KILN_CHECK(data.defined() && size.defined())
      << "VirtualMachine: the " << library.kind() << " module holds no VM executable (a library exported with one "
      << "defines " << kExecutableSymbol << " and the function " << kExecutableDataFunc << ")";
  auto* bytes = reinterpret_cast<const char*>(static_cast<intptr_t>(data().Cast<int64_t>()));
  int64_t n = size().Cast<int64_t>();
  KILN_CHECK(bytes != nullptr && n >= 0) << "VirtualMachine: the library's executable symbols are broken";
  try {
    return ExecutableObj::LoadFromBytes(bytes, static_cast<size_t>(n));
  } catch (const Error& e) {
    KILN_THROW() << "VirtualMachine: the library's executable: " << e.message();
  }
}

VirtualMachine VirtualMachine::FromLibrary(const Module& library, Device device) {
  return VirtualMachine(LoadExecutableFromLibrary(library), library, device);
}

}  // namespace kiln::runtime::vm
