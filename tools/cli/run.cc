// `kiln run MODEL --input name=file.npy ...`: runs one function of a model
// (a compiled .so, or a .kir/.onnx compiled first) on arrays from .npy files,
// prints each output's struct info and first values, and writes them as .npy.
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "commands.h"
#include "inputs.h"
#include "kiln/runtime/error.h"
#include "model.h"
#include "npy.h"

namespace kiln::cli {

using runtime::DataType;
using runtime::NDArray;

namespace {

// The outputs as named arrays: "output" for one array, "output.0",
// "output.1.0", ... for the fields of (nested) tuples.
void Flatten(const runtime::Any& value, const std::string& name, std::vector<std::pair<std::string, NDArray>>* out) {
  if (value.kind() == runtime::Any::Kind::kObject && value.AsObject().As<runtime::ArrayObj>()) {
    std::vector<runtime::Any> items = value.Cast<std::vector<runtime::Any>>();
    for (size_t i = 0; i < items.size(); ++i) Flatten(items[i], name + "." + std::to_string(i), out);
    return;
  }
  KILN_CHECK(value.kind() == runtime::Any::Kind::kObject && value.AsObject().As<runtime::NDArrayObj>())
      << name << " is a " << value.TypeName() << ", not an array; `kiln run` prints and writes arrays only";
  out->emplace_back(name, value.Cast<NDArray>());
}

double ElementAt(const NDArray& a, int64_t i) {
  DataType t = a.dtype();
  const void* p = a.data();
  if (t == DataType::Float(32)) return static_cast<const float*>(p)[i];
  if (t == DataType::Float(64)) return static_cast<const double*>(p)[i];
  if (t == DataType::Int(32)) return static_cast<const int32_t*>(p)[i];
  if (t == DataType::Int(64)) return static_cast<const int64_t*>(p)[i];
  if (t == DataType::Bool() || t == DataType::UInt(8)) return static_cast<const uint8_t*>(p)[i];
  if (t == DataType::Int(8)) return static_cast<const int8_t*>(p)[i];
  return 0;
}

// "Tensor((5, 10), float32) [-2.31, -2.29, ...] min -3.1 max -1.2 mean -2.3".
std::string Describe(const NDArray& array, int count) {
  NDArray a = array;
  if (a.device().device_type != kDLCPU || !a.IsContiguous()) {
    a = NDArray::Empty(array.shape(), array.dtype(), runtime::Device::CPU());
    a.CopyFrom(array.device().device_type == kDLCPU ? array : array.CopyTo(runtime::Device::CPU()));
  }
  std::ostringstream os;
  os << "Tensor(" << runtime::ShapeString(a.shape()) << ", " << a.dtype().str() << ")";
  DataType t = a.dtype();
  bool readable = t == DataType::Float(32) || t == DataType::Float(64) || t == DataType::Int(32) ||
                  t == DataType::Int(64) || t == DataType::Bool() || t == DataType::UInt(8) || t == DataType::Int(8);
  int64_t n = a.numel();
  if (!readable || n == 0) return os.str();
  os << std::setprecision(6) << " [";
  for (int64_t i = 0; i < std::min<int64_t>(n, count); ++i) os << (i ? ", " : "") << ElementAt(a, i);
  os << (n > count ? ", ...]" : "]");
  double lo = ElementAt(a, 0), hi = lo, sum = 0;
  for (int64_t i = 0; i < n; ++i) {
    double v = ElementAt(a, i);
    lo = std::min(lo, v), hi = std::max(hi, v), sum += v;
  }
  os << " min " << lo << " max " << hi << " mean " << sum / static_cast<double>(n);
  return os.str();
}

// out.npy for one output; out.0.npy, out.1.npy, ... for several.
std::string OutputPath(const std::string& path, const std::string& name, size_t count) {
  if (count == 1) return path;
  std::filesystem::path p(path);
  std::string suffix = name.substr(std::string("output").size());  // ".0", ".1.0"
  return (p.parent_path() / (p.stem().string() + suffix + p.extension().string())).string();
}

int Run(const Args& args) {
  const std::string& model = args.positional()[0];
  std::string output = args.Get("output");
  if (!output.empty() && std::filesystem::path(output).extension() != ".npy") {
    throw UsageError("kiln run: the output '" + output + "' must end in .npy");
  }
  CompileOptions options;
  options.target = args.Get("target", options.target);
  options.pipeline = args.Get("pipeline", options.pipeline);
  std::string function = args.Get("function", "main");

  LoadedModel loaded = LoadModel(model, options);
  const runtime::vm::VMFunction& fn = FindFunction(loaded, model, function);
  InputOptions input_options;
  input_options.inputs = args.GetAll("input");
  Arguments arguments = MakeArguments(fn, input_options);

  runtime::Function f = loaded.vm.GetFunction(function);
  runtime::Any result = f.CallPacked(arguments.values.data(), static_cast<int>(arguments.values.size()));
  std::vector<std::pair<std::string, NDArray>> outputs;
  Flatten(result, "output", &outputs);
  int count = args.GetInt("print", 6, 0);
  for (const auto& [name, array] : outputs) std::cout << name << ": " << Describe(array, count) << "\n";
  if (!output.empty()) {
    for (const auto& [name, array] : outputs) {
      std::string path = OutputPath(output, name, outputs.size());
      WriteNpy(path, array);
      std::cout << "wrote " << path << "\n";
    }
  }
  return 0;
}

}  // namespace

Command RunCommand() {
  Command c;
  c.name = "run";
  c.summary = "run a model on inputs from .npy files and print or save its outputs";
  c.usage = "kiln run MODEL.so|MODEL.onnx|MODEL.kir --input NAME=FILE.npy ... [options]";
  c.options = {
      {"input", "NAME=FILE.npy", "the argument NAME (one per parameter)", true, 'i'},
      {"output", "OUT.npy", "write the output (several: OUT.0.npy, OUT.1.npy, ...)", false, 'o'},
      {"function", "NAME", "the function to run (default main)"},
      {"print", "N", "values of each output to print (default 6)"},
  };
  for (OptionSpec& o : CompileOptionSpecs()) c.options.push_back(o);
  c.min_positional = c.max_positional = 1;
  c.run = Run;
  return c;
}

}  // namespace kiln::cli
