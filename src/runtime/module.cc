// Module lookup and loading by file extension.
#include "kiln/runtime/module.h"

#include <sys/stat.h>

namespace kiln::runtime {

std::string ModuleObj::GetSource(const std::string& format) const {
  KILN_THROW() << "a " << kind() << " module keeps no source" << (format.empty() ? "" : " in format '" + format + "'");
}

Function Module::GetFunction(const std::string& name) const {
  KILN_CHECK(obj_) << "lookup of '" << name << "' in an undefined module";
  Function f = obj_->GetFunction(name);
  if (f.defined()) return f;
  for (const Module& m : obj_->imports) {
    f = m.GetFunction(name);
    if (f.defined()) return f;
  }
  return Function();
}

Function Module::operator[](const std::string& name) const {
  Function f = GetFunction(name);
  if (!f.defined()) {
    std::string names;
    for (const std::string& n : obj_->FunctionNames()) names += (names.empty() ? "" : ", ") + n;
    KILN_THROW() << "the " << kind() << " module has no function '" << name << "'"
                 << (names.empty() ? "" : " (it has: " + names + ")");
  }
  return f;
}

Module Module::Load(const std::string& path) {
  struct stat st;
  KILN_CHECK(::stat(path.c_str(), &st) == 0) << "cannot load module '" << path << "': no such file";
  size_t dot = path.rfind('.');
  size_t slash = path.rfind('/');
  std::string ext =
      (dot == std::string::npos || (slash != std::string::npos && dot < slash)) ? "" : path.substr(dot + 1);
  auto loader = Registry::Find("runtime.module.load_" + ext);
  KILN_CHECK(loader.has_value()) << "cannot load module '" << path << "': no loader for files ending in '." << ext
                                 << "' (known: .so)";
  return (*loader)(path).Cast<Module>();
}

}  // namespace kiln::runtime
