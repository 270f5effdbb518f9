// The model files `kiln` commands take: relax text (.kir) and ONNX (.onnx)
// are imported and compiled; shared libraries (.so) written by
// `kiln compile` are loaded with the runtime.
#pragma once

#include <string>

#include "kiln/compile.h"
#include "kiln/ir/module.h"
#include "kiln/runtime/error.h"
#include "kiln/runtime/vm/vm.h"

namespace kiln::cli {

enum class ModelKind { kText, kONNX, kLibrary };

// The kind of `path` by its extension; a UsageError for any other.
ModelKind KindOf(const std::string& path);

// Reads a .kir or .onnx model; kiln::Error names the file and what is wrong.
ir::IRModule ImportModel(const std::string& path);

// Runs `f`, adding "path: " to the message of a kiln::Error that does not
// name the file (the ONNX importer's errors name the node, not the file).
template <typename F>
auto WithFileName(const std::string& path, F f) -> decltype(f()) {
  try {
    return f();
  } catch (const InternalError&) {
    throw;
  } catch (const Error& e) {
    if (e.message().find(path) != std::string::npos) throw;
    throw Error(path + ": " + e.message());
  }
}

struct CompileOptions {
  std::string target = "llvm";
  std::string pipeline = "default";  // a name from transform::ListPipelines()
  std::string dump_ir;               // a folder for the module after each pass; empty: none
  bool time_passes = false;          // print each pass's time to stdout
};

// Compiles `mod` with kiln::Compile and the named pipeline.
CompiledModule CompileModel(const ir::IRModule& mod, const CompileOptions& options);

struct LoadedModel {
  runtime::vm::VirtualMachine vm;
  double compile_seconds = -1;  // -1 when loaded from a library
};

// A VM for the model at `path`: a library is loaded, anything else compiled.
LoadedModel LoadModel(const std::string& path, const CompileOptions& options);

// The VM function `name` of the model at `path`; kiln::Error lists the
// functions when there is none.
const runtime::vm::VMFunction& FindFunction(const LoadedModel& model, const std::string& path, const std::string& name);

}  // namespace kiln::cli
