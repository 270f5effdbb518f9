// tir in the text format: operator precedence, literal suffixes, statements
// (flat and braced let/alloc, blocks), buffers, and PrimFuncs printed then
// parsed back to equal IR.
#include <cmath>

#include "text_fixtures.h"

namespace kiln::text {
namespace {

using namespace tir;

// Expects `e` to print as `text` and to parse back equal.
void ExpectExprText(const PrimExpr& e, const std::string& text, const std::vector<Var>& vars) {
  EXPECT_EQ(ToText(e), text);
  PrimExpr parsed = ParsePrimExpr(text, vars);
  EXPECT_FALSE(FindMismatch(e, parsed)) << *FindMismatch(e, parsed) << " in " << text;
}

ir::IRModule ModuleOf(const PrimFunc& f, const std::string& name = "f") {
  return ir::IRModule({{ir::MakeGlobalVar(name), f}});
}

TEST(TirText, OperatorsPrintWithTheFewestParentheses) {
  Var a("a"), b("b"), c("c");
  auto bin = [](BinaryOp op, PrimExpr x, PrimExpr y) { return Binary(op, x, y); };
  ExpectExprText(bin(BinaryOp::kMul, bin(BinaryOp::kAdd, a, b), c), "(a + b) * c", {a, b, c});
  ExpectExprText(bin(BinaryOp::kSub, a, bin(BinaryOp::kSub, b, c)), "a - (b - c)", {a, b, c});
  ExpectExprText(bin(BinaryOp::kSub, bin(BinaryOp::kSub, a, b), c), "a - b - c", {a, b, c});
  ExpectExprText(bin(BinaryOp::kAdd, a, bin(BinaryOp::kMul, b, c)), "a + b * c", {a, b, c});
  ExpectExprText(Not(a < b), "!(a < b)", {a, b});
  ExpectExprText(bin(BinaryOp::kSub, a, IntImm(DataType::Int(64), -1)), "a - -1", {a});
  ExpectExprText(bin(BinaryOp::kMul, IntImm(DataType::Int(64), -1), a), "-1 * a", {a});
  ExpectExprText(bin(BinaryOp::kFloorDiv, a, bin(BinaryOp::kFloorMod, b, c)), "a // (b %% c)", {a, b, c});
  ExpectExprText(logical_or(a < b, logical_and(b < c, a == c)), "a < b || b < c && a == c", {a, b, c});
  Var t("t");
  ExpectExprText(bin(BinaryOp::kAdd, Let(t, a, t), b), "(let t = a in t) + b", {a, b});
  ExpectExprText(bin(BinaryOp::kMin, a, bin(BinaryOp::kMax, b, c)), "min(a, max(b, c))", {a, b, c});
}

TEST(TirText, LiteralsCarryTheirDtype) {
  ExpectExprText(IntImm(DataType::Int(32), 3), "3i32", {});
  ExpectExprText(IntImm(DataType::UInt(64), -1), "-1u64", {});
  ExpectExprText(FloatImm(DataType::Float(16), 0.5), "0.5f16", {});
  ExpectExprText(FloatImm(DataType::BFloat16(), 2.0), "2.0bf16", {});
  ExpectExprText(FloatImm(DataType::Float(32), 0.1), "0.1", {});
  ExpectExprText(FloatImm(DataType::Float(32), 0.1f), "0.10000000149011612", {});
  ExpectExprText(FloatImm(DataType::Float(64), -1.0 / 0.0), "-inff64", {});
  ExpectExprText(IntImm(DataType::Int(64), INT64_MIN), "-9223372036854775808", {});
  ExpectExprText(Bool(true), "True", {});
  Var i("i");
  ExpectExprText(Cast(DataType::Float(16), i), "float16(i)", {i});
  ExpectExprText(StringImm("a\tb\x01"), "\"a\\tb\\x01\"", {});
  EXPECT_EQ(ParsePrimExpr("18446744073709551615u64").as<IntImmNode>()->value, -1);
  EXPECT_TRUE(std::isnan(ParsePrimExpr("nanf16").as<FloatImmNode>()->value));
}

TEST(TirText, UnsuffixedLiteralsTakeTheDtypeTheyNeed) {
  Var i("i", DataType::Int(32)), x("x", DataType::Float(16));
  PrimExpr sum = ParsePrimExpr("i + 1", {i});
  EXPECT_EQ(sum.dtype(), DataType::Int(32));
  EXPECT_EQ(sum.as<BinaryNode>()->b.dtype(), DataType::Int(32));
  EXPECT_EQ(ParsePrimExpr("x * 2", {x}).as<BinaryNode>()->b.dtype(), DataType::Float(16));
  EXPECT_EQ(ParsePrimExpr("select(x > 0.0, x, 1.5)", {x}).dtype(), DataType::Float(16));
  EXPECT_EQ(ParsePrimExpr("let t: int8 = 3 in t").dtype(), DataType::Int(8));
  // A suffix is a promise: it is never changed.
  EXPECT_KILN_ERROR(ParsePrimExpr("i + 1i64", {i}), "operands have different dtypes int32 and int64");
}

TEST(TirText, IntrinsicCallsStateTheirDtypeWhenItIsNotTheLastArguments) {
  Var x("x", DataType::Float(32)), p("p", DataType::Handle());
  ExpectExprText(Call(DataType::Float(32), "exp", {x}), "exp(x)", {x});
  ExpectExprText(Call(DataType::Int(32), "call_extern", {StringImm("f"), x}), "call_extern(\"f\", x, dtype=int32)",
                 {x});
  ExpectExprText(Call(DataType::Int(32), "now", {}), "now(dtype=int32)", {});
  ExpectExprText(Call(DataType::Float(32), "tir.my op", {x}), "call(\"tir.my op\", x)", {x});
  ExpectExprText(Call(DataType::Float(32), "select", {x}), "call(\"select\", x)", {x});
  Var i("i");
  ExpectExprText(Ramp(i, 2, 8), "ramp(i, 2, 8)", {i});
  ExpectExprText(Broadcast(x, 4), "broadcast(x, 4)", {x});
}

TEST(TirText, EveryStatementKindRoundTrips) {
  std::string text = testing::ExpectRoundTrip(ModuleOf(testing::EveryTirNode(), "kernel"));
  for (const char* piece :
       {"B: Buffer((n, 16), float16, strides=(16, 1))", "D: Buffer((m,), int8, offset=elem)", "m: int32",
        "for v in vectorized(2, extent=4) {", "thread=\"threadIdx.x\"", "let y = m + 1i32 {",
        "alloc T: Buffer((16,), float32, scope=\"local\")", "vk = reduce(8, bk, min=2)", "reads(A[vi, vk:+4])",
        "where(vi < 12)", "init {", "let z: SizeVar(int32) = 3i32\n    D[z] + 1i8\n  }"}) {
    EXPECT_NE(text.find(piece), std::string::npos) << piece << "\nin:\n" << text;
  }
}

TEST(TirText, LetAndAllocEndingABlockPrintFlat) {
  Var x("x"), y("y");
  Buffer a = DeclBuffer("A", {4});
  Stmt flat = LetStmt(x, 1, LetStmt(y, x + 1, BufferStore(a, 0.0, {y})));
  EXPECT_EQ(ToText(flat), "let x = 1\nlet y = x + 1\nA[y] = 0.0\n");
  Stmt braced = Seq({LetStmt(x, 1, Evaluate(x)), Evaluate(2)});
  EXPECT_EQ(ToText(braced), "let x = 1 {\n  x\n}\n2\n");
  Stmt empty = LetStmt(x, 1, Seq({}));
  EXPECT_EQ(ToText(empty), "let x = 1 {\n}\n");
  for (const Stmt& body : {flat, braced, empty}) testing::ExpectRoundTrip(ModuleOf(MakePrimFunc({a}, body)));
}

TEST(TirText, LongChainsOfLetsParseWithoutNesting) {
  Buffer a = DeclBuffer("A", {1}, DataType::Int(64));
  Var prev("x");
  Stmt body = BufferStore(a, prev, {0});
  std::vector<Var> vars;
  for (int i = 0; i < 3000; ++i) vars.push_back(Var("x"));
  Stmt chain = BufferStore(a, vars.back(), {0});
  for (size_t i = vars.size(); i-- > 1;) chain = LetStmt(vars[i], vars[i - 1] + 1, chain);
  chain = LetStmt(vars[0], 0, chain);
  std::string text = testing::ExpectRoundTrip(ModuleOf(MakePrimFunc({a}, chain)));
  EXPECT_NE(text.find("let x_2999 = x_2998 + 1\n"), std::string::npos);
}

TEST(TirText, ScalarParametersAreVisibleInTheWholeSignature) {
  ir::IRModule m = Parse(R"(
module {
  prim @f(A: Buffer((n, 4), float32), n: int32) {
    A[0i32, 0] = 1.0
  }
})");
  auto f = m["f"].As<PrimFuncNode>();
  Buffer a = f->BufferOf(f->params[0]);
  EXPECT_EQ(a->shape[0].get(), f->params[1].get());
  EXPECT_FALSE(f->params[1].as<VarNode>()->is_size_var);
  EXPECT_EQ(f->params[1].dtype(), DataType::Int(32));
}

TEST(TirText, BuffersMaySharePointers) {
  Buffer a = DeclBuffer("A", {16});
  Buffer view = DeclBuffer("V", {4, 4});
  auto n = runtime::MakeObject<BufferNode>();
  n->name = "V";
  n->data = a->data;
  n->dtype = view->dtype;
  n->shape = view->shape;
  n->elem_offset = view->elem_offset;
  n->align = 16;
  Buffer v(n);
  Stmt body = Allocate(v, Evaluate(Call(DataType::Int(32), "fill", {a->data, BufferLoad(v, {1, 2})})));
  std::string text = testing::ExpectRoundTrip(ModuleOf(MakePrimFunc({a}, body)));
  EXPECT_NE(text.find("alloc V: Buffer((4, 4), float32, align=16, data=A.data)"), std::string::npos) << text;
  EXPECT_NE(text.find("fill(A.data, V[1, 2], dtype=int32)"), std::string::npos) << text;
}

TEST(TirText, FreeVariablesAreDeclaredAfterTheName) {
  Var q("q", DataType::Int(32)), s = SizeVar("s");
  Buffer a = DeclBuffer("A", {4}, DataType::Int(32));
  PrimFunc f = MakePrimFunc({a}, BufferStore(a, q + Cast(DataType::Int(32), s), {0}));
  std::string text = ToText(f, "f");
  EXPECT_EQ(text.substr(0, 44), "prim @f[q: int32, s: SizeVar(int64)](A: Buff");
  testing::ExpectRoundTrip(ModuleOf(f), /*map_free_vars=*/true);
}

TEST(TirText, NamesAreMadeUniqueAndValid) {
  Var i1("i"), i2("i"), kw("for"), odd("a-b"), dtype_name("float32");
  Buffer a = DeclBuffer("A", {4});
  Stmt body =
      For(i1, 0, 4, ForKind::kSerial,
          For(i2, 0, 4, ForKind::kSerial,
              LetStmt(kw, i1 + i2, LetStmt(odd, kw, LetStmt(dtype_name, odd, BufferStore(a, 0.0, {dtype_name}))))));
  std::string text = testing::ExpectRoundTrip(ModuleOf(MakePrimFunc({a}, body)));
  for (const char* piece :
       {"for i in", "for i_1 in", "let for_1 = i + i_1", "let a_b = for_1", "let float32_1 = a_b"}) {
    EXPECT_NE(text.find(piece), std::string::npos) << piece << "\nin:\n" << text;
  }
}

TEST(TirText, StandaloneStatementsAndFunctionsPrint) {
  Var i("i");
  Buffer a = DeclBuffer("A", {8});
  Stmt loop = For(i, 0, 8, ForKind::kParallel, BufferStore(a, BufferLoad(a, {i}) * 2.0, {i}));
  EXPECT_EQ(ToText(loop), "for i in parallel(8) {\n  A[i] = A[i] * 2.0\n}\n");
  EXPECT_EQ(ToText(MakePrimFunc({a}, loop), "double"),
            "prim @double(A: Buffer((8,), float32)) {\n  for i in parallel(8) {\n    A[i] = A[i] * 2.0\n  }\n}\n");
}

}  // namespace
}  // namespace kiln::text
