// CompiledModuleObj::ExportLibrary: one shared library holding the kernels'
// object file (from LLVM) and the executable's bytes as C data
// (runtime/vm/deploy.h), compiled and linked by the system C compiler.
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>

#include "../llvm/llvm_module.h"
#include "kiln/compile.h"
#include "kiln/runtime/error.h"
#include "kiln/runtime/vm/deploy.h"

namespace kiln {
namespace {

std::string Quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// A temporary file holding `contents`, removed at scope exit.
class TempFile {
 public:
  TempFile(const std::string& suffix, const std::string& contents) {
    std::string tmpl = (std::filesystem::temp_directory_path() / ("kiln-export-XXXXXX" + suffix)).string();
    int fd = mkstemps(tmpl.data(), static_cast<int>(suffix.size()));
    KILN_CHECK(fd >= 0) << "export_library: cannot create a temporary file in " << tmpl;
    close(fd);
    path_ = tmpl;
    std::ofstream out(path_, std::ios::binary);
    out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
    KILN_CHECK(out.good()) << "export_library: cannot write " << path_;
  }
  ~TempFile() { std::filesystem::remove(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace

void CompiledModuleObj::ExportLibrary(const std::string& path, const std::string& cc) const {
  TempFile source(".c", runtime::vm::ExecutableAsCSource(exec));
  std::optional<TempFile> object;
  if (kernels.defined()) {
    auto* llvm = dynamic_cast<codegen::LLVMModuleObj*>(kernels.obj().get());
    KILN_CHECK(llvm) << "export_library: cannot export kernels of a module of kind '" << kernels.kind() << "'";
    object.emplace(".o", llvm->ObjectCode());
  }
  std::string cmd = Quote(cc) + " -shared -fPIC -o " + Quote(path) + " " + Quote(source.path()) +
                    (object ? " " + Quote(object->path()) : std::string()) + " -lm 2>&1";
  FILE* pipe = popen(cmd.c_str(), "r");
  KILN_CHECK(pipe) << "export_library: cannot run '" << cmd << "'";
  std::string output;
  std::array<char, 512> buf;
  while (size_t n = fread(buf.data(), 1, buf.size(), pipe)) output.append(buf.data(), n);
  KILN_CHECK(pclose(pipe) == 0) << "export_library: building '" << path << "' failed: " << cmd << "\n" << output;
}

KILN_REGISTER_FUNCTION("compile.export_library", [](CompiledModule c, std::string path) { c->ExportLibrary(path); });

}  // namespace kiln
