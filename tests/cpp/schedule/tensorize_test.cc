// tensorize and the tensor intrinsic registry: a tiled matmul's 16-wide row
// replaced by x86.fma_f32x16 (same results, zmm FMAs in the assembly), the
// program it makes, intrinsics whose implementation uses data pointers
// (offsets bound, contiguity checked), reductions that start inside the
// tensorized loops, trace replay, and every refusal with its message.
#include <algorithm>

#include "kiln/codegen/target.h"
#include "kiln/tir/schedule/tensor_intrin.h"
#include "schedule_test_util.h"

namespace kiln::tir::testing {
namespace {

// Registers @desc and @impl of `text` as `name` (replacing an older one).
void RegisterText(const std::string& name, const std::string& text) {
  ir::IRModule mod = ParseModule(text);
  TensorIntrin::Register(name, FuncOf(mod, "desc"), FuncOf(mod, "impl"), true);
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(Tensorize, FmaRowOfATiledMatmul) {
  RegisterX86Intrinsics();
  RegisterX86Intrinsics();  // once is enough; again does nothing
  PrimFunc f = Matmul(64, 64, 32);
  std::vector<LoopRV> l;
  Schedule sch = TiledMatmul(f, &l);
  sch.Tensorize(l[4], "x86.fma_f32x16");
  ExpectProgram(sch, R"(
prim @main(A: Buffer((64, 32), float32), B: Buffer((32, 64), float32), C: Buffer((64, 64), float32)) {
  block "root" {
    for i0 in range(16) {
      for j0 in range(4) {
        for k in range(32) {
          for i1 in range(4) {
            block "C_o" {
              vi_o = spatial(64, i0 * 4 + i1)
              vj_o = spatial(4, j0)
              vk_o = reduce(32, k)
              reads(A[vi_o, vk_o], B[vk_o, vj_o * 16:+16])
              writes(C[vi_o, vj_o * 16:+16])
              init {
                for j1 in range(16) {
                  block "C_init" {
                    vi = spatial(64, vi_o)
                    vj = spatial(64, j1 + vj_o * 16)
                    writes(C[vi, vj])
                    C[vi, vj] = 0.0
                  }
                }
              }
              C[vi_o, ramp(vj_o * 16, 1, 16)] = C[vi_o, ramp(vj_o * 16, 1, 16)] + broadcast(A[vi_o, vk_o], 16) * B[vk_o, ramp(vj_o * 16, 1, 16)]
            }
          }
        }
      }
    }
  }
})");
  ExpectSameResult(f, MainOf(sch));
  ExpectTraceReplays(f, sch);
  EXPECT_EQ(sch.trace().ToText().find("blockize"), std::string::npos) << sch.trace().ToText();
  EXPECT_TRUE(Contains(sch.trace().ToText(), "sch.tensorize(l"));

  // The intrinsic's multiply-add is one zmm FMA on AVX-512.
  ir::IRModule mod({{ir::MakeGlobalVar("main"), MainOf(sch)}});
  std::string avx512 = codegen::Build(mod, "llvm -mcpu=skylake-avx512 -mattr=+avx512f").GetSource("asm");
  EXPECT_TRUE(Contains(avx512, "vfmadd") && Contains(avx512, "zmm")) << avx512;
  if (Contains(codegen::Target::Host().FeatureString(), "+avx512f")) {
    std::string asm_host = BuildFunc(MainOf(sch)).GetSource("asm");
    EXPECT_TRUE(Contains(asm_host, "vfmadd") && Contains(asm_host, "zmm")) << asm_host;
  }
}

TEST(Tensorize, SymbolicRows) {
  RegisterX86Intrinsics();
  Var m = SizeVar("m");
  te::Tensor a = te::placeholder({m, 8}, DataType::Float(32), "A");
  te::Tensor b = te::placeholder({8, 32}, DataType::Float(32), "B");
  te::ReduceAxis r = te::reduce_axis({0, 8}, "k");
  te::Tensor c = te::compute(
      {m, 32}, [&](Var i, Var j) { return te::sum(a(i, r.var) * b(r.var, j), {r}); }, "C");
  PrimFunc f = te::create_prim_func({a, b}, {c});
  Schedule sch(f);
  std::vector<LoopRV> l = sch.GetLoops(sch.GetBlock("C"));
  std::vector<LoopRV> j = sch.Split(l[1], {kInfer, int64_t{16}});
  sch.Reorder({l[0], j[0], l[2], j[1]});
  sch.Tensorize(j[1], "x86.fma_f32x16");
  for (int64_t rows : {1, 5, 9}) ExpectSameResult(f, MainOf(sch), {{"m", rows}});
  ExpectTraceReplays(f, sch);
}

TEST(Tensorize, BlockizedBlockAndAnUntiledMatmul) {
  RegisterX86Intrinsics();
  PrimFunc f = Matmul(8, 16, 8);
  Schedule sch(f);
  std::vector<LoopRV> l = sch.GetLoops(sch.GetBlock("C"));
  sch.Reorder({l[0], l[2], l[1]});  // i, k, j: a 16-wide row per (i, k)
  BlockRV row = sch.Blockize(l[1]);
  sch.Tensorize(row, "x86.fma_f32x16");
  ExpectSameResult(f, MainOf(sch));
  ExpectTraceReplays(f, sch);
}

// y[i] = sum_k A[i, k] * x[k].
PrimFunc MatVec(int64_t m, int64_t k) {
  te::Tensor a = te::placeholder({m, k}, DataType::Float(32), "A");
  te::Tensor x = te::placeholder({k}, DataType::Float(32), "x");
  te::ReduceAxis r = te::reduce_axis({0, k}, "k");
  te::Tensor y = te::compute(
      {m}, [&](Var i) { return te::sum(a(i, r.var) * x(r.var), {r}); }, "y");
  return te::create_prim_func({a, x}, {y});
}

// A 16-long dot product, implemented by a loop of the same (enough to
// check where the init goes and that loops get fresh variables).
const char* kDot16 = R"(
prim @desc(A: Buffer((16,), float32), B: Buffer((16,), float32), C: Buffer((1,), float32)) {
  block "root" {
    for k in range(16) {
      block "update" {
        vk = reduce(16, k)
        reads(A[vk], B[vk])
        writes(C[0])
        C[0] = C[0] + A[vk] * B[vk]
      }
    }
  }
}
prim @impl(A: Buffer((16,), float32), B: Buffer((16,), float32), C: Buffer((1,), float32)) {
  for k in unrolled(16) {
    C[0] = C[0] + A[k] * B[k]
  }
})";

TEST(Tensorize, ReductionStartingInsideRunsTheInitFirst) {
  RegisterText("test.dot16", kDot16);
  // The whole reduction is the tensorized loop: the init runs before it.
  PrimFunc f = MatVec(8, 16);
  Schedule sch(f);
  std::vector<LoopRV> l = sch.GetLoops(sch.GetBlock("y"));
  sch.Tensorize(l[1], "test.dot16");
  ExpectProgram(sch, R"(
prim @main(A: Buffer((8, 16), float32), x: Buffer((16,), float32), y: Buffer((8,), float32)) {
  block "root" {
    for i in range(8) {
      block "y_o" {
        vi_o = spatial(8, i)
        reads(A[vi_o, 0:+16], x[0:+16])
        writes(y[vi_o])
        block "y_init" {
          vi = spatial(8, vi_o)
          writes(y[vi])
          y[vi] = 0.0
        }
        for k in unrolled(16) {
          y[vi_o] = y[vi_o] + A[vi_o, k] * x[k]
        }
      }
    }
  }
})");
  ExpectSameResult(f, MainOf(sch));
  ExpectTraceReplays(f, sch);
  // Longer: blockize moves the init to the outer block, which reduces.
  PrimFunc g = MatVec(4, 64);
  Schedule sch2(g);
  std::vector<LoopRV> l2 = sch2.GetLoops(sch2.GetBlock("y"));
  std::vector<LoopRV> k = sch2.Split(l2[1], {kInfer, int64_t{16}});
  sch2.Tensorize(k[1], "test.dot16");
  EXPECT_TRUE(sch2.GetStmt(sch2.GetBlock("y_o")).as<BlockNode>()->init);
  ExpectSameResult(g, MainOf(sch2));
  ExpectTraceReplays(g, sch2);
}

// y[i] = sum_k A[i, k] * x[k] and z[i] = sum_k W[i, k] * x[k]: two blocks.
PrimFunc TwoMatVecs(int64_t m, int64_t k) {
  te::Tensor a = te::placeholder({m, k}, DataType::Float(32), "A");
  te::Tensor w = te::placeholder({m, k}, DataType::Float(32), "W");
  te::Tensor x = te::placeholder({k}, DataType::Float(32), "x");
  te::ReduceAxis r = te::reduce_axis({0, k}, "k");
  te::Tensor y = te::compute(
      {m}, [&](Var i) { return te::sum(a(i, r.var) * x(r.var), {r}); }, "y");
  te::ReduceAxis r2 = te::reduce_axis({0, k}, "k");
  te::Tensor z = te::compute(
      {m}, [&](Var i) { return te::sum(w(i, r2.var) * x(r2.var), {r2}); }, "z");
  return te::create_prim_func({a, w, x}, {y, z});
}

TEST(Tensorize, DotProductsWithALocalBuffer) {
  RegisterX86Intrinsics();
  PrimFunc f = TwoMatVecs(8, 64);
  Schedule sch(f);
  for (const char* block : {"y", "z"}) {
    std::vector<LoopRV> l = sch.GetLoops(sch.GetBlock(block));
    std::vector<LoopRV> k = sch.Split(l[1], {kInfer, int64_t{16}});
    sch.Tensorize(k[1], "x86.dot_f32x16");
  }
  // Each site allocates its own buffer for the tree sum.
  const auto* y = sch.GetStmt(sch.GetBlock("y_o")).as<BlockNode>()->body.as<AllocateNode>();
  const auto* z = sch.GetStmt(sch.GetBlock("z_o")).as<BlockNode>()->body.as<AllocateNode>();
  ASSERT_TRUE(y && z);
  EXPECT_NE(y->buffer.get(), z->buffer.get());
  ExpectSameResult(f, MainOf(sch));
  ExpectTraceReplays(f, sch);
  std::string text = codegen::Build(ir::IRModule({{ir::MakeGlobalVar("main"), MainOf(sch)}}),
                                    "llvm -mcpu=skylake-avx512 -mattr=+avx512f")
                         .GetSource("asm");
  EXPECT_TRUE(Contains(text, "vmulps") && Contains(text, "zmm")) << text;
}

// Zeroes 16 floats with memset through the data pointer at the region's
// offset (bound to C_off).
const char* kZero16 = R"(
prim @desc(C: Buffer((16,), float32)) {
  for j in range(16) {
    block "zero" {
      vj = spatial(16, j)
      writes(C[vj])
      C[vj] = 0.0
    }
  }
}
prim @impl(C: Buffer((16,), float32, offset=C_off)) {
  call_extern("memset", handle(int64(C.data) + C_off * 4), 0i32, 64, dtype=handle)
})";

// The same for a 2 x 16 tile that the implementation assumes compact.
const char* kZero2x16 = R"(
prim @desc(C: Buffer((2, 16), float32)) {
  for i in range(2) {
    for j in range(16) {
      block "zero" {
        vi = spatial(2, i)
        vj = spatial(16, j)
        writes(C[vi, vj])
        C[vi, vj] = 0.0
      }
    }
  }
}
prim @impl(C: Buffer((2, 16), float32, offset=C_off)) {
  call_extern("memset", handle(int64(C.data) + C_off * 4), 0i32, 128, dtype=handle)
})";

