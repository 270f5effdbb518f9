// The well-formedness checker: one test per problem it finds, with its
// message, and the throwing form.
#include "kiln/relax/well_formed.h"

#include "common/test_util.h"
#include "kiln/relax/block_builder.h"
#include "kiln/tir/function.h"
#include "relax/test_ops.h"

namespace kiln::relax {
namespace {

using testing::F32;
using testing::TestCall;

ir::IRModule ModuleOf(const Function& f, const std::string& name = "main") {
  return ir::IRModule({{ir::MakeGlobalVar(name), f}});
}

// main(x) { bindings; body } with one binding block.
ir::IRModule WithBindings(const Var& x, std::vector<Binding> bindings, const Expr& body, bool dataflow = false) {
  Expr seq = MakeSeqExpr({{std::move(bindings), dataflow}}, body);
  return ModuleOf(MakeFunction({x}, seq, x.struct_info()));
}

Expr Norm(const Expr& e) {
  return BlockBuilder().Normalize(e);
}

// The one problem `mod` has.
std::string OnlyProblem(const ir::IRModule& mod) {
  std::vector<WellFormedProblem> problems = CheckWellFormed(mod);
  EXPECT_EQ(problems.size(), 1u);
  return problems.empty() ? "" : problems[0].str();
}

TEST(WellFormed, BuiltModuleIsWellFormed) {
  Var x = MakeVar("x", F32({4}));
  BlockBuilder bb;
  bb.BeginFunction("main", {x});
  bb.BeginDataflowBlock();
  Var y = bb.Emit(TestCall("test.ir.relu", {x}));
  Var z = bb.EmitOutput(TestCall("test.ir.add", {y, x}));
  bb.EndDataflowBlock();
  bb.EndFunction(z);
  EXPECT_TRUE(CheckWellFormed(bb.GetModule()).empty());
  VerifyWellFormed(bb.GetModule());
}

TEST(WellFormed, UndefinedVariable) {
  Var x = MakeVar("x", F32({4})), ghost = MakeVar("ghost", F32({4})), y = MakeVar("y", F32({4}));
  ir::IRModule mod = WithBindings(x, {{y, Norm(TestCall("test.ir.add", {x, ghost})), {}}}, y);
  EXPECT_EQ(OnlyProblem(mod), "in function 'main': variable 'ghost' is used but not defined");
}

TEST(WellFormed, VariableDefinedTwice) {
  Var x = MakeVar("x", F32({4})), y = MakeVar("y", F32({4}));
  Expr relu = Norm(TestCall("test.ir.relu", {x}));
  ir::IRModule mod = WithBindings(x, {{y, relu, {}}, {y, relu, {}}}, y);
  EXPECT_EQ(OnlyProblem(mod), "in function 'main': variable 'y' is defined twice");
}

TEST(WellFormed, DataflowVariableOutsideItsBlock) {
  Var x = MakeVar("x", F32({4})), lv = MakeDataflowVar("lv", F32({4}));
  ir::IRModule mod = WithBindings(x, {{lv, Norm(TestCall("test.ir.relu", {x})), {}}}, lv, true);
  EXPECT_EQ(OnlyProblem(mod), "in function 'main': dataflow variable 'lv' is used outside its dataflow block");
}

TEST(WellFormed, ScopesEndWithTheirSequence) {
  Var x = MakeVar("x", F32({4})), inner = MakeVar("inner", F32({4})), y = MakeVar("y", F32({4}));
  Expr seq = Norm(MakeSeqExpr({{{{inner, TestCall("test.ir.relu", {x}), {}}}, false}}, inner));
  Expr s = MakeSeqExpr({{{{y, seq, {}}}, false}}, inner);
  EXPECT_EQ(OnlyProblem(ModuleOf(MakeFunction({x}, s, F32({4})))),
            "in function 'main': variable 'inner' is used but not defined");
}

TEST(WellFormed, BindingStructInfoMustBeABase) {
  Var x = MakeVar("x", F32({4})), y = MakeVar("y", F32({8}));
  ir::IRModule mod = WithBindings(x, {{y, Norm(TestCall("test.ir.relu", {x})), {}}}, x);
  std::string problem = OnlyProblem(mod);
  EXPECT_NE(problem.find("binding 'y' has struct info"), std::string::npos) << problem;
  EXPECT_NE(problem.find("which is not a base of its value's"), std::string::npos) << problem;

  Var bare = MakeVar("bare", {});
  EXPECT_EQ(OnlyProblem(WithBindings(x, {{bare, x, {}}}, x)), "in function 'main': binding 'bare' has no struct info");
  Var w = MakeVar("w", F32({4}));
  EXPECT_EQ(OnlyProblem(WithBindings(x, {{w, TestCall("test.ir.relu", {x}), {}}}, x)),
            "in function 'main': binding 'w' has a value without struct info (run Normalize)");
}

TEST(WellFormed, MatchCastStructInfo) {
  tir::Var n("n");
  Var x = MakeVar("x", TensorSInfoOfRank(1, DataType::Float(32)));
  Var ok = MakeVar("ok", F32({n})), bad = MakeVar("bad", F32({4}));
  EXPECT_TRUE(CheckWellFormed(WithBindings(x, {{ok, x, F32({n})}}, x)).empty());
  std::string problem = OnlyProblem(WithBindings(x, {{bad, x, F32({n})}}, x));
  EXPECT_NE(problem.find("which is not a base of its match_cast's"), std::string::npos) << problem;
}

TEST(WellFormed, GlobalVarsMustBeInTheModule) {
  Var x = MakeVar("x", F32({4})), y = MakeVar("y", F32({4}));
  Expr call = MakeCall(ir::MakeGlobalVar("ghost"), {x});
  call.get()->struct_info = F32({4});
  EXPECT_EQ(OnlyProblem(WithBindings(x, {{y, call, {}}}, y)),
            "in function 'main': global function 'ghost' is not a function of the module");
  // A GlobalVar named like the module's function but not its object.
  Expr self = MakeCall(ir::MakeGlobalVar("main"), {x});
  self.get()->struct_info = F32({4});
  EXPECT_EQ(OnlyProblem(WithBindings(x, {{y, self, {}}}, y)),
            "in function 'main': global function 'main' is not the module's GlobalVar of that name (another object)");
}

TEST(WellFormed, SpansAppearInProblems) {
  Var x = MakeVar("x", F32({4})), ghost = MakeVar("ghost", F32({4}), {3, 7});
  std::vector<WellFormedProblem> problems = CheckWellFormed(WithBindings(x, {}, ghost));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].function, "main");
  EXPECT_EQ(problems[0].node, "variable 'ghost'");
  EXPECT_EQ(problems[0].span.line, 3);
  EXPECT_EQ(problems[0].str(), "in function 'main' (3:7): variable 'ghost' is used but not defined");
}

