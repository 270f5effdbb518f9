// The table of environment variables Kiln's C++ code reads (see
// include/kiln/runtime/env.h). Add a row here before reading a new one.
#include "kiln/runtime/env.h"

#include <algorithm>
#include <cstdlib>

#include "kiln/runtime/error.h"

namespace kiln::runtime {

const std::vector<EnvVarInfo>& ListEnvVars() {
  static const std::vector<EnvVarInfo> vars = [] {
    std::vector<EnvVarInfo> v = {
        {"KILN_CC", "string (a command)", "cc",
         "the C compiler command (\"ccache gcc\" works) that builds the C target's source into objects and "
         "shared libraries",
         "src/codegen/c/c_module.cc"},
        {"KILN_DUMP_IR", "string (a folder)", "unset: no dumps",
         "writes the module after each pass to this folder as NNN_<pass>.kir, as the PassContext config "
         "'dump_ir' does (the config wins when both are set)",
         "src/transform/pass_context.cc"},
        {"KILN_LIBDEVICE", "string (a file)", "nvvm/libdevice/libdevice.10.bc under $CUDA_HOME, /usr/local/cuda, "
         "then the newest /usr/local/cuda-*",
         "the libdevice bitcode (NVIDIA's math functions) linked into cuda kernels that call them",
         "src/codegen/cuda/libdevice.cc"},
        {"KILN_NUM_THREADS", "int (1 to 1024)", "the cores this process may run on",
         "the size of the runtime's thread pool that parallel loops run on; other values raise kiln.Error",
         "src/runtime/thread_pool.cc"},
    };
    std::sort(v.begin(), v.end(), [](const EnvVarInfo& a, const EnvVarInfo& b) { return a.name < b.name; });
    return v;
  }();
  return vars;
}

const char* GetEnv(const std::string& name) {
  const std::vector<EnvVarInfo>& vars = ListEnvVars();
  KILN_ICHECK(std::any_of(vars.begin(), vars.end(), [&](const EnvVarInfo& v) { return v.name == name; }))
      << "environment variable " << name << " is read but not declared in src/runtime/env.cc";
  return std::getenv(name.c_str());
}

}  // namespace kiln::runtime
