// Per-call overhead of the VM: a VM function that calls an empty kernel N
// times (straight-line bytecode, three tensor arguments in
// destination-passing style, as compiled models do) against calling the
// same kernel N times directly through runtime::Function, in one process,
// interleaved rounds. Two kernels: an empty compiled-style C function in the
// KilnCFunc convention (through WrapCFunction, as library kernels are
// called) and an empty C++ packed function. Prints a table and one JSON
// line: {"kernel": ..., "vm_ns": ..., "direct_ns": ..., "overhead_ns": ...,
// "entry_ns": ...} per kernel, where overhead_ns = vm_ns - direct_ns per
// kernel call (the goal: well under 1000) and entry_ns is one call of a VM
// function from C++ (argument checks included) that calls nothing.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "kiln/runtime/runtime.h"
#include "kiln/runtime/vm/exec_builder.h"
#include "kiln/runtime/vm/vm.h"

namespace {
using Clock = std::chrono::steady_clock;
using namespace kiln::runtime;
using namespace kiln::runtime::vm;

extern "C" int32_t EmptyKernel(const KilnValue*, const int32_t*, int32_t, KilnValue*, int32_t* ret_code) {
  *ret_code = kKilnArgNone;
  return 0;
}

// calls(a, b, c) runs kernel(a, b, c) `n` times; entry(a, b, c) returns a.
Executable Program(int n) {
  ExecBuilder b;
  std::vector<std::pair<std::string, ParamInfo>> params = {{"a", ParamInfo::Parse("Tensor((n, 16), float32)")},
                                                           {"b", ParamInfo::Parse("Tensor((16,), float32)")},
                                                           {"c", ParamInfo::Parse("Tensor((n, 16), float32)")}};
  int64_t kernel = b.Kernel("kernel");
  b.BeginFunction("calls", params);
  for (int i = 0; i < n; ++i) b.EmitCall(kernel, {b.Param(0), b.Param(1), b.Param(2)});
  b.EmitRet(b.Param(2));
  b.EndFunction();
  b.BeginFunction("entry", params);
  b.EmitRet(b.Param(0));
  b.EndFunction();
  return b.Finish();
}

struct KernelModule : ModuleObj {
  explicit KernelModule(Function f) : kernel(std::move(f)) {}
  Function GetFunction(const std::string& name) override { return name == "kernel" ? kernel : Function(); }
  std::string kind() const override { return "bench"; }
  Function kernel;
};

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

template <typename F>
double NsPer(int count, F&& body) {
  auto start = Clock::now();
  body();
  return std::chrono::duration<double, std::nano>(Clock::now() - start).count() / count;
}

void Run(const char* label, Function kernel, int n, int rounds) {
  VirtualMachine vm(Program(n), Module(kiln::runtime::MakeObject<KernelModule>(kernel)), Device::CPU());
  Function calls = vm.GetFunction("calls"), entry = vm.GetFunction("entry");
  NDArray a = NDArray::Empty({8, 16}, DataType::Float(32), Device::CPU());
  NDArray b = NDArray::Empty({16}, DataType::Float(32), Device::CPU());
  NDArray c = NDArray::Empty({8, 16}, DataType::Float(32), Device::CPU());
  Any args[3] = {a, b, c};
  constexpr int kEntries = 10000;
  std::vector<double> vm_ns, direct_ns, entry_ns;
  for (int r = -2; r < rounds; ++r) {  // two warm-up rounds
    double v = NsPer(n, [&] { calls.CallPacked(args, 3); });
    double d = NsPer(n, [&] {
      for (int i = 0; i < n; ++i) kernel.CallPacked(args, 3);
    });
    double e = NsPer(kEntries, [&] {
      for (int i = 0; i < kEntries; ++i) entry.CallPacked(args, 3);
    });
    if (r < 0) continue;
    vm_ns.push_back(v);
    direct_ns.push_back(d);
    entry_ns.push_back(e);
  }
  double v = Median(vm_ns), d = Median(direct_ns), e = Median(entry_ns);
  std::printf("%s kernel, median of %d rounds x %d calls\n", label, rounds, n);
  std::printf("  %-34s %8.1f ns\n", "through the VM, per kernel call", v);
  std::printf("  %-34s %8.1f ns\n", "direct Function call", d);
  std::printf("  %-34s %8.1f ns\n", "VM overhead per kernel call", v - d);
  std::printf("  %-34s %8.1f ns\n", "VM function entry (3 args checked)", e);
  std::printf("{\"kernel\": \"%s\", \"vm_ns\": %.1f, \"direct_ns\": %.1f, \"overhead_ns\": %.1f, \"entry_ns\": %.1f}\n",
              label, v, d, v - d, e);
}
}  // namespace

int main(int argc, char** argv) {
  int n = argc > 1 ? std::atoi(argv[1]) : 1000;
  int rounds = argc > 2 ? std::atoi(argv[2]) : 31;
  Run("c", WrapCFunction("kernel", EmptyKernel, ObjectRef()), n, rounds);
  Run("packed", Function("kernel", [](const Any*, int, Any*) {}), n, rounds);
  return 0;
}
