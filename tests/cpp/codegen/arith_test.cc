// Compiled arithmetic checked against C++ (and Python's floor semantics):
// vector add, a reduction written as loops, floordiv/floormod on negative
// numbers, casts, select, let, and the math intrinsics against std::.
#include <cmath>

#include "codegen_test_util.h"

namespace kiln::codegen {
namespace {

using namespace testing;

TEST(CodegenArith, VectorAdd) {
  Var n = SizeVar("n");
  Buffer a = DeclBuffer("A", {n}), b = DeclBuffer("B", {n}), c = DeclBuffer("C", {n});
  Var i("i");
  Stmt body = For(i, 0, n, ForKind::kSerial, BufferStore(c, BufferLoad(a, {i}) + BufferLoad(b, {i}), {i}));
  runtime::Module m = BuildOne("vadd", MakePrimFunc({a, b, c}, body));
  EXPECT_EQ(m.kind(), "llvm");
  EXPECT_EQ(m.obj()->FunctionNames(), std::vector<std::string>{"vadd"});
  NDArray x = ArrayOf(Iota<float>(1000, 0.5)), y = ArrayOf(Iota<float>(1000, -2, 3)), z = Zeros<float>({1000});
  m["vadd"](x, y, z);
  std::vector<float> out = ValuesOf<float>(z);
  for (size_t k = 0; k < out.size(); ++k) ASSERT_EQ(out[k], 0.5f * k + (3.0f - 2.0f * k)) << k;
}

// C[i] = sum_j A[i, j] * w[j] over int32 loops, written without blocks.
TEST(CodegenArith, ReductionAsLoops) {
  Buffer a = DeclBuffer("A", {IntImm(DataType::Int(32), 3), IntImm(DataType::Int(32), 5)});
  Buffer w = DeclBuffer("w", {5}), c = DeclBuffer("C", {3});
  Var i("i", DataType::Int(32)), j("j", DataType::Int(32));
  PrimExpr zero = IntImm(DataType::Int(32), 0);
  Stmt init = BufferStore(c, PrimExpr(0.0), {i});
  Stmt update = BufferStore(c, BufferLoad(c, {i}) + BufferLoad(a, {i, j}) * BufferLoad(w, {j}), {i});
  Stmt body = For(i, zero, IntImm(DataType::Int(32), 3), ForKind::kSerial,
                  Seq({init, For(j, zero, IntImm(DataType::Int(32), 5), ForKind::kSerial, update)}));
  runtime::Module m = BuildOne("matvec", MakePrimFunc({a, w, c}, body));
  NDArray x = ArrayOf(Iota<float>(15), {3, 5}), v = ArrayOf(Iota<float>(5, 1, 1)), y = Zeros<float>({3});
  m["matvec"](x, v, y);
  std::vector<float> out = ValuesOf<float>(y);
  for (int r = 0; r < 3; ++r) {
    float want = 0;
    for (int k = 0; k < 5; ++k) want += static_cast<float>(r * 5 + k) * static_cast<float>(k + 1);
    EXPECT_EQ(out[r], want) << r;
  }
}

// Python's // and %: the quotient rounds toward negative infinity and the
// remainder takes the divisor's sign.
int64_t PyFloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}
int64_t PyFloorMod(int64_t a, int64_t b) {
  return a - PyFloorDiv(a, b) * b;
}

// D = a // b, M = a % b (floor forms), Q = a / b, R = a % b (C forms), and
// floordiv/floormod by the constant 4, over int `dt`.
PrimFunc DivModKernel(DataType dt) {
  Var n = SizeVar("n");
  std::vector<Buffer> bufs;
  for (const char* name : {"A", "B", "D", "M", "Q", "R", "D4", "M4"}) bufs.push_back(DeclBuffer(name, {n}, dt));
  Var i("i");
  PrimExpr a = BufferLoad(bufs[0], {i}), b = BufferLoad(bufs[1], {i}), four = IntImm(dt, 4);
  std::vector<PrimExpr> values = {floordiv(a, b), floormod(a, b), a / b, a % b, floordiv(a, four), floormod(a, four)};
  std::vector<Stmt> stores;
  for (size_t k = 0; k < values.size(); ++k) stores.push_back(BufferStore(bufs[k + 2], values[k], {i}));
  return MakePrimFunc(bufs, For(i, 0, n, ForKind::kSerial, Seq(stores)));
}

template <typename T>
void CheckDivMod(const runtime::Module& m, const std::string& name) {
  std::vector<T> as, bs;
  for (int a = -9; a <= 9; ++a) {
    for (int b : {-4, -3, -1, 1, 2, 3, 7}) {
      as.push_back(static_cast<T>(a));
      bs.push_back(static_cast<T>(b));
    }
  }
  int64_t n = static_cast<int64_t>(as.size());
  std::vector<NDArray> outs;
  for (int k = 0; k < 6; ++k) outs.push_back(Zeros<T>({n}));
  m[name](ArrayOf(as), ArrayOf(bs), outs[0], outs[1], outs[2], outs[3], outs[4], outs[5]);
  for (int64_t k = 0; k < n; ++k) {
    int64_t a = as[k], b = bs[k];
    SCOPED_TRACE(std::to_string(a) + " and " + std::to_string(b));
    EXPECT_EQ(ValuesOf<T>(outs[0])[k], PyFloorDiv(a, b));
    EXPECT_EQ(ValuesOf<T>(outs[1])[k], PyFloorMod(a, b));
    EXPECT_EQ(ValuesOf<T>(outs[2])[k], a / b);
    EXPECT_EQ(ValuesOf<T>(outs[3])[k], a % b);
    EXPECT_EQ(ValuesOf<T>(outs[4])[k], PyFloorDiv(a, 4));
    EXPECT_EQ(ValuesOf<T>(outs[5])[k], PyFloorMod(a, 4));
  }
}

TEST(CodegenArith, FloorDivModMatchPython) {
  runtime::Module m =
      Build(ModuleOf({{"divmod64", DivModKernel(DataType::Int(64))}, {"divmod32", DivModKernel(DataType::Int(32))}}));
  CheckDivMod<int64_t>(m, "divmod64");
  CheckDivMod<int32_t>(m, "divmod32");
}

TEST(CodegenArith, FloatFloorDivMod) {
  Var n = SizeVar("n");
  Buffer a = DeclBuffer("A", {n}), b = DeclBuffer("B", {n}), d = DeclBuffer("D", {n}), r = DeclBuffer("M", {n});
  Var i("i");
  PrimExpr x = BufferLoad(a, {i}), y = BufferLoad(b, {i});
  Stmt body =
      For(i, 0, n, ForKind::kSerial, Seq({BufferStore(d, floordiv(x, y), {i}), BufferStore(r, floormod(x, y), {i})}));
  runtime::Module m = BuildOne("fdivmod", MakePrimFunc({a, b, d, r}, body));
  std::vector<float> xs = {7.5f, -7.5f, 7.5f, -7.5f}, ys = {2, 2, -2, -2};
  NDArray q = Zeros<float>({4}), md = Zeros<float>({4});
  m["fdivmod"](ArrayOf(xs), ArrayOf(ys), q, md);
  EXPECT_EQ(ValuesOf<float>(q), (std::vector<float>{3, -4, -4, 3}));               // 7.5 // 2 ... in Python
  EXPECT_EQ(ValuesOf<float>(md), (std::vector<float>{1.5f, 0.5f, -0.5f, -1.5f}));  // 7.5 % 2 ...
}

TEST(CodegenArith, Casts) {
  Var n = SizeVar("n");
  Buffer f = DeclBuffer("F", {n}), i8 = DeclBuffer("I8", {n}, DataType::Int(8));
  Buffer u8 = DeclBuffer("U8", {n}, DataType::UInt(8));
  Buffer to_i32 = DeclBuffer("FtoI32", {n}, DataType::Int(32)), to_f64 = DeclBuffer("FtoF64", {n}, DataType::Float(64));
  Buffer sext = DeclBuffer("I8toI32", {n}, DataType::Int(32)), zext = DeclBuffer("U8toI32", {n}, DataType::Int(32));
  Buffer wrap = DeclBuffer("I32toI8", {n}, DataType::Int(8)), truth = DeclBuffer("FtoBool", {n}, DataType::Bool());
  Buffer back = DeclBuffer("BoolToF", {n});
  Var i("i");
  PrimExpr x = BufferLoad(f, {i});
  PrimExpr as_int = Cast(DataType::Int(32), x);
  std::vector<Stmt> s = {
      BufferStore(to_i32, as_int, {i}),
      BufferStore(to_f64, Cast(DataType::Float(64), x), {i}),
      BufferStore(sext, Cast(DataType::Int(32), BufferLoad(i8, {i})), {i}),
      BufferStore(zext, Cast(DataType::Int(32), BufferLoad(u8, {i})), {i}),
      BufferStore(wrap, Cast(DataType::Int(8), as_int * IntImm(DataType::Int(32), 100)), {i}),
      BufferStore(truth, Cast(DataType::Bool(), x), {i}),
      BufferStore(back, Cast(DataType::Float(32), Cast(DataType::Bool(), x)), {i}),
  };
  PrimFunc func =
      MakePrimFunc({f, i8, u8, to_i32, to_f64, sext, zext, wrap, truth, back}, For(i, 0, n, ForKind::kSerial, Seq(s)));
  runtime::Module m = BuildOne("casts", func);
  std::vector<float> xs = {-2.7f, 0.0f, 0.5f, 3.9f};
  std::vector<int8_t> i8s = {-5, 0, 127, -128};
  std::vector<uint8_t> u8s = {200, 0, 255, 1};
  NDArray o1 = Zeros<int32_t>({4}), o2 = Zeros<double>({4}), o3 = Zeros<int32_t>({4}), o4 = Zeros<int32_t>({4});
  NDArray o5 = Zeros<int8_t>({4}), o6 = Zeros<bool>({4}), o7 = Zeros<float>({4});
  m["casts"](ArrayOf(xs), ArrayOf(i8s), ArrayOf(u8s), o1, o2, o3, o4, o5, o6, o7);
  EXPECT_EQ(ValuesOf<int32_t>(o1), (std::vector<int32_t>{-2, 0, 0, 3}));
  EXPECT_EQ(ValuesOf<double>(o2), (std::vector<double>{-2.7f, 0.0, 0.5, 3.9f}));
  EXPECT_EQ(ValuesOf<int32_t>(o3), (std::vector<int32_t>{-5, 0, 127, -128}));
  EXPECT_EQ(ValuesOf<int32_t>(o4), (std::vector<int32_t>{200, 0, 255, 1}));
  EXPECT_EQ(ValuesOf<int8_t>(o5), (std::vector<int8_t>{56, 0, 0, 44}));  // -200 and 300 wrap around
  EXPECT_EQ(ValuesOf<bool>(o6), (std::vector<bool>{true, false, true, true}));
  EXPECT_EQ(ValuesOf<float>(o7), (std::vector<float>{1, 0, 1, 1}));
}

// leaky(A, B): B[i] = A[i] > 0 ? A[i] : A[i] * 0.1, with the product in a Let
// and the clamp through min/max.
TEST(CodegenArith, SelectLetMinMax) {
  Var n = SizeVar("n");
  Buffer a = DeclBuffer("A", {n}), b = DeclBuffer("B", {n}), c = DeclBuffer("C", {n});
  Var i("i"), x("x", DataType::Float(32));
  PrimExpr v = BufferLoad(a, {i});
  Stmt body = For(i, 0, n, ForKind::kSerial,
                  Seq({BufferStore(b, Let(x, v * 0.1, Select(v > 0.0, v, x)), {i}),
                       BufferStore(c, max(min(v, PrimExpr(2.0)), PrimExpr(-1.0)), {i})}));
  runtime::Module m = BuildOne("leaky", MakePrimFunc({a, b, c}, body));
  NDArray out = Zeros<float>({5}), clamped = Zeros<float>({5});
  m["leaky"](ArrayOf<float>({-3, -1, 0, 1.5f, 4}), out, clamped);
  EXPECT_EQ(ValuesOf<float>(out), (std::vector<float>{-3 * 0.1f, -1 * 0.1f, 0, 1.5f, 4}));
  EXPECT_EQ(ValuesOf<float>(clamped), (std::vector<float>{-1, -1, 0, 1.5f, 2}));
}

// One kernel per intrinsic: B[i] = op(A[i]) (pow: A[i] ** 1.5).
PrimFunc MathKernel(const std::string& op, DataType dt) {
  Var n = SizeVar("n");
  Buffer a = DeclBuffer("A", {n}, dt), b = DeclBuffer("B", {n}, dt);
  Var i("i");
  std::vector<PrimExpr> args = {BufferLoad(a, {i})};
  if (op == "pow") args.push_back(FloatImm(dt, 1.5));
  return MakePrimFunc({a, b}, For(i, 0, n, ForKind::kSerial, BufferStore(b, Call(dt, op, args), {i})));
}

template <typename T>
std::vector<std::pair<std::string, T (*)(T)>> MathReferences() {
  return {{"exp", [](T x) { return std::exp(x); }},
          {"log", [](T x) { return std::log(std::fabs(x) + 1); }},
          {"sqrt", [](T x) { return std::sqrt(std::fabs(x)); }},
          {"tanh", [](T x) { return std::tanh(x); }},
          {"erf", [](T x) { return std::erf(x); }},
          {"pow", [](T x) { return std::pow(std::fabs(x), T(1.5)); }},
          {"fabs", [](T x) { return std::fabs(x); }},
          {"floor", [](T x) { return std::floor(x); }},
          {"ceil", [](T x) { return std::ceil(x); }},
          {"round", [](T x) { return std::nearbyint(x); }},  // halves to even
          {"sigmoid", [](T x) { return T(1) / (T(1) + std::exp(-x)); }},
          {"rsqrt", [](T x) { return T(1) / std::sqrt(std::fabs(x) + 1); }}};
}

template <typename T>
void CheckMath(DataType dt, double tolerance) {
  std::vector<std::pair<std::string, PrimFunc>> funcs;
  // Named k_exp, ...: a function called exp would take the place of libm's.
  for (const auto& [op, ref] : MathReferences<T>()) funcs.emplace_back("k_" + op, MathKernel(op, dt));
  runtime::Module m = Build(ModuleOf(funcs));
  std::vector<T> xs = {-3.5, -2.5, -1.25, -0.5, 0, 0.5, 0.75, 1.5, 2.5, 3};
  for (const auto& [op, ref] : MathReferences<T>()) {
    std::vector<T> in = xs;
    // log, rsqrt, sqrt and pow take |x| (+1) so that every input is in the domain.
    if (op == "log" || op == "rsqrt") {
      for (T& x : in) x = std::fabs(x) + 1;
    } else if (op == "sqrt" || op == "pow") {
      for (T& x : in) x = std::fabs(x);
    }
    NDArray out = Zeros<T>({static_cast<int64_t>(in.size())});
    m["k_" + op](ArrayOf(in), out);
    std::vector<T> got = ValuesOf<T>(out);
    for (size_t k = 0; k < xs.size(); ++k) {
      T want = ref(xs[k]);
      EXPECT_NEAR(got[k], want, tolerance * std::max<T>(1, std::fabs(want))) << op << "(" << xs[k] << ")";
    }
  }
}

TEST(CodegenArith, MathIntrinsicsFloat32) {
  CheckMath<float>(DataType::Float(32), 1e-6);
}

TEST(CodegenArith, MathIntrinsicsFloat64) {
  CheckMath<double>(DataType::Float(64), 1e-14);
}

// if_then_else evaluates only the branch taken: the load out of bounds is
// never made. B[i] = i < 3 ? A[i] : -1 over 5 elements, A having 3.
TEST(CodegenArith, IfThenElseAndLikely) {
  Buffer a = DeclBuffer("A", {3}), b = DeclBuffer("B", {5});
  Var i("i");
  PrimExpr in_range = Call(DataType::Bool(), "likely", {i < 3});
  Stmt body = For(i, 0, 5, ForKind::kSerial,
                  BufferStore(b, Call(DataType::Float(32), "if_then_else", {in_range, BufferLoad(a, {i}), -1.0}), {i}));
  runtime::Module m = BuildOne("guarded", MakePrimFunc({a, b}, body));
  NDArray out = Zeros<float>({5});
  m["guarded"](ArrayOf<float>({4, 5, 6}), out);
  EXPECT_EQ(ValuesOf<float>(out), (std::vector<float>{4, 5, 6, -1, -1}));
}

TEST(CodegenArith, UnknownIntrinsic) {
  Buffer a = DeclBuffer("A", {3});
  Stmt body = BufferStore(a, Call(DataType::Float(32), "frobnicate", {BufferLoad(a, {0})}), {0});
  EXPECT_KILN_ERROR(BuildOne("f", MakePrimFunc({a}, body)), "f: unknown intrinsic 'frobnicate' for the llvm target");
  Stmt bad = BufferStore(a, Call(DataType::Float(32), "exp", {PrimExpr(1.0), PrimExpr(2.0)}), {0});
  EXPECT_KILN_ERROR(BuildOne("g", MakePrimFunc({a}, bad)), "g: intrinsic 'exp' takes 1 argument, got 2");
}

}  // namespace
}  // namespace kiln::codegen