TEST(WellFormed, VerifyRaisesWithEveryProblem) {
  Var x = MakeVar("x", F32({4})), a = MakeVar("a", F32({4})), b = MakeVar("b", F32({4}));
  ir::IRModule mod = ModuleOf(MakeFunction({x}, MakeTuple({a, b}), TupleSInfo({F32({4}), F32({4})})));
  EXPECT_KILN_ERROR(VerifyWellFormed(mod, "after pass 'Broken'"),
                    "the module is not well formed after pass 'Broken':\n"
                    "  in function 'main': variable 'a' is used but not defined\n"
                    "  in function 'main': variable 'b' is used but not defined");
}

// ---- tir ----

ir::IRModule TirModule(const tir::PrimFunc& f) {
  return ir::IRModule({{ir::MakeGlobalVar("kernel"), f}});
}

TEST(WellFormed, TirFunctionIsWellFormed) {
  tir::Var n("n"), i("i"), vi("vi");
  tir::Buffer a = tir::DeclBuffer("A", {n}), b = tir::DeclBuffer("B", {n}), t = tir::DeclBuffer("T", {1});
  tir::BlockSpec spec;
  spec.name = "copy";
  spec.iter_vars = {{vi, {0, n}, tir::IterKind::kSpatial, i}};
  spec.reads = {{a, {{vi, 1}}}};
  spec.writes = {{b, {{vi, 1}}}};
  spec.alloc_buffers = {t};
  spec.body = tir::Seq(
      {tir::BufferStore(t, tir::BufferLoad(a, {vi}), {0}), tir::BufferStore(b, tir::BufferLoad(t, {0}), {vi})});
  tir::Stmt body = tir::For(i, 0, n, tir::ForKind::kSerial, tir::Block(spec));
  // n is defined by the buffer_map shapes, not by a parameter.
  EXPECT_TRUE(CheckWellFormed(TirModule(tir::MakePrimFunc({a, b}, body))).empty());
}

