// ExportLibrary: a module from Build as a shared library. LLVM writes the
// object file; the system C compiler links it (cc -shared ... -lm), so the
// library needs nothing of Kiln but the runtime's __kiln_runtime_api table.
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <vector>

#include "../c/c_module.h"
#include "kiln/codegen/build.h"
#include "kiln/runtime/error.h"
#include "llvm_module.h"

namespace kiln::codegen {

namespace {

// `s` quoted for the shell.
std::string Quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// Runs `cmd` through the shell; returns its exit status and output.
std::pair<int, std::string> RunCommand(const std::string& cmd) {
  FILE* pipe = popen((cmd + " 2>&1").c_str(), "r");
  KILN_CHECK(pipe) << "cannot run '" << cmd << "'";
  std::string output;
  std::array<char, 512> buf;
  while (size_t n = fread(buf.data(), 1, buf.size(), pipe)) output.append(buf.data(), n);
  return {pclose(pipe), output};
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

void LinkSharedLibrary(const std::vector<std::pair<std::string, std::string>>& inputs, const std::string& path,
                       const std::string& cc, const std::string& action) {
  std::vector<std::unique_ptr<TempFile>> files;
  std::string cmd = Quote(cc) + " -shared -fPIC -o " + Quote(path);
  for (const auto& [suffix, contents] : inputs) {
    files.push_back(std::make_unique<TempFile>(suffix, contents));
    cmd += " " + Quote(files.back()->path());
  }
  cmd += " -lm";
  auto [status, output] = RunCommand(cmd);
  KILN_CHECK(status == 0) << action << " '" << path << "' failed: " << cmd << "\n" << output;
}

void ExportLibrary(const runtime::Module& module, const std::string& path, const std::string& cc) {
  KILN_CHECK(module.defined()) << "ExportLibrary: the module is undefined";
  auto* obj = dynamic_cast<LLVMModuleObj*>(module.obj().get());
  bool c = dynamic_cast<CSourceModuleObj*>(module.obj().get()) != nullptr;
  KILN_CHECK(obj || c) << "ExportLibrary: cannot export a module of kind '" << module.kind()
                       << "'; expected one from codegen::Build (kind llvm or c)";
  KILN_CHECK(module.imports().empty()) << "ExportLibrary: modules with imports cannot be exported yet";
  std::vector<std::pair<std::string, std::string>> inputs;
  if (!AppendCKernelObject(module, cc, &inputs)) inputs.emplace_back(".o", obj->ObjectCode());
  LinkSharedLibrary(inputs, path, cc, "ExportLibrary: linking");
}

KILN_REGISTER_FUNCTION("codegen.export_library",
                       [](runtime::Module module, std::string path) { ExportLibrary(module, path); });

}  // namespace kiln::codegen
