// Kernels with hand-set loop kinds (standing in for the schedule's split,
// vectorize, unroll and parallel), lowered by LowerForCodegen, compiled and
// compared with serial references computed here: elementwise kernels with
// tails, selects, a matmul with vectorized columns, and the tiled GEMM
// micro-kernel, whose assembly must use zmm FMAs.
#include <cmath>
#include <sstream>

#include "codegen_test_util.h"
#include "kiln/runtime/thread_pool.h"
#include "kiln/tir/te.h"
#include "tir/lower/lower_test_util.h"

namespace kiln::codegen {
namespace {

using namespace testing;
using tir::testing::MakeTiledMatmul;
using tir::testing::SplitLoop;
using tir::testing::WithLoopKind;

const DataType f32 = DataType::Float(32);

// Restores the global pool's size when a test is done.
class ThreadCount {
 public:
  explicit ThreadCount(int n) : saved_(runtime::ThreadPool::Global().num_threads()) {
    runtime::ThreadPool::Global().SetNumThreads(n);
  }
  ~ThreadCount() { runtime::ThreadPool::Global().SetNumThreads(saved_); }

 private:
  int saved_;
};

bool Contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

// The lines of `text` that contain both `a` and `b`.
int LinesWith(const std::string& text, const std::string& a, const std::string& b) {
  std::istringstream in(text);
  int n = 0;
  for (std::string line; std::getline(in, line);) n += Contains(line, a) && Contains(line, b);
  return n;
}

// B = sqrt(A) * 2 + A over a symbolic n.
PrimFunc SqrtKernel() {
  Var n = SizeVar("n");
  te::Tensor a = te::placeholder({n}, f32, "A");
  te::Tensor b = te::compute(
      {n}, [&](Var i) { return Call(f32, "sqrt", {a(i)}) * 2.0 + a(i); }, "B");
  return te::create_prim_func({a}, {b});
}

void CheckSqrt(const runtime::Module& mod, int64_t n) {
  std::vector<float> x = Iota<float>(n, 0.5, 1);
  NDArray b = Zeros<float>({n});
  mod["f"](ArrayOf(x, {n}), b);
  std::vector<float> out = ValuesOf<float>(b);
  for (int64_t i = 0; i < n; ++i) {
    float want = std::sqrt(x[i]) * 2.0f + x[i];
    ASSERT_NEAR(out[i], want, 1e-5f * std::fabs(want)) << "n = " << n << ", i = " << i;
  }
}

const int64_t kSizes[] = {1, 7, 15, 16, 17, 100, 1000};

// Split by 16 with the inner loop vectorized (and the outer one parallel):
// the main loop is vector code, the tail (n not a multiple of 16) a serial
// loop that keeps its check.
TEST(CodegenLowered, VectorizedElementwiseWithTail) {
  PrimFunc vec = SplitLoop(SqrtKernel(), "i0", 16, ForKind::kVectorized, ForKind::kParallel);
  runtime::Module mod = BuildOne("f", vec);
  std::string ll = BuildOne("f", vec, "llvm -opt-level=0").GetSource("ll");
  EXPECT_TRUE(Contains(ll, "<16 x float>")) << ll;
  EXPECT_TRUE(Contains(ll, "llvm.sqrt.v16f32")) << ll;
  for (int threads : {1, 2}) {
    ThreadCount pool(threads);
    for (int64_t n : kSizes) CheckSqrt(mod, n);
  }
  // Unrolled inner loops, and the serial original, agree as well.
  runtime::Module unrolled = BuildOne("f", SplitLoop(SqrtKernel(), "i0", 4, ForKind::kUnrolled));
  runtime::Module serial = BuildOne("f", SqrtKernel());
  for (int64_t n : kSizes) {
    CheckSqrt(unrolled, n);
    CheckSqrt(serial, n);
  }
}

// A vectorized loop of symbolic extent stays a loop with LLVM's hint (and
// an unrolled one, the unroll hint); both still compute the right thing.
TEST(CodegenLowered, SymbolicExtentsKeepTheHints) {
  PrimFunc vec = WithLoopKind(SqrtKernel(), "i0", ForKind::kVectorized);
  EXPECT_TRUE(Contains(BuildOne("f", vec, "llvm -opt-level=0").GetSource("ll"), "llvm.loop.vectorize.enable"));
  PrimFunc unroll = WithLoopKind(SqrtKernel(), "i0", ForKind::kUnrolled);
  EXPECT_TRUE(Contains(BuildOne("f", unroll, "llvm -opt-level=0").GetSource("ll"), "llvm.loop.unroll.enable"));
  runtime::Module v = BuildOne("f", vec), u = BuildOne("f", unroll);
  for (int64_t n : kSizes) {
    CheckSqrt(v, n);
    CheckSqrt(u, n);
  }
}

// B = A > 0 ? A : A * 0.125, vectorized by 8 with a tail: selects in vector code.
TEST(CodegenLowered, VectorizedSelect) {
  Var n = SizeVar("n");
  te::Tensor a = te::placeholder({n}, f32, "A");
  te::Tensor b = te::compute(
      {n}, [&](Var i) { return Select(a(i) > 0.0f, a(i), a(i) * 0.125f); }, "B");
  PrimFunc f = SplitLoop(te::create_prim_func({a}, {b}), "i0", 8, ForKind::kVectorized);
  runtime::Module mod = BuildOne("leaky", f);
  EXPECT_TRUE(Contains(BuildOne("leaky", f, "llvm -opt-level=0").GetSource("ll"), "select <8 x i1>"));
  for (int64_t size : kSizes) {
    std::vector<float> x = Iota<float>(size, 0.75, -20);
    NDArray y = Zeros<float>({size});
    mod["leaky"](ArrayOf(x), y);
    std::vector<float> out = ValuesOf<float>(y);
    for (int64_t i = 0; i < size; ++i) ASSERT_EQ(out[i], x[i] > 0 ? x[i] : x[i] * 0.125f) << size << " " << i;
  }
}

PrimFunc TeMatmul(PrimExpr n, PrimExpr m, PrimExpr k) {
  te::Tensor a = te::placeholder({n, k}, f32, "A"), b = te::placeholder({k, m}, f32, "B");
  te::ReduceAxis r = te::reduce_axis({0, k}, "k");
  te::Tensor c = te::compute(
      {n, m}, [&](Var i, Var j) { return te::sum(a(i, r.var) * b(r.var, j), {r}); }, "C");
  return te::create_prim_func({a, b}, {c});
}

void CheckMatmul(const runtime::Module& mod, int64_t n, int64_t m, int64_t k) {
  std::vector<float> a = Iota<float>(n * k, 0.5, -1), b = Iota<float>(k * m, -0.25, 2);
  NDArray c = ArrayOf(std::vector<float>(n * m, 123.0f), {n, m});  // the init clears it
  mod["matmul"](ArrayOf(a, {n, k}), ArrayOf(b, {k, m}), c);
  std::vector<float> out = ValuesOf<float>(c);
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j < m; ++j) {
      float want = 0;
      for (int64_t r = 0; r < k; ++r) want += a[i * k + r] * b[r * m + j];
      ASSERT_NEAR(out[i * m + j], want, 1e-4 * std::max(1.0f, std::fabs(want))) << n << "x" << m << "x" << k;
    }
  }
}

