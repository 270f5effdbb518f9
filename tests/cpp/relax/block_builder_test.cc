// BlockBuilder: struct-info inference of every expression kind, flattening
// to A-normal form, blocks, function scopes, names and the module.
#include "kiln/relax/block_builder.h"

#include "common/test_util.h"
#include "kiln/relax/struct_info_analysis.h"
#include "relax/test_ops.h"

namespace kiln::relax {
namespace {

using testing::F32;
using testing::TestCall;

const TensorStructInfoNode* AsTensor(const Expr& e) {
  return e.struct_info().As<TensorStructInfoNode>().get();
}

TEST(BlockBuilder, EmitInfersStructInfo) {
  Var x = MakeVar("x", F32({2, 3}));
  BlockBuilder bb;
  bb.BeginFunction("main", {x});
  bb.BeginDataflowBlock();
  Var y = bb.Emit(TestCall("test.ir.cast_f16", {x}));
  Var z = bb.EmitOutput(y, "z");
  bb.EndDataflowBlock();
  ir::GlobalVar gv = bb.EndFunction(z);

  EXPECT_TRUE(y->is_dataflow);
  EXPECT_FALSE(z->is_dataflow);
  EXPECT_EQ(y.name(), "lv");
  EXPECT_TRUE(StructInfoEqual(y.struct_info(), TensorSInfo({2, 3}, DataType::Float(16))));
  auto f = bb.GetModule().Lookup(gv).As<FunctionNode>();
  ASSERT_TRUE(f);
  EXPECT_EQ(gv->name, "main");
  EXPECT_TRUE(StructInfoEqual(f->ret_struct_info, y.struct_info()));
  auto body = f->body.as<SeqExprNode>();
  ASSERT_NE(body, nullptr);
  ASSERT_EQ(body->blocks.size(), 1u);
  EXPECT_TRUE(body->blocks[0].is_dataflow);
  EXPECT_EQ(body->blocks[0].bindings.size(), 2u);
  EXPECT_EQ(body->body.get(), z.get());
}

TEST(BlockBuilder, FlattensNestedCalls) {
  Var x = MakeVar("x", F32({4}));
  BlockBuilder bb;
  bb.BeginFunction("main", {x});
  bb.BeginBindingBlock();
  Var y = bb.Emit(TestCall("test.ir.add", {TestCall("test.ir.relu", {x}), TestCall("test.ir.relu", {x})}), "y");
  BindingBlock block = bb.EndBindingBlock();
  bb.EndFunction(y);

  ASSERT_EQ(block.bindings.size(), 3u);
  const Binding &a = block.bindings[0], &b = block.bindings[1], &c = block.bindings[2];
  EXPECT_EQ(a.var.name(), "gv");
  EXPECT_EQ(b.var.name(), "gv1");
  EXPECT_EQ(c.var.get(), y.get());
  auto add = c.value.as<CallNode>();
  ASSERT_NE(add, nullptr);
  EXPECT_EQ(add->args[0].get(), a.var.get());
  EXPECT_EQ(add->args[1].get(), b.var.get());
  EXPECT_TRUE(StructInfoEqual(y.struct_info(), F32({4})));
}

TEST(BlockBuilder, ImplicitBlockAndUniqueNames) {
  Var x = MakeVar("x", F32({4}));
  BlockBuilder bb;
  bb.BeginFunction("f", {x});
  Var a = bb.Emit(TestCall("test.ir.relu", {x}), "x");
  Var b = bb.Emit(TestCall("test.ir.relu", {a}), "x");
  bb.EndFunction(b);
  bb.BeginFunction("f", {x});
  ir::GlobalVar second = bb.EndFunction(x);
  EXPECT_EQ(a.name(), "x1");  // "x" is the parameter's
  EXPECT_EQ(b.name(), "x2");
  EXPECT_EQ(second->name, "f1");
  EXPECT_EQ(bb.GetModule().functions().size(), 2u);
}

TEST(BlockBuilder, UpdatesModuleFunctions) {
  Var x = MakeVar("x", F32({4}));
  BlockBuilder bb(ir::IRModule({{ir::MakeGlobalVar("f"), MakeFunction({x}, x, {})}}));
  Var y = MakeVar("y", F32({4}));
  Function g = MakeFunction({y}, y, {});
  ir::GlobalVar second = bb.AddFunction(g, "f");
  EXPECT_EQ(second->name, "f1");
  EXPECT_TRUE(StructInfoEqual(second->struct_info, g->struct_info));
  Function h = MakeFunction({y}, y, {});
  bb.UpdateFunction(second, h);
  EXPECT_EQ(bb.GetModule().Lookup(second).get(), h.get());
  EXPECT_EQ(bb.GetModule().functions().size(), 2u);
}

TEST(BlockBuilder, NormalizeFillsSubExpressions) {
  Var x = MakeVar("x", F32({4}));
  BlockBuilder bb;
  Expr nested = TestCall("test.ir.add", {TestCall("test.ir.relu", {x}), x});
  Expr out = bb.Normalize(nested);
  EXPECT_NE(out.get(), nested.get());
  auto call = out.as<CallNode>();
  EXPECT_TRUE(StructInfoEqual(out.struct_info(), F32({4})));
  EXPECT_TRUE(call->args[0].as<CallNode>() != nullptr);  // still nested
  EXPECT_TRUE(call->args[0].struct_info());
  EXPECT_EQ(bb.Normalize(out).get(), out.get());
}

TEST(BlockBuilder, OpAttrsCompletedAndChecked) {
  Var x = MakeVar("x", F32({4, 5}));
  BlockBuilder bb;
  Expr sum = bb.Normalize(TestCall("test.ir.sum", {x}));
  EXPECT_EQ(sum.as<CallNode>()->attrs.Get<int64_t>("axis", -1), 0);
  EXPECT_EQ(AsTensor(sum)->ndim, 1);
  EXPECT_KILN_ERROR(bb.Normalize(TestCall("test.ir.sum", {x}, {{"axes", int64_t{1}}})),
                    "test.ir.sum: unknown attribute 'axes'");
  EXPECT_KILN_ERROR(bb.Normalize(TestCall("test.ir.add", {x})), "test.ir.add takes 2 arguments (x1, x2), got 1");
  EXPECT_KILN_ERROR(bb.Normalize(TestCall("test.ir.relu", {MakeVar("s", ShapeSInfoOfRank(1))})),
                    "argument 0 must be a tensor");
}

TEST(BlockBuilder, CallsOfModuleAndExternFunctions) {
  Var x = MakeVar("x", F32({4}));
  BlockBuilder bb;
  bb.BeginFunction("callee", {x});
  ir::GlobalVar callee = bb.EndFunction(bb.Emit(TestCall("test.ir.cast_f16", {x})));
  Expr call = bb.Normalize(MakeCall(callee, {x}));
  EXPECT_EQ(AsTensor(call)->dtype, DataType::Float(16));
  EXPECT_KILN_ERROR(bb.Normalize(MakeCall(callee, {x, x})), "call of 'callee' with 2 arguments; it takes 1");
  EXPECT_KILN_ERROR(bb.Normalize(MakeCall(ir::MakeGlobalVar("missing"), {x})),
                    "'missing' is not a function of the module");
  Expr ext = bb.Normalize(MakeCall(MakeExternFunc("my_kernel"), {x}, {}, {F32({8})}));
  EXPECT_TRUE(StructInfoEqual(ext.struct_info(), F32({8})));
  EXPECT_TRUE(bb.Normalize(MakeCall(MakeExternFunc("k"), {x})).struct_info().As<ObjectStructInfoNode>());
  EXPECT_KILN_ERROR(bb.Normalize(MakeCall(x, {x})), "call of a value that is not a function");
}

TEST(BlockBuilder, TuplesAndItems) {
  Var x = MakeVar("x", F32({4})), s = MakeVar("s", ShapeSInfoOfRank(1));
  BlockBuilder bb;
  Expr t = bb.Normalize(MakeTuple({x, s}));
  EXPECT_TRUE(StructInfoEqual(t.struct_info(), TupleSInfo({F32({4}), ShapeSInfoOfRank(1)})));
  EXPECT_TRUE(StructInfoEqual(bb.Normalize(MakeTupleGetItem(t, 1)).struct_info(), ShapeSInfoOfRank(1)));
  EXPECT_KILN_ERROR(bb.Normalize(MakeTupleGetItem(t, 2)), "tuple index 2 is out of range for a tuple of 2 fields");
  EXPECT_KILN_ERROR(bb.Normalize(MakeTupleGetItem(x, 0)), "tuple item 0 of a value that is not a tuple");
  Expr pair = bb.Normalize(MakeTupleGetItem(TestCall("test.ir.pair", {x}), 0));
  EXPECT_TRUE(StructInfoEqual(pair.struct_info(), F32({4})));
}

TEST(BlockBuilder, IfTakesTheCommonStructInfo) {
  Var c = MakeVar("c", PrimSInfo(DataType::Bool())), x = MakeVar("x", F32({4})), y = MakeVar("y", F32({8}));
  BlockBuilder bb;
  Expr e = bb.Normalize(MakeIf(c, x, y));
  EXPECT_EQ(AsTensor(e)->ndim, 1);
  EXPECT_FALSE(AsTensor(e)->shape);
  EXPECT_KILN_ERROR(bb.Normalize(MakeIf(x, x, y)), "the condition of an if must be a bool scalar, not Tensor");
}

TEST(BlockBuilder, LeavesAndSeq) {
  tir::Var n("n");
  BlockBuilder bb;
  EXPECT_TRUE(StructInfoEqual(bb.Normalize(MakeShapeExpr({n, 2})).struct_info(), ShapeSInfo({n, 2})));
  EXPECT_TRUE(StructInfoEqual(bb.Normalize(MakePrimValue(n)).struct_info(), PrimSInfo(DataType::Int(64), n)));
  Var x = MakeVar("x", F32({4})), y = MakeVar("y", F32({4}));
  Expr seq = bb.Normalize(MakeSeqExpr({{{{y, TestCall("test.ir.relu", {x}), {}}}, false}}, y));
  EXPECT_TRUE(StructInfoEqual(seq.struct_info(), F32({4})));
  EXPECT_TRUE(seq.as<SeqExprNode>()->blocks[0].bindings[0].value.struct_info());
  EXPECT_KILN_ERROR(bb.Normalize(MakeVar("bare", {})), "relax variable 'bare' has no struct info");
}

TEST(BlockBuilder, MatchCast) {
  tir::Var n("n");
  Var x = MakeVar("x", TensorSInfoOfRank(-1, DataType::Float(32)));
  BlockBuilder bb;
  bb.BeginFunction("main", {x});
  Var y = bb.EmitMatchCast(x, F32({n, 4}), "y");
  ir::GlobalVar gv = bb.EndFunction(y);
  EXPECT_TRUE(StructInfoEqual(y.struct_info(), F32({n, 4})));
  auto f = bb.GetModule().Lookup(gv).As<FunctionNode>();
  const Binding& b = f->body.as<SeqExprNode>()->blocks[0].bindings[0];
  EXPECT_TRUE(b.match_cast);
  EXPECT_EQ(b.value.get(), x.get());
}

TEST(BlockBuilder, ScopeMistakes) {
  Var x = MakeVar("x", F32({4}));
  BlockBuilder bb;
  EXPECT_KILN_ERROR(bb.Emit(TestCall("test.ir.relu", {x})), "emitting with no block open");
  EXPECT_KILN_ERROR(bb.EndBindingBlock(), "EndBindingBlock with no block open");
  bb.BeginBindingBlock();
  EXPECT_KILN_ERROR(bb.EmitOutput(x), "EmitOutput outside a dataflow block");
  EXPECT_KILN_ERROR(bb.EndDataflowBlock(), "EndDataflowBlock closes a binding block");
  bb.EndBindingBlock();
  bb.BeginFunction("main", {x});
  EXPECT_KILN_ERROR(bb.BeginFunction("g", {}), "functions do not nest");
  bb.BeginDataflowBlock();
  Var lv = bb.Emit(TestCall("test.ir.relu", {x}));
  bb.EndDataflowBlock();
  EXPECT_KILN_ERROR(bb.EndFunction(lv), "uses dataflow variable 'lv': bind it with EmitOutput");
}

}  // namespace
}  // namespace kiln::relax

