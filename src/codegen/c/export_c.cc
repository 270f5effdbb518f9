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

bool AppendCKernelObject(const runtime::Module& kernels, const std::string& cc,
                         std::vector<std::pair<std::string, std::string>>* inputs) {
  auto* c = dynamic_cast<CSourceModuleObj*>(kernels.obj().get());
  if (c == nullptr) return false;
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
  CompileCSource(c->source(), cc, tmpl, false, "export_library: compiling the c kernels");
  std::ifstream in(tmpl, std::ios::binary);
  std::ostringstream object;
  object << in.rdbuf();
  inputs->emplace_back(".o", object.str());
  return true;
}

}  // namespace kiln::codegen