// Z[i, j] = 0 over (m, n).
PrimFunc Zeros(int64_t m, int64_t n) {
  return ParseMain(R"(
prim @main(Z: Buffer(()" +
                   std::to_string(m) + ", " + std::to_string(n) + R"(), float32)) {
  block "root" {
    for i in range()" +
                   std::to_string(m) + R"() {
      for j in range()" +
                   std::to_string(n) + R"() {
        block "Z" {
          vi = spatial()" +
                   std::to_string(m) + R"(, i)
          vj = spatial()" +
                   std::to_string(n) + R"(, j)
          writes(Z[vi, vj])
          Z[vi, vj] = 0.0
        }
      }
    }
  }
})");
}

TEST(Tensorize, DataPointerAtTheRegionsOffset) {
  RegisterText("test.zero16", kZero16);
  PrimFunc f = Zeros(6, 64);
  Schedule sch(f);
  std::vector<LoopRV> l = sch.GetLoops(sch.GetBlock("Z"));
  std::vector<LoopRV> j = sch.Split(l[1], {kInfer, int64_t{16}});
  sch.Tensorize(j[1], "test.zero16");
  ExpectProgram(sch, R"(
prim @main(Z: Buffer((6, 64), float32)) {
  block "root" {
    for i in range(6) {
      for j0 in range(4) {
        block "Z_o" {
          vi_o = spatial(6, i)
          vj_o = spatial(4, j0)
          writes(Z[vi_o, vj_o * 16:+16])
          call_extern("memset", handle(int64(Z.data) + (vi_o * 64 + vj_o * 16) * 4), 0i32, 64, dtype=handle)
        }
      }
    }
  }
})");
  ExpectSameResult(f, MainOf(sch));  // the random values Z starts with are zeroed
  ExpectTraceReplays(f, sch);
}

