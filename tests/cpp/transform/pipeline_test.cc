// Named pipelines: their passes by name, errors for unknown names and
// options, and what "zero" and "default" make of a small module.
#include "kiln/transform/pipeline.h"

#include "common/test_util.h"
#include "kiln/relax/functor.h"
#include "kiln/text/parser.h"
#include "kiln/tir/function.h"

namespace kiln::transform {
namespace {

std::vector<std::string> Names(const std::vector<Pass>& passes) {
  std::vector<std::string> names;
  for (const Pass& p : passes) names.push_back(p.info().name);
  return names;
}

bool Contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

constexpr const char* kMlp = R"(module {
  func @main(x: Tensor((n, 8), float32), w: Tensor((4, 8), float32), b: Tensor((4,), float32)) -> Tensor((n, 4), float32) {
    with dataflow {
      h: Tensor((n, 4), float32) = linear(x, w, b)
      output y: Tensor((n, 4), float32) = relu(h)
    }
    return y
  }
})";

// Counts the op calls left in the relax functions other than call_tir and
// the allocation ops of memory planning (relax.builtin.*, relax.memory.*).
int OpCallsOtherThanCallTir(const ir::IRModule& mod) {
  int n = 0;
  for (const auto& [gv, f] : mod.functions()) {
    auto func = f.As<relax::FunctionNode>();
    if (!func) continue;
    relax::PostOrderVisit(func->body, [&](const relax::Expr& e) {
      auto call = e.as<relax::CallNode>();
      if (!call) return;
      auto op = call->op.as<relax::OpNode>();
      if (!op || op->name == "relax.call_tir") return;
      if (op->name.rfind("relax.builtin.", 0) == 0 || op->name.rfind("relax.memory.", 0) == 0) return;
      ++n;
    });
  }
  return n;
}

TEST(PipelineTest, ListsBothStandardPipelines) {
  std::vector<std::string> names = ListPipelines();
  EXPECT_TRUE(Contains(names, "zero"));
  EXPECT_TRUE(Contains(names, "default"));
}

TEST(PipelineTest, ZeroOnlyLegalizes) {
  EXPECT_EQ(Names(GetPipelinePasses("zero", "llvm")), (std::vector<std::string>{"Normalize", "LegalizeOps"}));
}

TEST(PipelineTest, DefaultLegalizesFusesSchedulesAndPlansForLlvm) {
  std::vector<std::string> names = Names(GetPipelinePasses("default", "llvm -mcpu=native"));
  for (const char* pass : {"Normalize", "CanonicalizeBindings", "LegalizeOps", "FoldConstant", "DeadCodeElimination",
                           "FuseOps", "FuseTIR", "DefaultSchedule", "StaticPlanBlockMemory"}) {
    EXPECT_TRUE(Contains(names, pass)) << pass;
  }
  EXPECT_LT(std::find(names.begin(), names.end(), "LegalizeOps") - names.begin(),
            std::find(names.begin(), names.end(), "DefaultSchedule") - names.begin());
}

TEST(PipelineTest, UnknownNameListsTheKnownOnes) {
  EXPECT_KILN_ERROR(GetPipelinePasses("fast", "llvm"), "unknown pipeline 'fast' (known: default, zero");
}

TEST(PipelineTest, DispatchIsRefusedWhereNotAvailable) {
  EXPECT_KILN_ERROR(GetPipelinePasses("zero", "llvm", PipelineOptions{{"onednn"}}), "dispatches to no library");
}

TEST(PipelineTest, TargetKindIsTheFirstWord) {
  EXPECT_EQ(TargetKind("llvm -mcpu=znver4"), "llvm");
  EXPECT_EQ(TargetKind("  cuda -arch=sm_90"), "cuda");
  EXPECT_EQ(TargetKind(""), "");
}

TEST(PipelineTest, ZeroAndDefaultLeaveOnlyKernelCalls) {
  ir::IRModule mod = text::Parse(kMlp, "mlp");
  for (const char* name : {"zero", "default"}) {
    ir::IRModule out = GetPipeline(name, "llvm")(mod);
    EXPECT_EQ(OpCallsOtherThanCallTir(out), 0) << name;
    int kernels = 0, scheduled = 0;
    for (const auto& [gv, f] : out.functions()) {
      if (!f.As<tir::PrimFuncNode>()) continue;
      ++kernels;
      if (f->attrs.Find("tir.is_scheduled")) ++scheduled;
    }
    EXPECT_GT(kernels, 0) << name;
    EXPECT_EQ(scheduled, std::string(name) == "default" ? kernels : 0) << name;
  }
}

}  // namespace
}  // namespace kiln::transform
