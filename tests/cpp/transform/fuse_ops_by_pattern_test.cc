// FuseOpsByPattern and DispatchToLibrary: matches grouped into Composite
// (and Codegen) functions, checks that refuse, identical groups shared; the
// library patterns lowered to call_dps_packed, unsupported cases left alone.
// Each checked against the expected module.
#include "kiln/transform/fuse_ops_by_pattern.h"

#include "common/test_util.h"
#include "kiln/runtime/function.h"
#include "kiln/text/parser.h"
#include "kiln/transform/dispatch_to_library.h"
#include "kiln/transform/pipeline.h"
#include "transform/pass_test_util.h"

namespace kiln::transform {
namespace {

using relax::IsOp;
using relax::Pattern;
using relax::Wildcard;
using testing::ExpectRewrite;

ir::IRModule Module(const std::string& funcs) { return text::Parse("module {\n" + funcs + "\n}"); }

const char* kTwoLinears = R"(
  func @main(x: Tensor((4, 16), float32), w: Tensor((16, 16), float32), b: Tensor((16,), float32)) -> Tensor((4, 16), float32) {
    with dataflow {
      lv: Tensor((4, 16), float32) = linear(x, w, b)
      lv1: Tensor((4, 16), float32) = relu(lv)
      lv2: Tensor((4, 16), float32) = linear(lv1, w, b)
      lv3: Tensor((4, 16), float32) = relu(lv2)
      output gv: Tensor((4, 16), float32) = add(lv3, lv)
    }
    return gv
  })";

Pattern LinearRelu() {
  return IsOp("relax.relu", {IsOp("relax.linear", {Wildcard(), Wildcard(), Wildcard()})});
}

// lv is used by the residual add, so only the second linear + relu groups;
// the first relu(linear) does not (its linear is used outside).
TEST(FuseOpsByPattern, GroupsMatchesWithCodegen) {
  ir::IRModule before = Module(kTwoLinears);
  ir::IRModule after = FuseOpsByPattern({{"lib.linear_relu", LinearRelu(), {}}}, true)(before);
  ir::IRModule expected = Module(R"(
  func @main(x: Tensor((4, 16), float32), w: Tensor((16, 16), float32), b: Tensor((16,), float32)) -> Tensor((4, 16), float32) {
    with dataflow {
      lv: Tensor((4, 16), float32) = linear(x, w, b)
      lv1: Tensor((4, 16), float32) = relu(lv)
      lv3: Tensor((4, 16), float32) = @fused_lib_linear_relu(lv1, w, b)
      output gv: Tensor((4, 16), float32) = add(lv3, lv)
    }
    return gv
  }
  func @lib_linear_relu(lv1: Tensor((4, 16), float32), w: Tensor((16, 16), float32), b: Tensor((16,), float32)) -> Tensor((4, 16), float32) {
    attrs {"Composite": "lib.linear_relu"}
    with dataflow {
      lv2: Tensor((4, 16), float32) = linear(lv1, w, b)
      output lv3: Tensor((4, 16), float32) = relu(lv2)
    }
    return lv3
  }
  func @fused_lib_linear_relu(lv1: Tensor((4, 16), float32), w: Tensor((16, 16), float32), b: Tensor((16,), float32)) -> Tensor((4, 16), float32) {
    attrs {"Codegen": "lib"}
    gv: Tensor((4, 16), float32) = @lib_linear_relu(lv1, w, b)
    return gv
  })");
  ExpectRewrite(before, after, expected);
}

TEST(FuseOpsByPattern, ChecksAndSharing) {
  ir::IRModule before = Module(kTwoLinears);
  // A check that refuses: nothing changes.
  auto refuse = [](const relax::PatternMatch&) { return false; };
  ir::IRModule same = FuseOpsByPattern({{"lib.relu", IsOp("relax.relu", {Wildcard()}), refuse}})(before);
  EXPECT_FALSE(relax::FindMismatch(same, before).has_value());
  // Both relus match relu(*) and share one composite function.
  ir::IRModule after = FuseOpsByPattern({{"lib.relu", IsOp("relax.relu", {Wildcard()}), {}}})(before);
  EXPECT_EQ(after.functions().size(), 2u);
  EXPECT_KILN_ERROR(FuseOpsByPattern({{"", LinearRelu(), {}}}), "has no name");
}

TEST(DispatchToLibrary, LowersToLibraryCalls) {
  if (!LibraryAvailable("onednn")) GTEST_SKIP() << "Kiln built without oneDNN";
  ir::IRModule before = Module(kTwoLinears);
  ir::IRModule after = DispatchToLibrary({"onednn"})(before);
  ir::IRModule expected = Module(R"(
  func @main(x: Tensor((4, 16), float32), w: Tensor((16, 16), float32), b: Tensor((16,), float32)) -> Tensor((4, 16), float32) {
    with dataflow {
      lv: Tensor((4, 16), float32) = call_dps_packed(extern("kiln.contrib.dnnl.linear"), (x, w, b), sinfo_args=[Tensor((4, 16), float32)])
      lv1: Tensor((4, 16), float32) = relu(lv)
      lv3: Tensor((4, 16), float32) = call_dps_packed(extern("kiln.contrib.dnnl.linear_relu"), (lv1, w, b), sinfo_args=[Tensor((4, 16), float32)])
      output gv: Tensor((4, 16), float32) = add(lv3, lv)
    }
    return gv
  })");
  ExpectRewrite(before, after, expected);
}

TEST(DispatchToLibrary, LeavesWhatTheLibraryDoesNotTake) {
  if (!LibraryAvailable("openblas")) GTEST_SKIP() << "Kiln built without OpenBLAS";
  ir::IRModule before = Module(R"(
  func @main(x: Tensor((4, 16), int32), w: Tensor((16, 8), int32), y: Tensor((2, 4, 16), float32), v: Tensor((2, 16, 8), float32)) -> Tensor((2, 4, 8), float32) {
    with dataflow {
      lv: Tensor((4, 8), int32) = matmul(x, w)
      output gv: Tensor((2, 4, 8), float32) = matmul(y, v)
    }
    return gv
  })");
  EXPECT_FALSE(relax::FindMismatch(DispatchToLibrary({"openblas"})(before), before).has_value());
  EXPECT_KILN_ERROR(DispatchToLibrary({"mkl"}), "unknown library 'mkl'");
}

// pipeline "default" with dispatch runs DispatchToLibrary on op calls: before
// ConvertConvLayout (it takes NCHW convolutions) and LegalizeOps.
TEST(DispatchToLibrary, DefaultPipelineRunsItFirst) {
  std::vector<std::string> names;
  for (const Pass& p : GetPipelinePasses("default", "llvm", PipelineOptions{{"onednn"}})) names.push_back(p.info().name);
  auto at = [&](const char* name) { return std::find(names.begin(), names.end(), name) - names.begin(); };
  EXPECT_LT(at("DispatchToLibrary"), at("ConvertConvLayout"));
  EXPECT_LT(at("ConvertConvLayout"), at("LegalizeOps"));
  for (const Pass& p : GetPipelinePasses("default", "llvm")) EXPECT_NE(p.info().name, "DispatchToLibrary");
  EXPECT_KILN_ERROR(GetPipelinePasses("default", "llvm", PipelineOptions{{"mkl"}}), "unknown library 'mkl'");
}

}  // namespace
}  // namespace kiln::transform