TEST(WellFormed, TirUndefinedVariable) {
  tir::Var k("k");
  tir::Buffer a = tir::DeclBuffer("A", {4});
  tir::Stmt body = tir::BufferStore(a, tir::PrimExpr(1.0), {k});
  EXPECT_EQ(OnlyProblem(TirModule(tir::MakePrimFunc({a}, body))),
            "in function 'kernel': tir variable 'k' is not defined");
}

TEST(WellFormed, TirVariableOutOfScope) {
  tir::Var i("i");
  tir::Buffer a = tir::DeclBuffer("A", {4});
  tir::Stmt loop = tir::For(i, 0, 4, tir::ForKind::kSerial, tir::BufferStore(a, tir::PrimExpr(1.0), {i}));
  tir::Stmt body = tir::Seq({loop, tir::BufferStore(a, tir::PrimExpr(2.0), {i})});
  EXPECT_EQ(OnlyProblem(TirModule(tir::MakePrimFunc({a}, body))),
            "in function 'kernel': tir variable 'i' is used outside the scope that defines it");
}

TEST(WellFormed, TirBlockIterVarOutOfScope) {
  tir::Var i("i"), vi("vi");
  tir::Buffer a = tir::DeclBuffer("A", {4});
  tir::BlockSpec spec;
  spec.name = "b";
  spec.iter_vars = {{vi, {0, 4}, tir::IterKind::kSpatial, i}};
  spec.body = tir::BufferStore(a, tir::PrimExpr(1.0), {vi});
  tir::Stmt loop = tir::For(i, 0, 4, tir::ForKind::kSerial, tir::Block(spec));
  tir::Stmt body = tir::Seq({loop, tir::BufferStore(a, tir::PrimExpr(1.0), {vi})});
  EXPECT_EQ(OnlyProblem(TirModule(tir::MakePrimFunc({a}, body))),
            "in function 'kernel': tir variable 'vi' is used outside the scope that defines it");
}

TEST(WellFormed, TirUndeclaredBuffer) {
  tir::Buffer a = tir::DeclBuffer("A", {4}), c = tir::DeclBuffer("C", {4});
  tir::Stmt body = tir::BufferStore(a, tir::BufferLoad(c, {0}), {0});
  EXPECT_EQ(OnlyProblem(TirModule(tir::MakePrimFunc({a}, body))),
            "in function 'kernel': buffer 'C' is not declared (by the buffer_map, an Allocate or a block's "
            "alloc_buffers)");
}

TEST(WellFormed, TirBufferOutsideItsAllocate) {
  tir::Buffer a = tir::DeclBuffer("A", {4}), t = tir::DeclBuffer("T", {4});
  tir::Stmt alloc = tir::Allocate(t, tir::BufferStore(t, tir::PrimExpr(1.0), {0}));
  tir::Stmt body = tir::Seq({alloc, tir::BufferStore(a, tir::BufferLoad(t, {0}), {0})});
  EXPECT_EQ(OnlyProblem(TirModule(tir::MakePrimFunc({a}, body))),
            "in function 'kernel': buffer 'T' is used outside the scope that declares it");
}

}  // namespace
}  // namespace kiln::relax
