// ExportLibrary: the shared library loads with runtime::Module::Load, keeps
// its checks when called as plain C, and runs in a separate program that
// links only libkiln_runtime; plus the registered build functions.
#include <dlfcn.h>

#include <filesystem>
#include <fstream>

#include "codegen_test_util.h"
#include "kiln/runtime/c_api.h"

namespace kiln::codegen {
namespace {

using namespace testing;

// par(A: float32[n], B: float32[n]): B[i] = A[i] * A[i] in parallel, through
// a temporary in a workspace when n is symbolic.
PrimFunc SquareThroughWorkspace() {
  Var n = SizeVar("n");
  Buffer a = DeclBuffer("A", {n}), b = DeclBuffer("B", {n}), t = DeclBuffer("T", {n});
  Var i("i"), j("j");
  Stmt fill = For(i, 0, n, ForKind::kParallel, BufferStore(t, BufferLoad(a, {i}) * BufferLoad(a, {i}), {i}));
  Stmt copy = For(j, 0, n, ForKind::kSerial, BufferStore(b, BufferLoad(t, {j}), {j}));
  return MakePrimFunc({a, b}, Allocate(t, Seq({fill, copy})));
}

class CodegenExport : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new kiln::testing::TempDir();
    lib_ = *dir_ / "kernels.so";
    ExportLibrary(Build(ModuleOf({{"add_one", AddOne()}, {"square", SquareThroughWorkspace()}})), lib_);
  }
  static void TearDownTestSuite() { delete dir_; }
  static kiln::testing::TempDir* dir_;
  static std::string lib_;
};
kiln::testing::TempDir* CodegenExport::dir_ = nullptr;
std::string CodegenExport::lib_;

TEST_F(CodegenExport, LoadAndCall) {
  runtime::Module m = runtime::Module::Load(lib_);
  EXPECT_EQ(m.kind(), "library");
  NDArray a = ArrayOf(Iota<float>(1000, 0.5)), b = Zeros<float>({1000});
  m["add_one"](a, b);
  EXPECT_EQ(ValuesOf<float>(b), Iota<float>(1000, 0.5, 1));
  m["square"](a, b);
  std::vector<float> out = ValuesOf<float>(b);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(out[i], (0.5f * i) * (0.5f * i)) << i;
  EXPECT_KILN_ERROR(m["add_one"](a, Zeros<float>({5})),
                    "compiled function 'add_one' failed: add_one: argument B has shape (5,), expected (1000,) from n = "
                    "1000");
  EXPECT_FALSE(m.GetFunction("add_one_compute_").defined());  // internal functions are not exported
}