// A te matmul with its column loop split by 16 and vectorized, rows in
// parallel: the k loop inside the vectorized loop, the init peeled out of
// it, the column tail guarded; symbolic sizes.
TEST(CodegenLowered, MatmulWithVectorizedColumns) {
  Var n = SizeVar("n"), m = SizeVar("m"), k = SizeVar("k");
  PrimFunc f = SplitLoop(TeMatmul(n, m, k), "i1", 16, ForKind::kVectorized);
  f = WithLoopKind(f, "i0", ForKind::kParallel);
  runtime::Module mod = BuildOne("matmul", f);
  EXPECT_TRUE(Contains(BuildOne("matmul", f, "llvm -opt-level=0").GetSource("ll"), "<16 x float>"));
  for (int threads : {1, 2}) {
    ThreadCount pool(threads);
    CheckMatmul(mod, 4, 3, 5);
    CheckMatmul(mod, 33, 17, 65);
    CheckMatmul(mod, 5, 48, 7);
    CheckMatmul(mod, 1, 1, 1);
  }
}

// Split by 5 with a serial inner loop: the partitioned main loop, the tail
// with its check, at sizes around multiples of 5.
TEST(CodegenLowered, PartitionedTails) {
  runtime::Module mod = BuildOne("f", SplitLoop(SqrtKernel(), "i0", 5, ForKind::kSerial));
  for (int64_t n : {1, 4, 5, 6, 10, 99}) CheckSqrt(mod, n);
}

