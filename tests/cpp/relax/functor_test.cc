// relax visitors and mutators: kind dispatch, what the visitor reaches,
// copy-on-write, variable remapping, symbolic substitution and flattening.
#include "kiln/relax/functor.h"

#include <set>

#include "common/test_util.h"
#include "kiln/relax/struct_info_analysis.h"
#include "kiln/tir/functor.h"
#include "relax/test_ops.h"

namespace kiln::relax {
namespace {

using testing::F32;
using testing::TestCall;

const SeqExprNode* Body(const Expr& f) {
  return f.as<FunctionNode>()->body.as<SeqExprNode>();
}

// main(x: Tensor[(4,)]) { lv0 = relu(x); lv1 = add(x, x); lv2 = cast_f16(lv0); out = lv2 }
Function ThreeBindings() {
  Var x = MakeVar("x", F32({4}));
  BlockBuilder bb;
  bb.BeginFunction("main", {x});
  bb.BeginDataflowBlock();
  Var lv0 = bb.Emit(TestCall("test.ir.relu", {x}), "lv0");
  bb.Emit(TestCall("test.ir.add", {x, x}), "lv1");
  Var lv2 = bb.Emit(TestCall("test.ir.cast_f16", {lv0}), "lv2");
  Var out = bb.EmitOutput(lv2, "out");
  bb.EndDataflowBlock();
  ir::GlobalVar gv = bb.EndFunction(out);
  return bb.GetModule().Lookup(gv).As<FunctionNode>();
}

class Counter : public ExprVisitor {
 public:
  int calls = 0, var_uses = 0, var_defs = 0;

 protected:
  void VisitExpr_(const CallNode* op) override {
    ++calls;
    ExprVisitor::VisitExpr_(op);
  }
  void VisitExpr_(const VarNode*) override { ++var_uses; }
  void VisitVarDef(const Var&) override { ++var_defs; }
};

TEST(RelaxFunctor, VisitorCountsNodes) {
  Counter c;
  c.VisitExpr(ThreeBindings());
  EXPECT_EQ(c.calls, 3);
  EXPECT_EQ(c.var_defs, 5);  // x and four bindings
  EXPECT_EQ(c.var_uses, 6);  // x, x, x, lv0, lv2, out
}

TEST(RelaxFunctor, DispatchRejectsTirFunctions) {
  tir::PrimFunc f = tir::MakePrimFunc(std::vector<tir::Buffer>{}, tir::Evaluate(0));
  Counter c;
  EXPECT_KILN_ERROR(c.VisitExpr(Expr(f)), "not a relax expression: tir.PrimFunc");
}

// Collects the names of tir variables in struct info and shape values.
class SymbolCollector : public ExprVisitor {
 public:
  std::set<std::string> names;

 protected:
  void VisitPrimExpr(const tir::PrimExpr& e) override {
    tir::PreOrderVisit(e, [&](const tir::PrimExpr& sub) {
      if (auto v = sub.as<tir::VarNode>()) names.insert(v->name);
    });
  }
};

TEST(RelaxFunctor, VisitorReachesSymbolicVars) {
  tir::Var n("n"), m("m"), k("k");
  Var x = MakeVar("x", F32({n, 4}));
  Var y = MakeVar("y", F32({m}));
  Expr body = MakeSeqExpr({{{{y, MakeShapeExpr({k}), F32({m})}}, false}}, x);
  SymbolCollector c;
  c.VisitExpr(MakeFunction({x}, body, F32({n, 4})));
  EXPECT_EQ(c.names, (std::set<std::string>{"n", "m", "k"}));
}

TEST(RelaxFunctor, MutatorKeepsUnchangedObjects) {
  Function f = ThreeBindings();
  ExprMutator m;
  EXPECT_EQ(m.VisitExpr(f).get(), f.get());
}

// Rewrites relu(x) into cast_f16(x): the bound variable's dtype changes.
class ReluToCast : public ExprMutator {
 protected:
  Expr VisitExpr_(const CallNode* op) override {
    auto callee = op->op.as<OpNode>();
    if (callee && callee->name == "test.ir.relu") return TestCall("test.ir.cast_f16", {VisitExpr(op->args[0])});
    return ExprMutator::VisitExpr_(op);
  }
};

TEST(RelaxFunctor, MutatorRemapsReplacedDefinitions) {
  Function f = ThreeBindings();
  Expr g = ReluToCast().VisitExpr(f);
  ASSERT_NE(g.get(), f.get());
  const auto& before = Body(f)->blocks[0].bindings;
  const auto& after = Body(g)->blocks[0].bindings;
  ASSERT_EQ(after.size(), 4u);
  // lv0 now holds float16: a new variable of the same name.
  EXPECT_NE(after[0].var.get(), before[0].var.get());
  EXPECT_EQ(after[0].var.name(), "lv0");
  EXPECT_EQ(after[0].var.struct_info().As<TensorStructInfoNode>()->dtype, DataType::Float(16));
  // lv1 is untouched: the same binding objects.
  EXPECT_EQ(after[1].var.get(), before[1].var.get());
  EXPECT_EQ(after[1].value.get(), before[1].value.get());
  // lv2 keeps its variable (same struct info) and now reads the new lv0.
  EXPECT_EQ(after[2].var.get(), before[2].var.get());
  EXPECT_EQ(after[2].value.as<CallNode>()->args[0].get(), after[0].var.get());
  EXPECT_EQ(after[3].value.get(), before[3].value.get());
}

// Substitutes n := 8 in every struct info and shape.
class FixN : public ExprMutator {
 public:
  explicit FixN(tir::Var n) : n_(std::move(n)) {}

