// DeadCodeElimination: unused pure bindings removed in and out of dataflow
// blocks, impure calls and match_casts kept, unreachable functions removed.
#include "kiln/transform/dead_code_elimination.h"

#include "common/test_util.h"
#include "kiln/relax/block_builder.h"
#include "transform/pass_test_util.h"

namespace kiln::transform {
namespace {

using relax::BlockBuilder;
using relax::Expr;
using relax::MakeVar;
using relax::Var;
using relax::testing::F32;
using relax::testing::TestCall;
using testing::BuildMain;
using testing::ExpectRewrite;

TEST(DeadCodeElimination, RemovesUnusedPureBindings) {
  tir::Var n("n");
  Var x = MakeVar("x", F32({4})), u = MakeVar("u", relax::TensorSInfoOfRank(1, runtime::DataType::Float(32)));
  ir::IRModule before = BuildMain({x, u}, [&](BlockBuilder& bb) {
    bb.BeginDataflowBlock();
    Var a = bb.Emit(TestCall("test.ir.relu", {x}));
    Var b = bb.Emit(TestCall("test.ir.relu", {a}));
    bb.Emit(TestCall("test.ir.add", {b, a}));  // unused, and so is b after it
    Var out = bb.EmitOutput(TestCall("test.ir.add", {a, a}));
    bb.EmitOutput(TestCall("test.ir.relu", {out}));  // an unused output
    bb.EndDataflowBlock();
    bb.Emit(TestCall("test.ir.print", {x}));  // impure: kept
    bb.Emit(TestCall("test.ir.relu", {x}));   // unused outside a dataflow block
    bb.EmitMatchCast(u, F32({n}));            // a run-time check: kept
    return out;
  });
  Var ex = MakeVar("x", F32({4})), eu = MakeVar("u", relax::TensorSInfoOfRank(1, runtime::DataType::Float(32)));
  tir::Var en("n");
  ir::IRModule expected = BuildMain({ex, eu}, [&](BlockBuilder& bb) {
    bb.BeginDataflowBlock();
    Var a = bb.Emit(TestCall("test.ir.relu", {ex}));
    Var out = bb.EmitOutput(TestCall("test.ir.add", {a, a}));
    bb.EndDataflowBlock();
    bb.Emit(TestCall("test.ir.print", {ex}));
    bb.EmitMatchCast(eu, F32({en}));
    return out;
  });
  ir::IRModule after = DeadCodeElimination()(before);
  ExpectRewrite(before, after, expected);
  EXPECT_EQ(DeadCodeElimination()(after).get(), after.get());
}

TEST(DeadCodeElimination, DropsEmptiedBlocks) {
  Var x = MakeVar("x", F32({4}));
  ir::IRModule before = BuildMain({x}, [&](BlockBuilder& bb) {
    bb.BeginDataflowBlock();
    bb.Emit(TestCall("test.ir.relu", {x}));
    bb.EndDataflowBlock();
    return x;
  });
  Var ex = MakeVar("x", F32({4}));
  ir::IRModule expected = BuildMain({ex}, [&](BlockBuilder&) { return ex; });
  ExpectRewrite(before, DeadCodeElimination()(before), expected);
}

// A PrimFunc that writes 0 to its one buffer.
tir::PrimFunc Kernel(ir::Attrs attrs = {}) {
  tir::Buffer a = tir::DeclBuffer("A", {4});
  return tir::MakePrimFunc({a}, tir::BufferStore(a, tir::PrimExpr(0.0), {0}), {}, std::move(attrs));
}

// main calls `helper` (pure, result unused when `use_helper` is false) and
// prints `kernel`; `dead` and `dead_kernel` are called by no one; `exported`
// has a global_symbol.
ir::IRModule Program(bool use_helper) {
  BlockBuilder bb;
  ir::GlobalVar kernel = bb.AddFunction(Kernel(), "kernel");
  bb.AddFunction(Kernel(), "dead_kernel");
  bb.AddFunction(Kernel({{"global_symbol", "exported"}}), "exported");
  Var hx = MakeVar("x", F32({4}));
  bb.BeginFunction("helper", {hx});
  ir::GlobalVar helper = bb.EndFunction(bb.Emit(TestCall("test.ir.relu", {hx})));
  Var dx = MakeVar("x", F32({4}));
  bb.BeginFunction("dead", {dx});
  bb.EndFunction(dx);
  Var x = MakeVar("x", F32({4}));
  bb.BeginFunction("main", {x});
  Var h = bb.Emit(relax::MakeCall(helper, {x}));
  bb.Emit(TestCall("test.ir.print", {kernel}));
  bb.EndFunction(use_helper ? h : x);
  return bb.GetModule();
}

std::vector<std::string> Names(const ir::IRModule& mod) {
  std::vector<std::string> names;
  for (const auto& [gv, f] : mod.functions()) names.push_back(gv->name);
  return names;
}

TEST(DeadCodeElimination, RemovesUnreachableFunctions) {
  EXPECT_EQ(Names(DeadCodeElimination()(Program(true))),
            (std::vector<std::string>{"kernel", "exported", "helper", "main"}));
  // Once its call is dead, helper is unreachable too.
  EXPECT_EQ(Names(DeadCodeElimination()(Program(false))), (std::vector<std::string>{"kernel", "exported", "main"}));
  EXPECT_EQ(Names(DeadCodeElimination({"dead"})(Program(true))),
            (std::vector<std::string>{"kernel", "exported", "helper", "dead", "main"}));
  EXPECT_KILN_ERROR(DeadCodeElimination({"nowhere"})(Program(true)),
                    "DeadCodeElimination: entry function 'nowhere' is not in the module");
}

TEST(DeadCodeElimination, RelaxFunctionsAsEntriesKeepsThemAndWhatTheyCall) {
  EXPECT_EQ(Names(DeadCodeElimination({}, true)(Program(false))),
            (std::vector<std::string>{"kernel", "exported", "helper", "dead", "main"}));
}

TEST(DeadCodeElimination, KeepsEveryFunctionWithoutEntries) {
  ir::IRModule mod({{ir::MakeGlobalVar("k1"), Kernel()}, {ir::MakeGlobalVar("k2"), Kernel()}});
  EXPECT_EQ(DeadCodeElimination()(mod).get(), mod.get());
}

TEST(DeadCodeElimination, KeepsCallsOfImpureFunctions) {
  BlockBuilder bb;
  Var px = MakeVar("x", F32({4}));
  bb.BeginFunction("effect", {px}, {}, /*is_pure=*/false);
  ir::GlobalVar effect = bb.EndFunction(bb.Emit(TestCall("test.ir.print", {px})));
  Var x = MakeVar("x", F32({4}));
  bb.BeginFunction("main", {x});
  bb.Emit(relax::MakeCall(effect, {x}));
  bb.Emit(relax::MakeCall(relax::MakeExternFunc("runtime.log"), {x}));
  bb.EndFunction(x);
  ir::IRModule mod = bb.GetModule();
  EXPECT_EQ(DeadCodeElimination()(mod).get(), mod.get());
}

}  // namespace
}  // namespace kiln::transform