// Softmax over rows of 32 with te: four stages and three intermediate
// buffers at the root (nothing to move or shrink there), rows in parallel,
// the 32 columns of the elementwise stages vectorized.
TEST(CodegenLowered, SoftmaxStages) {
  Var n = SizeVar("n");
  te::Tensor x = te::placeholder({n, 32}, f32, "x");
  te::ReduceAxis k = te::reduce_axis({0, 32}, "k"), k2 = te::reduce_axis({0, 32}, "k2");
  te::Tensor m = te::compute(
      {n}, [&](Var i) { return te::max(x(i, k.var), {k}); }, "row_max");
  te::Tensor e = te::compute(
      {n, 32}, [&](Var i, Var j) { return Call(f32, "exp", {x(i, j) - m(i)}); }, "e");
  te::Tensor s = te::compute(
      {n}, [&](Var i) { return te::sum(e(i, k2.var), {k2}); }, "row_sum");
  te::Tensor y = te::compute(
      {n, 32}, [&](Var i, Var j) { return e(i, j) / s(i); }, "y");
  PrimFunc f = te::create_prim_func({x}, {y});
  f = WithLoopKind(WithLoopKind(f, "i0", ForKind::kParallel), "i1", ForKind::kVectorized);
  runtime::Module mod = BuildOne("softmax", f);
  EXPECT_TRUE(Contains(BuildOne("softmax", f, "llvm -opt-level=0").GetSource("ll"), "<32 x float>"));
  for (int64_t rows : {1, 5, 17}) {
    std::vector<float> in = Iota<float>(rows * 32, 0.37, -5);
    NDArray out = Zeros<float>({rows, 32});
    mod["softmax"](ArrayOf(in, {rows, 32}), out);
    std::vector<float> got = ValuesOf<float>(out);
    for (int64_t r = 0; r < rows; ++r) {
      float mx = in[r * 32], sum = 0;
      for (int c = 0; c < 32; ++c) mx = std::max(mx, in[r * 32 + c]);
      for (int c = 0; c < 32; ++c) sum += std::exp(in[r * 32 + c] - mx);
      for (int c = 0; c < 32; ++c) {
        ASSERT_NEAR(got[r * 32 + c], std::exp(in[r * 32 + c] - mx) / sum, 1e-6) << rows << " " << r << " " << c;
      }
    }
  }
}

void CheckTiledMatmul(const runtime::Module& mod, int64_t m, int64_t n, int64_t k) {
  std::vector<float> a = Iota<float>(m * k, 0.125, -3), b = Iota<float>(k * n, -0.0625, 1);
  NDArray c = Zeros<float>({m, n});
  mod["gemm"](ArrayOf(a, {m, k}), ArrayOf(b, {k, n}), c);
  std::vector<float> out = ValuesOf<float>(c);
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      float want = 0;
      for (int64_t r = 0; r < k; ++r) want += a[i * k + r] * b[r * n + j];
      ASSERT_NEAR(out[i * n + j], want, 1e-4 * std::max(1.0f, std::fabs(want))) << i << ", " << j;
    }
  }
}

// The GEMM micro-kernel: a 14x32 accumulator tile (cache_write at the root,
// moved into the tile and compacted), rows unrolled, columns vectorized. It
// lives on the stack, 64-byte aligned, and the k loop runs zmm FMAs.
TEST(CodegenLowered, TiledMatmulMicroKernel) {
  auto g = MakeTiledMatmul(28, 64, 16, 14, 32, ForKind::kUnrolled, ForKind::kVectorized);
  runtime::Module mod = BuildOne("gemm", g.func);
  CheckTiledMatmul(mod, 28, 64, 16);
  std::string asm_text = mod.GetSource("asm");
  EXPECT_TRUE(Contains(asm_text, "vfmadd")) << asm_text;
  EXPECT_TRUE(Contains(asm_text, "zmm")) << asm_text;
  std::string ll = BuildOne("gemm", g.func, "llvm -opt-level=0").GetSource("ll");
  EXPECT_TRUE(Contains(ll, "alloca [448 x float], align 64")) << ll;
  // The tile's vector accesses know its alignment; B's only the element's.
  EXPECT_GT(LinesWith(ll, "load <32 x float>", "align 64"), 0) << ll;
  EXPECT_GT(LinesWith(ll, "store <32 x float>", "align 64"), 0) << ll;
  EXPECT_GT(LinesWith(ll, "load <32 x float>", "align 4"), 0) << ll;
  EXPECT_FALSE(Contains(ll, "alloc_workspace"));
  // Symbolic rows, tiles in parallel.
  Var m = SizeVar("m");
  auto sym = MakeTiledMatmul(m, 64, 16, 14, 32, ForKind::kUnrolled, ForKind::kVectorized, ForKind::kParallel);
  runtime::Module par = BuildOne("gemm", sym.func);
  for (int threads : {1, 2}) {
    ThreadCount pool(threads);
    for (int64_t rows : {14, 28, 70}) CheckTiledMatmul(par, rows, 64, 16);
  }
}

}  // namespace
}  // namespace kiln::codegen
