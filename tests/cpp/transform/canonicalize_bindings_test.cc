// CanonicalizeBindings: copies dropped, statically true match_casts
// simplified, dataflow outputs bound directly; each checked against the
// expected module.
#include "kiln/transform/canonicalize_bindings.h"

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

TEST(CanonicalizeBindings, DropsCopies) {
  // y = relu(x); z = y; w = add(z, z)  ->  y = relu(x); w = add(y, y)
  Var x = MakeVar("x", F32({4}));
  ir::IRModule before = BuildMain({x}, [&](BlockBuilder& bb) {
    Var y = bb.Emit(TestCall("test.ir.relu", {x}), "y");
    Var z = bb.Emit(y, "z");
    return bb.Emit(TestCall("test.ir.add", {z, z}), "w");
  });
  Var ex = MakeVar("x", F32({4}));
  ir::IRModule expected = BuildMain({ex}, [&](BlockBuilder& bb) {
    Var y = bb.Emit(TestCall("test.ir.relu", {ex}), "y");
    return bb.Emit(TestCall("test.ir.add", {y, y}), "w");
  });
  ir::IRModule after = CanonicalizeBindings()(before);
  ExpectRewrite(before, after, expected);
  EXPECT_EQ(CanonicalizeBindings()(after).get(), after.get());
}

TEST(CanonicalizeBindings, OutputsBindTheValueDirectly) {
  // dataflow { lv = relu(x); lv2 = lv; gv = lv2 (output) }  ->  dataflow { gv = relu(x) }
  Var x = MakeVar("x", F32({4}));
  ir::IRModule before = BuildMain({x}, [&](BlockBuilder& bb) {
    bb.BeginDataflowBlock();
    Var lv = bb.Emit(TestCall("test.ir.relu", {x}));
    Var lv2 = bb.Emit(lv);
    Var add = bb.Emit(TestCall("test.ir.add", {lv, lv2}));
    Var gv = bb.EmitOutput(lv2, "gv");
    Var sum = bb.EmitOutput(add, "sum");
    bb.EndDataflowBlock();
    return relax::MakeTuple({gv, sum});
  });
  Var ex = MakeVar("x", F32({4}));
  ir::IRModule expected = BuildMain({ex}, [&](BlockBuilder& bb) {
    bb.BeginDataflowBlock();
    Var gv = bb.EmitOutput(TestCall("test.ir.relu", {ex}), "gv");
    Var sum = bb.EmitOutput(TestCall("test.ir.add", {gv, gv}), "sum");
    bb.EndDataflowBlock();
    return relax::MakeTuple({gv, sum});
  });
  ExpectRewrite(before, CanonicalizeBindings()(before), expected);
}

TEST(CanonicalizeBindings, SimplifiesMatchCastsThatHold) {
  // y = match_cast(x, [(n, 4)]) where x is [(n, 4)]: y is x.
  // z = match_cast(relu(x), [(n, 4)]): a plain binding.
  // w = match_cast(u, [(m, 4)]) where u is [?]: kept, it defines m.
  tir::Var n("n"), m("m");
  Var x = MakeVar("x", F32({n, 4})), u = MakeVar("u", relax::TensorSInfoOfRank(2, runtime::DataType::Float(32)));
  ir::IRModule before = BuildMain({x, u}, [&](BlockBuilder& bb) {
    Var y = bb.EmitMatchCast(x, F32({n, 4}), "y");
    Var z = bb.EmitMatchCast(TestCall("test.ir.relu", {y}), F32({n, 4}), "z");
    Var w = bb.EmitMatchCast(u, F32({m, 4}), "w");
    return relax::MakeTuple({z, w});
  });
  tir::Var en("n"), em("m");
  Var ex = MakeVar("x", F32({en, 4})), eu = MakeVar("u", relax::TensorSInfoOfRank(2, runtime::DataType::Float(32)));
  ir::IRModule expected = BuildMain({ex, eu}, [&](BlockBuilder& bb) {
    Var z = bb.Emit(TestCall("test.ir.relu", {ex}), "z");
    Var w = bb.EmitMatchCast(eu, F32({em, 4}), "w");
    return relax::MakeTuple({z, w});
  });
  ExpectRewrite(before, CanonicalizeBindings()(before), expected);
}

TEST(CanonicalizeBindings, IsRegisteredAfterNormalize) {
  PassInfo info = GetPass("CanonicalizeBindings").info();
  EXPECT_EQ(info.required, std::vector<std::string>{"Normalize"});
}

}  // namespace
}  // namespace kiln::transform
