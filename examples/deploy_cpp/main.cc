// Runs a model exported by kiln.compile(...).export_library("model.so") from
// C++, with the runtime library alone (libkiln_runtime: no compiler, no LLVM).
//
//   deploy_cpp model.so inputs.kiln expected.kiln [--save output.kiln] [--tolerance 1e-4]
//
// inputs.kiln holds the arguments of "main" in order and expected.kiln its
// result (array files, kiln.nd.save / kiln::runtime::SaveArrays). Prints the
// output, compares it with the expected values and exits with 1 on a
// mismatch, 2 on any error. make_model.py writes all three files.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "kiln/runtime/runtime.h"
#include "kiln/runtime/vm/vm.h"

namespace {

using kiln::Any;
using kiln::Device;
using kiln::Function;
using kiln::Module;
using kiln::NDArray;
using kiln::runtime::vm::VirtualMachine;

// The largest |got - want| over float32 arrays of the same shape.
double MaxAbsDiff(const NDArray& got, const NDArray& want) {
  if (got.shape() != want.shape() || got.dtype() != want.dtype() || got.dtype() != kiln::DataType::Float(32)) {
    return INFINITY;
  }
  const float* g = static_cast<const float*>(got.data());
  const float* w = static_cast<const float*>(want.data());
  double worst = 0;
  for (int64_t i = 0; i < got.numel(); ++i) worst = std::fmax(worst, std::fabs(double(g[i]) - double(w[i])));
  return worst;
}

void Print(const char* label, const NDArray& a) {
  std::printf("%s: %s %s", label, kiln::runtime::ShapeString(a.shape()).c_str(), a.dtype().str().c_str());
  if (a.dtype() != kiln::DataType::Float(32)) {
    std::printf("\n");
    return;
  }
  std::printf(" [");
  const float* v = static_cast<const float*>(a.data());
  for (int64_t i = 0; i < std::min<int64_t>(a.numel(), 6); ++i) std::printf("%s%.5f", i ? ", " : "", v[i]);
  std::printf("%s]\n", a.numel() > 6 ? ", ..." : "");
}

// Calls `main` with an argument of the wrong rank: the VM raises kiln::Error
// naming the function, the argument and the struct info it expected, and
// stays ready for the next call.
void ShowInputError(const Function& main, const NDArray& x) {
  NDArray flat = x.CreateView({x.numel()}, x.dtype());
  try {
    main(flat);
    std::printf("error: a rank-1 input was accepted\n");
    std::exit(2);
  } catch (const kiln::Error& e) {
    std::printf("bad input rejected: %s\n", e.message().c_str());
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s model.so inputs.kiln expected.kiln [--save output.kiln] [--tolerance T]\n",
                 argv[0]);
    return 2;
  }
  std::string save_path;
  double tolerance = 1e-4;
  for (int i = 4; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--save") {
      save_path = argv[i + 1];
    } else if (flag == "--tolerance") {
      tolerance = std::atof(argv[i + 1]);
    } else {
      std::fprintf(stderr, "unknown option %s\n", argv[i]);
      return 2;
    }
  }
  try {
    // The library holds the bytecode, the kernels and the constants.
    Module lib = Module::Load(argv[1]);
    VirtualMachine vm = VirtualMachine::FromLibrary(lib, Device::CPU());
    Function main_fn = vm.GetFunction("main");

    std::vector<Any> args;
    for (const auto& [name, array] : kiln::runtime::LoadArrays(argv[2])) {
      Print(("input " + name).c_str(), array);
      args.push_back(array);
    }
    NDArray out = main_fn.CallPacked(args.data(), static_cast<int>(args.size())).Cast<NDArray>();
    Print("output", out);

    ShowInputError(main_fn, args[0].Cast<NDArray>());
    NDArray again = main_fn.CallPacked(args.data(), static_cast<int>(args.size())).Cast<NDArray>();
    if (MaxAbsDiff(again, out) != 0) {
      std::printf("error: a call after the error gave another result\n");
      return 1;
    }

    if (!save_path.empty()) kiln::runtime::SaveArrays(save_path, {{"output", out}});
    NDArray expected = kiln::runtime::LoadArrays(argv[3]).at(0).second;
    double diff = MaxAbsDiff(out, expected);
    std::printf("max |output - expected| = %g (tolerance %g)\n", diff, tolerance);
    if (!(diff <= tolerance)) {
      std::printf("MISMATCH\n");
      return 1;
    }
    std::printf("OK\n");
    return 0;
  } catch (const kiln::Error& e) {
    std::fprintf(stderr, "kiln error: %s\n", e.message().c_str());
    return 2;
  }
}