 protected:
  tir::PrimExpr VisitPrimExpr(const tir::PrimExpr& e) override {
    return tir::Substitute(e,
                           [&](const tir::Var& v) { return v.get() == n_.get() ? tir::PrimExpr(8) : tir::PrimExpr(); });
  }
  tir::Var n_;
};

TEST(RelaxFunctor, MutatorSubstitutesSymbolicVars) {
  tir::Var n("n");
  Var x = MakeVar("x", F32({n, 4}));
  BlockBuilder bb;
  bb.BeginFunction("main", {x});
  Var y = bb.Emit(TestCall("test.ir.relu", {x}), "y");
  Function f = bb.GetModule().Lookup(bb.EndFunction(y)).As<FunctionNode>();

  Expr g = FixN(n).VisitExpr(f);
  auto fn = g.as<FunctionNode>();
  ASSERT_NE(fn, nullptr);
  EXPECT_NE(fn->params[0].get(), x.get());
  EXPECT_TRUE(StructInfoEqual(fn->params[0].struct_info(), F32({8, 4})));
  EXPECT_TRUE(StructInfoEqual(fn->ret_struct_info, F32({8, 4})));
  const Binding& b = Body(g)->blocks[0].bindings[0];
  EXPECT_EQ(b.value.as<CallNode>()->args[0].get(), fn->params[0].get());
  EXPECT_TRUE(StructInfoEqual(b.var.struct_info(), F32({8, 4})));
  EXPECT_EQ(Body(g)->body.get(), b.var.get());
}

TEST(RelaxFunctor, MutatorFlattensNestedCalls) {
  Var x = MakeVar("x", F32({4})), y = MakeVar("y", F32({4}));
  Expr nested = TestCall("test.ir.add", {TestCall("test.ir.relu", {x}), x});
  Function f = MakeFunction({x}, MakeSeqExpr({{{{y, nested, {}}}, false}}, y), F32({4}));
  Expr g = ExprMutator().VisitExpr(f);
  const auto& bindings = Body(g)->blocks[0].bindings;
  ASSERT_EQ(bindings.size(), 2u);
  EXPECT_TRUE(bindings[0].value.as<CallNode>()->args[0].as<VarNode>());
  EXPECT_EQ(bindings[1].var.get(), y.get());
  EXPECT_EQ(bindings[1].value.as<CallNode>()->args[0].get(), bindings[0].var.get());
  EXPECT_NE(bindings[0].var.name(), "y");
  // Normalized output goes through unchanged.
  EXPECT_EQ(ExprMutator().VisitExpr(g).get(), g.get());
}

TEST(RelaxFunctor, MutatorWrapsNonLeafScopeBodies) {
  Var x = MakeVar("x", F32({4}));
  Function f = MakeFunction({x}, TestCall("test.ir.relu", {x}), F32({4}));
  Expr g = ExprMutator().VisitExpr(f);
  const SeqExprNode* body = Body(g);
  ASSERT_NE(body, nullptr);
  ASSERT_EQ(body->blocks.size(), 1u);
  EXPECT_EQ(body->body.get(), body->blocks[0].bindings[0].var.get());
}

TEST(RelaxFunctor, PostOrderVisitsChildrenFirst) {
  Var x = MakeVar("x", F32({4}));
  Expr inner = TestCall("test.ir.relu", {x});
  Expr outer = MakeTuple({inner, x});
  std::vector<const ir::RelaxExprNode*> order;
  PostOrderVisit(outer, [&](const Expr& e) { order.push_back(e.get()); });
  ASSERT_EQ(order.size(), 5u);  // op, x, relu, x, tuple
  EXPECT_EQ(order[2], inner.get());
  EXPECT_EQ(order.back(), outer.get());
}

}  // namespace
}  // namespace kiln::relax
