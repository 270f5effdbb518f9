// Target strings: host defaults, options, the canonical form, and errors that
// name the unknown kind or option; non-llvm kinds are recognised but rejected
// by the LLVM backend.
#include "kiln/codegen/target.h"

#include "codegen_test_util.h"
#include "kiln/codegen/host.h"

namespace kiln::codegen {
namespace {

TEST(Target, HostDefaults) {
  HostInfo host = DetectHost();
  Target t = Target::Parse("llvm");
  EXPECT_EQ(t.kind, "llvm");
  EXPECT_EQ(t.triple, host.triple);
  EXPECT_EQ(t.cpu, host.cpu);
  EXPECT_TRUE(t.features.empty());
  EXPECT_FALSE(t.fast_math);
  EXPECT_EQ(t.opt_level, 3);
  // The host's features reach LLVM when compiling for the host CPU.
  if (!host.features.empty()) {
    EXPECT_NE(t.FeatureString().find("+" + host.features[0]), std::string::npos);
  }
}

TEST(Target, Options) {
  Target t = Target::Parse("llvm -mcpu=znver4 -mattr=+avx512f,-avx512bw  -fast-math -opt-level=2");
  EXPECT_EQ(t.cpu, "znver4");
  EXPECT_EQ(t.features, (std::vector<std::string>{"+avx512f", "-avx512bw"}));
  EXPECT_TRUE(t.fast_math);
  EXPECT_EQ(t.opt_level, 2);
  EXPECT_EQ(Target::Parse(t.str()).str(), t.str());
  EXPECT_NE(t.str().find("-mcpu=znver4 -mattr=+avx512f,-avx512bw -fast-math -opt-level=2"), std::string::npos);

  Target arm = Target::Parse("llvm -mtriple=aarch64-linux-gnu");
  EXPECT_EQ(arm.cpu, "generic");
  EXPECT_EQ(arm.FeatureString(), "");
}

TEST(Target, OtherKinds) {
  EXPECT_EQ(Target::Parse("cuda -arch=sm_90").arch, "sm_90");
  EXPECT_EQ(Target::Parse("cuda -arch=sm_90").str(), "cuda -arch=sm_90");
  EXPECT_EQ(Target::Parse("c").str(), "c");
}

TEST(Target, Errors) {
  EXPECT_KILN_ERROR(Target::Parse(""), "empty target string");
  EXPECT_KILN_ERROR(Target::Parse("metal"), "unknown kind 'metal' (expected llvm, c or cuda)");
  EXPECT_KILN_ERROR(Target::Parse("llvm -mfoo=3"), "target 'llvm -mfoo=3': unknown option '-mfoo' for llvm");
  EXPECT_KILN_ERROR(Target::Parse("llvm -mattr=avx2"), "feature 'avx2' must start with + or -");
  EXPECT_KILN_ERROR(Target::Parse("llvm -opt-level=4"), "-opt-level must be 0, 1, 2 or 3, got '4'");
  EXPECT_KILN_ERROR(Target::Parse("llvm -mcpu"), "option -mcpu needs a value");
  EXPECT_KILN_ERROR(Target::Parse("llvm mcpu=x"), "expected an option, got 'mcpu=x'");
  EXPECT_KILN_ERROR(Target::Parse("cuda -mcpu=x"), "unknown option '-mcpu' for cuda");
  EXPECT_KILN_ERROR(Target::Parse("c -O3"), "unknown option '-O3' (target c takes no options)");
}

TEST(Target, BuildRejectsWhatATargetCannotRun) {
  ir::IRModule mod = testing::ModuleOf({{"add_one", testing::AddOne()}});
  // A GPU kernel without thread bindings would run serially on every thread.
  EXPECT_KILN_ERROR(Build(mod, "cuda -arch=sm_90"), "add_one: no loop is bound to a GPU thread");
  EXPECT_KILN_ERROR(Build(mod, "llvm -mtriple=nonsense-x-y"), "LLVM does not know the triple 'nonsense-x-y'");
}

}  // namespace
}  // namespace kiln::codegen