TEST(Tensorize, RefusesANonContiguousRegionForADataPointer) {
  RegisterText("test.zero2x16", kZero2x16);
  {  // Two rows of 16 in a row of 16: contiguous.
    PrimFunc f = Zeros(6, 16);
    Schedule sch(f);
    std::vector<LoopRV> l = sch.GetLoops(sch.GetBlock("Z"));
    std::vector<LoopRV> i = sch.Split(l[0], {kInfer, int64_t{2}});
    sch.Tensorize(i[1], "test.zero2x16");
    ExpectSameResult(f, MainOf(sch));
  }
  PrimFunc f = Zeros(6, 64);
  Schedule sch(f);
  std::vector<LoopRV> l = sch.GetLoops(sch.GetBlock("Z"));
  std::vector<LoopRV> i = sch.Split(l[0], {kInfer, int64_t{2}});
  std::vector<LoopRV> j = sch.Split(l[1], {kInfer, int64_t{16}});
  sch.Reorder({i[0], j[0], i[1], j[1]});
  PrimFunc before = MainOf(sch);
  EXPECT_KILN_ERROR(sch.Tensorize(i[1], "test.zero2x16"),
                    "tensorize: the implementation of 'test.zero2x16' uses the data pointer of 'C' with stride 16 in "
                    "dimension 0, but the region it stands for, in 'Z', has stride 64 there: the region is not "
                    "contiguous as the implementation needs");
  EXPECT_EQ(MainOf(sch).get(), before.get());  // nothing blockized
}

