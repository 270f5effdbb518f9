// Normalize: struct info filled in and nested calls flattened, checked
// against modules built in normal form by hand.
#include "kiln/transform/normalize.h"

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

ir::IRModule Main(const Var& x, const Expr& body) {
  return ir::IRModule({{ir::MakeGlobalVar("main"), relax::MakeFunction({x}, body, F32({4}))}});
}

TEST(Normalize, FlattensNestedCallsAndFillsStructInfo) {
  // main(x) { y = add(relu(x), x); y }, y and the calls without struct info
  Var x = MakeVar("x", F32({4})), y = MakeVar("y", {});
  Expr nested = TestCall("test.ir.add", {TestCall("test.ir.relu", {x}), x});
  ir::IRModule before = Main(x, relax::MakeSeqExpr({{{{y, nested, {}}}, false}}, y));

  Var ex = MakeVar("x", F32({4}));
  ir::IRModule expected = BuildMain({ex}, [&](BlockBuilder& bb) {
    bb.BeginBindingBlock();
    Var lv = bb.Emit(TestCall("test.ir.relu", {ex}));
    Var ey = bb.Emit(TestCall("test.ir.add", {lv, ex}), "y");
    bb.EndBindingBlock();
    return ey;
  });
  ir::IRModule after = Normalize()(before);
  ExpectRewrite(before, after, expected);
  EXPECT_EQ(Normalize()(after).get(), after.get());
}

TEST(Normalize, WrapsACallBodyInASequence) {
  Var x = MakeVar("x", F32({4}));
  ir::IRModule before = Main(x, TestCall("test.ir.relu", {TestCall("test.ir.relu", {x})}));
  Var ex = MakeVar("x", F32({4}));
  ir::IRModule expected = BuildMain({ex}, [&](BlockBuilder& bb) {
    bb.BeginBindingBlock();
    Var a = bb.Emit(TestCall("test.ir.relu", {ex}));
    Var b = bb.Emit(TestCall("test.ir.relu", {a}));
    bb.EndBindingBlock();
    return b;
  });
  ExpectRewrite(before, Normalize()(before), expected);
}

TEST(Normalize, FlattensInsideDataflowBlocksAndBranches) {
  Var x = MakeVar("x", F32({4})), c = MakeVar("c", relax::PrimSInfo(runtime::DataType::Bool()));
  Var lv = relax::MakeDataflowVar("lv", {}), out = MakeVar("out", {}), r = MakeVar("r", {});
  Expr nested = TestCall("test.ir.add", {TestCall("test.ir.relu", {x}), x});
  Expr branch = TestCall("test.ir.relu", {TestCall("test.ir.relu", {x})});
  Expr body = relax::MakeSeqExpr(
      {{{{lv, nested, {}}, {out, lv, {}}}, true}, {{{r, relax::MakeIf(c, branch, out), {}}}, false}}, r);
  ir::IRModule before = ir::IRModule({{ir::MakeGlobalVar("main"), relax::MakeFunction({x, c}, body, F32({4}))}});

  Var ex = MakeVar("x", F32({4})), ec = MakeVar("c", relax::PrimSInfo(runtime::DataType::Bool()));
  ir::IRModule expected = BuildMain({ex, ec}, [&](BlockBuilder& bb) {
    bb.BeginDataflowBlock();
    Var a = bb.Emit(TestCall("test.ir.relu", {ex}));
    Var elv = bb.Emit(TestCall("test.ir.add", {a, ex}));
    Var eout = bb.EmitOutput(elv);
    bb.EndDataflowBlock();
    bb.BeginBindingBlock();
    bb.BeginBindingBlock();  // the true branch's scope
    Var b1 = bb.Emit(TestCall("test.ir.relu", {ex}));
    Var b2 = bb.Emit(TestCall("test.ir.relu", {b1}));
    relax::BindingBlock then_block = bb.EndBindingBlock();
    Var er = bb.Emit(relax::MakeIf(ec, relax::MakeSeqExpr({then_block}, b2), eout));
    bb.EndBindingBlock();
    return er;
  });
  ExpectRewrite(before, Normalize()(before), expected);
}

TEST(Normalize, ReportsIllTypedCalls) {
  Var x = MakeVar("x", F32({4})), y = MakeVar("y", {});
  Expr bad = TestCall("test.ir.relu", {relax::MakeShapeExpr({4})});
  ir::IRModule before = Main(x, relax::MakeSeqExpr({{{{y, bad, {}}}, false}}, y));
  EXPECT_KILN_ERROR(Normalize()(before), "test op: argument 0 must be a tensor");
}

TEST(Normalize, IsRegistered) {
  PassInfo info = GetPass("Normalize").info();
  EXPECT_EQ(info.opt_level, 0);
  EXPECT_FALSE(info.summary.empty());
}

}  // namespace
}  // namespace kiln::transform
