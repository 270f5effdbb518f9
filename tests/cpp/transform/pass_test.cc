// Pass infrastructure: PassContext config validation and scoping, opt
// levels, Sequential's order and required passes, per-function passes, and
// the registry.
#include "kiln/transform/pass.h"

#include "common/test_util.h"
#include "kiln/relax/block_builder.h"
#include "relax/test_ops.h"

namespace kiln::transform {
namespace {

using relax::testing::F32;

// The passes run so far, by name.
std::vector<std::string>& Log() {
  static std::vector<std::string> log;
  return log;
}

Pass Recorder(const std::string& name, int opt_level = 0, std::vector<std::string> required = {}) {
  auto run = [name](const IRModule& mod, const PassContext&) {
    Log().push_back(name);
    return mod;
  };
  return CreateModulePass(run, {name, opt_level, "records that it ran", std::move(required)});
}

Pass TestStepA() {
  return Recorder("TestStepA", 3);
}
Pass TestStepB() {
  return Recorder("TestStepB", 0, {"TestStepA"});
}
Pass TestCycleX() {
  return Recorder("TestCycleX", 0, {"TestCycleY"});
}
Pass TestCycleY() {
  return Recorder("TestCycleY", 0, {"TestCycleX"});
}
KILN_REGISTER_PASS(TestStepA);
KILN_REGISTER_PASS(TestStepB);
KILN_REGISTER_PASS(TestCycleX);
KILN_REGISTER_PASS(TestCycleY);

std::vector<std::string> RunLogged(const Pass& pass, const PassContext& ctx) {
  Log().clear();
  pass(IRModule(), ctx);
  return Log();
}

using Names = std::vector<std::string>;

TEST(PassContext, ValidatesConfig) {
  EXPECT_KILN_ERROR(PassContext::Create(2, {{"dumpir", std::string("x")}}),
                    "unknown PassContext config 'dumpir' (known: dump_ir, ");
  EXPECT_KILN_ERROR(PassContext::Create(2, {{"verify_well_formed", int64_t{1}}}),
                    "PassContext config 'verify_well_formed' must be a bool, got int");
  EXPECT_KILN_ERROR(PassContext::Create(4), "PassContext: opt level 4 is not in 0..3");
  PassContext ctx = PassContext::Create(1, {{"verify_well_formed", true}});
  EXPECT_EQ(ctx.opt_level(), 1);
  EXPECT_TRUE(ctx.GetConfig<bool>("verify_well_formed"));
  EXPECT_EQ(ctx.GetConfig<std::string>("dump_ir"), "");  // the registered default
  EXPECT_EQ(ctx->instruments.size(), 1u);                // the well-formedness check it asked for
  EXPECT_KILN_ERROR(ctx.GetConfig("nope"), "unknown PassContext config 'nope'");
}

TEST(PassContext, RegisteredConfigKeys) {
  RegisterPassConfig({"test.max_steps", ConfigType::kInt, int64_t{8}, "a test option"});
  EXPECT_KILN_ERROR(RegisterPassConfig({"test.max_steps", ConfigType::kInt, int64_t{8}, ""}),
                    "PassContext config 'test.max_steps' is already registered");
  EXPECT_KILN_ERROR(RegisterPassConfig({"test.bad", ConfigType::kInt, std::string("8"), ""}),
                    "the default must be an int");
  EXPECT_EQ(PassContext::Create().GetConfig<int64_t>("test.max_steps"), 8);
  EXPECT_EQ(PassContext::Create(2, {{"test.max_steps", int64_t{3}}}).GetConfig<int64_t>("test.max_steps"), 3);
  bool listed = false;
  for (const PassConfigOption& o : ListPassConfigs()) listed |= o.key == "test.max_steps" && o.doc == "a test option";
  EXPECT_TRUE(listed);
}

TEST(PassContext, ScopedCurrentContext) {
  PassContext outer = PassContext::Create(3), inner = PassContext::Create(0);
  PassContext fallback = PassContext::Current();
  EXPECT_EQ(fallback.opt_level(), 2);
  {
    PassContextScope a(outer);
    EXPECT_EQ(PassContext::Current(), outer);
    {
      PassContextScope b(inner);
      EXPECT_EQ(PassContext::Current(), inner);
      EXPECT_KILN_ERROR(outer.Exit(), "PassContext::Exit of a context that is not the current one");
    }
    EXPECT_EQ(PassContext::Current(), outer);
  }
  EXPECT_EQ(PassContext::Current(), fallback);
}

TEST(Sequential, RunsInOrderAndSkipsAboveTheOptLevel) {
  Pass seq = Sequential({Recorder("first"), Recorder("expensive", 3), Recorder("last", 1)});
  EXPECT_EQ(RunLogged(seq, PassContext::Create(2)), (Names{"first", "last"}));
  EXPECT_EQ(RunLogged(seq, PassContext::Create(3)), (Names{"first", "expensive", "last"}));
  EXPECT_EQ(RunLogged(seq, PassContext::Create(0)), (Names{"first"}));
  // A nested Sequential runs its passes in place.
  Pass outer = Sequential({Recorder("a"), Sequential({Recorder("b"), Recorder("c")}), Recorder("d")});
  EXPECT_EQ(RunLogged(outer, PassContext::Create()), (Names{"a", "b", "c", "d"}));
}

TEST(Sequential, RunsRequiredPassesFirst) {
  // TestStepB requires TestStepA, whose opt level 3 does not stop it then.
  EXPECT_EQ(RunLogged(Sequential({TestStepB()}), PassContext::Create(1)), (Names{"TestStepA", "TestStepB"}));
  // Not again when it already ran in the sequence.
  Pass both = Sequential({TestStepA(), Recorder("x"), TestStepB()});
  EXPECT_EQ(RunLogged(both, PassContext::Create(3)), (Names{"TestStepA", "x", "TestStepB"}));
  EXPECT_KILN_ERROR(RunLogged(Sequential({TestCycleX()}), PassContext::Create()),
                    "pass 'TestCycleY' requires 'TestCycleX', which requires it in turn");
  EXPECT_KILN_ERROR(RunLogged(Sequential({Recorder("lonely", 0, {"NoSuchPass"})}), PassContext::Create()),
                    "pass 'lonely' requires 'NoSuchPass', which is not a registered pass");
}

TEST(PassRegistry, FindsPassesByName) {
  EXPECT_EQ(GetPass("TestStepB").info().required, Names{"TestStepA"});
  EXPECT_FALSE(FindPass("NoSuchPass"));
  EXPECT_KILN_ERROR(GetPass("NoSuchPass"), "unknown pass 'NoSuchPass' (known: ");
  Names names;
  for (const PassInfo& info : ListPasses()) names.push_back(info.name);
  for (const char* name : {"CanonicalizeBindings", "DeadCodeElimination", "Normalize", "TestStepA"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), name), names.end()) << name;
  }
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  EXPECT_KILN_ERROR(RegisterPass("Normalize", [] { return Recorder("Normalize"); }),
                    "pass 'Normalize' is already registered");
}