// ---- refusals ------------------------------------------------------------------

TEST(Tensorize, UnknownIntrinsic) {
  RegisterX86Intrinsics();
  std::vector<LoopRV> l;
  Schedule sch = TiledMatmul(Matmul(16, 16, 4), &l);
  EXPECT_KILN_ERROR(sch.Tensorize(l[4], "x86.fma_f32x8"),
                    "tensorize: no tensor intrinsic 'x86.fma_f32x8' (did you mean 'x86.fma_f32x16'?)");
}

TEST(Tensorize, RefusesWhatDoesNotMatch) {
  RegisterX86Intrinsics();
  const std::string intrin = "x86.fma_f32x16";
  {  // 8 wide, not 16
    std::vector<LoopRV> l;
    Schedule sch = TiledMatmul(Matmul(16, 16, 4), &l, 8);
    PrimFunc before = MainOf(sch);
    size_t steps = sch.trace().size();
    EXPECT_KILN_ERROR(sch.Tensorize(l[4], intrin),
                      "tensorize: block 'C' in 'C_o' does not compute what 'x86.fma_f32x16' describes: loop 'i1_1' "
                      "has extent 8, the description's loop 'j' 16");
    EXPECT_EQ(MainOf(sch).get(), before.get());  // unchanged: not even blockized
    EXPECT_EQ(sch.trace().size(), steps);
  }
  {  // two loops inside
    std::vector<LoopRV> l;
    Schedule sch = TiledMatmul(Matmul(16, 16, 4), &l);
    EXPECT_KILN_ERROR(sch.Tensorize(l[3], intrin),
                      "tensorize: block 'C' in 'C_o' does not compute what 'x86.fma_f32x16' describes: block 'C' "
                      "runs under 2 loop(s) inside block 'C_o', the description's block under 1");
  }
  {  // a block with no block inside
    Schedule sch(ElementwiseChain(4, 16));
    EXPECT_KILN_ERROR(sch.Tensorize(sch.GetBlock("C"), intrin),
                      "tensorize: block 'C' must hold loops around one block to be tensorized (tensorize a loop, or "
                      "blockize one first)");
  }
}

