// The c target's part of ExportLibrary: a kernels module of kind "c" enters
// the shared library as an object file compiled from its source.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "c_module.h"
#include "kiln/runtime/error.h"

namespace kiln::codegen {

std::string CompileCSourceToObject(const std::string& source, const std::string& cc, const std::string& action) {
  std::filesystem::path dir = std::filesystem::temp_directory_path();
  std::string tmpl = (dir / "kiln-c-export-XXXXXX.o").string();
  int fd = mkstemps(tmpl.data(), 2);
  KILN_CHECK(fd >= 0) << "export_library: cannot create a temporary file in " << dir;
  close(fd);
  struct Remove {
    std::string path;
    ~Remove() {
      std::error_code ignored;
      std::filesystem::remove(path, ignored);
    }
  } remove{tmpl};
  CompileCSource(source, cc, tmpl, false, action);
  std::ifstream in(tmpl, std::ios::binary);
  std::ostringstream object;
  object << in.rdbuf();
  return object.str();
}

bool AppendCKernelObject(const runtime::Module& kernels, const std::string& cc,
                         std::vector<std::pair<std::string, std::string>>* inputs) {
  auto* c = dynamic_cast<CSourceModuleObj*>(kernels.obj().get());
  if (c == nullptr) return false;
  inputs->emplace_back(".o", CompileCSourceToObject(c->source(), cc, "export_library: compiling the c kernels"));
  return true;
}

}  // namespace kiln::codegen
