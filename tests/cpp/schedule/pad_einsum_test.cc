// pad_einsum: the padded program (compared with the expected program written
// as text), results after building equal to the unpadded kernel's, trace
// replay, and every precondition it refuses.
#include "schedule_test_util.h"

namespace kiln::tir::testing {
namespace {

// A buffer the root block allocates, by name (or an empty handle).
Buffer FindBufferByName(const PrimFunc& f, const std::string& name) {
  for (const Buffer& b : f->body.as<BlockNode>()->alloc_buffers) {
    if (b->name == name) return b;
  }
  return Buffer();
}

// C[b, i, j] = sum_k A[b, i, k] * B[b, k, j].
PrimFunc BatchMatmul(PrimExpr batch, int64_t m, int64_t n, int64_t k) {
  te::Tensor a = te::placeholder({batch, m, k}, DataType::Float(32), "A");
  te::Tensor b = te::placeholder({batch, k, n}, DataType::Float(32), "B");
  te::ReduceAxis r = te::reduce_axis({0, k}, "k");
  te::Tensor c = te::compute(
      {batch, m, n}, [&](Var bi, Var i, Var j) { return te::sum(a(bi, i, r.var) * b(bi, r.var, j), {r}); }, "C");
  return te::create_prim_func({a, b}, {c});
}

// C[i, j] = sum_k float(A[i, k]) * float(B[k, j]) over int32 inputs: the
// factors of the product are casts of the reads.
PrimFunc MatmulInt(int64_t m, int64_t n, int64_t k) {
  te::Tensor a = te::placeholder({m, k}, DataType::Int(32), "A");
  te::Tensor b = te::placeholder({k, n}, DataType::Int(32), "B");
  te::ReduceAxis r = te::reduce_axis({0, k}, "k");
  te::Tensor c = te::compute(
      {m, n},
      [&](Var i, Var j) {
        return te::sum(Cast(DataType::Float(32), a(i, r.var)) * Cast(DataType::Float(32), b(r.var, j)), {r});
      },
      "C");
  return te::create_prim_func({a, b}, {c});
}

TEST(PadEinsum, Matmul127To128) {
  PrimFunc f = Matmul(127, 127, 127);
  Schedule sch(f);
  BlockRV c = sch.GetBlock("C");
  sch.PadEinsum(c, {128, 128, 128});
  ExpectProgram(sch, R"(
prim @main(A: Buffer((127, 127), float32), B: Buffer((127, 127), float32), C: Buffer((127, 127), float32)) {
  block "root" {
    alloc_buffer A_pad: Buffer((128, 128), float32)
    alloc_buffer B_pad: Buffer((128, 128), float32)
    alloc_buffer C_pad: Buffer((128, 128), float32)
    for i0 in range(128) {
      for i1 in range(128) {
        block "A_pad" {
          v_i0 = spatial(128, i0)
          v_i1 = spatial(128, i1)
          reads(A[v_i0, v_i1])
          writes(A_pad[v_i0, v_i1])
          A_pad[v_i0, v_i1] = if_then_else(v_i0 < 127 && v_i1 < 127, A[v_i0, v_i1], 0.0)
        }
      }
    }
    for i0 in range(128) {
      for i1 in range(128) {
        block "B_pad" {
          v_i0 = spatial(128, i0)
          v_i1 = spatial(128, i1)
          reads(B[v_i0, v_i1])
          writes(B_pad[v_i0, v_i1])
          B_pad[v_i0, v_i1] = if_then_else(v_i0 < 127 && v_i1 < 127, B[v_i0, v_i1], 0.0)
        }
      }
    }
    for i0 in range(128) {
      for i1 in range(128) {
        for k in range(128) {
          block "C" {
            v_i0 = spatial(128, i0)
            v_i1 = spatial(128, i1)
            v_k = reduce(128, k)
            reads(A_pad[v_i0, v_k], B_pad[v_k, v_i1])
            writes(C_pad[v_i0, v_i1])
            init {
              C_pad[v_i0, v_i1] = 0.0
            }
            C_pad[v_i0, v_i1] = C_pad[v_i0, v_i1] + A_pad[v_i0, v_k] * B_pad[v_k, v_i1]
          }
        }
      }
    }
    for i0 in range(127) {
      for i1 in range(127) {
        block "C_crop" {
          v_i0 = spatial(127, i0)
          v_i1 = spatial(127, i1)
          reads(C_pad[v_i0, v_i1])
          writes(C[v_i0, v_i1])
          C[v_i0, v_i1] = C_pad[v_i0, v_i1]
        }
      }
    }
  }
})");
  // The loop handles stay valid and now run 128 times.
  std::vector<LoopRV> l = sch.GetLoops(c);
  EXPECT_EQ(*AsConstInt(sch.GetStmt(l[2]).as<ForNode>()->extent), 128);
  ExpectScheduled(f, sch);
}

TEST(PadEinsum, GemvLikeShapePaddedOnM) {
  // 1 x 768 x 3072: only M grows (to 4); the other operand and the
  // reduction stay as they are.
  PrimFunc f = Matmul(1, 768, 3072);
  Schedule sch(f);
  BlockRV c = sch.GetBlock("C");
  sch.PadEinsum(c, {4, 1, 1});
  PrimFunc g = MainOf(sch);
  Buffer a_pad = FindBufferByName(g, "A_pad");
  ASSERT_TRUE(a_pad);
  EXPECT_EQ(*AsConstInt(a_pad->shape[0]), 4);
  EXPECT_EQ(*AsConstInt(a_pad->shape[1]), 3072);
  EXPECT_FALSE(FindBufferByName(g, "B_pad"));
  Buffer c_pad = FindBufferByName(g, "C_pad");
  ASSERT_TRUE(c_pad);
  EXPECT_EQ(*AsConstInt(c_pad->shape[0]), 4);
  EXPECT_EQ(*AsConstInt(c_pad->shape[1]), 768);
  std::vector<BlockRV> blocks = sch.GetChildBlocks(sch.GetBlock("root"));
  ASSERT_EQ(blocks.size(), 3u);
  EXPECT_EQ(sch.Get(blocks[0]), "A_pad");
  EXPECT_EQ(sch.Get(blocks[1]), "C");
  EXPECT_EQ(sch.Get(blocks[2]), "C_crop");
  ExpectScheduled(f, sch);
}

TEST(PadEinsum, ThenSplitEvenly) {
  PrimFunc f = Matmul(30, 20, 13);
  Schedule sch(f);
  BlockRV c = sch.GetBlock("C");
  sch.PadEinsum(c, {8, 8, 8});
  std::vector<LoopRV> l = sch.GetLoops(c);
  for (const LoopRV& loop : l) sch.Split(loop, {kInfer, int64_t{8}});
  EXPECT_FALSE(sch.GetStmt(c).as<BlockNode>()->predicate);  // no tails
  ExpectScheduled(f, sch);
}

TEST(PadEinsum, BatchedAndCastOperands) {
  {
    PrimFunc f = BatchMatmul(3, 7, 9, 5);
    Schedule sch(f);
    sch.PadEinsum(sch.GetBlock("C"), {2, 4, 4, 4});
    ExpectScheduled(f, sch);
  }
  {
    PrimFunc f = MatmulInt(6, 5, 7);
    Schedule sch(f);
    sch.PadEinsum(sch.GetBlock("C"), {4, 4, 4});
    ExpectScheduled(f, sch);
  }
}

TEST(PadEinsum, SymbolicBatchIsLeftAlone) {
  Var n = SizeVar("n");
  PrimFunc f = BatchMatmul(n, 6, 7, 5);
  Schedule sch(f);
  sch.PadEinsum(sch.GetBlock("C"), {1, 4, 4, 4});
  for (int64_t batch : {1, 2, 5}) ExpectSameResult(f, MainOf(sch), {{"n", batch}}, 1e-4);
  ExpectTraceReplays(f, sch);
}

TEST(PadEinsum, SpatialPaddingOfAnyBlock) {
  // Only spatial variables grow: any body works, even a max reduction.
  {
    PrimFunc f = ElementwiseChain(5, 7);
    Schedule sch(f);
    sch.PadEinsum(sch.GetBlock("C"), {4, 4});
    ExpectScheduled(f, sch);
  }
  {
    PrimFunc f = RowReduce(5, 8, "max");
    Schedule sch(f);
    sch.PadEinsum(sch.GetBlock("B"), {4, 1});
    ExpectScheduled(f, sch);
  }
}

TEST(PadEinsum, NothingToPadChangesNothing) {
  PrimFunc f = Matmul(8, 8, 8);
  Schedule sch(f);
  sch.PadEinsum(sch.GetBlock("C"), {4, 8, 1});
  EXPECT_TRUE(StructuralEqual(MainOf(sch), f));
  ExpectTraceReplays(f, sch);
}

TEST(PadEinsum, Errors) {
  {
    Schedule sch(Matmul(5, 5, 5));
    BlockRV c = sch.GetBlock("C");
    EXPECT_KILN_ERROR(sch.PadEinsum(c, {4, 4}),
                      "pad_einsum: block 'C' has 3 iteration variables but 2 paddings were given");
    EXPECT_KILN_ERROR(sch.PadEinsum(c, {4, 0, 4}),
                      "pad_einsum: the padding 0 of iteration variable 'v_i1' of block 'C' is not positive");
    std::vector<LoopRV> l = sch.GetLoops(c);
    sch.Split(l[0], {kInfer, int64_t{2}});
    EXPECT_KILN_ERROR(sch.PadEinsum(c, {4, 1, 1}),
                      "pad_einsum: iteration variable 'v_i0' of block 'C' is bound to i0_0 * 2 + i0_1, not to a loop "
                      "of its own over [0, 5); pad_einsum pads before loops are split or fused");
  }
  {
    Schedule sch(RowReduce(4, 5, "max"));
    EXPECT_KILN_ERROR(sch.PadEinsum(sch.GetBlock("B"), {1, 4}),
                      "pad_einsum: block 'B' reduces with 'max', whose identity is not 0; pad_einsum pads the "
                      "reduction variables of sums only");
  }
  {
    Schedule sch(RowReduce(4, 5, "plus_one"));
    EXPECT_KILN_ERROR(sch.PadEinsum(sch.GetBlock("B"), {1, 4}),
                      "pad_einsum: block 'B' adds 'A[v_i0, v_k] + 1.0', which is not a product with a factor read at "
                      "'v_k'; its padded reduction steps would not add 0");
    sch.PadEinsum(sch.GetBlock("B"), {4, 1});  // padding rows only is fine
    ExpectScheduled(RowReduce(4, 5, "plus_one"), sch);
  }
  {
    Var n = SizeVar("n");
    Schedule sch(ElementwiseChain(n, 8));
    EXPECT_KILN_ERROR(sch.PadEinsum(sch.GetBlock("B"), {4, 1}),
                      "pad_einsum: iteration variable 'v_i0' of block 'B' has extent n, not a constant; pad_einsum "
                      "pads constant extents");
  }
  {
    Schedule sch(Matmul(5, 5, 5));
    BlockRV c = sch.GetBlock("C");
    sch.DecomposeReduction(c, sch.GetLoops(c)[0]);
    EXPECT_KILN_ERROR(sch.PadEinsum(c, {4, 4, 4}),
                      "pad_einsum: block 'C' has reduction variables but no init (a decomposed reduction); pad it "
                      "before decompose_reduction");
  }
  {
    // Not einsum-like: a shifted index, and one buffer read two ways.
    Schedule sch(ParseMain(R"(
prim @main(A: Buffer((9,), float32), B: Buffer((8,), float32)) {
  block "root" {
    for i in range(6) {
      block "B" {
        vi = spatial(6, i)
        reads(A[vi + 1])
        writes(B[vi])
        B[vi] = A[vi + 1]
      }
    }
  }
})"));
    EXPECT_KILN_ERROR(sch.PadEinsum(sch.GetBlock("B"), {4}),
                      "pad_einsum: block 'B' accesses 'A[vi + 1]', whose index vi + 1 is not an iteration variable or "
                      "a constant; pad_einsum pads einsum-like blocks only");
  }
  {
    Schedule sch(ParseMain(R"(
prim @main(A: Buffer((6, 6), float32), B: Buffer((6, 6), float32)) {
  block "root" {
    for i in range(6) {
      for j in range(6) {
        block "B" {
          vi = spatial(6, i)
          vj = spatial(6, j)
          reads(A[0:+6, 0:+6])
          writes(B[vi, vj])
          B[vi, vj] = A[vi, vj] + A[vj, vi]
        }
      }
    }
  }
})"));
    EXPECT_KILN_ERROR(sch.PadEinsum(sch.GetBlock("B"), {4, 4}),
                      "pad_einsum: block 'B' reads buffer 'A' at 'A[vi, vj]' and at 'A[vj, vi]'; pad_einsum needs one "
                      "index pattern per buffer");
  }
  {
    // A spatial variable that does not index the output.
    Schedule sch(ParseMain(R"(
prim @main(A: Buffer((6,), float32), B: Buffer((1,), float32)) {
  block "root" {
    for i in range(6) {
      block "B" {
        vi = spatial(6, i)
        reads(A[vi])
        writes(B[0])
        B[0] = A[vi]
      }
    }
  }
})"));
    EXPECT_KILN_ERROR(sch.PadEinsum(sch.GetBlock("B"), {4}),
                      "pad_einsum: spatial variable 'vi' of block 'B' does not index its output 'B[0]'; its padded "
                      "iterations would overwrite it");
  }
  {
    // Not a single store; a write at the reduction variable; a read of the
    // output; a variable not starting at 0; a loop shared by two variables.
    Schedule sch(ParseMain(R"(
prim @main(A: Buffer((6, 6), float32), B: Buffer((6,), float32), C: Buffer((6, 6), float32)) {
  block "root" {
    for i in range(6) {
      block "B1" {
        vi = spatial(6, i)
        reads(A[vi, 0:+2])
        writes(B[vi])
        for j in range(2) {
          B[vi] = A[vi, j]
        }
      }
    }
    for i in range(6) {
      for k in range(6) {
        block "B2" {
          vi = spatial(6, i)
          vk = reduce(6, k)
          reads(A[vi, vk])
          writes(B[vk])
          init {
            B[vk] = 0.0
          }
          B[vk] = B[vk] + A[vi, vk]
        }
      }
    }
    for i in range(6) {
      block "B3" {
        vi = spatial(6, i)
        reads(B[vi])
        writes(B[vi])
        B[vi] = B[vi] + 1.0
      }
    }
    for i in range(5) {
      block "B4" {
        vi = spatial(5, i + 1, min=1)
        reads(A[vi, 0])
        writes(B[vi])
        B[vi] = A[vi, 0]
      }
    }
    for i in range(6) {
      block "C" {
        vi = spatial(6, i)
        vj = spatial(6, i)
        reads(A[vi, vj])
        writes(C[vi, vj])
        C[vi, vj] = A[vi, vj]
      }
    }
  }
})"));
    EXPECT_KILN_ERROR(sch.PadEinsum(sch.GetBlock("B1"), {4}),
                      "pad_einsum: the body of block 'B1' is not a single store; pad_einsum pads einsum-like blocks "
                      "only");
    EXPECT_KILN_ERROR(sch.PadEinsum(sch.GetBlock("B2"), {4, 4}),
                      "pad_einsum: block 'B2' writes 'B[vk]' at its reduction variable 'vk'");
    EXPECT_KILN_ERROR(sch.PadEinsum(sch.GetBlock("B3"), {4}), "pad_einsum: block 'B3' reads its output buffer 'B'");
    EXPECT_KILN_ERROR(sch.PadEinsum(sch.GetBlock("B4"), {4}),
                      "pad_einsum: iteration variable 'vi' of block 'B4' starts at 1, not 0");
    EXPECT_KILN_ERROR(sch.PadEinsum(sch.GetBlock("C"), {4, 1}),
                      "pad_einsum: iteration variable 'vi' of block 'C' is bound to i, not to a loop of its own over "
                      "[0, 6)");
  }
  {
    // Another block in the loop nest.
    Schedule sch(ParseMain(R"(
prim @main(A: Buffer((6,), float32), B: Buffer((6,), float32), C: Buffer((6,), float32)) {
  block "root" {
    for i in range(6) {
      block "B" {
        vi = spatial(6, i)
        reads(A[vi])
        writes(B[vi])
        B[vi] = A[vi]
      }
      block "C" {
        vi = spatial(6, i)
        reads(A[vi])
        writes(C[vi])
        C[vi] = A[vi]
      }
    }
  }
})"));
    EXPECT_KILN_ERROR(sch.PadEinsum(sch.GetBlock("B"), {4}),
                      "pad_einsum: loop 'i' around block 'B' holds other statements; pad_einsum needs the block alone "
                      "in its loop nest");
  }
}

}  // namespace
}  // namespace kiln::tir::testing
