// relax structural equality and hashing: alpha-equivalence with symbolic shape
// variables, one test per kind of difference (with the path FindMismatch
// reports), free variables, struct info, and modules of relax and tir.
#include "kiln/relax/structural_equal.h"

#include <functional>

#include "common/test_util.h"
#include "kiln/relax/op.h"
#include "kiln/relax/struct_info.h"
#include "kiln/tir/function.h"

namespace kiln::relax {
namespace {

using tir::PrimExpr;
const DataType kF32 = DataType::Float(32);

// Callees for the test functions; comparing calls needs no real op library.
Op TestOp(const std::string& name) {
  if (Op op = FindOp(name)) return op;
  return RegisterOp(name).op();
}

// A float32 constant of `shape` filled with `value`.
Expr Filled(std::vector<int64_t> shape, float value) {
  runtime::NDArray a = runtime::NDArray::Empty(shape, kF32, runtime::Device::CPU());
  std::vector<float> data(a.numel(), value);
  a.CopyFromBytes(data.data(), a.nbytes());
  return MakeConstant(a);
}

// Every field of Build's function that a variant may change.
struct Spec {
  DataType dtype = kF32;
  int64_t width = 4;
  std::string second_op = "test.mul";
  Attrs call_attrs = {{"axis", int64_t{1}}};
  float constant = 1.5f;
  int item = 0;
  bool dataflow = true;
  bool reshape_uses_n = true;
  bool reshape_sinfo_known = true;
  DataType lv0_dtype = kF32;
  bool match_cast = true;
  int64_t offset = 1;
  std::string note = "note";
  std::string symbol = "ext.log";
  bool swap_branches = false;
  bool pure = true;
  Attrs func_attrs = {{"global_symbol", "main"}};
};

// main(x: Tensor((n, W)), y: Tensor((n, W)), flag: bool):
//   dataflow: lv0 = add(x, y); lv1 = second_op(lv0, const) {attrs}; lv2 = (lv0, lv1);
//             lv3 = lv2[item]; lv4 = reshape(lv3, shape(n * W)); gv = lv4
//   o = match_cast(gv, Tensor((m,))); r = ext(o, m + offset, note)
//   return flag ? r : o
// Each call makes new variables (relax and symbolic), so two calls are
// alpha-equivalent.
Function Build(const Spec& s) {
  tir::Var n = tir::SizeVar("n"), m = tir::SizeVar("m");
  StructInfo matrix = TensorSInfo({n, s.width}, s.dtype);
  Var x = MakeVar("x", matrix), y = MakeVar("y", matrix), flag = MakeVar("flag", PrimSInfo(DataType::Bool()));
  auto local = [&](const char* name, StructInfo sinfo) {
    return s.dataflow ? MakeDataflowVar(name, sinfo) : MakeVar(name, sinfo);
  };
  Var lv0 = local("lv0", TensorSInfo({n, s.width}, s.lv0_dtype)), lv1 = local("lv1", matrix);
  Var lv2 = local("lv2", TupleSInfo({matrix, matrix})), lv3 = local("lv3", matrix);
  PrimExpr flat = (s.reshape_uses_n ? PrimExpr(n) : PrimExpr(tir::SizeVar("k"))) * s.width;
  StructInfo flat_sinfo = s.reshape_sinfo_known ? TensorSInfo({flat}, s.dtype) : TensorSInfoOfRank(1, s.dtype);
  Var lv4 = local("lv4", flat_sinfo), gv = MakeVar("gv", flat_sinfo);
  BindingBlock graph{{{lv0, MakeCall(TestOp("test.add"), {x, y}), {}},
                      {lv1, MakeCall(TestOp(s.second_op), {lv0, Filled({s.width}, s.constant)}, s.call_attrs), {}},
                      {lv2, MakeTuple({lv0, lv1}), {}},
                      {lv3, MakeTupleGetItem(lv2, s.item), {}},
                      {lv4, MakeCall(TestOp("test.reshape"), {lv3, MakeShapeExpr({flat})}, {}, {flat_sinfo}), {}},
                      {gv, lv4, {}}},
                     s.dataflow};
  StructInfo vector = TensorSInfo({m}, s.dtype);
  Var o = MakeVar("o", vector), r = MakeVar("r", vector);
  Expr ext = MakeCall(MakeExternFunc(s.symbol), {o, MakePrimValue(PrimExpr(m) + s.offset), MakeStringImm(s.note)}, {},
                      {vector});
  BindingBlock tail{{{o, gv, s.match_cast ? vector : StructInfo()}, {r, ext, {}}}, false};
  Expr body = MakeSeqExpr({graph, tail}, s.swap_branches ? MakeIf(flag, o, r) : MakeIf(flag, r, o));
  return MakeFunction({x, y, flag}, body, TensorSInfoOfRank(1, s.dtype), s.pure, s.func_attrs);
}

TEST(RelaxStructuralEqual, AlphaEquivalentFunctionsAreEqualAndHashEqual) {
  Function f = Build({}), g = Build({});
  EXPECT_TRUE(StructuralEqual(f, g));
  EXPECT_EQ(FindMismatch(f, g), std::nullopt);
  EXPECT_EQ(StructuralHash(f), StructuralHash(g));
  EXPECT_EQ(StructuralHash(f, true), StructuralHash(g, true));
}

struct Variant {
  const char* what;
  std::function<void(Spec&)> change;
  const char* path;  // FindMismatch's message contains it
};

TEST(RelaxStructuralEqual, EveryFieldDifferenceIsFoundWithItsPath) {
  std::vector<Variant> variants = {
      {"param dtype", [](Spec& s) { s.dtype = DataType::Float(16); },
       "params[0] / struct_info / dtype: float32 vs float16"},
      {"param shape", [](Spec& s) { s.width = 8; }, "params[0] / struct_info / shape[1] / value: 4 vs 8"},
      {"op", [](Spec& s) { s.second_op = "test.sub"; },
       "bindings[1] / value / op: lhs Op 'test.mul' vs rhs Op 'test.sub'"},
      {"call attrs",
       [](Spec& s) {
         s.call_attrs = {{"axis", int64_t{0}}};
       },
       "bindings[1] / value / attrs['axis']: 1 vs 0"},
      {"constant", [](Spec& s) { s.constant = 2.5f; },
       "bindings[1] / value / args[1] / data: values differ, first at element 0 of 4"},
      {"tuple index", [](Spec& s) { s.item = 1; }, "bindings[3] / value / index: 0 vs 1"},
      {"dataflow block", [](Spec& s) { s.dataflow = false; }, "body / blocks[0] / is_dataflow: true vs false"},
      {"symbolic var", [](Spec& s) { s.reshape_uses_n = false; },
       "bindings[4] / value / args[1] / values[0] / a: lhs Var 'n' vs rhs Var 'k' (lhs is bound, rhs is free)"},
      {"sinfo_args", [](Spec& s) { s.reshape_sinfo_known = false; },
       "bindings[4] / value / sinfo_args[0] / shape: known vs unknown"},
      {"var struct info", [](Spec& s) { s.lv0_dtype = DataType::Float(16); },
       "bindings[0] / var / struct_info / dtype: float32 vs float16"},
      {"match_cast", [](Spec& s) { s.match_cast = false; },
       "blocks[1] / bindings[0] / match_cast: lhs TensorStructInfo vs rhs nothing"},
      {"prim value", [](Spec& s) { s.offset = 2; }, "bindings[1] / value / args[1] / value / b / value: 1 vs 2"},
      {"string", [](Spec& s) { s.note = "other"; }, "args[2] / value: 'note' vs 'other'"},
      {"extern symbol", [](Spec& s) { s.symbol = "ext.exp"; }, "value / op / global_symbol: 'ext.log' vs 'ext.exp'"},
      {"if branches", [](Spec& s) { s.swap_branches = true; },
       "body / body / true_branch: lhs Var 'r' vs rhs Var 'o' (different variables)"},
      {"purity", [](Spec& s) { s.pure = false; }, "is_pure: true vs false"},
      {"function attrs",
       [](Spec& s) {
         s.func_attrs = {{"global_symbol", "entry"}};
       },
       "attrs['global_symbol']: 'main' vs 'entry'"},
  };
  Function base = Build({});
  size_t base_hash = StructuralHash(base);
  for (const Variant& v : variants) {
    Spec spec;
    v.change(spec);
    Function other = Build(spec);
    EXPECT_FALSE(StructuralEqual(base, other)) << v.what;
    std::optional<std::string> m = FindMismatch(base, other);
    ASSERT_TRUE(m.has_value()) << v.what;
    EXPECT_NE(m->find(v.path), std::string::npos) << v.what << ": " << *m;
    EXPECT_NE(StructuralHash(other), base_hash) << v.what;
  }
}

// main(x, y) { lv0 = add(x, y); lv1 = add(lv0, x); lv2 = add(lv1, last) }
ir::IRModule SmallModule(bool last_is_x, const std::string& target = "llvm") {
  StructInfo t = TensorSInfo({4}, kF32);
  Var x = MakeVar("x", t), y = MakeVar("y", t);
  Var lv0 = MakeDataflowVar("lv0", t), lv1 = MakeDataflowVar("lv1", t), lv2 = MakeVar("lv2", t);
  Op add = TestOp("test.add");
  BindingBlock block{{{lv0, MakeCall(add, {x, y}), {}},
                      {lv1, MakeCall(add, {lv0, x}), {}},
                      {lv2, MakeCall(add, {lv1, last_is_x ? x : y}), {}}},
                     true};
  Function main = MakeFunction({x, y}, MakeSeqExpr({block}, lv2), t);
  return ir::IRModule({{ir::MakeGlobalVar("main"), main}}, {{"target", target}});
}

TEST(RelaxStructuralEqual, ModuleMismatchNamesTheFunctionAndThePath) {
  EXPECT_TRUE(StructuralEqual(SmallModule(true), SmallModule(true)));
  EXPECT_EQ(StructuralHash(SmallModule(true)), StructuralHash(SmallModule(true)));
  EXPECT_EQ(FindMismatch(SmallModule(true), SmallModule(false)),
            "function 'main' / body / blocks[0] / bindings[2] / value / args[1]: lhs Var 'x' vs rhs Var 'y' "
            "(different variables)");
  EXPECT_EQ(FindMismatch(SmallModule(true), SmallModule(true, "cuda")), "attrs['target']: 'llvm' vs 'cuda'");
  EXPECT_NE(StructuralHash(SmallModule(true)), StructuralHash(SmallModule(false)));
}

// A module with a tir function and a relax function calling it by GlobalVar.
ir::IRModule MixedModule(int64_t increment, bool tir_first) {
  tir::Var n = tir::SizeVar("n");
  tir::Buffer a = tir::DeclBuffer("A", {n}), b = tir::DeclBuffer("B", {n});
  tir::Var i("i");
  tir::Stmt loop = tir::For(i, 0, n, tir::ForKind::kSerial,
                            tir::BufferStore(b, tir::BufferLoad(a, {i}) + static_cast<double>(increment), {i}));
  ir::GlobalVar add_one = ir::MakeGlobalVar("add_one"), main_gv = ir::MakeGlobalVar("main");
  tir::Var m = tir::SizeVar("m");
  Var x = MakeVar("x", TensorSInfo({m}, kF32));
  Expr call = MakeCall(add_one, {x}, {}, {TensorSInfo({m}, kF32)});
  Function main = MakeFunction({x}, call, TensorSInfo({m}, kF32));
  std::pair<ir::GlobalVar, ir::BaseFunc> prim{add_one, tir::MakePrimFunc({a, b}, loop)}, graph{main_gv, main};
  return tir_first ? ir::IRModule({prim, graph}) : ir::IRModule({graph, prim});
}

TEST(RelaxStructuralEqual, ModulesWithTirAndRelaxFunctions) {
  EXPECT_TRUE(StructuralEqual(MixedModule(1, true), MixedModule(1, true)));
  EXPECT_EQ(StructuralHash(MixedModule(1, true)), StructuralHash(MixedModule(1, true)));
  EXPECT_EQ(FindMismatch(MixedModule(1, true), MixedModule(2, true)),
            "function 'add_one' / body / body / value / b / value: 1 vs 2");
  EXPECT_EQ(FindMismatch(MixedModule(1, true), MixedModule(1, false)), "functions: (add_one, main) vs (main, add_one)");
  ir::IRModule mod = MixedModule(1, true);
  EXPECT_TRUE(StructuralEqual(mod, mod));
  Expr f = MakeCall(ir::MakeGlobalVar("f"), {}), g = MakeCall(ir::MakeGlobalVar("g"), {});
  EXPECT_TRUE(StructuralEqual(f, MakeCall(ir::MakeGlobalVar("f"), {})));  // GlobalVars compare by name
  EXPECT_EQ(FindMismatch(f, g), "op: lhs GlobalVar 'f' vs rhs GlobalVar 'g'");
}

// outer(x) { f = fn(z) { add(z, x or z) }; y = f(x); return y }
Function Outer(bool capture) {
  StructInfo t = TensorSInfo({4}, kF32);
  Var x = MakeVar("x", t), y = MakeVar("y", t), z = MakeVar("z", t), f = MakeVar("f", FuncSInfo({t}, t));
  Function inner = MakeFunction({z}, MakeCall(TestOp("test.add"), {z, capture ? x : z}), t);
  BindingBlock block{{{f, inner, {}}, {y, MakeCall(f, {x}), {}}}, false};
  return MakeFunction({x}, MakeSeqExpr({block}, y), t);
}

TEST(RelaxStructuralEqual, NestedFunctionsSeeOuterDefinitions) {
  EXPECT_TRUE(StructuralEqual(Outer(true), Outer(true)));
  EXPECT_EQ(StructuralHash(Outer(true)), StructuralHash(Outer(true)));
  EXPECT_EQ(FindMismatch(Outer(true), Outer(false)),
            "body / blocks[0] / bindings[0] / value / body / args[1]: lhs Var 'x' vs rhs Var 'z' (different "
            "variables)");
  EXPECT_NE(StructuralHash(Outer(true)), StructuralHash(Outer(false)));
}

Function Identity(std::vector<PrimExpr> shape) {
  Var x = MakeVar("x", TensorSInfo(shape, kF32));
  return MakeFunction({x}, x, TensorSInfoOfRank(static_cast<int>(shape.size()), kF32));
}

TEST(RelaxStructuralEqual, SymbolicVariablesAreDefinedByParameters) {
  tir::Var n("n"), m("m");
  EXPECT_TRUE(StructuralEqual(Identity({n, 4}), Identity({m, 4})));
  EXPECT_EQ(StructuralHash(Identity({n, 4})), StructuralHash(Identity({m, 4})));
  EXPECT_TRUE(StructuralEqual(Identity({n, n}), Identity({m, m})));
  EXPECT_EQ(FindMismatch(Identity({n, n}), Identity({n, m})),
            "params[0] / struct_info / shape[1]: lhs Var 'n' vs rhs Var 'm' (lhs is bound, rhs is free)");
  EXPECT_NE(StructuralHash(Identity({n, n})), StructuralHash(Identity({n, m})));
  // A parameter struct info shared by both sides still defines n for the next.
  StructInfo shared = TensorSInfo({n}, kF32);
  auto two_params = [&](tir::Var second) {
    Var x = MakeVar("x", shared), y = MakeVar("y", TensorSInfo({second}, kF32));
    return MakeFunction({x, y}, x, shared);
  };
  EXPECT_TRUE(StructuralEqual(two_params(n), two_params(n)));
  EXPECT_EQ(FindMismatch(two_params(n), two_params(m)),
            "params[1] / struct_info / shape[0]: lhs Var 'n' vs rhs Var 'm' (lhs is bound, rhs is free)");
  // The mapping carries into the body: a ShapeExpr of n * 2 and a PrimValue.
  auto shape_of = [](tir::Var param_dim, tir::Var used) {
    Var x = MakeVar("x", TensorSInfo({param_dim}, kF32));
    Expr body = MakeTuple({MakeShapeExpr({PrimExpr(used) * 2}), MakePrimValue(PrimExpr(used) + 1)});
    return MakeFunction({x}, body, ObjectSInfo());
  };
  EXPECT_TRUE(StructuralEqual(shape_of(n, n), shape_of(m, m)));
  EXPECT_EQ(StructuralHash(shape_of(n, n)), StructuralHash(shape_of(m, m)));
  EXPECT_EQ(FindMismatch(shape_of(n, n), shape_of(n, m)),
            "body / fields[0] / values[0] / a: lhs Var 'n' vs rhs Var 'm' (lhs is bound, rhs is free)");
}

TEST(RelaxStructuralEqual, FreeVariablesWithoutAndWithMapping) {
  Var x = MakeVar("x", TensorSInfo({4}, kF32)), y = MakeVar("y", TensorSInfo({4}, kF32));
  Expr fx = MakeCall(TestOp("test.add"), {x, x}), fy = MakeCall(TestOp("test.add"), {y, y});
  EXPECT_TRUE(StructuralEqual(fx, MakeCall(TestOp("test.add"), {x, x})));
  EXPECT_EQ(FindMismatch(fx, fy),
            "args[0]: lhs Var 'x' vs rhs Var 'y' (different free variables; map_free_vars would map them)");
  EXPECT_TRUE(StructuralEqual(fx, fy, /*map_free_vars=*/true));
  EXPECT_EQ(StructuralHash(fx, true), StructuralHash(fy, true));
  EXPECT_FALSE(StructuralEqual(fx, MakeCall(TestOp("test.add"), {x, y}), true));
  // Mapped free variables still need equal struct info.
  Var z = MakeVar("z", TensorSInfo({8}, kF32));
  EXPECT_EQ(FindMismatch(Expr(x), Expr(z), true), "struct_info / shape[0] / value: 4 vs 8");
  EXPECT_EQ(FindMismatch(Expr(x), Expr(MakeDataflowVar("x", TensorSInfo({4}, kF32))), true),
            "lhs Var 'x' vs rhs DataflowVar 'x'");
}

TEST(RelaxStructuralEqual, ExpressionStructInfoCountsWhenBothHaveIt) {
  Var x = MakeVar("x", TensorSInfo({4}, kF32));
  Expr bare = MakeCall(TestOp("test.add"), {x, x});
  Expr typed = MakeCall(TestOp("test.add"), {x, x});
  typed->struct_info = TensorSInfo({4}, kF32);
  Expr other = MakeCall(TestOp("test.add"), {x, x});
  other->struct_info = TensorSInfo({4}, DataType::Int(32));
  EXPECT_TRUE(StructuralEqual(bare, typed));
  EXPECT_EQ(StructuralHash(bare), StructuralHash(typed));
  EXPECT_EQ(FindMismatch(typed, other), "struct_info / dtype: float32 vs int32");
}

TEST(RelaxStructuralEqual, StructInfoOfEveryKind) {
  tir::Var n("n");
  StructInfo func =
      FuncSInfo({TensorSInfo({n}, kF32), ShapeSInfo({n, 2})}, TupleSInfo({PrimSInfo(DataType::Int(64), n)}));
  StructInfo same =
      FuncSInfo({TensorSInfo({n}, kF32), ShapeSInfo({n, 2})}, TupleSInfo({PrimSInfo(DataType::Int(64), n)}));
  EXPECT_TRUE(StructuralEqual(func, same));
  EXPECT_EQ(StructuralHash(func), StructuralHash(same));
  EXPECT_TRUE(StructuralEqual(ObjectSInfo(), ObjectSInfo()));
  EXPECT_EQ(FindMismatch(ShapeSInfo({n, 2}), ShapeSInfo({n, 3})), "values[1] / value: 2 vs 3");
  EXPECT_EQ(FindMismatch(ShapeSInfoOfRank(2), ShapeSInfoOfRank(3)), "ndim: 2 vs 3");
  EXPECT_EQ(FindMismatch(TensorSInfoOfRank(-1, kF32), TensorSInfoOfRank(2, kF32)), "ndim: -1 vs 2");
  EXPECT_EQ(FindMismatch(TupleSInfo({ObjectSInfo()}), TupleSInfo({ObjectSInfo(), ObjectSInfo()})),
            "fields: lhs has 1 elements, rhs has 2");
  EXPECT_EQ(FindMismatch(PrimSInfo(DataType::Int(64), n), PrimSInfo(DataType::Int(64))),
            "value: lhs Var 'n' vs rhs nothing");
  EXPECT_EQ(FindMismatch(func, OpaqueFuncSInfo(ObjectSInfo(), true)), "params: known vs unknown (opaque)");
  EXPECT_EQ(FindMismatch(OpaqueFuncSInfo(ObjectSInfo(), true), OpaqueFuncSInfo(ObjectSInfo(), false)),
            "is_pure: true vs false");
  EXPECT_EQ(FindMismatch(ObjectSInfo(), TensorSInfoOfRank(1, kF32)), "lhs ObjectStructInfo vs rhs TensorStructInfo");
}

TEST(RelaxStructuralEqual, ConstantsCompareDtypeShapeAndBytes) {
  EXPECT_TRUE(StructuralEqual(Filled({2, 3}, 1.0f), Filled({2, 3}, 1.0f)));
  EXPECT_EQ(StructuralHash(Filled({2, 3}, 1.0f)), StructuralHash(Filled({2, 3}, 1.0f)));
  EXPECT_EQ(FindMismatch(Filled({2, 3}, 1.0f), Filled({3, 2}, 1.0f)), "shape: (2, 3) vs (3, 2)");
  EXPECT_EQ(FindMismatch(Filled({2}, 1.0f), Filled({2}, 2.0f)), "data: values differ, first at element 0 of 2");
  EXPECT_NE(StructuralHash(Filled({2}, 1.0f)), StructuralHash(Filled({2}, 2.0f)));
}

}  // namespace
}  // namespace kiln::relax
