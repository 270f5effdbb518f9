// decompose_reduction and rfactor: the programs they make (compared with the
// expected program written as text), the results after building (equal to
// the unscheduled kernel's, also at several sizes of a symbolic dimension),
// trace replay, and every precondition they refuse.
#include "schedule_test_util.h"

namespace kiln::tir::testing {
namespace {

// B[i] = custom reduction of A[i, k].
PrimFunc RowCustom(const te::Reducer& reducer, PrimExpr init = {}) {
  te::Tensor a = te::placeholder({4, 8}, DataType::Float(32), "A");
  te::ReduceAxis r = te::reduce_axis({0, 8}, "k");
  te::Tensor b = te::compute(
      {4}, [&](Var i) { return te::reduce(reducer, a(i, r.var), {r}, init); }, "B");
  return te::create_prim_func({a}, {b});
}

// B[i] = sum_{k, l} A[i, k, l]: two reduction loops.
PrimFunc SumTwoAxes() {
  te::Tensor a = te::placeholder({4, 6, 5}, DataType::Float(32), "A");
  te::ReduceAxis k = te::reduce_axis({0, 6}, "k"), l = te::reduce_axis({0, 5}, "l");
  te::Tensor b = te::compute(
      {4},
      [&](Var i) {
        return te::sum(a(i, k.var, l.var), {k, l});
      },
      "B");
  return te::create_prim_func({a}, {b});
}

// C = A x B, then D = C + 1.
PrimFunc MatmulPlusOne() {
  te::Tensor a = te::placeholder({4, 4}, DataType::Float(32), "A");
  te::Tensor b = te::placeholder({4, 4}, DataType::Float(32), "B");
  te::ReduceAxis r = te::reduce_axis({0, 4}, "k");
  te::Tensor c = te::compute(
      {4, 4}, [&](Var i, Var j) { return te::sum(a(i, r.var) * b(r.var, j), {r}); }, "C");
  te::Tensor d = te::compute(
      {4, 4}, [&](Var i, Var j) { return c(i, j) + 1.0; }, "D");
  return te::create_prim_func({a, b}, {d});
}

// S[i] = sum_k X[i, k], then Y[i, j] = X[i, j] / S[i]: a reduction into an
// intermediate buffer that a later block reads.
PrimFunc RowNormalize(int64_t m, int64_t n) {
  te::Tensor x = te::placeholder({m, n}, DataType::Float(32), "X");
  te::ReduceAxis r = te::reduce_axis({0, n}, "k");
  te::Tensor s = te::compute(
      {m}, [&](Var i) { return te::sum(x(i, r.var), {r}); }, "S");
  te::Tensor y = te::compute(
      {m, n}, [&](Var i, Var j) { return x(i, j) / s(i); }, "Y");
  return te::create_prim_func({x}, {y});
}

// ---- decompose_reduction --------------------------------------------------------

TEST(ReductionDecompose, InitGoesRightBeforeTheReductionLoop) {
  PrimFunc f = Matmul(4, 4, 4);
  Schedule sch(f);
  BlockRV c = sch.GetBlock("C");
  std::vector<LoopRV> l = sch.GetLoops(c);
  BlockRV init = sch.DecomposeReduction(c, l[2]);
  EXPECT_EQ(sch.Get(init), "C_init");
  ExpectProgram(sch, R"(
prim @main(A: Buffer((4, 4), float32), B: Buffer((4, 4), float32), C: Buffer((4, 4), float32)) {
  block "root" {
    for i0 in range(4) {
      for i1 in range(4) {
        block "C_init" {
          v_i0 = spatial(4, i0)
          v_i1 = spatial(4, i1)
          writes(C[v_i0, v_i1])
          C[v_i0, v_i1] = 0.0
        }
        for k in range(4) {
          block "C" {
            v_i0 = spatial(4, i0)
            v_i1 = spatial(4, i1)
            v_k = reduce(4, k)
            reads(C[v_i0, v_i1], A[v_i0, v_k], B[v_k, v_i1])
            writes(C[v_i0, v_i1])
            C[v_i0, v_i1] = C[v_i0, v_i1] + A[v_i0, v_k] * B[v_k, v_i1]
          }
        }
      }
    }
  }
})");
  // The update reads its own output now that it has no init.
  const BlockNode* update = sch.GetStmt(c).as<BlockNode>();
  EXPECT_FALSE(update->init);
  ASSERT_EQ(update->reads.size(), 3u);
  EXPECT_EQ(update->reads[0].buffer->name, "C");
  EXPECT_EQ(sch.GetLoops(init).size(), 2u);
  ExpectScheduled(f, sch);
}

TEST(ReductionDecompose, AtAnOuterLoopTheSpatialLoopsAreCopied) {
  PrimFunc f = Matmul(4, 4, 4);
  Schedule sch(f);
  BlockRV c = sch.GetBlock("C");
  BlockRV init = sch.DecomposeReduction(c, sch.GetLoops(c)[0]);
  ExpectProgram(sch, R"(
prim @main(A: Buffer((4, 4), float32), B: Buffer((4, 4), float32), C: Buffer((4, 4), float32)) {
  block "root" {
    for i0_init in range(4) {
      for i1_init in range(4) {
        block "C_init" {
          v_i0 = spatial(4, i0_init)
          v_i1 = spatial(4, i1_init)
          writes(C[v_i0, v_i1])
          C[v_i0, v_i1] = 0.0
        }
      }
    }
    for i0 in range(4) {
      for i1 in range(4) {
        for k in range(4) {
          block "C" {
            v_i0 = spatial(4, i0)
            v_i1 = spatial(4, i1)
            v_k = reduce(4, k)
            reads(C[v_i0, v_i1], A[v_i0, v_k], B[v_k, v_i1])
            writes(C[v_i0, v_i1])
            C[v_i0, v_i1] = C[v_i0, v_i1] + A[v_i0, v_k] * B[v_k, v_i1]
          }
        }
      }
    }
  }
})");
  // The init's loops are new loops that later primitives can use.
  std::vector<LoopRV> il = sch.GetLoops(init);
  ASSERT_EQ(il.size(), 2u);
  sch.Parallel(il[0]);
  sch.Vectorize(il[1]);
  ExpectScheduled(f, sch);
}

TEST(ReductionDecompose, AtTheMiddleLoop) {
  PrimFunc f = Matmul(6, 5, 7);
  Schedule sch(f);
  BlockRV c = sch.GetBlock("C");
  BlockRV init = sch.DecomposeReduction(c, sch.GetLoops(c)[1]);
  std::vector<LoopRV> il = sch.GetLoops(init);
  ASSERT_EQ(il.size(), 2u);
  EXPECT_EQ(sch.Get(il[0]).name(), "i0");  // shared with the update
  EXPECT_EQ(sch.Get(il[1]).name(), "i1_init");
  ExpectScheduled(f, sch);
}

TEST(ReductionDecompose, MaxReductionOverSymbolicRows) {
  Var m = SizeVar("m");
  PrimFunc f = RowReduce(m, 16, "max");
  Schedule sch(f);
  BlockRV b = sch.GetBlock("B");
  sch.DecomposeReduction(b, sch.GetLoops(b)[1]);
  for (int64_t rows : {1, 5, 17}) ExpectSameResult(f, MainOf(sch), {{"m", rows}});
  ExpectTraceReplays(f, sch);
}

TEST(ReductionDecompose, AfterSplitsWithPredicates) {
  // 15 x 13 x 11 split by 4: the predicate's spatial conditions stay on the
  // init, the reduction's do not.
  PrimFunc f = Matmul(15, 13, 11);
  for (int at : {0, 1, 3}) {
    Schedule sch(f);
    BlockRV c = sch.GetBlock("C");
    std::vector<LoopRV> l = sch.GetLoops(c);
    sch.Split(l[0], {kInfer, int64_t{4}});
    sch.Split(l[2], {kInfer, int64_t{4}});
    l = sch.GetLoops(c);  // i0_0, i0_1, i1, k_0, k_1
    BlockRV init = sch.DecomposeReduction(c, l[at]);
    const BlockNode* ib = sch.GetStmt(init).as<BlockNode>();
    ASSERT_TRUE(ib->predicate) << at;
    EXPECT_EQ(ToText(ib->predicate).find("k_"), std::string::npos) << ToText(ib->predicate);
    ExpectScheduled(f, sch);
  }
}

TEST(ReductionDecompose, PredicateAtTheFirstReductionStep) {
  // Rows 3 and up never run (3 * 4 + 0 >= 10): the init must not write them either.
  PrimFunc f = ParseMain(R"(
prim @main(A: Buffer((5, 4), float32), B: Buffer((5,), float32)) {
  block "root" {
    for i in range(5) {
      for k in range(4) {
        block "B" {
          vi = spatial(5, i)
          vk = reduce(4, k)
          reads(A[vi, vk])
          writes(B[vi])
          where(vi * 4 + vk < 10)
          init {
            B[vi] = 0.0
          }
          B[vi] = B[vi] + A[vi, vk]
        }
      }
    }
  }
})");
  Schedule sch(f);
  BlockRV b = sch.GetBlock("B");
  BlockRV init = sch.DecomposeReduction(b, sch.GetLoops(b)[0]);
  EXPECT_EQ(ToText(sch.GetStmt(init).as<BlockNode>()->predicate), "i_init < 3");
  ExpectScheduled(f, sch);
}

TEST(ReductionDecompose, ReorderedSpatialLoopBelowTheReductionLoop) {
  PrimFunc f = Matmul(5, 6, 7);
  Schedule sch(f);
  BlockRV c = sch.GetBlock("C");
  std::vector<LoopRV> l = sch.GetLoops(c);
  sch.Reorder({l[2], l[1]});  // i0, k, i1
  BlockRV init = sch.DecomposeReduction(c, l[2]);
  std::vector<LoopRV> il = sch.GetLoops(init);
  ASSERT_EQ(il.size(), 2u);
  EXPECT_EQ(sch.Get(il[1]).name(), "i1_init");
  EXPECT_KILN_ERROR(sch.DecomposeReduction(c, l[1]), "decompose_reduction: block 'C' has no init to decompose");
  ExpectScheduled(f, sch);
}

TEST(ReductionDecompose, Errors) {
  {
    Schedule sch(ElementwiseChain(4, 4));
    BlockRV b = sch.GetBlock("B");
    EXPECT_KILN_ERROR(sch.DecomposeReduction(b, sch.GetLoops(b)[0]),
                      "decompose_reduction: block 'B' has no init to decompose");
  }
  {
    Schedule sch(MatmulPlusOne());
    BlockRV c = sch.GetBlock("C");
    std::vector<LoopRV> dl = sch.GetLoops(sch.GetBlock("D"));
    EXPECT_KILN_ERROR(sch.DecomposeReduction(c, dl[1]),
                      "decompose_reduction: loop 'i1' is not a loop around block 'C'");
  }
  {
    Schedule sch(SumTwoAxes());
    BlockRV b = sch.GetBlock("B");
    std::vector<LoopRV> l = sch.GetLoops(b);  // i0, k, l
    EXPECT_KILN_ERROR(sch.DecomposeReduction(b, l[2]),
                      "decompose_reduction: loop 'l' is inside loop 'k', which runs the reduction variable 'v_k' of "
                      "block 'B'; the init would run again at each of its iterations");
    sch.DecomposeReduction(b, l[1]);
    ExpectScheduled(SumTwoAxes(), sch);
  }
  {
    Schedule sch(Matmul(4, 4, 4));
    BlockRV c = sch.GetBlock("C");
    std::vector<LoopRV> l = sch.GetLoops(c);
    sch.Reorder({l[2], l[1]});  // i0, k, i1
    EXPECT_KILN_ERROR(sch.DecomposeReduction(c, l[1]), "decompose_reduction: loop 'i1' is inside loop 'k'");
    EXPECT_EQ(sch.trace().size(), 3u);  // failed calls record nothing
  }
  {
    Schedule sch(ParseMain(R"(
prim @main(A: Buffer((4, 4), float32), B: Buffer((4,), float32)) {
  block "root" {
    for i in range(4) {
      if i < 3 {
        for k in range(4) {
          block "B" {
            vi = spatial(4, i)
            vk = reduce(4, k)
            reads(A[vi, vk])
            writes(B[vi])
            init {
              B[vi] = 0.0
            }
            B[vi] = B[vi] + A[vi, vk]
          }
        }
      }
    }
  }
})"));
    BlockRV b = sch.GetBlock("B");
    EXPECT_KILN_ERROR(sch.DecomposeReduction(b, sch.GetLoops(b)[0]),
                      "decompose_reduction: block 'B' lies under an if inside loop 'i'; the init can only be moved "
                      "out across loops");
    sch.DecomposeReduction(b, sch.GetLoops(b)[1]);  // below the if: fine
  }
  {
    // A spatial loop whose range depends on the reduction loop.
    Schedule sch(ParseMain(R"(
prim @main(A: Buffer((4, 4), float32), B: Buffer((4,), float32)) {
  block "root" {
    for k in range(4) {
      for i in range(k + 1) {
        block "B" {
          vi = spatial(4, i)
          vk = reduce(4, k)
          reads(A[vi, vk])
          writes(B[vi])
          init {
            B[vi] = 0.0
          }
          B[vi] = B[vi] + A[vi, vk]
        }
      }
    }
  }
})"));
    BlockRV b = sch.GetBlock("B");
    EXPECT_KILN_ERROR(sch.DecomposeReduction(b, sch.GetLoops(b)[0]),
                      "decompose_reduction: the range of loop 'i' depends on a reduction loop of block 'B'");
  }
}

// ---- rfactor ----------------------------------------------------------------------

TEST(ReductionRFactor, RowSumOverItsOnlyReductionLoop) {
  PrimFunc f = RowReduce(8, 16, "sum");
  Schedule sch(f);
  BlockRV b = sch.GetBlock("B");
  std::vector<LoopRV> l = sch.GetLoops(b);
  BlockRV rf = sch.RFactor(l[1], 0);
  EXPECT_EQ(sch.Get(rf), "B_rf");
  ExpectProgram(sch, R"(
prim @main(A: Buffer((8, 16), float32), B: Buffer((8,), float32)) {
  block "root" {
    alloc_buffer B_rf: Buffer((16, 8), float32)
    for i0_1 in range(8) {
      for k_1 in range(16) {
        block "B_rf" {
          v_k = spatial(16, k_1)
          v_i0 = spatial(8, i0_1)
          reads(A[v_i0, v_k])
          writes(B_rf[v_k, v_i0])
          B_rf[v_k, v_i0] = A[v_i0, v_k]
        }
      }
    }
    for i0 in range(8) {
      for k in range(16) {
        block "B" {
          v_k = reduce(16, k)
          v_i0 = spatial(8, i0)
          reads(B_rf[v_k, v_i0])
          writes(B[v_i0])
          init {
            B[v_i0] = 0.0
          }
          B[v_i0] = B[v_i0] + B_rf[v_k, v_i0]
        }
      }
    }
  }
})");
  // The original loops now run the write-back; the rf block has copies.
  EXPECT_EQ(sch.Get(sch.GetLoops(b)[1]).get(), sch.Get(l[1]).get());
  ASSERT_EQ(sch.GetLoops(rf).size(), 2u);
  ExpectScheduled(f, sch);
}

// A reduction that starts from a value other than the identity (linear's
// bias): the partial results start from 0, the write-back from that value.
TEST(ReductionRFactor, InitValueStaysWithTheWriteBack) {
  te::Tensor a = te::placeholder({4, 8}, DataType::Float(32), "A");
  te::Tensor c = te::placeholder({4}, DataType::Float(32), "C");
  te::ReduceAxis r = te::reduce_axis({0, 8}, "k");
  te::Tensor b = te::compute(
      {4}, [&](Var i) { return te::sum(a(i, r.var), {r}, c(i)); }, "B");
  PrimFunc f = te::create_prim_func({a, c}, {b});
  Schedule sch(f);
  BlockRV blk = sch.GetBlock("B");
  std::vector<LoopRV> k = sch.Split(sch.GetLoops(blk)[1], {kInfer, int64_t{4}});
  sch.RFactor(k[1], 1);
  ExpectProgram(sch, R"(
prim @main(A: Buffer((4, 8), float32), C: Buffer((4,), float32), B: Buffer((4,), float32)) {
  block "root" {
    alloc_buffer B_rf: Buffer((4, 4), float32)
    for i0_1 in range(4) {
      for k_0_1 in range(2) {
        for k_1_1 in range(4) {
          block "B_rf" {
            v_k_1 = spatial(4, k_1_1)
            v_i0 = spatial(4, i0_1)
            v_k_0 = reduce(2, k_0_1)
            reads(A[v_i0, v_k_0 * 4 + v_k_1])
            writes(B_rf[v_i0, v_k_1])
            init {
              B_rf[v_i0, v_k_1] = 0.0
            }
            B_rf[v_i0, v_k_1] = B_rf[v_i0, v_k_1] + A[v_i0, v_k_0 * 4 + v_k_1]
          }
        }
      }
    }
    for i0 in range(4) {
      for k_1 in range(4) {
        block "B" {
          v_k_1 = reduce(4, k_1)
          v_i0 = spatial(4, i0)
          reads(C[v_i0], B_rf[v_i0, v_k_1])
          writes(B[v_i0])
          init {
            B[v_i0] = C[v_i0]
          }
          B[v_i0] = B[v_i0] + B_rf[v_i0, v_k_1]
        }
      }
    }
  }
})");
  ExpectScheduled(f, sch);
}

TEST(ReductionRFactor, RowSumAfterSplitEachLoopAndAxis) {
  PrimFunc f = RowReduce(8, 32, "sum");
  for (int which : {0, 1}) {
    for (int axis : {0, 1}) {
      Schedule sch(f);
      BlockRV b = sch.GetBlock("B");
      std::vector<LoopRV> k = sch.Split(sch.GetLoops(b)[1], {kInfer, int64_t{4}});
      BlockRV rf = sch.RFactor(k[which], axis);
      const BlockNode* rb = sch.GetStmt(rf).as<BlockNode>();
      ASSERT_EQ(rb->writes.size(), 1u);
      const Buffer& buf = rb->writes[0].buffer;
      EXPECT_EQ(buf->name, "B_rf");
      EXPECT_EQ(*AsConstInt(buf->shape[axis]), which == 0 ? 8 : 4);
      ExpectScheduled(f, sch);
    }
  }
}

TEST(ReductionRFactor, MaxMinAndProdReductions) {
  for (const char* r : {"max", "min", "prod"}) {
    PrimFunc f = RowReduce(6, 12, r);
    Schedule sch(f);
    BlockRV b = sch.GetBlock("B");
    std::vector<LoopRV> k = sch.Split(sch.GetLoops(b)[1], {kInfer, int64_t{3}});
    sch.RFactor(k[1], 1);
    ExpectScheduled(f, sch);
  }
}

TEST(ReductionRFactor, MaxReductionProgram) {
  PrimFunc f = RowReduce(4, 8, "max");
  Schedule sch(f);
  BlockRV b = sch.GetBlock("B");
  std::vector<LoopRV> k = sch.Split(sch.GetLoops(b)[1], {int64_t{2}, int64_t{4}});
  sch.RFactor(k[1], 1);
  ExpectProgram(sch, R"(
prim @main(A: Buffer((4, 8), float32), B: Buffer((4,), float32)) {
  block "root" {
    alloc_buffer B_rf: Buffer((4, 4), float32)
    for i0_1 in range(4) {
      for k_0_1 in range(2) {
        for k_1_1 in range(4) {
          block "B_rf" {
            v_k_1 = spatial(4, k_1_1)
            v_i0 = spatial(4, i0_1)
            v_k_0 = reduce(2, k_0_1)
            reads(A[v_i0, v_k_0 * 4 + v_k_1])
            writes(B_rf[v_i0, v_k_1])
            init {
              B_rf[v_i0, v_k_1] = -inf
            }
            B_rf[v_i0, v_k_1] = max(B_rf[v_i0, v_k_1], A[v_i0, v_k_0 * 4 + v_k_1])
          }
        }
      }
    }
    for i0 in range(4) {
      for k_1 in range(4) {
        block "B" {
          v_k_1 = reduce(4, k_1)
          v_i0 = spatial(4, i0)
          reads(B_rf[v_i0, v_k_1])
          writes(B[v_i0])
          init {
            B[v_i0] = -inf
          }
          B[v_i0] = max(B[v_i0], B_rf[v_i0, v_k_1])
        }
      }
    }
  }
})");
  ExpectScheduled(f, sch);
}

TEST(ReductionRFactor, MatmulEachFactorAxis) {
  PrimFunc f = Matmul(6, 5, 16);
  for (int axis : {0, 1, 2}) {
    Schedule sch(f);
    BlockRV c = sch.GetBlock("C");
    std::vector<LoopRV> l = sch.GetLoops(c);
    std::vector<LoopRV> k = sch.Split(l[2], {kInfer, int64_t{4}});
    BlockRV rf = sch.RFactor(k[1], axis);
    const Buffer& buf = sch.GetStmt(rf).as<BlockNode>()->writes[0].buffer;
    ASSERT_EQ(buf->shape.size(), 3u);
    EXPECT_EQ(*AsConstInt(buf->shape[axis]), 4);
    ExpectScheduled(f, sch);
  }
}

TEST(ReductionRFactor, SplitsThatDoNotDivide) {
  // 127 = 32 * 4 - 1: a predicate on the reduction, kept by the rf block.
  PrimFunc f = RowReduce(5, 127, "sum");
  for (int which : {0, 1}) {
    Schedule sch(f);
    BlockRV b = sch.GetBlock("B");
    std::vector<LoopRV> l = sch.GetLoops(b);
    sch.Split(l[0], {kInfer, int64_t{2}});  // a spatial predicate too
    std::vector<LoopRV> k = sch.Split(l[1], {kInfer, int64_t{4}});
    BlockRV rf = sch.RFactor(k[which], 0);
    EXPECT_TRUE(sch.GetStmt(rf).as<BlockNode>()->predicate);
    // The write-back keeps only the spatial condition.
    const BlockNode* wb = sch.GetStmt(b).as<BlockNode>();
    ASSERT_TRUE(wb->predicate);
    EXPECT_EQ(ToText(wb->predicate).find("k_"), std::string::npos) << ToText(wb->predicate);
    ExpectScheduled(f, sch);
  }
}

TEST(ReductionRFactor, SymbolicRows) {
  Var m = SizeVar("m");
  PrimFunc f = RowReduce(m, 64, "sum");
  Schedule sch(f);
  BlockRV b = sch.GetBlock("B");
  std::vector<LoopRV> k = sch.Split(sch.GetLoops(b)[1], {kInfer, int64_t{8}});
  sch.RFactor(k[1], 0);
  for (int64_t rows : {1, 3, 10}) ExpectSameResult(f, MainOf(sch), {{"m", rows}}, 1e-4);
  ExpectTraceReplays(f, sch);
}

TEST(ReductionRFactor, ThePartialResultsVectorizeAndTheInitDecomposes) {
  PrimFunc f = RowReduce(8, 64, "sum");
  Schedule sch(f);
  BlockRV b = sch.GetBlock("B");
  std::vector<LoopRV> k = sch.Split(sch.GetLoops(b)[1], {kInfer, int64_t{8}});
  BlockRV rf = sch.RFactor(k[1], 1);
  std::vector<LoopRV> rl = sch.GetLoops(rf);  // i0, k_0, k_1
  ASSERT_EQ(rl.size(), 3u);
  sch.Reorder({rl[2], rl[1]});
  sch.Parallel(rl[0]);
  BlockRV init = sch.DecomposeReduction(rf, rl[1]);
  EXPECT_EQ(sch.Get(init), "B_rf_init");
  sch.Vectorize(rl[2]);
  ExpectScheduled(f, sch);
}

TEST(ReductionRFactor, TwoReductionLoops) {
  PrimFunc f = SumTwoAxes();
  for (int which : {1, 2}) {
    // The other reduction variable stays a reduction variable of the rf block.
    Schedule sch(f);
    BlockRV b = sch.GetBlock("B");
    BlockRV rf = sch.RFactor(sch.GetLoops(b)[which], 1);
    const BlockNode* rb = sch.GetStmt(rf).as<BlockNode>();
    ASSERT_EQ(rb->iter_vars.size(), 3u);
    EXPECT_EQ(rb->iter_vars[0].kind, IterKind::kSpatial);
    EXPECT_EQ(rb->iter_vars[2].kind, IterKind::kReduce);
    ExpectScheduled(f, sch);
  }
  {
    // One loop running both reduction variables, split, factored at its inner part.
    Schedule sch(f);
    BlockRV b = sch.GetBlock("B");
    std::vector<LoopRV> l = sch.GetLoops(b);
    LoopRV kl = sch.Fuse({l[1], l[2]});
    std::vector<LoopRV> parts = sch.Split(kl, {kInfer, int64_t{4}});  // 30 = 8 * 4 - 2
    sch.RFactor(parts[1], 0);
    ExpectScheduled(f, sch);
  }
}

TEST(ReductionRFactor, IntermediateBufferWithAConsumer) {
  PrimFunc f = RowNormalize(6, 24);
  Schedule sch(f);
  BlockRV s = sch.GetBlock("S");
  std::vector<LoopRV> k = sch.Split(sch.GetLoops(s)[1], {kInfer, int64_t{8}});
  BlockRV rf = sch.RFactor(k[1], 0);
  sch.DecomposeReduction(rf, sch.GetLoops(rf)[1]);
  sch.DecomposeReduction(s, sch.GetLoops(s)[1]);
  ExpectScheduled(f, sch);
}

TEST(ReductionRFactor, Errors) {
  {
    Schedule sch(RowReduce(4, 8, "sum"));
    std::vector<LoopRV> l = sch.GetLoops(sch.GetBlock("B"));
    EXPECT_KILN_ERROR(sch.RFactor(l[0], 0),
                      "rfactor: loop 'i0' runs a spatial variable of block 'B'; rfactor needs a loop that runs only "
                      "reduction variables");
    EXPECT_KILN_ERROR(sch.RFactor(l[1], 2),
                      "rfactor: factor_axis 2 is out of range [0, 1] for buffer 'B' of 1 dimension(s)");
    EXPECT_KILN_ERROR(sch.RFactor(l[1], -1), "rfactor: factor_axis -1 is out of range [0, 1]");
    EXPECT_EQ(sch.trace().size(), 2u);
  }
  {
    Schedule sch(ElementwiseChain(4, 4));
    std::vector<LoopRV> l = sch.GetLoops(sch.GetBlock("B"));
    EXPECT_KILN_ERROR(sch.RFactor(l[1], 0), "rfactor: block 'B' has no init, so it is not a reduction");
  }
  {
    te::Reducer sub{[](PrimExpr acc, PrimExpr x) { return acc - x; }, [](DataType t) { return MakeConst(t, 0); }};
    Schedule sch(RowCustom(sub));
    EXPECT_KILN_ERROR(sch.RFactor(sch.GetLoops(sch.GetBlock("B"))[1], 0),
                      "rfactor: block 'B' stores 'B[v_i0] - A[v_i0, v_k]' to 'B[v_i0]', which is not a commutative "
                      "reducer (+, *, min or max)");
  }
  {
    te::Reducer mean_step{[](PrimExpr acc, PrimExpr x) { return (acc + x) * 0.5; },
                          [](DataType t) { return MakeConst(t, 0); }};
    Schedule sch(RowCustom(mean_step));
    EXPECT_KILN_ERROR(sch.RFactor(sch.GetLoops(sch.GetBlock("B"))[1], 0),
                      "which does not combine 'B[v_i0]' with a value");
  }
  {
    // An init that reads the accumulator itself.
    Schedule sch(ParseMain(R"(
prim @main(A: Buffer((4, 8), float32), B: Buffer((4,), float32)) {
  block "root" {
    for i in range(4) {
      for k in range(8) {
        block "B" {
          vi = spatial(4, i)
          vk = reduce(8, k)
          reads(A[vi, vk], B[vi])
          writes(B[vi])
          init {
            B[vi] = B[vi] * 2.0
          }
          B[vi] = B[vi] + A[vi, vk]
        }
      }
    }
  }
})"));
    EXPECT_KILN_ERROR(sch.RFactor(sch.GetLoops(sch.GetBlock("B"))[1], 0),
                      "rfactor: the init of block 'B' stores B[vi] * 2.0, which reads buffer 'B' it accumulates into");
  }
  {
    // Fusing a spatial and a reduction loop.
    Schedule sch(RowReduce(4, 8, "sum"));
    BlockRV b = sch.GetBlock("B");
    std::vector<LoopRV> l = sch.GetLoops(b);
    std::vector<LoopRV> k = sch.Split(l[1], {kInfer, int64_t{4}});
    sch.Fuse({l[0], k[0]});
    EXPECT_KILN_ERROR(sch.RFactor(k[1], 0), "runs both spatial and reduction variables of block 'B'");
  }
  {
    // An outer part of the reduction whose later iterations never run: their
    // partial results would never be initialized.
    Schedule sch(RowReduce(4, 5, "sum"));
    BlockRV b = sch.GetBlock("B");
    std::vector<LoopRV> k = sch.Split(sch.GetLoops(b)[1], {int64_t{4}, int64_t{4}});
    EXPECT_KILN_ERROR(sch.RFactor(k[0], 0), "would skip their first step and never be initialized");
    sch.RFactor(k[1], 0);  // every k_1 runs at k_0 = 0: fine
    ExpectScheduled(RowReduce(4, 5, "sum"), sch);
  }
}

TEST(ReductionRFactor, ErrorsOnLoopNests) {
  {
    // Two blocks under the loop.
    Schedule sch(ParseMain(R"(
prim @main(A: Buffer((4, 4), float32), B: Buffer((4,), float32), C: Buffer((4, 4), float32)) {
  block "root" {
    for i in range(4) {
      for k in range(4) {
        block "B" {
          vi = spatial(4, i)
          vk = reduce(4, k)
          reads(A[vi, vk])
          writes(B[vi])
          init {
            B[vi] = 0.0
          }
          B[vi] = B[vi] + A[vi, vk]
        }
        block "C" {
          vi = spatial(4, i)
          vk = spatial(4, k)
          reads(A[vi, vk])
          writes(C[vi, vk])
          C[vi, vk] = A[vi, vk]
        }
      }
    }
  }
})"));
    std::vector<LoopRV> l = sch.GetLoops(sch.GetBlock("B"));
    EXPECT_KILN_ERROR(sch.RFactor(l[1], 0),
                      "rfactor: loop 'k' has 2 blocks under it ('B', 'C'); rfactor needs a loop around a single "
                      "reduction block");
  }
  {
    // A loop that runs no variable repeats the reduction steps.
    Schedule sch(ParseMain(R"(
prim @main(A: Buffer((4, 4), float32), B: Buffer((4,), float32)) {
  block "root" {
    for i in range(4) {
      for k in range(4) {
        for r in range(2) {
          block "B" {
            vi = spatial(4, i)
            vk = reduce(4, k)
            reads(A[vi, vk])
            writes(B[vi])
            init {
              B[vi] = 0.0
            }
            B[vi] = B[vi] + A[vi, vk]
          }
        }
      }
    }
  }
})"));
    std::vector<LoopRV> l = sch.GetLoops(sch.GetBlock("B"));
    EXPECT_KILN_ERROR(sch.RFactor(l[1], 0),
                      "rfactor: loop 'r' runs no variable of block 'B' but repeats its reduction steps");
  }
  {
    // Another block before the reduction under its outermost loop.
    Schedule sch(ParseMain(R"(
prim @main(A: Buffer((4, 4), float32), B: Buffer((4,), float32), C: Buffer((4,), float32)) {
  block "root" {
    for i in range(4) {
      block "C" {
        vi = spatial(4, i)
        writes(C[vi])
        C[vi] = 1.0
      }
      for k in range(4) {
        block "B" {
          vi = spatial(4, i)
          vk = reduce(4, k)
          reads(A[vi, vk])
          writes(B[vi])
          init {
            B[vi] = 0.0
          }
          B[vi] = B[vi] + A[vi, vk]
        }
      }
    }
  }
})"));
    std::vector<LoopRV> l = sch.GetLoops(sch.GetBlock("B"));
    EXPECT_KILN_ERROR(sch.RFactor(l[1], 0),
                      "rfactor: block 'C' comes before block 'B' under loop 'i'; the partial results would be "
                      "computed ahead of it");
  }
  {
    // A later block under the same loop writes what the reduction reads.
    Schedule sch(ParseMain(R"(
prim @main(A: Buffer((5, 4), float32), B: Buffer((4,), float32)) {
  block "root" {
    for i in range(4) {
      for k in range(4) {
        block "B" {
          vi = spatial(4, i)
          vk = reduce(4, k)
          reads(A[vi, vk])
          writes(B[vi])
          init {
            B[vi] = 0.0
          }
          B[vi] = B[vi] + A[vi, vk]
        }
      }
      for j in range(4) {
        block "A" {
          vi = spatial(4, i)
          vj = spatial(4, j)
          writes(A[vi + 1, vj])
          A[vi + 1, vj] = 2.0
        }
      }
    }
  }
})"));
    std::vector<LoopRV> l = sch.GetLoops(sch.GetBlock("B"));
    EXPECT_KILN_ERROR(sch.RFactor(l[1], 0),
                      "rfactor: block 'A' under loop 'i' writes buffer 'A', which block 'B' reads");
  }
  {
    // A loop that runs no variable of the block, and a statement beside the block.
    Schedule sch(ParseMain(R"(
prim @main(A: Buffer((4, 4), float32), B: Buffer((4,), float32)) {
  block "root" {
    for r in range(2) {
      for i in range(4) {
        for k in range(4) {
          block "B" {
            vi = spatial(4, i)
            vk = reduce(4, k)
            reads(A[vi, vk])
            writes(B[vi])
            init {
              B[vi] = 0.0
            }
            B[vi] = B[vi] + A[vi, vk]
          }
          A[0, 0] = 1.0
        }
      }
    }
  }
})"));
    std::vector<LoopRV> l = sch.GetLoops(sch.GetBlock("B"));
    EXPECT_KILN_ERROR(sch.RFactor(l[0], 0), "rfactor: loop 'r' runs no reduction variable of block 'B'");
    EXPECT_KILN_ERROR(sch.RFactor(l[2], 0),
                      "rfactor: block 'B' lies under a sequence inside its reduction loops; rfactor needs loops only "
                      "below the outermost reduction loop");
  }
  {
    // An if between the loops.
    Schedule sch(ParseMain(R"(
prim @main(A: Buffer((4, 4), float32), B: Buffer((4,), float32)) {
  block "root" {
    for i in range(4) {
      if i < 3 {
        for k in range(4) {
          block "B" {
            vi = spatial(4, i)
            vk = reduce(4, k)
            reads(A[vi, vk])
            writes(B[vi])
            init {
              B[vi] = 0.0
            }
            B[vi] = B[vi] + A[vi, vk]
          }
        }
      }
    }
  }
})"));
    std::vector<LoopRV> l = sch.GetLoops(sch.GetBlock("B"));
    EXPECT_KILN_ERROR(sch.RFactor(l[1], 0),
                      "rfactor: block 'B' lies under an if inside its loops; rfactor needs loops only");
  }
  {
    // Reductions whose init or update do not have the reducer's form.
    Schedule sch(ParseMain(R"(
prim @main(A: Buffer((4, 4), float32), B: Buffer((4,), float32), C: Buffer((4,), float32), D: Buffer((4,), float32)) {
  block "root" {
    for i in range(4) {
      for k in range(4) {
        block "B" {
          vi = spatial(4, i)
          vk = reduce(4, k)
          reads(A[vi, vk])
          writes(B[vi])
          init {
            B[vi] = 0.0
          }
          B[vi] = B[vi] + A[vi, vk]
          B[vi] = B[vi] * 2.0
        }
      }
    }
    for i in range(4) {
      for k in range(4) {
        block "C" {
          vi = spatial(4, i)
          vk = reduce(4, k)
          reads(A[vi, vk])
          writes(C[vi])
          init {
            C[vi] = 0.0
          }
          C[vi] = C[vi] + A[vi, vk] * C[0]
        }
      }
    }
    for i in range(4) {
      for k in range(4) {
        block "D" {
          vi = spatial(4, i)
          vk = reduce(4, k)
          reads(A[vi, vk])
          writes(D[0:+4])
          init {
            D[0] = 0.0
          }
          D[vi] = D[vi] + A[vi, vk]
        }
      }
    }
  }
})"));
    EXPECT_KILN_ERROR(sch.RFactor(sch.GetLoops(sch.GetBlock("B"))[1], 0),
                      "rfactor: the init and body of block 'B' are not single stores 'out[...] = identity' and "
                      "'out[...] = combine(out[...], value)'");
    EXPECT_KILN_ERROR(sch.RFactor(sch.GetLoops(sch.GetBlock("C"))[1], 0),
                      "rfactor: the value block 'C' combines into 'C[vi]' reads buffer 'C' too");
    EXPECT_KILN_ERROR(sch.RFactor(sch.GetLoops(sch.GetBlock("D"))[1], 0),
                      "rfactor: the init of block 'D' stores to 'D[0]', not to 'D[vi]'");
  }
  {
    // The accumulator moves with the reduction variable.
    Schedule sch(ParseMain(R"(
prim @main(A: Buffer((4, 4), float32), B: Buffer((4,), float32)) {
  block "root" {
    for i in range(4) {
      for k in range(4) {
        block "B" {
          vi = spatial(4, i)
          vk = reduce(4, k)
          reads(A[vi, vk])
          writes(B[vk])
          init {
            B[vk] = 0.0
          }
          B[vk] = B[vk] + A[vi, vk]
        }
      }
    }
  }
})"));
    std::vector<LoopRV> l = sch.GetLoops(sch.GetBlock("B"));
    EXPECT_KILN_ERROR(sch.RFactor(l[1], 0),
                      "rfactor: block 'B' accumulates into 'B[vk]', which depends on its reduction variable 'vk'");
  }
}

}  // namespace
}  // namespace kiln::tir::testing
