// CSourceModuleObj and the system C compiler behind it: the source compiled
// once, on first use, into a temporary shared library that is loaded like an
// exported one (runtime.module.load_so) and then removed from the disk.
#include "c_module.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "kiln/runtime/env.h"
#include "kiln/runtime/error.h"

namespace kiln::codegen {

namespace {

// `s` quoted for the shell.
std::string ShellQuote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// A temporary directory, removed with its contents at scope exit.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "kiln-c-XXXXXX").string();
    KILN_CHECK(mkdtemp(tmpl.data()) != nullptr) << "c target: cannot create a temporary directory " << tmpl;
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace

std::string DefaultCCompiler() {
  const char* cc = runtime::GetEnv("KILN_CC");
  return cc && *cc ? cc : "cc";
}

void CompileCSource(const std::string& source, const std::string& cc, const std::string& output, bool shared,
                    const std::string& action) {
  TempDir dir;
  std::string src = dir / "kernels.c";
  {
    std::ofstream out(src, std::ios::binary);
    out << source;
    KILN_CHECK(out.good()) << action << ": cannot write " << src;
  }
  // cc is a command (KILN_CC may hold "ccache gcc"): it is not quoted.
  std::string cmd = cc + " -O2 -fPIC -std=c11 " + (shared ? "-shared " : "-c ") + "-o " + ShellQuote(output) + " " +
                    ShellQuote(src) + (shared ? " -lm" : "");
  FILE* pipe = popen((cmd + " 2>&1").c_str(), "r");
  KILN_CHECK(pipe) << action << ": cannot run '" << cmd << "'";
  std::string log;
  std::array<char, 512> buf;
  while (size_t n = fread(buf.data(), 1, buf.size(), pipe)) log.append(buf.data(), n);
  int status = pclose(pipe);
  KILN_CHECK(status == 0) << action << " failed: " << cmd << "\n" << log;
}

CSourceModuleObj::CSourceModuleObj(std::string source, std::vector<std::string> names, std::string cc)
    : source_(std::move(source)), names_(std::move(names)), cc_(std::move(cc)) {}

std::string CSourceModuleObj::GetSource(const std::string& format) const {
  KILN_CHECK(format.empty() || format == "c") << "c module: no source in format '" << format << "' (available: c)";
  return source_;
}

runtime::Function CSourceModuleObj::GetFunction(const std::string& name) {
  if (std::find(names_.begin(), names_.end(), name) == names_.end()) return runtime::Function();
  std::lock_guard<std::mutex> lock(mu_);
  if (!library_.defined()) {
    TempDir dir;
    std::string so = dir / "kernels.so";
    CompileCSource(source_, cc_, so, true, "c target: compiling the kernels");
    // Loaded, the library stays mapped after its file is gone.
    library_ = runtime::Module::Load(so);
  }
  return library_.GetFunction(name);
}

}  // namespace kiln::codegen
