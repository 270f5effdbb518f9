// Loading, importing and compiling model files for the `kiln` commands (model.h).
#include "model.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "args.h"
#include "kiln/frontend/onnx.h"
#include "kiln/runtime/error.h"
#include "kiln/text/parser.h"
#include "kiln/transform/pipeline.h"

namespace kiln::cli {

namespace {

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  KILN_CHECK(in) << path << ": cannot open file";
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void CheckExists(const std::string& path) {
  std::error_code ec;
  KILN_CHECK(std::filesystem::is_regular_file(path, ec)) << path << ": no such file";
}

}  // namespace

ModelKind KindOf(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  if (ext == ".kir") return ModelKind::kText;
  if (ext == ".onnx") return ModelKind::kONNX;
  if (ext == ".so") return ModelKind::kLibrary;
  throw UsageError("kiln: " + path + ": unknown model file type '" + ext +
                   "' (expected .onnx, .kir, or a .so written by `kiln compile`)");
}

ir::IRModule ImportModel(const std::string& path) {
  ModelKind kind = KindOf(path);
  CheckExists(path);
  if (kind == ModelKind::kText) return kiln::Parse(ReadText(path), path);
  KILN_CHECK(kind == ModelKind::kONNX) << path << ": a compiled library cannot be imported; give the .onnx or .kir";
  return WithFileName(path, [&] { return frontend::FromONNX(path); });
}

CompiledModule CompileModel(const ir::IRModule& mod, const CompileOptions& options) {
  transform::Pass pipeline = transform::GetPipeline(options.pipeline, options.target);
  std::map<std::string, runtime::Any> config;
  if (!options.dump_ir.empty()) config["dump_ir"] = runtime::Any(options.dump_ir);
  std::vector<transform::PassInstrument> instruments;
  transform::PassTiming timing;
  if (options.time_passes) {
    timing = transform::MakePassTiming();
    instruments.push_back(timing);
  }
  transform::PassContext ctx =
      transform::PassContext::Create(transform::PassContext::Current().opt_level(), config, instruments);
  CompiledModule compiled;
  {
    transform::PassContextScope scope(ctx);
    compiled = Compile(mod, options.target, pipeline);
  }
  if (timing) std::cout << timing->Report();
  return compiled;
}

LoadedModel LoadModel(const std::string& path, const CompileOptions& options) {
  LoadedModel out;
  if (KindOf(path) == ModelKind::kLibrary) {
    CheckExists(path);
    out.vm = runtime::vm::VirtualMachine::FromLibrary(runtime::Module::Load(path), runtime::Device::CPU());
    return out;
  }
  ir::IRModule mod = ImportModel(path);
  auto start = std::chrono::steady_clock::now();
  CompiledModule compiled = CompileModel(mod, options);
  out.compile_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  out.vm = runtime::vm::VirtualMachine(compiled->exec, compiled->kernels, runtime::Device::CPU());
  return out;
}

const runtime::vm::VMFunction& FindFunction(const LoadedModel& model, const std::string& path,
                                            const std::string& name) {
  const runtime::vm::Executable& exec = model.vm.executable();
  int64_t index = exec->FindVMFunction(name);
  if (index < 0) {
    std::string known;
    for (const std::string& f : exec->VMFunctionNames()) known += (known.empty() ? "" : ", ") + f;
    KILN_THROW() << path << " has no function '" << name << "' (functions: " << known << ")";
  }
  return exec->functions[index];
}

}  // namespace kiln::cli
