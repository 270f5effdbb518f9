// The c target: the generated source (names, signatures, loops, lane loops,
// parallel lambdas), results equal to the llvm target's for loops, dtypes,
// intrinsics and allocations, argument errors with the llvm target's exact
// messages, and the errors of the target itself (float16, a failing
// compiler).
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "codegen_test_util.h"
#include "kiln/tir/intrinsics.h"

namespace kiln::codegen {
namespace {

using namespace testing;

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// The message of the kiln::Error that `f` raises, or "" when it raises none.
template <typename F>
std::string ErrorOf(F&& f) {
  try {
    f();
  } catch (const kiln::Error& e) {
    return e.what();
  }
  return "";
}

// The message without the "[raised at file:line]" note, which names the
// wrapper's C++ source rather than the target.
std::string Message(const std::string& what) {
  return what.substr(0, what.find("\n  [raised at"));
}

// scale2d(X: float32[n, 4], Y: float32[n, 4], k: int32): Y = X * k
PrimFunc Scale2d() {
  Var n = SizeVar("n"), k("k", DataType::Int(32));
  Buffer x = DeclBuffer("X", {n, 4}), y = DeclBuffer("Y", {n, 4});
  Var i("i"), j("j");
  PrimExpr v = BufferLoad(x, {i, j}) * Cast(DataType::Float(32), k);
  Stmt body = For(i, 0, n, ForKind::kSerial, For(j, 0, 4, ForKind::kSerial, BufferStore(y, v, {i, j})));
  return MakePrimFunc({x, y}, body, {k});
}

TEST(CodegenC, SourceOfAKernel) {
  runtime::Module m = BuildOne("add_one", AddOne(), "c");
  EXPECT_EQ(m.kind(), "c");
  std::string c = m.GetSource("c");
  EXPECT_EQ(c, m.GetSource(""));
  EXPECT_TRUE(Contains(c, "const KilnCRuntimeAPI* __kiln_runtime_api = NULL;")) << c;
  EXPECT_TRUE(Contains(c, "static int32_t add_one_compute_(float* restrict A_data, float* restrict B_data, int64_t n)"))
      << c;
  EXPECT_TRUE(Contains(c, "int32_t add_one(const KilnCValue* args, const int32_t* type_codes, int32_t num_args")) << c;
  EXPECT_TRUE(Contains(c, "for (int64_t i = INT64_C(0), i_end = i + n; i < i_end; ++i) {")) << c;
  EXPECT_TRUE(Contains(c, "B_data[i] = (A_data[i] + 1.0f);")) << c;
  EXPECT_TRUE(Contains(c, "return add_one_compute_(A_data, B_data, n);")) << c;
  EXPECT_KILN_ERROR(m.GetSource("ll"), "c module: no source in format 'll' (available: c)");
  NDArray a = ArrayOf<float>({1, 2, 3}), b = Zeros<float>({3});
  m["add_one"](a, b);
  EXPECT_EQ(ValuesOf<float>(b), (std::vector<float>{2, 3, 4}));
}

// y[i, j] = exp(x[i, j]) * 2, the rows parallel and the columns in vectors of 8.
PrimFunc ParallelVector() {
  Var n = SizeVar("n");
  Buffer x = DeclBuffer("X", {n, 16}), y = DeclBuffer("Y", {n, 16});
  Var i("i"), jo("jo"), ji("ji");
  PrimExpr j = jo * 8 + ji;
  Stmt store = BufferStore(y, tir::exp(BufferLoad(x, {i, j})) * 2.0, {i, j});
  Stmt body =
      For(i, 0, n, ForKind::kParallel, For(jo, 0, 2, ForKind::kSerial, For(ji, 0, 8, ForKind::kVectorized, store)));
  return MakePrimFunc({x, y}, body);
}

TEST(CodegenC, ParallelAndVectorLoops) {
  runtime::Module m = BuildOne("pv", ParallelVector(), "c");
  std::string c = m.GetSource("c");
  EXPECT_TRUE(Contains(c, "static int32_t pv_parallel_0(int32_t task_id, int32_t num_tasks, void* closure)")) << c;
  EXPECT_TRUE(Contains(c, "__kiln_runtime_api->parallel_launch(pv_parallel_0, &")) << c;
  EXPECT_TRUE(Contains(c, "KILN_LANES\n")) << c;
  EXPECT_TRUE(Contains(c, "for (int32_t lane = 0; lane < 8; ++lane) Y_data[")) << c;
  EXPECT_TRUE(Contains(c, "expf(X_data[")) << c;
  runtime::Module ref = BuildOne("pv", ParallelVector());
  for (int64_t n : {1, 7}) {
    NDArray x = ArrayOf(Iota<float>(n * 16, 0.01, -0.5), {n, 16}), y = Zeros<float>({n, 16}), z = Zeros<float>({n, 16});
    m["pv"](x, y);
    ref["pv"](x, z);
    std::vector<float> got = ValuesOf<float>(y), want = ValuesOf<float>(z);
    for (size_t k = 0; k < got.size(); ++k) ASSERT_NEAR(got[k], want[k], 1e-5f * std::fabs(want[k])) << k;
  }
}

// The same bad calls on the llvm and the c target fail with the same message.
TEST(CodegenC, ArgumentErrorsMatchLLVM) {
  ir::IRModule mod = ModuleOf({{"add_one", AddOne()}, {"scale2d", Scale2d()}});
  runtime::Module llvm = Build(mod, "llvm"), c = Build(mod, "c");
  NDArray f4 = Zeros<float>({4}), f5 = Zeros<float>({5}), d4 = Zeros<double>({4}), b4 = Zeros<bool>({4});
  NDArray x = Zeros<float>({3, 4}), y = Zeros<float>({3, 5});
  NDArray storage = Zeros<float>({8});
  NDArray shifted = storage.CreateView({4}, DataType::Float(32), 2);
  NDArray vec = NDArray::Empty({4}, DataType::Float(32, 4), Device::CPU());
  std::vector<std::pair<std::string, std::function<void(const runtime::Module&)>>> calls = {
      {"count", [&](const runtime::Module& m) { m["add_one"](f4); }},
      {"type code", [&](const runtime::Module& m) { m["add_one"](1, f4); }},
      {"scalar type code", [&](const runtime::Module& m) { m["scale2d"](x, x, 1.5); }},
      {"str", [&](const runtime::Module& m) { m["scale2d"](x, x, "three"); }},
      {"dtype", [&](const runtime::Module& m) { m["add_one"](d4, f4); }},
      {"bool dtype", [&](const runtime::Module& m) { m["add_one"](f4, b4); }},
      {"vector dtype", [&](const runtime::Module& m) { m["add_one"](vec, f4); }},
      {"ndim", [&](const runtime::Module& m) { m["scale2d"](f4, f4, 1); }},
      {"shape", [&](const runtime::Module& m) { m["add_one"](f4, f5); }},
      {"shape 2d", [&](const runtime::Module& m) { m["scale2d"](x, y, 1); }},
      {"alignment", [&](const runtime::Module& m) { m["add_one"](shifted, f4); }},
  };
  for (const auto& [what, call] : calls) {
    std::string want = ErrorOf([&] { call(llvm); });
    std::string got = ErrorOf([&] { call(c); });
    ASSERT_FALSE(want.empty()) << what;
    EXPECT_EQ(Message(got), Message(want)) << what;
  }
  // And the good calls agree.
  NDArray in = ArrayOf(Iota<float>(12), {3, 4}), out1 = Zeros<float>({3, 4}), out2 = Zeros<float>({3, 4});
  llvm["scale2d"](in, out1, 3);
  c["scale2d"](in, out2, 3);
  EXPECT_EQ(ValuesOf<float>(out1), ValuesOf<float>(out2));
}

// out[i] = f(a[i], b[i]) for one dtype, on both targets.
template <typename T>
void CheckBinary(const std::string& what, PrimExpr (*f)(PrimExpr, PrimExpr), const std::vector<T>& a,
                 const std::vector<T>& b) {
  int64_t n = static_cast<int64_t>(a.size());
  Buffer x = DeclBuffer("X", {n}, DTypeOf<T>()), y = DeclBuffer("Y", {n}, DTypeOf<T>());
  Buffer z = DeclBuffer("Z", {n}, DTypeOf<T>());
  Var i("i");
  PrimFunc func = MakePrimFunc(
      {x, y, z}, For(i, 0, n, ForKind::kSerial, BufferStore(z, f(BufferLoad(x, {i}), BufferLoad(y, {i})), {i})));
  NDArray xa = ArrayOf(a), ya = ArrayOf(b), z1 = Zeros<T>({n}), z2 = Zeros<T>({n});
  BuildOne("f", func)["f"](xa, ya, z1);
  BuildOne("f", func, "c")["f"](xa, ya, z2);
  EXPECT_EQ(ValuesOf<T>(z2), ValuesOf<T>(z1)) << what << " " << DTypeOf<T>();
}

PrimExpr Add(PrimExpr a, PrimExpr b) {
  return a + b;
}
PrimExpr Sub(PrimExpr a, PrimExpr b) {
  return a - b;
}
PrimExpr Mul(PrimExpr a, PrimExpr b) {
  return a * b;
}
PrimExpr FloorDiv(PrimExpr a, PrimExpr b) {
  return floordiv(a, b);
}
PrimExpr FloorMod(PrimExpr a, PrimExpr b) {
  return floormod(a, b);
}
PrimExpr Min(PrimExpr a, PrimExpr b) {
  return min(a, b);
}
PrimExpr Max(PrimExpr a, PrimExpr b) {
  return max(a, b);
}
PrimExpr Less(PrimExpr a, PrimExpr b) {
  return Select(a < b, a, b * 2);
}

TEST(CodegenC, IntegerAndFloatSemanticsMatchLLVM) {
  std::vector<int32_t> ia = {7, -7, 7, -7, 0, 100}, ib = {2, 2, -2, -2, 3, -7};
  for (auto f : {Add, Sub, Mul, FloorDiv, FloorMod, Min, Max, Less}) CheckBinary<int32_t>("int32", f, ia, ib);
  for (auto f : {FloorDiv, FloorMod}) CheckBinary<int64_t>("int64", f, {-9, 9, -1, 5}, {4, -4, 3, 5});
  // narrow integers wrap
  for (auto f : {Add, Sub, Mul, FloorDiv, FloorMod})
    CheckBinary<int8_t>("int8", f, {100, -100, 7, -7}, {100, 100, 2, 3});
  for (auto f : {Add, Sub, Mul, FloorDiv, FloorMod}) CheckBinary<uint8_t>("uint8", f, {200, 3, 7, 255}, {100, 5, 2, 2});
  for (auto f : {Add, Mul, FloorDiv, FloorMod, Min, Max}) {
    CheckBinary<double>("float64", f, {1.5, -1.5, 7.25, -0.5}, {0.5, 2.0, -2.0, 3.0});
    CheckBinary<float>("float32", f, {1.5f, -1.5f, 7.25f, -0.5f}, {0.5f, 2.0f, -2.0f, 3.0f});
  }
}

// out[i] = intrinsic(x[i]) for float32 and float64 on both targets.
TEST(CodegenC, IntrinsicsMatchLLVM) {
  using Unary = PrimExpr (*)(PrimExpr);
  std::vector<std::pair<std::string, Unary>> unary = {
      {"exp", tir::exp},   {"log", tir::log},     {"sqrt", tir::sqrt},       {"rsqrt", tir::rsqrt},
      {"tanh", tir::tanh}, {"erf", tir::erf},     {"sigmoid", tir::sigmoid}, {"floor", tir::floor},
      {"ceil", tir::ceil}, {"round", tir::round}, {"abs", tir::abs}};
  for (DataType t : {DataType::Float(32), DataType::Float(64)}) {
    for (const auto& [name, f] : unary) {
      Buffer x = DeclBuffer("X", {8}, t), y = DeclBuffer("Y", {8}, t);
      Var i("i");
      PrimFunc func = MakePrimFunc({x, y}, For(i, 0, 8, ForKind::kSerial, BufferStore(y, f(BufferLoad(x, {i})), {i})));
      std::vector<double> in = {0.5, 1.5, 2.5, -2.5, 0.1, 3.0, 0.75, 2.0};
      NDArray xa = t.bits() == 32 ? ArrayOf(std::vector<float>(in.begin(), in.end())) : ArrayOf(in);
      NDArray y1 = NDArray::Empty({8}, t, Device::CPU()), y2 = NDArray::Empty({8}, t, Device::CPU());
      if (name == "log" || name == "sqrt" || name == "rsqrt")
        xa = t.bits() == 32 ? ArrayOf(Iota<float>(8, 0.5, 0.25)) : ArrayOf(Iota<double>(8, 0.5, 0.25));
      BuildOne("f", func)["f"](xa, y1);
      BuildOne("f", func, "c")["f"](xa, y2);
      for (int k = 0; k < 8; ++k) {
        double a = t.bits() == 32 ? ValuesOf<float>(y1)[k] : ValuesOf<double>(y1)[k];
        double b = t.bits() == 32 ? ValuesOf<float>(y2)[k] : ValuesOf<double>(y2)[k];
        EXPECT_NEAR(a, b, 2e-6 * (1 + std::fabs(a))) << name << " " << t << " at " << k;
      }
    }
  }
}

// B[i] = T[i] + T[n - 1 - i] with T[i] = A[i] * 2 in a temporary of `size`
// elements: on the stack (small, constant) or a workspace (symbolic).
PrimFunc AllocateKernel(PrimExpr size) {
  Var n = SizeVar("n");
  Buffer a = DeclBuffer("A", {n}), b = DeclBuffer("B", {n}), t = DeclBuffer("T", {size}, DataType::Float(32), "local");
  Var i("i"), j("j"), r("r");
  Stmt fill = For(i, 0, n, ForKind::kSerial, BufferStore(t, BufferLoad(a, {i}) * 2.0, {i}));
  Stmt use = For(j, 0, n, ForKind::kSerial, BufferStore(b, BufferLoad(t, {j}) + BufferLoad(t, {n - 1 - j}), {j}));
  return MakePrimFunc({a, b}, For(r, 0, 3, ForKind::kParallel, Allocate(t, Seq({fill, use}))));
}

TEST(CodegenC, StackAndWorkspaceAllocations) {
  runtime::Module stack = BuildOne("alloc", AllocateKernel(16), "c");
  EXPECT_TRUE(Contains(stack.GetSource("c"), "_Alignas(64) float T_data[16];")) << stack.GetSource("c");
  Var size = SizeVar("size");
  PrimFunc symbolic = AllocateKernel(size);
  symbolic = MakePrimFunc({symbolic->params[0], symbolic->params[1], size}, symbolic->buffer_map, symbolic->body);
  runtime::Module heap = BuildOne("alloc", symbolic, "c");
  std::string c = heap.GetSource("c");
  EXPECT_TRUE(Contains(c, "__kiln_runtime_api->alloc_workspace(1, 0, ")) << c;
  EXPECT_TRUE(Contains(c, "cannot allocate %llu bytes for buffer 'T'")) << c;
  NDArray a = ArrayOf(Iota<float>(10, 1, 1)), b1 = Zeros<float>({10}), b2 = Zeros<float>({10});
  stack["alloc"](a, b1);
  heap["alloc"](a, b2, 10);
  for (int k = 0; k < 10; ++k) {
    EXPECT_EQ(ValuesOf<float>(b1)[k], 2.0f * (k + 1) + 2.0f * (10 - k)) << k;
    EXPECT_EQ(ValuesOf<float>(b2)[k], 2.0f * (k + 1) + 2.0f * (10 - k)) << k;
  }
}

// float16 is C's _Float16: y = exp(x) * 0.5 + x matches the llvm target
// (both compute in float and round to half); bfloat16 is refused.
TEST(CodegenC, Float16AndBfloat16) {
  Buffer a = DeclBuffer("A", {8}, DataType::Float(16)), b = DeclBuffer("B", {8}, DataType::Float(16));
  Var i("i");
  PrimExpr x = BufferLoad(a, {i});
  PrimFunc f = MakePrimFunc({a, b}, For(i, 0, 8, ForKind::kSerial,
                                        BufferStore(b, tir::exp(x) * MakeConst(DataType::Float(16), 0.5) + x, {i})));
  runtime::Module c = BuildOne("half", f, "c");
  EXPECT_TRUE(Contains(c.GetSource("c"), "static int32_t half_compute_(_Float16* restrict A_data")) << c.GetSource("c");
  NDArray in = NDArray::Empty({8}, DataType::Float(16), Device::CPU());
  const uint16_t halves[8] = {0x3c00, 0x3800, 0xbc00, 0x0000, 0x4000, 0xb800, 0x3400, 0x4200};  // 1, .5, -1, 0, 2, ...
  std::memcpy(in.data(), halves, sizeof halves);
  NDArray out1 = NDArray::Empty({8}, DataType::Float(16), Device::CPU());
  NDArray out2 = NDArray::Empty({8}, DataType::Float(16), Device::CPU());
  BuildOne("half", f)["half"](in, out1);
  c["half"](in, out2);
  EXPECT_EQ(ValuesOf<uint16_t>(out1), ValuesOf<uint16_t>(out2));

  Buffer bf = DeclBuffer("A", {4}, DataType::BFloat16()), bg = DeclBuffer("B", {4}, DataType::BFloat16());
  PrimFunc g = MakePrimFunc({bf, bg}, For(i, 0, 4, ForKind::kSerial, BufferStore(bg, BufferLoad(bf, {i}), {i})));
  EXPECT_KILN_ERROR(BuildOne("bhalf", g, "c"), "bhalf: dtype bfloat16 is not supported by the c target");
}

TEST(CodegenC, CompilerFailureNamesTheCommand) {
  const char* old = std::getenv("KILN_CC");
  std::string saved = old ? old : "";
  setenv("KILN_CC", "false", 1);
  runtime::Module m = BuildOne("add_one", AddOne(), "c");
  if (old) {
    setenv("KILN_CC", saved.c_str(), 1);
  } else {
    unsetenv("KILN_CC");
  }
  EXPECT_KILN_ERROR(m.GetFunction("add_one"),
                    "c target: compiling the kernels failed: false -O2 -fPIC -std=c11 -shared");
}

}  // namespace
}  // namespace kiln::codegen
