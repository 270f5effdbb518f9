// Deployment: a hand-built executable written as C source by
// ExecutableAsCSource, compiled at test time with a hand-written C kernel
// into one shared library, loaded with Module::Load and run by
// VirtualMachine::FromLibrary in this process.
#include <cstdlib>
#include <fstream>

#include "common/test_util.h"
#include "kiln/runtime/runtime.h"
#include "kiln/runtime/vm/deploy.h"
#include "kiln/runtime/vm/exec_builder.h"
#include "kiln/runtime/vm/vm.h"

namespace kiln::runtime::vm {
namespace {

// add_vec(a, b, out): out = a + b for float32 vectors of one length.
constexpr const char* kKernelSource = R"(
#include "kiln/runtime/c_api.h"

const KilnRuntimeAPI* __kiln_runtime_api = 0;

int32_t add_vec(const KilnValue* args, const int32_t* codes, int32_t n, KilnValue* ret, int32_t* ret_code) {
  (void)ret;
  if (n != 3 || codes[0] != kKilnArgTensor || codes[1] != kKilnArgTensor || codes[2] != kKilnArgTensor) {
    __kiln_runtime_api->set_last_error("add_vec expects three tensors");
    return -1;
  }
  const DLTensor* a = (const DLTensor*)args[0].v_handle;
  const DLTensor* b = (const DLTensor*)args[1].v_handle;
  const DLTensor* out = (const DLTensor*)args[2].v_handle;
  if (a->shape[0] != out->shape[0] || b->shape[0] != out->shape[0]) {
    __kiln_runtime_api->set_last_error("add_vec: lengths differ");
    return -1;
  }
  const float* pa = (const float*)((const char*)a->data + a->byte_offset);
  const float* pb = (const float*)((const char*)b->data + b->byte_offset);
  float* po = (float*)((char*)out->data + out->byte_offset);
  for (int64_t i = 0; i < out->shape[0]; ++i) po[i] = pa[i] + pb[i];
  *ret_code = kKilnArgNone;
  return 0;
}
)";

// main(x: Tensor((4,), float32)) = (x + [1, 2, 3, 4], shape of x): the
// constant travels inside the library.
Executable Program() {
  ExecBuilder b;
  b.BeginFunction("main", {{"x", ParamInfo::Parse("Tensor((4,), float32)")}});
  NDArray c = NDArray::Empty({4}, DataType::Float(32), Device::CPU());
  for (int i = 0; i < 4; ++i) static_cast<float*>(c.data())[i] = static_cast<float>(i + 1);
  Operand shape = b.NewRegister(), out = b.NewRegister(), result = b.NewRegister();
  b.EmitCall(b.Global("vm.builtin.shape_of"), {b.Param(0)}, shape);
  b.EmitCall(b.Global("vm.builtin.alloc_tensor_simple"),
             {shape, b.AddConstant(DataType::Float(32)), Operand::DeviceOf(kVMDevice)}, out);
  b.EmitCall(b.Kernel("add_vec"), {b.Param(0), b.AddConstant(c), out});
  b.EmitCall(b.Global("vm.builtin.make_tuple"), {out, shape}, result);
  b.EmitRet(result);
  b.EndFunction();
  return b.Finish();
}

class VMLibrary : public ::testing::Test {
 protected:
  // Writes the C files and compiles `sources` (names in the temp folder)
  // into `lib`.
  void Compile(const std::string& lib, const std::string& sources) {
    std::ofstream(dir_ / "kernels.c") << kKernelSource;
    std::ofstream(dir_ / "exec.c") << ExecutableAsCSource(Program());
    std::string cmd = std::string(KILN_TEST_CC) + " -O2 -shared -fPIC -Wall -Wextra -Werror -I" + KILN_SOURCE_DIR +
                      "/include " + sources + " -o " + (dir_ / lib);
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  }
  testing::TempDir dir_;
};

TEST_F(VMLibrary, OneSharedLibraryHoldsBytecodeKernelsAndConstants) {
  Compile("model.so", (dir_ / "kernels.c") + " " + (dir_ / "exec.c"));
  Module lib = Module::Load(dir_ / "model.so");
  VirtualMachine vm = VirtualMachine::FromLibrary(lib, Device::CPU());
  EXPECT_EQ(vm.executable()->AsText(), Program()->AsText());
  NDArray x = NDArray::Empty({4}, DataType::Float(32), Device::CPU());
  for (int i = 0; i < 4; ++i) static_cast<float*>(x.data())[i] = 10.0f * i;
  auto items = vm.GetFunction("main")(x).Cast<std::vector<Any>>();
  ASSERT_EQ(items.size(), 2u);
  NDArray y = items[0].Cast<NDArray>();
  for (int i = 0; i < 4; ++i) EXPECT_EQ(static_cast<float*>(y.data())[i], 10.0f * i + i + 1);
  EXPECT_EQ(items[1].Cast<std::vector<int64_t>>(), (std::vector<int64_t>{4}));
  EXPECT_KILN_ERROR(vm.Invoke("main", {NDArray::Empty({5}, DataType::Float(32), Device::CPU())}),
                    "main: argument 'x' (0) must be Tensor((4,), float32), got Tensor((5,), float32): dimension 0 is "
                    "5, expected 4");
}

TEST_F(VMLibrary, TheExecutableSourceIsSelfContained) {
  // Compiled alone (no include path needed), the library carries the
  // executable but not its kernel.
  std::ofstream(dir_ / "exec_only.c") << ExecutableAsCSource(Program());
  std::string cmd = std::string(KILN_TEST_CC) + " -O2 -shared -fPIC -Wall -Wextra -Werror " + (dir_ / "exec_only.c") +
                    " -o " + (dir_ / "exec_only.so");
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  Module lib = Module::Load(dir_ / "exec_only.so");
  EXPECT_EQ(LoadExecutableFromLibrary(lib)->AsText(), Program()->AsText());
  EXPECT_KILN_ERROR(VirtualMachine::FromLibrary(lib, Device::CPU()),
                    "VirtualMachine: kernel 'add_vec' is not in the kernel module (a library module)");
}

TEST_F(VMLibrary, ALibraryWithoutAnExecutable) {
  Compile("kernels.so", dir_ / "kernels.c");
  EXPECT_KILN_ERROR(VirtualMachine::FromLibrary(Module::Load(dir_ / "kernels.so"), Device::CPU()),
                    "VirtualMachine: the library module holds no VM executable");
}

TEST(VMLibrarySource, BytesBecomeAStringLiteral) {
  std::string src = ExecutableBytesAsCSource(std::string("a\"\\?\0\x01\xff", 7));
  EXPECT_NE(src.find("const uint64_t __kiln_vm_executable_size = 7ull;"), std::string::npos) << src;
  EXPECT_NE(src.find("const unsigned char __kiln_vm_executable[8] =\n    \"a\\042\\134\\077\\000\\001\\377\";"),
            std::string::npos)
      << src;
}

}  // namespace
}  // namespace kiln::runtime::vm
