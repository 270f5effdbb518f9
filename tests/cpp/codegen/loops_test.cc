// Compiled loops and memory: parallel loops on 1 and 2 threads, Allocate on
// the stack and in workspaces, Ramp/Broadcast vector code, unrolled and
// vectorized loop kinds, while loops, and symbolic shapes at several sizes.
#include "codegen_test_util.h"
#include "kiln/runtime/thread_pool.h"

namespace kiln::codegen {
namespace {

using namespace testing;

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

// C[i, j] = A[i, j] * 2 + i over a parallel outer loop and a serial inner
// one; also a parallel loop over a scalar parameter's range.
PrimFunc ParallelKernel() {
  Var n = SizeVar("n"), m = SizeVar("m");
  Buffer a = DeclBuffer("A", {n, m}), c = DeclBuffer("C", {n, m});
  Var i("i"), j("j");
  PrimExpr value = BufferLoad(a, {i, j}) * 2.0 + Cast(DataType::Float(32), i);
  Stmt inner = For(j, 0, m, ForKind::kSerial, BufferStore(c, value, {i, j}));
  return MakePrimFunc({a, c}, For(i, 0, n, ForKind::kParallel, inner));
}

void CheckParallel(const runtime::Module& mod, int64_t rows, int64_t cols) {
  NDArray a = ArrayOf(Iota<float>(rows * cols, 0.25), {rows, cols}), c = Zeros<float>({rows, cols});
  mod["par"](a, c);
  std::vector<float> out = ValuesOf<float>(c);
  for (int64_t k = 0; k < rows * cols; ++k) ASSERT_EQ(out[k], 0.5f * k + static_cast<float>(k / cols)) << k;
}

TEST(CodegenLoops, ParallelOnOneAndTwoThreads) {
  runtime::Module mod = BuildOne("par", ParallelKernel());
  std::string ll = mod.GetSource("ll");
  EXPECT_NE(ll.find("par_parallel_0"), std::string::npos);
  // A and C stay known not to alias inside the outlined body.
  EXPECT_NE(ll.find("!alias.scope"), std::string::npos);
  EXPECT_NE(ll.find("!noalias"), std::string::npos);
  for (int threads : {1, 2}) {
    SCOPED_TRACE(threads);
    ThreadCount pool(threads);
    CheckParallel(mod, 1000, 3);
    CheckParallel(mod, 1, 5);  // fewer rows than threads
    CheckParallel(mod, 0, 5);
    CheckParallel(mod, 7, 0);
  }
}

// Nested parallel loops: the inner region runs serially on its caller.
TEST(CodegenLoops, NestedParallel) {
  Buffer a = DeclBuffer("A", {8, 16});
  Var i("i"), j("j");
  Stmt body = For(i, 0, 8, ForKind::kParallel,
                  For(j, 0, 16, ForKind::kParallel, BufferStore(a, Cast(DataType::Float(32), i * 16 + j), {i, j})));
  runtime::Module mod = BuildOne("nested", MakePrimFunc({a}, body));
  ThreadCount pool(2);
  NDArray out = Zeros<float>({8, 16});
  mod["nested"](out);
  EXPECT_EQ(ValuesOf<float>(out), Iota<float>(128));
}

// B[i] = T[i] + T[n - 1 - i] with T[i] = A[i] * 2 in a temporary of `size`
// elements: constant and small (stack), constant and large, or symbolic
// (both workspaces).
PrimFunc AllocateKernel(PrimExpr size, ForKind outer) {
  Var n = SizeVar("n");
  Buffer a = DeclBuffer("A", {n}), b = DeclBuffer("B", {n}), t = DeclBuffer("T", {size}, DataType::Float(32), "local");
  Var i("i"), j("j"), r("r");
  Stmt fill = For(i, 0, n, ForKind::kSerial, BufferStore(t, BufferLoad(a, {i}) * 2.0, {i}));
  Stmt use = For(j, 0, n, ForKind::kSerial, BufferStore(b, BufferLoad(t, {j}) + BufferLoad(t, {n - 1 - j}), {j}));
  // The outer loop repeats the whole computation; parallel, each task has its own temporary.
  return MakePrimFunc({a, b}, For(r, 0, 3, outer, Allocate(t, Seq({fill, use}))));
}

void CheckAllocate(const runtime::Module& mod, int64_t n) {
  NDArray a = ArrayOf(Iota<float>(n, 1, 1)), b = Zeros<float>({n});
  mod["alloc"](a, b);
  std::vector<float> out = ValuesOf<float>(b);
  for (int64_t k = 0; k < n; ++k) ASSERT_EQ(out[k], 2.0f * (k + 1) + 2.0f * (n - k)) << k;
}

TEST(CodegenLoops, AllocateOnStackAndWorkspace) {
  runtime::Module stack = BuildOne("alloc", AllocateKernel(16, ForKind::kSerial));
  EXPECT_NE(stack.GetSource("ll").find("alloca"), std::string::npos);
  EXPECT_EQ(stack.GetSource("ll").find("alloc_workspace"), std::string::npos);
  CheckAllocate(stack, 16);
  CheckAllocate(stack, 5);

  runtime::Module big = BuildOne("alloc", AllocateKernel(8192, ForKind::kSerial));  // 32 KiB: a workspace
  CheckAllocate(big, 8192);

  Var size = SizeVar("size");
  PrimFunc symbolic = AllocateKernel(size, ForKind::kParallel);
  // The temporary's size comes from a parameter.
  symbolic = MakePrimFunc({symbolic->params[0], symbolic->params[1], size}, symbolic->buffer_map, symbolic->body);
  runtime::Module dyn = BuildOne("alloc", symbolic);
  for (int threads : {1, 2}) {
    ThreadCount pool(threads);
    NDArray a = ArrayOf(Iota<float>(100, 1, 1)), b = Zeros<float>({100});
    dyn["alloc"](a, b, 100);
    std::vector<float> out = ValuesOf<float>(b);
    for (int k = 0; k < 100; ++k) ASSERT_EQ(out[k], 2.0f * (k + 1) + 2.0f * (100 - k)) << k;
  }
}

TEST(CodegenLoops, WorkspaceFailureIsReported) {
  Var size = SizeVar("size");
  Buffer t = DeclBuffer("T", {size}), out = DeclBuffer("O", {1});
  Stmt body = Allocate(t, Seq({BufferStore(t, 1.0, {0}), BufferStore(out, BufferLoad(t, {0}), {0})}));
  runtime::Module mod = BuildOne("huge", MakePrimFunc({out}, body, {size}));
  NDArray o = Zeros<float>({1});
  mod["huge"](o, 4);
  EXPECT_EQ(ValuesOf<float>(o)[0], 1.0f);
  EXPECT_KILN_ERROR(mod["huge"](o, int64_t{1} << 60), "huge: cannot allocate");
}

// C[16k : 16k + 16] = A[...] * 2 + B[...] as 16-lane vectors, and D[j] =
// A[2j] through a strided (gather) load of 8 lanes.
TEST(CodegenLoops, VectorRampBroadcast) {
  Buffer a = DeclBuffer("A", {64}), b = DeclBuffer("B", {64}), c = DeclBuffer("C", {64}), d = DeclBuffer("D", {32});
  Var k("k"), j("j");
  PrimExpr lanes16 = Ramp(k * 16, 1, 16);
  PrimExpr value = BufferLoad(a, {lanes16}) * Broadcast(2.0, 16) + BufferLoad(b, {lanes16});
  Stmt contiguous = For(k, 0, 4, ForKind::kSerial, BufferStore(c, value, {lanes16}));
  Stmt strided =
      For(j, 0, 4, ForKind::kSerial, BufferStore(d, BufferLoad(a, {Ramp(j * 16, 2, 8)}), {Ramp(j * 8, 1, 8)}));
  runtime::Module mod = BuildOne("vec", MakePrimFunc({a, b, c, d}, Seq({contiguous, strided})), "llvm -opt-level=0");
  std::string ll = mod.GetSource("ll");
  EXPECT_NE(ll.find("load <16 x float>, ptr"), std::string::npos) << ll;
  EXPECT_NE(ll.find("align 4"), std::string::npos);  // parameters promise element alignment
  EXPECT_NE(ll.find("llvm.masked.gather"), std::string::npos);
  NDArray x = ArrayOf(Iota<float>(64)), y = ArrayOf(Iota<float>(64, -1, 5)), z = Zeros<float>({64});
  NDArray w = Zeros<float>({32});
  mod["vec"](x, y, z, w);
  std::vector<float> out = ValuesOf<float>(z), gathered = ValuesOf<float>(w);
  for (int i = 0; i < 64; ++i) ASSERT_EQ(out[i], 2.0f * i + (5.0f - i)) << i;
  for (int i = 0; i < 32; ++i) ASSERT_EQ(gathered[i], 2.0f * i) << i;
}

// A 2-D buffer accessed with a vector in its last dimension: flattening keeps
// the access contiguous. B[i, 0:8] = A[i, 0:8] + 1, bool lanes for a mask.
TEST(CodegenLoops, VectorOverTwoDimensions) {
  Buffer a = DeclBuffer("A", {3, 8}), b = DeclBuffer("B", {3, 8}), m = DeclBuffer("M", {3, 8}, DataType::Bool());
  Var i("i");
  PrimExpr row = BufferLoad(a, {i, Ramp(PrimExpr(0), 1, 8)});
  Stmt body = For(i, 0, 3, ForKind::kSerial,
                  Seq({BufferStore(b, row + Broadcast(1.0, 8), {i, Ramp(PrimExpr(0), 1, 8)}),
                       BufferStore(m, row > Broadcast(10.0, 8), {i, Ramp(PrimExpr(0), 1, 8)})}));
  runtime::Module mod = BuildOne("rows", MakePrimFunc({a, b, m}, body));
  NDArray out = Zeros<float>({3, 8}), mask = Zeros<bool>({3, 8});
  mod["rows"](ArrayOf(Iota<float>(24), {3, 8}), out, mask);
  EXPECT_EQ(ValuesOf<float>(out), Iota<float>(24, 1, 1));
  std::vector<bool> want;
  for (int k = 0; k < 24; ++k) want.push_back(k > 10);
  EXPECT_EQ(ValuesOf<bool>(mask), want);
}

// Loops the lowering cannot expand (a symbolic extent) keep their kind as an
// LLVM loop hint; constant ones are unrolled and vectorized by the lowering.
TEST(CodegenLoops, UnrolledAndVectorizedKinds) {
  Var n = SizeVar("n"), m = SizeVar("m");
  Buffer a = DeclBuffer("A", {n}), b = DeclBuffer("B", {m}), c = DeclBuffer("C", {n});
  Var i("i"), j("j");
  Stmt unrolled = For(j, 0, m, ForKind::kUnrolled, BufferStore(b, Cast(DataType::Float(32), j * j), {j}));
  Stmt vectorized = For(i, 0, n, ForKind::kVectorized, BufferStore(c, BufferLoad(a, {i}) * 3.0, {i}));
  PrimFunc f = MakePrimFunc({a, b, c}, Seq({unrolled, vectorized}));
  std::string unoptimized = BuildOne("kinds", f, "llvm -opt-level=0").GetSource("ll");
  EXPECT_NE(unoptimized.find("llvm.loop.unroll.enable"), std::string::npos);
  EXPECT_NE(unoptimized.find("llvm.loop.vectorize.enable"), std::string::npos);
  runtime::Module mod = BuildOne("kinds", f);
  NDArray x = ArrayOf(Iota<float>(37)), sq = Zeros<float>({4}), y = Zeros<float>({37});
  mod["kinds"](x, sq, y);
  EXPECT_EQ(ValuesOf<float>(sq), (std::vector<float>{0, 1, 4, 9}));
  EXPECT_EQ(ValuesOf<float>(y), Iota<float>(37, 3));
}

// Collatz steps of a scalar parameter, through a while loop over a buffer
// cell: B[0] = steps(x).
TEST(CodegenLoops, WhileLoop) {
  Buffer b = DeclBuffer("B", {2}, DataType::Int(64));
  Var x("x");
  PrimExpr v = BufferLoad(b, {1});
  Stmt step = Seq({BufferStore(b, Select(floormod(v, 2) == PrimExpr(0), floordiv(v, 2), v * 3 + 1), {1}),
                   BufferStore(b, BufferLoad(b, {0}) + 1, {0})});
  Stmt body = Seq({BufferStore(b, PrimExpr(0), {0}), BufferStore(b, x, {1}), While(v != PrimExpr(1), step)});
  runtime::Module mod = BuildOne("collatz", MakePrimFunc({b}, body, {x}));
  NDArray out = Zeros<int64_t>({2});
  mod["collatz"](out, 27);
  EXPECT_EQ(ValuesOf<int64_t>(out)[0], 111);
}

// One function for every size: n is bound from A's shape, m from a scalar.
TEST(CodegenLoops, SymbolicShapesAtSeveralSizes) {
  Var n = SizeVar("n"), m("m");
  Buffer a = DeclBuffer("A", {n, m}), s = DeclBuffer("S", {n});
  Var i("i"), j("j");
  Stmt body =
      For(i, 0, n, ForKind::kSerial,
          Seq({BufferStore(s, 0.0, {i}),
               For(j, 0, m, ForKind::kSerial, BufferStore(s, BufferLoad(s, {i}) + BufferLoad(a, {i, j}), {i}))}));
  runtime::Module mod = BuildOne("rowsum", MakePrimFunc({a, s}, body, {m}));
  for (int64_t rows : {1, 3, 64}) {
    for (int64_t cols : {1, 5, 33}) {
      NDArray x = ArrayOf(Iota<float>(rows * cols), {rows, cols}), out = Zeros<float>({rows});
      mod["rowsum"](x, out, cols);
      std::vector<float> got = ValuesOf<float>(out);
      for (int64_t r = 0; r < rows; ++r) {
        float want = 0;
        for (int64_t c = 0; c < cols; ++c) want += static_cast<float>(r * cols + c);
        ASSERT_EQ(got[r], want) << rows << "x" << cols << " row " << r;
      }
    }
  }
}

}  // namespace
}  // namespace kiln::codegen
