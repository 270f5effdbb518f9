// Module: load a shared library compiled at test time from a C file in Kiln's
// calling convention, call it, and fail cleanly on bad files and arguments.
#include <cstdlib>
#include <fstream>

#include "common/test_util.h"
#include "kiln/runtime/runtime.h"

namespace kiln::runtime {
namespace {

class LibraryModule : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    lib_ = *dir_ / "library_module.so";
    std::string cmd = std::string(KILN_TEST_CC) + " -O2 -shared -fPIC -I" + KILN_SOURCE_DIR + "/include " +
                      KILN_SOURCE_DIR + "/tests/fixtures/c/library_module.c -o " + lib_;
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  }
  static void TearDownTestSuite() { delete dir_; }
  static testing::TempDir* dir_;
  static std::string lib_;
};
testing::TempDir* LibraryModule::dir_ = nullptr;
std::string LibraryModule::lib_;

TEST_F(LibraryModule, LoadAndCall) {
  Module m = Module::Load(lib_);
  EXPECT_EQ(m.kind(), "library");
  NDArray x = NDArray::Empty({1000}, DataType::Float(32), Device::CPU());
  NDArray y = NDArray::Empty({1000}, DataType::Float(32), Device::CPU());
  for (int i = 0; i < 1000; ++i) static_cast<float*>(x.data())[i] = static_cast<float>(i);
  m["add_one"](x, y);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(static_cast<float*>(y.data())[i], i + 1.0f);
  EXPECT_DOUBLE_EQ(m["scale"](3, 0.5).Cast<double>(), 1.5);
  EXPECT_EQ(m["workspace"](10000).Cast<int64_t>(), 1);
}

TEST_F(LibraryModule, ErrorsFromCompiledCode) {
  Module m = Module::Load(lib_);
  NDArray x = NDArray::Empty({4}, DataType::Float(32), Device::CPU());
  NDArray y = NDArray::Empty({5}, DataType::Float(32), Device::CPU());
  EXPECT_KILN_ERROR(m["add_one"](x, y), "compiled function 'add_one' failed: add_one: x and y must be float32");
  EXPECT_KILN_ERROR(m["scale"](1.0, 2.0), "scale expects (int, float)");
  EXPECT_KILN_ERROR(m["scale"](m["scale"], 2.0), "argument 0: a compiled function cannot take a Function");
}

TEST_F(LibraryModule, MissingFunctionListsNone) {
  Module m = Module::Load(lib_);
  EXPECT_FALSE(m.GetFunction("no_such_fn").defined());
  EXPECT_FALSE(m.GetFunction("__kiln_runtime_api").defined());
  EXPECT_KILN_ERROR(m["no_such_fn"], "the library module has no function 'no_such_fn'");
}

TEST_F(LibraryModule, FunctionKeepsLibraryLoaded) {
  Function f;
  { f = Module::Load(lib_)["scale"]; }
  EXPECT_DOUBLE_EQ(f(2, 2.0).Cast<double>(), 4.0);
}

TEST_F(LibraryModule, ImportsAreSearched) {
  struct Empty : ModuleObj {
    Function GetFunction(const std::string&) override { return Function(); }
    std::string kind() const override { return "empty"; }
  };
  Module outer(MakeObject<Empty>());
  outer.Import(Module::Load(lib_));
  EXPECT_DOUBLE_EQ(outer["scale"](2, 1.5).Cast<double>(), 3.0);
}

TEST(Module, MissingOrCorruptFiles) {
  EXPECT_KILN_ERROR(Module::Load("/nonexistent/lib.so"), "no such file");
  testing::TempDir dir;
  std::ofstream(dir / "bad.so") << "this is not an ELF file";
  EXPECT_KILN_ERROR(Module::Load(dir / "bad.so"), "cannot load shared library");
  std::ofstream(dir / "x.weird") << "";
  EXPECT_KILN_ERROR(Module::Load(dir / "x.weird"), "no loader for files ending in '.weird'");
}

}  // namespace
}  // namespace kiln::runtime
