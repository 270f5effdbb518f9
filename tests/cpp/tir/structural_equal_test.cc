// tir structural equality and hashing: alpha-equivalence, one test per kind
// of difference (with the path FindMismatch reports), free variables with and
// without map_free_vars, and attribute values.
#include "kiln/tir/structural_equal.h"

#include <cmath>
#include <functional>
#include <limits>

#include "common/test_util.h"

namespace kiln::tir {
namespace {

// Every field of a reduction PrimFunc that the variants below perturb.
struct Spec {
  DataType dtype = DataType::Float(32);
  int64_t k_extent = 16;
  ForKind outer_kind = ForKind::kParallel;
  ir::Attrs loop_attrs = {{"unroll", int64_t{4}}};
  std::string block_name = "sum";
  IterKind k_kind = IterKind::kReduce;
  double init = 0.0;
  double scale = 2.0;
  BinaryOp combine = BinaryOp::kAdd;
  int64_t read_extent = 1;
  std::string scratch_scope = "local";
  bool with_predicate = false;
  std::string intrinsic = "exp";
  ir::Attrs func_attrs = {{"global_symbol", "sum"}};
};

// func(A: (n, K), B: (n,), n):
//   for i in parallel(n): for k in range(K):
//     block sum(vi = i, vk = k; reads A[vi, vk]; writes B[vi]; alloc tmp):
//       init: B[vi] = init
//       tmp[0] = intrinsic(A[vi, vk]) * scale;  B[vi] = combine(B[vi], tmp[0])
// Each call makes new variables and buffers, so two calls are alpha-equivalent.
PrimFunc Build(const Spec& s) {
  Var n = SizeVar("n");
  Buffer a = DeclBuffer("A", {n, s.k_extent}, s.dtype);
  Buffer b = DeclBuffer("B", {n}, s.dtype);
  Buffer tmp = DeclBuffer("tmp", {1}, s.dtype, s.scratch_scope);
  Var i("i"), k("k"), vi("vi"), vk("vk");
  BlockSpec blk;
  blk.name = s.block_name;
  blk.iter_vars = {{vi, {0, n}, IterKind::kSpatial, i}, {vk, {0, s.k_extent}, s.k_kind, k}};
  blk.reads = {{a, {{vi, 1}, {vk, s.read_extent}}}};
  blk.writes = {{b, {{vi, 1}}}};
  blk.alloc_buffers = {tmp};
  if (s.k_kind == IterKind::kReduce) blk.init = BufferStore(b, MakeConst(s.dtype, s.init), {vi});
  PrimExpr loaded = Call(s.dtype, s.intrinsic, {BufferLoad(a, {vi, vk})});
  blk.body = Seq({BufferStore(tmp, loaded * MakeConst(s.dtype, s.scale), {0}),
                  BufferStore(b, Binary(s.combine, BufferLoad(b, {vi}), BufferLoad(tmp, {0})), {vi})});
  if (s.with_predicate) blk.predicate = vi < n;
  Stmt inner = For(k, 0, s.k_extent, ForKind::kSerial, Block(blk), "", s.loop_attrs);
  return MakePrimFunc({a, b}, For(i, 0, n, s.outer_kind, inner), {n}, s.func_attrs);
}

TEST(StructuralEqual, AlphaEquivalentFunctionsAreEqualAndHashEqual) {
  PrimFunc f = Build({}), g = Build({});
  EXPECT_TRUE(StructuralEqual(f, g));
  EXPECT_EQ(FindMismatch(f, g), std::nullopt);
  EXPECT_EQ(StructuralHash(f), StructuralHash(g));
  EXPECT_EQ(StructuralHash(f, true), StructuralHash(g, true));
  EXPECT_TRUE(StructuralEqual(f->body, f->body));
}

struct Variant {
  const char* what;
  std::function<void(Spec&)> change;
  const char* path;  // FindMismatch's message contains it
};

TEST(StructuralEqual, EveryFieldDifferenceIsFoundWithItsPath) {
  std::vector<Variant> variants = {
      {"dtype", [](Spec& s) { s.dtype = DataType::Float(16); }, "buffer_map[0] / buffer / dtype: float32 vs float16"},
      {"buffer shape", [](Spec& s) { s.k_extent = 8; }, "buffer_map[0] / buffer / shape[1] / value: 16 vs 8"},
      {"loop kind", [](Spec& s) { s.outer_kind = ForKind::kSerial; }, "body / kind: parallel vs serial"},
      {"loop annotation",
       [](Spec& s) {
         s.loop_attrs = {{"unroll", int64_t{8}}};
       },
       "body / body / annotations['unroll']: 4 vs 8"},
      {"annotation key",
       [](Spec& s) {
         s.loop_attrs = {{"vectorize", int64_t{4}}};
       },
       "annotations: lhs has keys (unroll) vs rhs (vectorize)"},
      {"block name", [](Spec& s) { s.block_name = "total"; }, "body / body / body / name: 'sum' vs 'total'"},
      {"iter kind", [](Spec& s) { s.k_kind = IterKind::kSpatial; }, "iter_vars[1] / kind: reduce vs spatial"},
      {"init constant", [](Spec& s) { s.init = 1.0; }, "init / value / value: 0 vs 1"},
      {"float constant", [](Spec& s) { s.scale = 3.0; }, "seq[0] / value / b / value: 2 vs 3"},
      {"binary op", [](Spec& s) { s.combine = BinaryOp::kMax; }, "seq[1] / value / op: Add vs Max"},
      {"region", [](Spec& s) { s.read_extent = 2; }, "reads[0] / region[1] / extent / value: 1 vs 2"},
      {"buffer scope", [](Spec& s) { s.scratch_scope = "shared"; }, "alloc_buffers[0] / scope: 'local' vs 'shared'"},
      {"predicate", [](Spec& s) { s.with_predicate = true; }, "predicate: lhs nothing vs rhs LT (Binary)"},
      {"intrinsic", [](Spec& s) { s.intrinsic = "tanh"; }, "seq[0] / value / a / op: 'exp' vs 'tanh'"},
      {"function attrs",
       [](Spec& s) {
         s.func_attrs = {{"global_symbol", "total"}};
       },
       "attrs['global_symbol']: 'sum' vs 'total'"},
  };
  PrimFunc base = Build({});
  size_t base_hash = StructuralHash(base);
  for (const Variant& v : variants) {
    Spec spec;
    v.change(spec);
    PrimFunc other = Build(spec);
    EXPECT_FALSE(StructuralEqual(base, other)) << v.what;
    std::optional<std::string> m = FindMismatch(base, other);
    ASSERT_TRUE(m.has_value()) << v.what;
    EXPECT_NE(m->find(v.path), std::string::npos) << v.what << ": " << *m;
    EXPECT_NE(StructuralHash(other), base_hash) << v.what;
  }
}

TEST(StructuralEqual, MismatchTextNamesThePathAndBothSides) {
  Spec spec;
  spec.scale = 3.0;
  EXPECT_EQ(FindMismatch(Build({}), Build(spec)), "body / body / body / body / seq[0] / value / b / value: 2 vs 3");
  Var x("x"), y("y");
  EXPECT_EQ(FindMismatch(x + 1, y + 1),
            "a: lhs Var 'x' vs rhs Var 'y' (different free variables; map_free_vars would map them)");
  EXPECT_EQ(FindMismatch(Cast(DataType::Int(32), x), Cast(DataType::Int(16), x)), "dtype: int32 vs int16");
  EXPECT_EQ(FindMismatch(x + 1, x * 2), "op: Add vs Mul");
}

TEST(StructuralEqual, LetVariablesAreDefinitions) {
  Var x("x"), y("y");
  PrimExpr f = Let(x, 1, x + 2), g = Let(y, 1, y + 2);
  EXPECT_TRUE(StructuralEqual(f, g));
  EXPECT_EQ(StructuralHash(f), StructuralHash(g));
  // The body uses the outer x, which rhs leaves free.
  EXPECT_EQ(FindMismatch(f, Let(y, 1, x + 2)), "body / a: lhs Var 'x' vs rhs Var 'x' (lhs is bound, rhs is free)");
  EXPECT_FALSE(StructuralEqual(f, Let(Var("z", DataType::Int(32)), IntImm(DataType::Int(32), 1), Var("w") + 2)));
  Stmt s = LetStmt(x, 3, Evaluate(x)), t = LetStmt(y, 3, Evaluate(y));
  EXPECT_TRUE(StructuralEqual(s, t));
  EXPECT_EQ(StructuralHash(s), StructuralHash(t));
}

TEST(StructuralEqual, DefinitionsMapOneToOne) {
  Buffer a = DeclBuffer("A", {4, 4});
  Var i("i"), j("j"), p("p"), q("q");
  auto nest = [&](const Var& outer, const Var& inner, const PrimExpr& row, const PrimExpr& col) {
    return For(outer, 0, 4, ForKind::kSerial,
               For(inner, 0, 4, ForKind::kSerial, BufferStore(a, PrimExpr(1.0), {row, col})));
  };
  EXPECT_TRUE(StructuralEqual(nest(i, j, i, j), nest(p, q, p, q)));
  EXPECT_FALSE(StructuralEqual(nest(i, j, i, j), nest(p, q, q, p)));
  EXPECT_EQ(FindMismatch(nest(i, j, i, i), nest(p, q, p, q)),
            "body / body / indices[1]: lhs Var 'i' vs rhs Var 'q' (different variables)");
  // One loop variable object reused by sibling loops equals two distinct ones.
  Stmt reuse = Seq({For(i, 0, 4, ForKind::kSerial, Evaluate(i)), For(i, 0, 4, ForKind::kSerial, Evaluate(i))});
  Stmt fresh = Seq({For(p, 0, 4, ForKind::kSerial, Evaluate(p)), For(q, 0, 4, ForKind::kSerial, Evaluate(q))});
  EXPECT_TRUE(StructuralEqual(reuse, fresh));
  EXPECT_EQ(StructuralHash(reuse), StructuralHash(fresh));
}

TEST(StructuralEqual, FreeVariablesWithoutAndWithMapping) {
  Var x("x"), y("y"), z("z");
  EXPECT_TRUE(StructuralEqual(x + 1, x + 1));
  EXPECT_FALSE(StructuralEqual(x + 1, y + 1));
  EXPECT_NE(StructuralHash(x + 1), StructuralHash(y + 1));
  EXPECT_TRUE(StructuralEqual(x + 1, y + 1, /*map_free_vars=*/true));
  EXPECT_EQ(StructuralHash(x + 1, true), StructuralHash(y + 1, true));
  // The mapping is a bijection.
  EXPECT_TRUE(StructuralEqual(x + y, y + x, true));
  EXPECT_FALSE(StructuralEqual(x + y, z + z, true));
  EXPECT_FALSE(StructuralEqual(x + x, y + z, true));
  EXPECT_EQ(FindMismatch(x + y, z + z, true), "b: lhs Var 'y' vs rhs Var 'z' (lhs is free, rhs is bound)");
  // Mapped variables still need one dtype.
  Var w("w", DataType::Int(32));
  EXPECT_EQ(FindMismatch(Cast(DataType::Int(64), w), Cast(DataType::Int(64), Var("v", DataType::Int(16))), true),
            "value / dtype: int32 vs int16");
  EXPECT_FALSE(StructuralEqual(PrimExpr(x), PrimExpr(SizeVar("n")), true));
}

TEST(StructuralEqual, FreeBuffersCompareByFieldsThenByMapping) {
  Buffer a = DeclBuffer("A", {8}), b = DeclBuffer("B", {8});
  EXPECT_TRUE(StructuralEqual(BufferLoad(a, {0}), BufferLoad(a, {0})));
  // Different buffers own different data variables.
  EXPECT_EQ(FindMismatch(BufferLoad(a, {0}), BufferLoad(b, {0})),
            "buffer / data: lhs Var 'A_data' vs rhs Var 'B_data' (different free variables; map_free_vars would map "
            "them)");
  EXPECT_TRUE(StructuralEqual(BufferLoad(a, {0}), BufferLoad(b, {0}), true));
  EXPECT_FALSE(StructuralEqual(BufferLoad(a, {0}) + BufferLoad(a, {1}), BufferLoad(a, {0}) + BufferLoad(b, {1}), true));
  // As declarations, buffers compare by fields alone.
  EXPECT_TRUE(StructuralEqual(a, b));
  EXPECT_EQ(StructuralHash(a), StructuralHash(b));
  EXPECT_FALSE(StructuralEqual(a, DeclBuffer("A", {8}, DataType::Float(32), "shared")));
  EXPECT_FALSE(StructuralEqual(a, DeclBuffer("A", {8}, DataType::Float(32), "global", {2})));
  EXPECT_FALSE(StructuralEqual(a, DeclBuffer("A", {8}, DataType::Float(32), "global", {}, 4)));
}

TEST(StructuralEqual, BufferMapShapesDefineTheirVariables) {
  auto copy = [] {
    Var n("n"), m("m");
    Buffer a = DeclBuffer("A", {n, m}), b = DeclBuffer("B", {n, m});
    Var i("i");
    Stmt body = For(i, 0, n, ForKind::kSerial, BufferStore(b, BufferLoad(a, {i, m - 1}), {i, 0}));
    return MakePrimFunc({a, b}, body);
  };
  EXPECT_TRUE(StructuralEqual(copy(), copy()));
  EXPECT_EQ(StructuralHash(copy()), StructuralHash(copy()));
  // (n, n) against (n, m): the second dimension is a new variable on one side only.
  auto square = [](bool same) {
    Var n("n"), m("m");
    Buffer a = DeclBuffer("A", {n, same ? n : m});
    return MakePrimFunc({a}, Evaluate(0));
  };
  EXPECT_EQ(FindMismatch(square(true), square(false)),
            "buffer_map[0] / buffer / shape[1]: lhs Var 'n' vs rhs Var 'm' (lhs is bound, rhs is free)");
}

TEST(StructuralEqual, StatementsOfEveryKind) {
  auto program = [](int64_t bound, bool with_else) {
    Var i("i"), x("x");
    Buffer buf = DeclBuffer("buf", {4}, DataType::Int(64), "local");
    Stmt loop_body = IfThenElse(i < bound, BufferStore(buf, i, {i}), with_else ? Evaluate(0) : Stmt());
    Stmt alloc = Allocate(buf, Seq({For(i, 0, 4, ForKind::kUnrolled, loop_body), Evaluate(BufferLoad(buf, {0}))}));
    return LetStmt(x, 2, While(x < 10, alloc));
  };
  EXPECT_TRUE(StructuralEqual(program(2, true), program(2, true)));
  EXPECT_EQ(StructuralHash(program(2, true)), StructuralHash(program(2, true)));
  EXPECT_EQ(FindMismatch(program(2, true), program(3, true)),
            "body / body / body / seq[0] / body / condition / b / value: 2 vs 3");
  EXPECT_EQ(FindMismatch(program(2, true), program(2, false)),
            "body / body / body / seq[0] / body / else_case: lhs Evaluate vs rhs nothing");
  EXPECT_EQ(FindMismatch(Seq({Evaluate(1), Evaluate(2)}), Seq({Evaluate(1), Evaluate(2), Evaluate(3)})),
            "seq: lhs has 2 elements, rhs has 3");
  EXPECT_EQ(FindMismatch(Evaluate(1), Seq({Evaluate(1), Evaluate(2)})), "lhs Evaluate vs rhs Seq");
  Var t("t");
  EXPECT_EQ(FindMismatch(For(t, 0, 4, ForKind::kThreadBinding, Evaluate(t), "threadIdx.x"),
                         For(t, 0, 4, ForKind::kThreadBinding, Evaluate(t), "blockIdx.x")),
            "thread_tag: 'threadIdx.x' vs 'blockIdx.x'");
}

TEST(StructuralEqual, ExpressionsOfEveryKind) {
  Var x("x"), b("b", DataType::Bool());
  PrimExpr e = Select(logical_not(b), Call(DataType::Int(64), "likely", {x}), max(x, 3));
  Var x2("x"), b2("b", DataType::Bool());
  EXPECT_TRUE(StructuralEqual(e, Select(logical_not(b2), Call(DataType::Int(64), "likely", {x2}), max(x2, 3)), true));
  EXPECT_EQ(FindMismatch(Ramp(x, 1, 4), Ramp(x, 1, 8)), "dtype: int64x4 vs int64x8");
  EXPECT_EQ(FindMismatch(Ramp(x, 1, 4), Ramp(x, 2, 4)), "stride / value: 1 vs 2");
  EXPECT_TRUE(StructuralEqual(Broadcast(x, 4), Broadcast(x, 4)));
  EXPECT_EQ(FindMismatch(StringImm("a"), StringImm("b")), "value: 'a' vs 'b'");
  EXPECT_EQ(FindMismatch(PrimExpr(1), Var("n")), "lhs IntImm 1 vs rhs Var 'n'");
  EXPECT_EQ(FindMismatch(PrimExpr(), PrimExpr(1)), "lhs nothing vs rhs IntImm 1");
  // Floats compare by bits: NaN equals itself, 0.0 and -0.0 differ.
  double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_TRUE(StructuralEqual(FloatImm(DataType::Float(64), nan), FloatImm(DataType::Float(64), nan)));
  EXPECT_FALSE(StructuralEqual(PrimExpr(0.0), PrimExpr(-0.0)));
}

TEST(StructuralEqual, AttributeValuesCompareRecursively) {
  Var i("i"), j("j");
  auto loop = [](Var v, ir::Attrs attrs) { return For(v, 0, 4, ForKind::kSerial, Evaluate(v), "", attrs); };
  ir::Attrs attrs = {{"tile", std::vector<runtime::Any>{int64_t{4}, std::vector<runtime::Any>{1.5, "x"}}},
                     {"dtype", DataType::Float(16)},
                     {"device", runtime::Device::CUDA(1)},
                     {"flag", true},
                     {"bound", PrimExpr(i) + 1}};
  ir::Attrs renamed = attrs.With("bound", PrimExpr(j) + 1);
  EXPECT_TRUE(StructuralEqual(loop(i, attrs), loop(j, renamed)));  // the loop var maps inside attrs too
  EXPECT_EQ(StructuralHash(loop(i, attrs)), StructuralHash(loop(j, renamed)));
  auto differ = [&](const char* key, runtime::Any value) {
    return FindMismatch(loop(i, attrs), loop(i, attrs.With(key, value))).value_or("equal");
  };
  EXPECT_EQ(differ("tile", std::vector<runtime::Any>{int64_t{4}, std::vector<runtime::Any>{1.5, "y"}}),
            "annotations['tile'][1][1]: 'x' vs 'y'");
  EXPECT_EQ(differ("tile", std::vector<runtime::Any>{int64_t{4}}),
            "annotations['tile']: lhs has 2 elements, rhs has 1");
  EXPECT_EQ(differ("dtype", DataType::Float(32)), "annotations['dtype']: float16 vs float32");
  EXPECT_EQ(differ("device", runtime::Device::CUDA(0)), "annotations['device']: cuda:1 vs cuda:0");
  EXPECT_EQ(differ("flag", int64_t{1}), "annotations['flag']: lhs bool vs rhs int");
  EXPECT_EQ(differ("bound", PrimExpr(i) + 2), "annotations['bound'] / b / value: 1 vs 2");
  EXPECT_EQ(differ("bound", "i + 1"), "annotations['bound']: lhs tir.Binary vs rhs runtime.Str");
}

}  // namespace
}  // namespace kiln::tir