// The exported symbol is a plain C function: call it with hand-made tensors.
TEST_F(CodegenExport, CallAsC) {
  void* handle = dlopen(lib_.c_str(), RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(handle, nullptr) << dlerror();
  *static_cast<const KilnRuntimeAPI**>(dlsym(handle, "__kiln_runtime_api")) = KilnGetRuntimeAPI();
  auto add_one = reinterpret_cast<KilnCFunc>(dlsym(handle, "add_one"));
  ASSERT_NE(add_one, nullptr);
  alignas(64) float x[4] = {1, 2, 3, 4};
  alignas(64) float y[4] = {};
  int64_t shape[1] = {4};
  DLTensor tx = {x, {kDLCPU, 0}, 1, {kDLFloat, 32, 1}, shape, nullptr, 0};
  DLTensor ty = {y, {kDLCPU, 0}, 1, {kDLFloat, 32, 1}, shape, nullptr, 0};
  KilnValue args[2];
  args[0].v_handle = &tx;
  args[1].v_handle = &ty;
  int32_t codes[2] = {kKilnArgTensor, kKilnArgTensor};
  KilnValue ret;
  int32_t ret_code = -1;
  ASSERT_EQ(add_one(args, codes, 2, &ret, &ret_code), 0) << KilnAPIGetLastError();
  EXPECT_EQ(ret_code, kKilnArgNone);
  EXPECT_EQ(y[3], 5.0f);

  ty.device.device_type = kDLCUDA;
  EXPECT_EQ(add_one(args, codes, 2, &ret, &ret_code), -1);
  EXPECT_STREQ(KilnAPIGetLastError(), "add_one: argument B is on device type 2, expected cpu (1)");
  ty.device.device_type = kDLCPU;
  ty.dtype.lanes = 4;
  EXPECT_EQ(add_one(args, codes, 2, &ret, &ret_code), -1);
  EXPECT_STREQ(KilnAPIGetLastError(), "add_one: argument B has dtype float32x4, expected float32");
  dlclose(handle);
}

TEST_F(CodegenExport, Errors) {
  EXPECT_KILN_ERROR(ExportLibrary(runtime::Module::Load(lib_), *dir_ / "again.so"),
                    "ExportLibrary: cannot export a module of kind 'library'");
  runtime::Module m = BuildOne("add_one", AddOne());
  EXPECT_KILN_ERROR(ExportLibrary(m, "/nonexistent/dir/k.so"), "ExportLibrary: linking '/nonexistent/dir/k.so' failed");
  EXPECT_KILN_ERROR(ExportLibrary(m, *dir_ / "k.so", "no-such-compiler"), "linking");
}

// The registered functions that Python will call: codegen.build and
// codegen.export_library.
TEST_F(CodegenExport, RegisteredFunctions) {
  ir::IRModule mod = ModuleOf({{"add_one", AddOne()}});
  runtime::Module built = runtime::Registry::Get("codegen.build")(mod, "llvm").Cast<runtime::Module>();
  EXPECT_EQ(built.kind(), "llvm");
  std::string path = *dir_ / "registered.so";
  runtime::Registry::Get("codegen.export_library")(built, path);
  NDArray a = ArrayOf<float>({1, 2}), b = Zeros<float>({2});
  runtime::Module::Load(path)["add_one"](a, b);
  EXPECT_EQ(ValuesOf<float>(b), (std::vector<float>{2, 3}));
}

// The directory of libkiln_runtime.so, which this test program links.
std::string RuntimeLibraryDir() {
  Dl_info info;
  if (dladdr(reinterpret_cast<void*>(&KilnGetRuntimeAPI), &info) == 0 || info.dli_fname == nullptr) return "";
  return std::filesystem::path(info.dli_fname).parent_path().string();
}

// A program that loads the library through the runtime alone, calls it and
// checks the result and an error message; prints "ok" when all is well.
const char* kStandaloneProgram = R"(
#include <cstdio>
#include <cstring>
#include "kiln/runtime/runtime.h"
using namespace kiln::runtime;
int main(int argc, char** argv) {
  if (argc != 2) return 2;
  Module m = Module::Load(argv[1]);
  NDArray a = NDArray::Empty({3}, DataType::Float(32), Device::CPU());
  NDArray b = NDArray::Empty({3}, DataType::Float(32), Device::CPU());
  float* pa = static_cast<float*>(a.data());
  for (int i = 0; i < 3; ++i) pa[i] = 10.0f * i;
  m["add_one"](a, b);
  const float* pb = static_cast<const float*>(b.data());
  if (pb[0] != 1.0f || pb[1] != 11.0f || pb[2] != 21.0f) { std::printf("bad values\n"); return 1; }
  m["square"](a, b);
  if (pb[2] != 400.0f) { std::printf("bad square\n"); return 1; }
  try {
    m["add_one"](a, NDArray::Empty({2}, DataType::Float(32), Device::CPU()));
    return 1;
  } catch (const kiln::Error& e) {
    if (!std::strstr(e.what(), "argument B has shape (2,), expected (3,) from n = 3")) {
      std::printf("bad message: %s\n", e.what());
      return 1;
    }
  }
  std::printf("ok\n");
  return 0;
}
)";

TEST_F(CodegenExport, RunsInAProgramWithOnlyTheRuntime) {
#ifdef KILN_SANITIZE_BUILD
  GTEST_SKIP() << "the helper program links only the runtime, which cannot load a sanitized libkiln_runtime";
#endif
  std::string libdir = RuntimeLibraryDir();
  ASSERT_FALSE(libdir.empty());
  std::string source = *dir_ / "standalone.cc", program = *dir_ / "standalone";
  std::ofstream(source) << kStandaloneProgram;
  std::string compile = "c++ -std=c++20 -O0 -I" + std::string(KILN_SOURCE_DIR) + "/include " + source + " -o " +
                        program + " -L" + libdir + " -lkiln_runtime -Wl,-rpath," + libdir;
  ASSERT_EQ(std::system(compile.c_str()), 0) << compile;
  std::string output = *dir_ / "output.txt";
  int status = std::system((program + " " + lib_ + " > " + output + " 2>&1").c_str());
  std::ifstream in(output);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(status, 0) << text;
  EXPECT_EQ(text, "ok\n");
}

}  // namespace
}  // namespace kiln::codegen
