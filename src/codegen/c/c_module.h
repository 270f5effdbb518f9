// CSourceModuleObj: the runtime Module that BuildC returns (kind "c"). It
// holds the generated C source; on first use it compiles the source with the
// system C compiler into a temporary shared library, loads it like any
// exported library, and serves its functions. ExportLibrary compiles the
// same source into the library it writes.
#pragma once

#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "kiln/runtime/module.h"

namespace kiln::codegen {

class CSourceModuleObj final : public runtime::ModuleObj {
 public:
  // `cc` compiles the source on first use.
  CSourceModuleObj(std::string source, std::vector<std::string> names, std::string cc);

  runtime::Function GetFunction(const std::string& name) override;
  std::string kind() const override { return "c"; }
  std::vector<std::string> FunctionNames() const override { return names_; }
  // "c" (or ""): the generated source.
  std::string GetSource(const std::string& format) const override;

  const std::string& source() const { return source_; }

 private:
  std::string source_;
  std::vector<std::string> names_;
  std::string cc_;
  std::mutex mu_;
  runtime::Module library_;  // compiled and loaded on first use
};

// The C compiler for the c target: $KILN_CC, else "cc".
std::string DefaultCCompiler();

// Compiles C `source` with `cc -O2 -fPIC -std=c11` into a shared library
// (`shared`, linked with -lm) or an object file at `output`. Raises
// kiln::Error "<action> failed: <command>" with the compiler's output.
void CompileCSource(const std::string& source, const std::string& cc, const std::string& output, bool shared,
                    const std::string& action);

// export_c.cc: the object code of C `source` compiled with `cc` (through a
// temporary file, removed afterwards); errors as CompileCSource's.
std::string CompileCSourceToObject(const std::string& source, const std::string& cc, const std::string& action);

// export_c.cc: for a kernels module of kind "c", appends (".o", object code
// compiled from its source with `cc`) to `inputs` and returns true; returns
// false for other modules. ExportLibrary and CompiledModuleObj::ExportLibrary
// call it before their llvm path.
bool AppendCKernelObject(const runtime::Module& kernels, const std::string& cc,
                         std::vector<std::pair<std::string, std::string>>* inputs);

}  // namespace kiln::codegen
