// What the generated code looks like: llvm.fmuladd for a*b+c, fast-math
// flags only when asked, noalias aligned buffer pointers, 512-bit vectors on
// an AVX-512 host, and code for another architecture that is not run here.
#include <algorithm>

#include "codegen_test_util.h"
#include "kiln/codegen/host.h"
#include "kiln/relax/expr.h"
#include "kiln/relax/struct_info.h"

namespace kiln::codegen {
namespace {

using namespace testing;

// axpy(X, Y: float32[n]): Y[i] = X[i] * 3 + Y[i]
PrimFunc Axpy() {
  Var n = SizeVar("n");
  Buffer x = DeclBuffer("X", {n}), y = DeclBuffer("Y", {n});
  Var i("i");
  Stmt body = For(i, 0, n, ForKind::kSerial, BufferStore(y, BufferLoad(x, {i}) * 3.0 + BufferLoad(y, {i}), {i}));
  return MakePrimFunc({x, y}, body);
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(CodegenSource, LLVMIR) {
  runtime::Module m = BuildOne("axpy", Axpy());
  std::string ll = m.GetSource("ll");
  EXPECT_EQ(ll, m.GetSource(""));
  EXPECT_TRUE(Contains(ll, "llvm.fmuladd")) << ll;
  EXPECT_TRUE(Contains(ll, "define i32 @axpy(ptr")) << ll;
  EXPECT_TRUE(Contains(ll, "@__kiln_runtime_api")) << ll;
  EXPECT_FALSE(Contains(ll, " fast ")) << ll;
  EXPECT_KILN_ERROR(m.GetSource("ptx"), "llvm module: no source in format 'ptx' (available: ll, asm)");

  std::string unoptimized = BuildOne("axpy", Axpy(), "llvm -opt-level=0").GetSource("ll");
  EXPECT_TRUE(Contains(unoptimized, "define internal i32 @axpy_compute_(ptr noalias align 4 %X_data")) << unoptimized;
}

TEST(CodegenSource, FastMathOnlyWhenAsked) {
  runtime::Module m = BuildOne("axpy", Axpy(), "llvm -fast-math");
  EXPECT_TRUE(Contains(m.GetSource("ll"), " fast ")) << m.GetSource("ll");
  NDArray x = ArrayOf(Iota<float>(100)), y = ArrayOf(Iota<float>(100, 1, 1));
  m["axpy"](x, y);
  std::vector<float> out = ValuesOf<float>(y);
  for (int i = 0; i < 100; ++i) ASSERT_EQ(out[i], 4.0f * i + 1) << i;
}

TEST(CodegenSource, AssemblyUsesZmmOnAVX512) {
  std::string text = BuildOne("axpy", Axpy()).GetSource("asm");
  EXPECT_TRUE(Contains(text, "axpy:")) << text;
  std::vector<std::string> features = DetectHost().features;
  if (std::find(features.begin(), features.end(), "avx512f") == features.end()) {
    GTEST_SKIP() << "the host has no avx512f";
  }
  EXPECT_TRUE(Contains(text, "zmm")) << text;
  EXPECT_TRUE(Contains(text, "vfmadd")) << text;
}

TEST(CodegenSource, OtherArchitectureCompilesButDoesNotRun) {
  runtime::Module m = BuildOne("axpy", Axpy(), "llvm -mtriple=aarch64-linux-gnu");
  EXPECT_TRUE(Contains(m.GetSource("asm"), "fmadd") || Contains(m.GetSource("asm"), "fmla")) << m.GetSource("asm");
  EXPECT_KILN_ERROR(m["axpy"], "cannot run in this process");
}

TEST(CodegenSource, OnlyPrimFuncs) {
  relax::Var x = relax::MakeVar("x", relax::ObjectSInfo());
  relax::Function identity = relax::MakeFunction({x}, x, relax::ObjectSInfo());
  ir::IRModule mod({{ir::MakeGlobalVar("axpy"), ir::BaseFunc(Axpy())}, {ir::MakeGlobalVar("main"), identity}});
  EXPECT_KILN_ERROR(Build(mod), "build: function 'main' is not a tir PrimFunc; build compiles tir only");
}

}  // namespace
}  // namespace kiln::codegen
