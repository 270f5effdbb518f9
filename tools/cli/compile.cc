// `kiln compile MODEL -o OUT.so`: imports a .kir or .onnx model, runs a
// pipeline (optionally dumping the module after each pass) and exports one
// shared library that `kiln run` and the runtime load.
#include <chrono>
#include <filesystem>
#include <iomanip>
#include <iostream>

#include "commands.h"
#include "model.h"

namespace kiln::cli {

namespace {

int Run(const Args& args) {
  const std::string& input = args.positional()[0];
  std::string output = args.Get("output");
  if (output.empty()) throw UsageError("kiln compile: missing -o OUT.so");
  if (std::filesystem::path(output).extension() != ".so") {
    throw UsageError("kiln compile: the output '" + output + "' must end in .so");
  }
  if (KindOf(input) == ModelKind::kLibrary) {
    throw UsageError("kiln compile: " + input + " is already compiled; give a .onnx or .kir model");
  }
  CompileOptions options;
  options.target = args.Get("target", options.target);
  options.pipeline = args.Get("pipeline", options.pipeline);
  options.dump_ir = args.Get("dump-ir");
  options.time_passes = args.Has("time-passes");

  auto start = std::chrono::steady_clock::now();
  ir::IRModule mod = ImportModel(input);
  CompiledModule compiled = CompileModel(mod, options);
  compiled->ExportLibrary(output);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "wrote " << output << " (target " << options.target << ", pipeline " << options.pipeline << ", "
            << compiled->exec->VMFunctionNames().size() << " function(s), " << std::fixed << std::setprecision(2)
            << seconds << " s)\n";
  if (!options.dump_ir.empty()) std::cout << "module after each pass in " << options.dump_ir << "/\n";
  return 0;
}

}  // namespace

std::vector<OptionSpec> CompileOptionSpecs() {
  return {
      {"target", "TARGET", "target to compile for (default llvm: the host CPU)"},
      {"pipeline", "NAME", "pipeline of passes: default or zero (see `kiln pipelines`)"},
  };
}

Command CompileCommand() {
  Command c;
  c.name = "compile";
  c.summary = "compile a .onnx or .kir model into a shared library";
  c.usage = "kiln compile MODEL.onnx|MODEL.kir -o OUT.so [options]";
  c.options = {{"output", "OUT.so", "the library to write (required)", false, 'o'}};
  for (OptionSpec& o : CompileOptionSpecs()) c.options.push_back(o);
  c.options.push_back({"dump-ir", "DIR", "write the module after each pass to DIR/NNN_<pass>.kir"});
  c.options.push_back({"time-passes", "", "print the time each pass took"});
  c.min_positional = c.max_positional = 1;
  c.run = Run;
  return c;
}

}  // namespace kiln::cli