namespace kiln::relax {
namespace {

// A call of a module function returns its result in the caller's terms: the
// callee's symbolic dims are bound from the arguments, and those no argument
// binds are erased rather than leaked into the caller.
TEST(BlockBuilder, CallOfFunctionBindsItsSymbolicDims) {
  tir::Var k = tir::SizeVar("k"), n = tir::SizeVar("n"), m = tir::SizeVar("m");
  Var a = MakeVar("a", TensorSInfo({k, 4}, DataType::Float(32)));
  BlockBuilder bb;
  bb.BeginFunction("twice", {a});
  ir::GlobalVar twice = bb.EndFunction(bb.Emit(TestCall("test.ir.cast_f16", {a})));
  Var x = MakeVar("x", TensorSInfo({n, 4}, DataType::Float(32)));
  Expr call = bb.Normalize(MakeCall(twice, {x}));
  ASSERT_TRUE(AsTensor(call)->shape);
  EXPECT_EQ((*AsTensor(call)->shape)[0].get(), n.get());
  // A result dim the parameters do not bind becomes unknown (rank kept).
  Var b = MakeVar("b", TensorSInfo({4}, DataType::Float(32)));
  bb.BeginFunction("fresh", {b});
  ir::GlobalVar fresh = bb.EndFunction(bb.EmitMatchCast(b, TensorSInfo({m}, DataType::Float(32))));
  Expr call2 = bb.Normalize(MakeCall(fresh, {b}));
  EXPECT_FALSE(AsTensor(call2)->shape);
  EXPECT_EQ(AsTensor(call2)->ndim, 1);
}

}  // namespace
}  // namespace kiln::relax