// A module of two relax functions and one PrimFunc.
IRModule ThreeFunctions() {
  relax::BlockBuilder bb;
  for (const char* name : {"f", "g"}) {
    relax::Var x = relax::MakeVar("x", F32({4}));
    bb.BeginFunction(name, {x});
    bb.EndFunction(x);
  }
  tir::Buffer a = tir::DeclBuffer("A", {4});
  bb.AddFunction(tir::MakePrimFunc({a}, tir::Evaluate(0)), "k");
  return bb.GetModule();
}

TEST(FunctionPass, AppliesToEachFunctionOfItsKind) {
  IRModule mod = ThreeFunctions();
  int relax_seen = 0, tir_seen = 0;
  Pass keep = CreateFunctionPass(
      [&](const relax::Function& f, const IRModule&, const PassContext&) {
        ++relax_seen;
        return f;
      },
      {"Keep", 0, "", {}});
  EXPECT_EQ(keep(mod).get(), mod.get());  // unchanged: the same module
  Pass drop_g =
      CreateFunctionPass([&](const relax::Function& f, const IRModule& m,
                             const PassContext&) { return m.Lookup("g").get() == f.get() ? relax::Function() : f; },
                         {"DropG", 0, "", {}});
  IRModule out = drop_g(mod);
  EXPECT_FALSE(out.Contains("g"));
  EXPECT_TRUE(out.Contains("f") && out.Contains("k"));
  Pass tir_pass = CreatePrimFuncPass(
      [&](const tir::PrimFunc& f, const IRModule&, const PassContext&) {
        ++tir_seen;
        return f;
      },
      {"TirKeep", 0, "", {}});
  tir_pass(mod);
  EXPECT_EQ(relax_seen, 2);
  EXPECT_EQ(tir_seen, 1);
}

}  // namespace
}  // namespace kiln::transform