// C[i, j] = reduce over k of `update` (written with C, A, B at the matmul's
// indices), float32 or `dtype`.
PrimFunc Reduction(const std::string& update, const std::string& dtype = "float32",
                   const std::string& b_shape = "(4, 16)") {
  return ParseMain(R"(
prim @main(A: Buffer((4, 4), )" +
                   dtype + R"(), B: Buffer()" + b_shape + ", " + dtype + R"(), C: Buffer((4, 16), )" + dtype + R"()) {
  block "root" {
    for i in range(4) {
      for k in range(4) {
        for j in range(16) {
          block "C" {
            vi = spatial(4, i)
            vj = spatial(16, j)
            vk = reduce(4, k)
            writes(C[vi, vj])
            )" + update +
                   R"(
          }
        }
      }
    }
  }
})");
}

void ExpectRefused(const PrimFunc& f, const std::string& message) {
  Schedule sch(f);
  std::vector<LoopRV> l = sch.GetLoops(sch.GetBlock("C"));
  EXPECT_KILN_ERROR(sch.Tensorize(l[2], "x86.fma_f32x16"),
                    "tensorize: block 'C' in 'C_o' does not compute what 'x86.fma_f32x16' describes: " + message);
}

TEST(Tensorize, RefusesADifferentComputation) {
  RegisterX86Intrinsics();
  {  // sanity: the written form matches
    Schedule sch(Reduction("C[vi, vj] = C[vi, vj] + A[vi, vk] * B[vk, vj]"));
    sch.Tensorize(sch.GetLoops(sch.GetBlock("C"))[2], "x86.fma_f32x16");
  }
  ExpectRefused(Reduction("C[vi, vj] = max(C[vi, vj], A[vi, vk] * B[vk, vj])"),
                "the expressions differ: max(C[vi_o, j], A[vi_o, vk_o] * B[vk_o, j]) vs C[j] + A[0] * B[j]");
  ExpectRefused(Reduction("C[vi, vj] = C[vi, vj] + A[vi, vk] * B[vk, vj]", "float64"),
                "buffer 'C' holds float64, the description's 'C' float32");
  ExpectRefused(Reduction("C[vi, vj] = C[vi, vj] + A[vi, vk] * B[vj, vk]", "float32", "(16, 4)"),
                "the block accesses B[0:+16, vk_o], more than one element in dimension 0, where the "
                "description's 'B' has 1 dimension(s)");
  ExpectRefused(Reduction("C[vi, vj] = C[vi, vj] + A[vi, vk] * B[vk, 15 - vj]"),
                "the access B[vk_o, 15 - j] does not match the description's B[j]: relative to the "
                "regions' starts, index 1 is 15 - j vs j");
  ExpectRefused(Reduction("C[vi, vj] = C[vi, vj] + A[vi, vk] * A[vi, vk]"),
                "buffer 'A' would stand for both the description's 'A' and 'B'");
}

TEST(Tensorize, RefusesAPredicate) {
  RegisterX86Intrinsics();
  PrimFunc f = ParseMain(R"(
prim @main(A: Buffer((4, 4), float32), B: Buffer((4, 16), float32), C: Buffer((4, 16), float32)) {
  block "root" {
    for i in range(4) {
      for k in range(4) {
        for j in range(16) {
          block "C" {
            vi = spatial(4, i)
            vj = spatial(16, j)
            vk = reduce(4, k)
            writes(C[vi, vj])
            where(j < 15)
            C[vi, vj] = C[vi, vj] + A[vi, vk] * B[vk, vj]
          }
        }
      }
    }
  }
})");
  ExpectRefused(f, "block 'C' runs under the condition j < 15, the description's block under none");
}

