// kiln::Compile from C++: a parsed module with a symbolic batch compiled,
// run on the VM against a reference computed here, checked for argument
// errors, and exported as a shared library that FromLibrary runs.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <vector>

#include "kiln/compile.h"
#include "kiln/runtime/error.h"
#include "kiln/runtime/ndarray.h"
#include "kiln/runtime/vm/vm.h"
#include "kiln/text/parser.h"

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

}  // namespace
}  // namespace kiln
