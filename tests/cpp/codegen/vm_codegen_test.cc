// kiln::Compile from C++: a parsed module with a symbolic batch compiled,
// run on the VM against a reference computed here, checked for argument
// errors, and exported as a shared library that FromLibrary runs; a
// memory-planned module (CallTIRRewrite, StaticPlanBlockMemory) lowered to
// storage builtins and register kills, its peak storage bytes measured.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <vector>

#include "kiln/compile.h"
#include "kiln/runtime/error.h"
#include "kiln/runtime/ndarray.h"
#include "kiln/runtime/vm/storage.h"
#include "kiln/runtime/vm/vm.h"
#include "kiln/text/parser.h"
#include "kiln/transform/call_tir_rewrite.h"
#include "kiln/transform/default_schedule.h"
#include "kiln/transform/legalize_ops.h"
#include "kiln/transform/normalize.h"
#include "kiln/transform/static_plan_block_memory.h"

namespace kiln {
namespace {

using runtime::DataType;
using runtime::Device;
using runtime::NDArray;
using runtime::vm::VirtualMachine;

constexpr const char* kModel = R"(
module {
  func @main(x: Tensor((n, 3), float32), w: Tensor((3, 2), float32)) -> Tensor((n, 2), float32) {
    y = matmul(x, w)
    z = relu(y)
    return z
  }
}
)";

NDArray Array(const std::vector<int64_t>& shape, const std::vector<float>& values) {
  NDArray a = NDArray::Empty(shape, DataType::Float(32), Device::CPU());
  a.CopyFromBytes(values.data(), values.size() * sizeof(float));
  return a;
}

std::vector<float> Values(const NDArray& a, size_t n) {
  std::vector<float> out(n);
  a.CopyToBytes(out.data(), n * sizeof(float));
  return out;
}

// relu(x @ w) for x (n, 3), w (3, 2).
std::vector<float> Reference(const std::vector<float>& x, const std::vector<float>& w, int64_t n) {
  std::vector<float> out(n * 2);
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j < 2; ++j) {
      float acc = 0;
      for (int64_t k = 0; k < 3; ++k) acc += x[i * 3 + k] * w[k * 2 + j];
      out[i * 2 + j] = std::max(acc, 0.0f);
    }
  }
  return out;
}

void ExpectRuns(const VirtualMachine& vm) {
  std::vector<float> w = {1, -1, 0.5f, 2, -1, 0.25f};
  for (int64_t n : {1, 4}) {
    std::vector<float> x(n * 3);
    for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i) * 0.5f - 1.0f;
    NDArray y = vm.Invoke("main", {Array({n, 3}, x), Array({3, 2}, w)}).Cast<NDArray>();
    EXPECT_EQ(y.shape(), (std::vector<int64_t>{n, 2}));
    std::vector<float> got = Values(y, n * 2), ref = Reference(x, w, n);
    for (size_t i = 0; i < ref.size(); ++i) EXPECT_NEAR(got[i], ref[i], 1e-5) << "n = " << n << ", element " << i;
  }
}

TEST(VMCodegen, CompilesAndRunsAParsedModule) {
  CompiledModule c = Compile(Parse(kModel), "llvm");
  ASSERT_TRUE(c->kernels.defined());
  EXPECT_NE(c->exec->AsText().find("vm.builtin.match_shape"), std::string::npos) << c->exec->AsText();
  ExpectRuns(VirtualMachine(c->exec, c->kernels, Device::CPU()));
}

TEST(VMCodegen, WrongArgumentsNameTheArgumentAndLeaveTheVMUsable) {
  CompiledModule c = Compile(Parse(kModel), "llvm");
  VirtualMachine vm(c->exec, c->kernels, Device::CPU());
  try {
    vm.Invoke("main", {Array({2, 4}, std::vector<float>(8)), Array({3, 2}, std::vector<float>(6))});
    FAIL() << "no kiln::Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("argument 'x' (0) must be Tensor((n, 3), float32)"), std::string::npos)
        << e.what();
  }
  ExpectRuns(vm);
}

TEST(VMCodegen, ExportsOneLibraryThatFromLibraryRuns) {
  CompiledModule c = Compile(Parse(kModel), "llvm");
  std::string path = (std::filesystem::temp_directory_path() / "kiln_vm_codegen_test.so").string();
  c->ExportLibrary(path);
  ExpectRuns(VirtualMachine::FromLibrary(runtime::Module::Load(path), Device::CPU()));
  std::filesystem::remove(path);
}

// The module lowered and, with `plan`, memory-planned, as kiln.compile's
// pipeline argument would leave it.
ir::IRModule Lowered(const std::string& text, bool plan) {
  ir::IRModule mod = Parse(text);
  mod = transform::Normalize()(mod);
  mod = transform::LegalizeOps("llvm")(mod);
  mod = transform::DefaultSchedule()(mod);
  if (!plan) return mod;
  return transform::StaticPlanBlockMemory()(transform::CallTIRRewrite()(mod));
}

TEST(VMCodegen, PlannedModuleRunsOnStorageAndKillsRegisters) {
  CompiledModule c = CompileLowered(Lowered(kModel, true), codegen::Target::Parse("llvm"));
  std::string text = c->exec->AsText();
  for (const char* builtin : {"vm.builtin.alloc_storage", "vm.builtin.alloc_tensor(", "vm.builtin.null_value",
                              "vm.builtin.alloc_tensor_simple"}) {
    EXPECT_NE(text.find(builtin), std::string::npos) << builtin << " missing in\n" << text;
  }
  ExpectRuns(VirtualMachine(c->exec, c->kernels, Device::CPU()));
}

// x -> relu -> exp -> relu -> exp: four tensors of n * 8 floats. Unplanned,
// all four are alive at the end; planned, at most two at once (the first
// and third share a storage, freed storages are dropped at once).
constexpr const char* kChain = R"(
module {
  func @main(x: Tensor((n, 8), float32)) -> Tensor((n, 8), float32) {
    a = relu(x)
    b = exp(a)
    c = relu(b)
    d = exp(c)
    return d
  }
}
)";

int64_t PeakBytes(const CompiledModule& c, int64_t n) {
  VirtualMachine vm(c->exec, c->kernels, Device::CPU());
  NDArray x = Array({n, 8}, std::vector<float>(n * 8, 0.5f));
  runtime::vm::ResetPeakStorageBytes();
  int64_t before = runtime::vm::GetStorageStats().live_bytes;
  NDArray y = vm.Invoke("main", {x}).Cast<NDArray>();
  std::vector<float> got = Values(y, n * 8);
  EXPECT_NEAR(got[0], std::exp(std::exp(0.5f)), 1e-3);
  EXPECT_EQ(runtime::vm::GetStorageStats().live_bytes - before, n * 8 * 4) << "only the result is alive";
  return runtime::vm::GetStorageStats().peak_bytes - before;
}

TEST(VMCodegen, PlanningLowersPeakStorageBytes) {
  CompiledModule plain = CompileLowered(Lowered(kChain, false), codegen::Target::Parse("llvm"));
  CompiledModule planned = CompileLowered(Lowered(kChain, true), codegen::Target::Parse("llvm"));
  for (int64_t n : {1, 5}) {
    int64_t tensor = n * 8 * 4;
    EXPECT_EQ(PeakBytes(plain, n), 4 * tensor) << "n = " << n;
    EXPECT_EQ(PeakBytes(planned, n), 2 * tensor) << "n = " << n;
  }
}

}  // namespace
}  // namespace kiln