TEST(Tensorize, RefusesBlocksItCannotBlockize) {
  RegisterX86Intrinsics();
  Schedule sch(ParseMain(R"(
prim @main(A: Buffer((64,), float32)) {
  block "root" {
    for i0 in range(4) {
      for i1 in range(16) {
        block "B" {
          vi = spatial(64, i0 * 16 + i1 // 2 * 2)
          writes(A[vi])
          A[vi] = 1.0
        }
      }
    }
  }
})"));
  EXPECT_KILN_ERROR(sch.Tensorize(sch.GetLoops(sch.GetBlock("B"))[1], "x86.fma_f32x16"),
                    "tensorize: blockize: the binding i0 * 16 + i1 // 2 * 2 of 'vi' in block 'B' is not affine");
}

// ---- the registry -------------------------------------------------------------

TEST(TensorIntrinRegistry, RefusesMalformedIntrinsics) {
  RegisterX86Intrinsics();
  const TensorIntrin& fma = TensorIntrin::Get("x86.fma_f32x16");
  EXPECT_KILN_ERROR(TensorIntrin::Register("x86.fma_f32x16", fma.desc, fma.impl),
                    "tensor intrinsic 'x86.fma_f32x16' is already registered");
  std::vector<std::string> names = TensorIntrin::ListNames();
  EXPECT_NE(std::find(names.begin(), names.end(), "x86.fma_f32x16"), names.end());
  auto expect = [](const std::string& text, const std::string& message) {
    EXPECT_KILN_ERROR(RegisterText("test.bad", text), message);
  };
  expect(R"(
prim @desc(C: Buffer((16,), float32)) {
  for j in range(16) {
    block "zero" {
      vj = spatial(16, j)
      vk = reduce(1, 0)
      writes(C[vj])
      init {
        C[vj] = 0.0
      }
      C[vj] = 1.0
    }
  }
}
prim @impl(C: Buffer((16,), float32)) {
  C[ramp(0, 1, 16)] = broadcast(1.0, 16)
})",
         "tensor intrinsic 'test.bad': the description's block 'zero' has an init; describe the update alone");
  expect(R"(
prim @desc(C: Buffer((16,), float32), D: Buffer((16,), float32)) {
  for j in range(16) {
    block "one" {
      vj = spatial(16, j)
      writes(C[vj])
      C[vj] = 1.0
    }
  }
}
prim @impl(C: Buffer((16,), float32), D: Buffer((16,), float32)) {
  C[ramp(0, 1, 16)] = broadcast(1.0, 16)
})",
         "tensor intrinsic 'test.bad': the description never accesses buffer 'D'");
  // A valid description (C[j] = 1.0), for the implementations that follow.
  const std::string ones = R"(
prim @desc(C: Buffer((16,), float32)) {
  for j in range(16) {
    block "one" {
      vj = spatial(16, j)
      writes(C[vj])
      C[vj] = 1.0
    }
  }
})";
  expect(ones + R"(
prim @impl(C: Buffer((8,), float32)) {
  C[ramp(0, 1, 8)] = broadcast(1.0, 8)
})",
         "tensor intrinsic 'test.bad': buffer 0 ('C') has extent 16 in dimension 0 in the description, 8 in the "
         "implementation");
  expect(ones + R"(
prim @impl(C: Buffer((16,), float32)) {
  for j in range(16) {
    block "inner" {
      vj = spatial(16, j)
      writes(C[vj])
      C[vj] = 1.0
    }
  }
})",
         "tensor intrinsic 'test.bad': the implementation has block 'inner' with iteration variables");
  expect(ones + R"(
prim @impl(C: Buffer((16,), float32)) {
  call_extern("memset", C.data, 0i32, 64, dtype=handle)
})",
         "tensor intrinsic 'test.bad': the implementation uses the data pointer of 'C', so that buffer must declare "
         "its elem_offset as a variable");
  expect(R"(
prim @desc(C: Buffer((16,), float32)) {
  C[0] = 1.0
  C[1] = 1.0
}
prim @impl(C: Buffer((16,), float32)) {
  C[0] = 1.0
})",
         "tensor intrinsic 'test.bad': the description must compute one block, not 0");
}

}  // namespace
}  // namespace kiln::tir::testing
