// The cuda target's launch configuration: grid and block dims from the
// extents of the loops bound to blockIdx/threadIdx (symbolic where the
// shapes are), the largest of several constant extents on one axis with the
// shorter loops guarded, and errors for extents no launch can compute.
#include "codegen_test_util.h"
#include "kiln/codegen/cuda.h"
#include "kiln/tir/printer.h"
#include "kiln/tir/structural_equal.h"

namespace kiln::codegen {
namespace {

using namespace testing;

PrimExpr One() {
  return IntImm(DataType::Int(64), 1);
}

// B[bx * 64 + tx] = A[...] * 2 where in bounds, bx < ceil(n / 64), tx < 64.
PrimFunc Scale(Var n) {
  Buffer a = DeclBuffer("A", {n}), b = DeclBuffer("B", {n});
  Var bx("bx", DataType::Int(64)), tx("tx", DataType::Int(64));
  PrimExpr i = bx * 64 + tx;
  Stmt store = IfThenElse(i < n, BufferStore(b, BufferLoad(a, {i}) * 2.0, {i}));
  Stmt body = For(bx, 0, floordiv(n + 63, 64), ForKind::kThreadBinding,
                  For(tx, 0, 64, ForKind::kThreadBinding, store, "threadIdx.x"), "blockIdx.x");
  return MakePrimFunc({a, b}, body);
}

TEST(CUDALaunch, SymbolicGridConstantBlock) {
  Var n = SizeVar("n");
  runtime::Module m = BuildOne("scale", Scale(n), "cuda -arch=sm_80");
  std::vector<KernelLaunch> launches = CUDALaunchConfig(m);
  ASSERT_EQ(launches.size(), 1u);
  const KernelLaunch& l = launches[0];
  EXPECT_EQ(l.name, "scale");
  EXPECT_TRUE(StructuralEqual(l.grid[0], floordiv(n + 63, 64))) << tir::ToText(l.grid[0]);
  EXPECT_EQ(*AsConstInt(l.block[0]), 64);
  for (int d = 1; d < 3; ++d) {
    EXPECT_TRUE(StructuralEqual(l.grid[d], One()));
    EXPECT_TRUE(StructuralEqual(l.block[d], One()));
  }
  EXPECT_EQ(m.GetSource("launch"), "scale: grid ((n + 63) // 64, 1, 1) block (64, 1, 1)\n");
  std::string ptx = m.GetSource("ptx");
  EXPECT_NE(ptx.find("//   scale: grid ((n + 63) // 64, 1, 1) block (64, 1, 1)"), std::string::npos) << ptx;
  EXPECT_NE(ptx.find(".visible .entry scale("), std::string::npos) << ptx;
  EXPECT_KILN_ERROR(m["scale"](), "cuda kernel 'scale' cannot run: this build of Kiln has no CUDA runtime");
}

TEST(CUDALaunch, LargestConstantExtentWithGuards) {
  // Two loops on threadIdx.x, of 32 and 48 iterations: the block has 48
  // threads, and the first loop runs on threads 0..31 only.
  Buffer a = DeclBuffer("A", {48}), b = DeclBuffer("B", {48});
  Var t0("t0", DataType::Int(64)), t1("t1", DataType::Int(64));
  Stmt body = Seq({For(t0, 0, 32, ForKind::kThreadBinding, BufferStore(a, 1.0, {t0}), "threadIdx.x"),
                   For(t1, 0, 48, ForKind::kThreadBinding, BufferStore(b, 2.0, {t1}), "threadIdx.x")});
  runtime::Module m = BuildOne("two", MakePrimFunc({a, b}, body), "cuda");
  EXPECT_EQ(m.GetSource("launch"), "two: grid (1, 1, 1) block (48, 1, 1)\n");
  EXPECT_NE(m.GetSource("ll").find("icmp"), std::string::npos);  // the guard t0 < 32
}

TEST(CUDALaunch, Errors) {
  Var n = SizeVar("n");
  Buffer a = DeclBuffer("A", {n});
  Var t0("t0", DataType::Int(64)), t1("t1", DataType::Int(64));
  // Symbolic extents that differ on one axis.
  Stmt two = Seq({For(t0, 0, n, ForKind::kThreadBinding, BufferStore(a, 1.0, {t0}), "threadIdx.x"),
                  For(t1, 0, n - 1, ForKind::kThreadBinding, BufferStore(a, 2.0, {t1}), "threadIdx.x")});
  EXPECT_KILN_ERROR(BuildOne("f", MakePrimFunc({a}, two), "cuda"),
                    "f: loops bound to threadIdx.x have different extents (n and n - 1)");
  // An extent of a variable that is no parameter.
  Var i("i", DataType::Int(64));
  Stmt inner = For(t0, 0, i + 1, ForKind::kThreadBinding, BufferStore(a, 1.0, {t0}), "threadIdx.x");
  Stmt let = LetStmt(i, n - 1, inner);
  EXPECT_KILN_ERROR(BuildOne("g", MakePrimFunc({a}, let), "cuda"), "depends on 'i', which is no parameter");
  // vthread is a schedule's axis, not a hardware one.
  Stmt v = For(t0, 0, n, ForKind::kThreadBinding, BufferStore(a, 1.0, {t0}), "vthread.x");
  EXPECT_KILN_ERROR(BuildOne("h", MakePrimFunc({a}, v), "cuda"), "bound to 'vthread.x', which the cuda target");
  // A module of another kind has no launch table.
  Stmt serial = For(t0, 0, n, ForKind::kSerial, BufferStore(a, 1.0, {t0}));
  EXPECT_KILN_ERROR(CUDALaunchConfig(BuildOne("k", MakePrimFunc({a}, serial))),
                    "CUDALaunchConfig: expected a module built for cuda, got a llvm module");
}

}  // namespace
}  // namespace kiln::codegen
