// Pass instruments: per-pass timing, the well-formedness check that names
// the pass that broke the module, and IR dumps after each pass.
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "common/test_util.h"
#include "kiln/relax/block_builder.h"
#include "kiln/transform/dead_code_elimination.h"
#include "kiln/transform/normalize.h"
#include "kiln/transform/pass.h"
#include "relax/test_ops.h"

namespace kiln::transform {
namespace {

using relax::testing::F32;
using relax::testing::TestCall;

// main(x) { y = relu(x); y }
IRModule Small() {
  relax::BlockBuilder bb;
  relax::Var x = relax::MakeVar("x", F32({4}));
  bb.BeginFunction("main", {x});
  bb.EndFunction(bb.Emit(TestCall("test.ir.relu", {x}), "y"));
  return bb.GetModule();
}

Pass Noop(const std::string& name) {
  return CreateModulePass([](const IRModule& m, const PassContext&) { return m; }, {name, 0, "", {}});
}

// Runs `inner` from inside itself, to show nesting in the timing report.
Pass Wrapper(Pass inner) {
  auto run = [inner](const IRModule& m, const PassContext& ctx) { return inner(m, ctx); };
  return CreateModulePass(run, {"Wrapper", 0, "", {}});
}

// A deliberately bad pass: main's body now returns a variable bound nowhere.
Pass BreakMain() {
  auto run = [](const IRModule& mod, const PassContext&) {
    auto f = mod["main"].As<relax::FunctionNode>();
    relax::Var ghost = relax::MakeVar("ghost", F32({4}));
    return mod.Update(mod.GetGlobalVar("main"), relax::MakeFunction(f->params, ghost, F32({4})));
  };
  return CreateModulePass(run, {"BreakMain", 0, "", {}});
}

TEST(PassTiming, RecordsEachPassNested) {
  PassTiming timing = MakePassTiming();
  PassContext ctx = PassContext::Create(2, {}, {timing});
  Sequential({Noop("First"), Wrapper(Noop("Inner")), Normalize()})(Small(), ctx);
  const auto& records = timing->records();
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[0].pass, "First");
  EXPECT_EQ(records[1].pass, "Wrapper");
  EXPECT_EQ(records[2].pass, "Inner");
  EXPECT_EQ(records[2].depth, 1);
  EXPECT_EQ(records[3].pass, "Normalize");
  EXPECT_EQ(records[3].depth, 0);
  for (const auto& r : records) EXPECT_GE(r.seconds, 0);
  EXPECT_GE(records[1].seconds, records[2].seconds);
  std::string report = timing->Report();
  EXPECT_EQ(report.rfind("pass timing: 4 passes, ", 0), 0u) << report;
  EXPECT_NE(report.find("\n    Inner "), std::string::npos) << report;
  EXPECT_NE(report.find("Normalize"), std::string::npos) << report;
  EXPECT_NE(report.find(" ms "), std::string::npos) << report;
}

TEST(WellFormedCheck, NamesThePassThatBrokeTheModule) {
  PassContext ctx = PassContext::Create(2, {{"verify_well_formed", true}});
  IRModule mod = Small();
  EXPECT_EQ(Sequential({Normalize(), Noop("Fine")})(mod, ctx).get(), mod.get());
  EXPECT_KILN_ERROR(Sequential({Normalize(), BreakMain(), Noop("Later")})(mod, ctx),
                    "the module is not well formed after pass 'BreakMain':\n"
                    "  in function 'main': variable 'ghost' is used but not defined");
  PassContext explicit_check = PassContext::Create(2, {}, {MakeWellFormedCheck()});
  EXPECT_KILN_ERROR(BreakMain()(mod, explicit_check), "after pass 'BreakMain'");
  EXPECT_NO_THROW(BreakMain()(mod, PassContext::Create()));
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(DumpIR, WritesTheModuleAfterEachPass) {
  kiln::testing::TempDir tmp;
  std::string dir = tmp / "dumps";
  PassContext ctx = PassContext::Create(2, {{"dump_ir", dir}});
  Sequential({Normalize(), Noop("Fine"), DeadCodeElimination()})(Small(), ctx);
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) files.push_back(entry.path().filename());
  std::sort(files.begin(), files.end());
  EXPECT_EQ(files, (std::vector<std::string>{"001_Normalize.kir", "002_Fine.kir", "003_DeadCodeElimination.kir"}));
  std::string text = ReadFile(dir + "/003_DeadCodeElimination.kir");
  EXPECT_NE(text.find("main"), std::string::npos) << text;
  EXPECT_NE(text.find("relu"), std::string::npos) << text;
}

TEST(DumpIR, FollowsTheEnvironmentVariable) {
  kiln::testing::TempDir tmp;
  std::string dir = tmp / "env";
  setenv("KILN_DUMP_IR", dir.c_str(), 1);
  PassContext ctx = PassContext::Create();
  unsetenv("KILN_DUMP_IR");
  Noop("Only")(Small(), ctx);
  EXPECT_TRUE(std::filesystem::exists(dir + "/001_Only.kir"));
}

}  // namespace
}  // namespace kiln::transform
