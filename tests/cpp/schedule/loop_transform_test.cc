// split, fuse and reorder: the programs they make (compared with the
// expected program written as text), the results after building (equal to
// the unscheduled kernel's, also at several sizes of a symbolic dimension),
// trace replay, and every precondition they refuse.
#include "schedule_test_util.h"

namespace kiln::tir::testing {
namespace {

const ForNode* LoopOf(const Schedule& sch, const LoopRV& loop) {
  return sch.GetStmt(loop).as<ForNode>();
}

// B[i] = A[i] * 3 + 1 over a dimension of any extent.
PrimFunc Scale(PrimExpr n) {
  te::Tensor a = te::placeholder({n}, DataType::Float(32), "A");
  te::Tensor b = te::compute(
      {n}, [&](Var i) { return a(i) * 3.0 + 1.0; }, "B");
  return te::create_prim_func({a}, {b});
}

// S[i] = sum_k A[i, k].
PrimFunc RowSum(PrimExpr m, PrimExpr n) {
  te::Tensor a = te::placeholder({m, n}, DataType::Float(32), "A");
  te::ReduceAxis r = te::reduce_axis({0, n}, "k");
  te::Tensor s = te::compute(
      {m}, [&](Var i) { return te::sum(a(i, r.var), {r}); }, "S");
  return te::create_prim_func({a}, {s});
}

// Two blocks under (i, j) sharing buffer B; C reads B at `offset` from what
// the same iteration writes; `guard` is a header line of block B.
std::string SharedBuffer(const std::string& offset, const std::string& guard = "") {
  return R"(
prim @main(A: Buffer((8, 8), float32), B: Buffer((8, 8), float32), C: Buffer((8, 8), float32)) {
  block "root" {
    for i in range(8) {
      for j in range(7) {
        block "B" {
          vi = spatial(8, i)
          vj = spatial(8, j)
          reads(A[vi, vj])
          writes(B[vi, vj])
          )" +
         guard + R"(
          B[vi, vj] = A[vi, vj] * 2.0
        }
        block "C" {
          vi = spatial(8, i)
          vj = spatial(7, j)
          reads(B[vi, vj + )" +
         offset + R"(])
          writes(C[vi, vj])
          C[vi, vj] = B[vi, vj + )" +
         offset + R"(] + 1.0
        }
      }
    }
  }
})";
}

// ---- split -------------------------------------------------------------------

TEST(LoopTransformSplit, DividingFactorsNeedNoPredicate) {
  PrimFunc f = Matmul(16, 16, 16);
  Schedule sch(f);
  std::vector<LoopRV> l = sch.GetLoops(sch.GetBlock("C"));
  std::vector<LoopRV> i = sch.Split(l[0], {int64_t{4}, int64_t{4}});
  std::vector<LoopRV> j = sch.Split(l[1], {kInfer, int64_t{8}});
  std::vector<LoopRV> k = sch.Split(l[2], {int64_t{2}, int64_t{2}, int64_t{4}});
  ASSERT_EQ(i.size(), 2u);
  ASSERT_EQ(k.size(), 3u);
  EXPECT_EQ(sch.Get(i[0]).name(), "i0_0");
  EXPECT_EQ(sch.Get(k[2]).name(), "k_2");
  EXPECT_EQ(*AsConstInt(LoopOf(sch, j[0])->extent), 2);
  ExpectProgram(sch, R"(
prim @main(A: Buffer((16, 16), float32), B: Buffer((16, 16), float32), C: Buffer((16, 16), float32)) {
  block "root" {
    for i0_0 in range(4) {
      for i0_1 in range(4) {
        for i1_0 in range(2) {
          for i1_1 in range(8) {
            for k_0 in range(2) {
              for k_1 in range(2) {
                for k_2 in range(4) {
                  block "C" {
                    v_i0 = spatial(16, i0_0 * 4 + i0_1)
                    v_i1 = spatial(16, i1_0 * 8 + i1_1)
                    v_k = reduce(16, k_0 * 8 + k_1 * 4 + k_2)
                    reads(A[v_i0, v_k], B[v_k, v_i1])
                    writes(C[v_i0, v_i1])
                    init {
                      C[v_i0, v_i1] = 0.0
                    }
                    C[v_i0, v_i1] = C[v_i0, v_i1] + A[v_i0, v_k] * B[v_k, v_i1]
                  }
                }
              }
            }
          }
        }
      }
    }
  }
})");
  ExpectSameResult(f, MainOf(sch));
  ExpectTraceReplays(f, sch);
}

TEST(LoopTransformSplit, NonDividingFactorsAddAPredicate) {
  PrimFunc f = Matmul(15, 13, 11);
  Schedule sch(f);
  std::vector<LoopRV> l = sch.GetLoops(sch.GetBlock("C"));
  sch.Split(l[0], {kInfer, int64_t{4}});      // 4 x 4 = 16 > 15
  sch.Split(l[1], {int64_t{3}, int64_t{5}});  // 15 > 13
  sch.Split(l[2], {kInfer, int64_t{4}});      // 3 x 4 = 12 > 11
  ExpectProgram(sch, R"(
prim @main(A: Buffer((15, 11), float32), B: Buffer((11, 13), float32), C: Buffer((15, 13), float32)) {
  block "root" {
    for i0_0 in range(4) {
      for i0_1 in range(4) {
        for i1_0 in range(3) {
          for i1_1 in range(5) {
            for k_0 in range(3) {
              for k_1 in range(4) {
                block "C" {
                  v_i0 = spatial(15, i0_0 * 4 + i0_1)
                  v_i1 = spatial(13, i1_0 * 5 + i1_1)
                  v_k = reduce(11, k_0 * 4 + k_1)
                  reads(A[v_i0, v_k], B[v_k, v_i1])
                  writes(C[v_i0, v_i1])
                  where(k_0 * 4 + k_1 < 11 && (i1_0 * 5 + i1_1 < 13 && i0_0 * 4 + i0_1 < 15))
                  init {
                    C[v_i0, v_i1] = 0.0
                  }
                  C[v_i0, v_i1] = C[v_i0, v_i1] + A[v_i0, v_k] * B[v_k, v_i1]
                }
              }
            }
          }
        }
      }
    }
  }
})");
  ExpectSameResult(f, MainOf(sch));
  ExpectTraceReplays(f, sch);
}

TEST(LoopTransformSplit, SplittingASplitLoopAgainKeepsBothPredicates) {
  PrimFunc f = Scale(10);
  Schedule sch(f);
  std::vector<LoopRV> l = sch.GetLoops(sch.GetBlock("B"));
  std::vector<LoopRV> a = sch.Split(l[0], {kInfer, int64_t{4}});  // 3 x 4
  sch.Split(a[1], {int64_t{3}, kInfer});                          // 3 x 2 = 6 > 4
  ExpectProgram(sch, R"(
prim @main(A: Buffer((10,), float32), B: Buffer((10,), float32)) {
  block "root" {
    for i0_0 in range(3) {
      for i0_1_0 in range(3) {
        for i0_1_1 in range(2) {
          block "B" {
            v_i0 = spatial(10, i0_0 * 4 + i0_1_0 * 2 + i0_1_1)
            reads(A[v_i0])
            writes(B[v_i0])
            where(i0_1_0 * 2 + i0_1_1 < 4 && i0_0 * 4 + i0_1_0 * 2 + i0_1_1 < 10)
            B[v_i0] = A[v_i0] * 3.0 + 1.0
          }
        }
      }
    }
  }
})");
  ExpectSameResult(f, MainOf(sch));
  ExpectTraceReplays(f, sch);
}

TEST(LoopTransformSplit, SymbolicExtent) {
  Var n = SizeVar("n");
  PrimFunc f = Scale(n);
  Schedule sch(f);
  std::vector<LoopRV> l = sch.GetLoops(sch.GetBlock("B"));
  sch.Split(l[0], {kInfer, int64_t{8}});
  ExpectProgram(sch, R"(
prim @main(A: Buffer((n,), float32), B: Buffer((n,), float32)) {
  block "root" {
    for i0_0 in range((n + 7) // 8) {
      for i0_1 in range(8) {
        block "B" {
          v_i0 = spatial(n, i0_0 * 8 + i0_1)
          reads(A[v_i0])
          writes(B[v_i0])
          where(i0_0 * 8 + i0_1 < n)
          B[v_i0] = A[v_i0] * 3.0 + 1.0
        }
      }
    }
  }
})");
  for (int64_t size : {1, 7, 8, 33}) ExpectSameResult(f, MainOf(sch), {{"n", size}});
  ExpectTraceReplays(f, sch);
}

TEST(LoopTransformSplit, SymbolicReductionKeepsTheInit) {
  Var n = SizeVar("n");
  PrimFunc f = RowSum(3, n);
  Schedule sch(f);
  std::vector<LoopRV> l = sch.GetLoops(sch.GetBlock("S"));
  sch.Split(l[1], {kInfer, int64_t{8}});
  for (int64_t size : {1, 7, 8, 33}) ExpectSameResult(f, MainOf(sch), {{"n", size}});
  ExpectTraceReplays(f, sch);
}

TEST(LoopTransformSplit, ExactSymbolicSplitNeedsNoPredicate) {
  Var n = SizeVar("n");
  PrimFunc f = ElementwiseChain(n, 4);
  Schedule sch(f);
  std::vector<LoopRV> l = sch.GetLoops(sch.GetBlock("B"));
  LoopRV fused = sch.Fuse({l[0], l[1]});                           // n * 4
  std::vector<LoopRV> s = sch.Split(fused, {kInfer, int64_t{4}});  // n x 4
  EXPECT_TRUE(StructuralEqual(LoopOf(sch, s[0])->extent, PrimExpr(n)));
  EXPECT_FALSE(static_cast<bool>(sch.GetStmt(sch.GetBlock("B")).as<BlockNode>()->predicate));
  for (int64_t size : {1, 5}) ExpectSameResult(f, MainOf(sch), {{"n", size}});
  ExpectTraceReplays(f, sch);
}

TEST(LoopTransformSplit, UnitFactors) {
  PrimFunc f = Scale(16);
  for (bool preserve : {true, false}) {
    Schedule sch(f);
    std::vector<LoopRV> l = sch.GetLoops(sch.GetBlock("B"));
    std::vector<LoopRV> s = sch.Split(l[0], {int64_t{1}, int64_t{16}, int64_t{1}}, preserve);
    ASSERT_EQ(s.size(), 3u);  // the unit loops stay; only the bindings drop them
    EXPECT_EQ(*AsConstInt(LoopOf(sch, s[0])->extent), 1);
    ExpectProgram(sch, std::string(R"(
prim @main(A: Buffer((16,), float32), B: Buffer((16,), float32)) {
  block "root" {
    for i0_0 in range(1) {
      for i0_1 in range(16) {
        for i0_2 in range(1) {
          block "B" {
            v_i0 = spatial(16, )") +
                           (preserve ? "(i0_0 * 16 + i0_1) + i0_2" : "i0_1") + R"()
            reads(A[v_i0])
            writes(B[v_i0])
            B[v_i0] = A[v_i0] * 3.0 + 1.0
          }
        }
      }
    }
  }
})");
    ExpectSameResult(f, MainOf(sch));
    ExpectTraceReplays(f, sch);
  }
}

TEST(LoopTransformSplit, LoopWithNonZeroMin) {
  PrimFunc f = ParseMain(R"(
prim @main(A: Buffer((12,), float32)) {
  block "root" {
    for i in range(2, extent=9) {
      block "A" {
        vi = spatial(12, i)
        writes(A[vi])
        A[vi] = 5.0
      }
    }
  }
})");
  Schedule sch(f);
  std::vector<LoopRV> l = sch.GetLoops(sch.GetBlock("A"));
  sch.Split(l[0], {kInfer, int64_t{4}});
  ExpectProgram(sch, R"(
prim @main(A: Buffer((12,), float32)) {
  block "root" {
    for i_0 in range(3) {
      for i_1 in range(4) {
        block "A" {
          vi = spatial(12, i_0 * 4 + i_1 + 2)
          writes(A[vi])
          where(i_0 * 4 + i_1 < 9)
          A[vi] = 5.0
        }
      }
    }
  }
})");
  ExpectSameResult(f, MainOf(sch));
  ExpectTraceReplays(f, sch);
}

TEST(LoopTransformSplit, BoundOrParallelLoopsSplitIntoSerialLoops) {
  PrimFunc f = Matmul(16, 16, 4);
  Schedule sch(f);
  std::vector<LoopRV> l = sch.GetLoops(sch.GetBlock("C"));
  sch.Parallel(l[0]);
  sch.Annotate(l[0], "pragma_hint", int64_t{3});
  sch.Bind(l[1], "threadIdx.x");
  std::vector<LoopRV> i = sch.Split(l[0], {kInfer, int64_t{4}});
  std::vector<LoopRV> j = sch.Split(l[1], {int64_t{2}, kInfer});
  for (const LoopRV& loop : {i[0], i[1], j[0], j[1]}) {
    EXPECT_EQ(LoopOf(sch, loop)->for_kind, ForKind::kSerial);
    EXPECT_EQ(LoopOf(sch, loop)->thread_tag, "");
  }
  EXPECT_EQ(LoopOf(sch, i[0])->annotations.Get<int64_t>("pragma_hint", 0), 3);
  EXPECT_TRUE(LoopOf(sch, i[1])->annotations.empty());
  ExpectSameResult(f, MainOf(sch));
  ExpectTraceReplays(f, sch);
}

TEST(LoopTransformSplit, SampledFactors) {
  PrimFunc f = Matmul(32, 24, 16);
  Schedule sch(f, 5);
  std::vector<LoopRV> l = sch.GetLoops(sch.GetBlock("C"));
  std::vector<ExprRV> t = sch.SamplePerfectTile(l[0], 3, 4);
  sch.Split(l[0], {t[0], t[1], t[2]});
  std::vector<ExprRV> u = sch.SamplePerfectTile(l[1], 2, 8);
  sch.Split(l[1], {kInfer, u[1]});
  ExpectSameResult(f, MainOf(sch));
  ExpectTraceReplays(f, sch);
}

// A loop whose body stores outside any block, beside a block.
const char* kBareStore = R"(
prim @main(A: Buffer((10,), float32), B: Buffer((10,), float32)) {
  block "root" {
    for i in range(10) {
      A[i] = 1.0
      block "B" {
        vi = spatial(10, i)
        writes(B[vi])
        B[vi] = 2.0
      }
    }
  }
})";

TEST(LoopTransformSplit, StatementsOutsideBlocksCannotBeGuarded) {
  PrimFunc f = ParseMain(kBareStore);
  Schedule sch(f);
  std::vector<LoopRV> l = sch.GetLoops(sch.GetBlock("B"));
  EXPECT_KILN_ERROR(sch.Split(l[0], {kInfer, int64_t{4}}),
                    "split: the factors do not divide the extent of loop 'i', and its body has a statement outside "
                    "any block to guard: A[i] = 1.0");
  sch.Split(l[0], {kInfer, int64_t{5}});  // dividing: nothing to guard
  ExpectSameResult(f, MainOf(sch));
  ExpectTraceReplays(f, sch);
}

TEST(LoopTransformSplit, EveryBlockUnderTheLoopGetsThePredicate) {
  PrimFunc f = ParseMain(SharedBuffer("0"));
  Schedule sch(f);
  std::vector<LoopRV> l = sch.GetLoops(sch.GetBlock("C"));
  sch.Split(l[1], {kInfer, int64_t{3}});  // 3 x 3 = 9 > 7
  for (const char* name : {"B", "C"}) {
    const BlockNode* b = sch.GetStmt(sch.GetBlock(name)).as<BlockNode>();
    ASSERT_TRUE(static_cast<bool>(b->predicate)) << name;
    EXPECT_EQ(ToText(b->predicate), "j_0 * 3 + j_1 < 7");
  }
  ExpectSameResult(f, MainOf(sch));
  ExpectTraceReplays(f, sch);
}

TEST(LoopTransformSplit, Errors) {
  Schedule sch(Matmul(16, 16, 16));
  std::vector<LoopRV> l = sch.GetLoops(sch.GetBlock("C"));
  EXPECT_KILN_ERROR(sch.Split(l[0], {int64_t{0}, kInfer}), "split: loop 'i0': factor 0 is 0; factors must be positive");
  EXPECT_KILN_ERROR(sch.Split(l[0], {int64_t{4}, int64_t{-4}}),
                    "split: loop 'i0': factor 1 is -4; factors must be positive");
  EXPECT_KILN_ERROR(sch.Split(l[0], {kInfer, int64_t{2}, kInfer}),
                    "split: loop 'i0': factors 0 and 2 are both None; at most one factor may be inferred");
  EXPECT_KILN_ERROR(sch.Split(l[0], {int64_t{2}, int64_t{4}}),
                    "split: loop 'i0': the factors multiply to 8, less than the extent 16");
  EXPECT_KILN_ERROR(sch.Split(l[0], {int64_t{16}}), "split: loop 'i0' needs at least two factors, got 1");
  EXPECT_EQ(sch.trace().size(), 2u);  // failed calls record nothing
  sch.Split(l[0], {int64_t{4}, int64_t{4}});
  EXPECT_KILN_ERROR(sch.Split(l[0], {int64_t{4}, int64_t{4}}),
                    "split: loop 'i0' is no longer in function 'main' (a split, fuse, compute_at or similar "
                    "replaced it)");

  Var n = SizeVar("n");
  Schedule sym(Scale(n));
  std::vector<LoopRV> s = sym.GetLoops(sym.GetBlock("B"));
  EXPECT_KILN_ERROR(sym.Split(s[0], {int64_t{4}, int64_t{8}}),
                    "split: loop 'i0': the factors multiply to 32, which may be less than the extent n (make one "
                    "factor None to infer it)");
}

// ---- fuse ----------------------------------------------------------------------

TEST(LoopTransformFuse, FuseThenSplitAgain) {
  PrimFunc f = Matmul(16, 12, 8);
  Schedule sch(f);
  std::vector<LoopRV> l = sch.GetLoops(sch.GetBlock("C"));
  LoopRV ij = sch.Fuse({l[0], l[1]});
  EXPECT_EQ(sch.Get(ij).name(), "i0_i1_fused");
  ExpectProgram(sch, R"(
prim @main(A: Buffer((16, 8), float32), B: Buffer((8, 12), float32), C: Buffer((16, 12), float32)) {
  block "root" {
    for i0_i1_fused in range(192) {
      for k in range(8) {
        block "C" {
          v_i0 = spatial(16, i0_i1_fused // 12)
          v_i1 = spatial(12, i0_i1_fused %% 12)
          v_k = reduce(8, k)
          reads(A[v_i0, v_k], B[v_k, v_i1])
          writes(C[v_i0, v_i1])
          init {
            C[v_i0, v_i1] = 0.0
          }
          C[v_i0, v_i1] = C[v_i0, v_i1] + A[v_i0, v_k] * B[v_k, v_i1]
        }
      }
    }
  }
})");
  ExpectSameResult(f, MainOf(sch));
  sch.Split(ij, {kInfer, int64_t{10}});  // 20 x 10 = 200 > 192
  ExpectProgram(sch, R"(
prim @main(A: Buffer((16, 8), float32), B: Buffer((8, 12), float32), C: Buffer((16, 12), float32)) {
  block "root" {
    for i0_i1_fused_0 in range(20) {
      for i0_i1_fused_1 in range(10) {
        for k in range(8) {
          block "C" {
            v_i0 = spatial(16, (i0_i1_fused_0 * 10 + i0_i1_fused_1) // 12)
            v_i1 = spatial(12, (i0_i1_fused_0 * 10 + i0_i1_fused_1) %% 12)
            v_k = reduce(8, k)
            reads(A[v_i0, v_k], B[v_k, v_i1])
            writes(C[v_i0, v_i1])
            where(i0_i1_fused_0 * 10 + i0_i1_fused_1 < 192)
            init {
              C[v_i0, v_i1] = 0.0
            }
            C[v_i0, v_i1] = C[v_i0, v_i1] + A[v_i0, v_k] * B[v_k, v_i1]
          }
        }
      }
    }
  }
})");
  ExpectSameResult(f, MainOf(sch));
  ExpectTraceReplays(f, sch);
}

TEST(LoopTransformFuse, AllThreeLoopsOfAMatmul) {
  PrimFunc f = Matmul(6, 5, 7);
  Schedule sch(f);
  std::vector<LoopRV> l = sch.GetLoops(sch.GetBlock("C"));
  LoopRV all = sch.Fuse({l[0], l[1], l[2]});
  EXPECT_EQ(*AsConstInt(LoopOf(sch, all)->extent), 210);
  ExpectSameResult(f, MainOf(sch));
  ExpectTraceReplays(f, sch);
}

TEST(LoopTransformFuse, SymbolicExtents) {
  Var m = SizeVar("m"), n = SizeVar("n");
  PrimFunc f = ElementwiseChain(m, n);
  Schedule sch(f);
  std::vector<LoopRV> l = sch.GetLoops(sch.GetBlock("C"));
  LoopRV mn = sch.Fuse({l[0], l[1]});
  EXPECT_TRUE(StructuralEqual(LoopOf(sch, mn)->extent, PrimExpr(m * n)));
  sch.Split(mn, {kInfer, int64_t{16}});
  for (auto [msize, nsize] : {std::pair<int64_t, int64_t>{1, 1}, {3, 7}, {4, 8}, {5, 33}}) {
    ExpectSameResult(f, MainOf(sch), {{"m", msize}, {"n", nsize}});
  }
  ExpectTraceReplays(f, sch);
}

TEST(LoopTransformFuse, UnitLoops) {
  PrimFunc f = ElementwiseChain(1, 8);
  for (bool preserve : {true, false}) {
    Schedule sch(f);
    std::vector<LoopRV> l = sch.GetLoops(sch.GetBlock("B"));
    LoopRV fused = sch.Fuse({l[0], l[1]}, preserve);
    EXPECT_EQ(*AsConstInt(LoopOf(sch, fused)->extent), 8);
    const BlockNode* b = sch.GetStmt(sch.GetBlock("B")).as<BlockNode>();
    EXPECT_EQ(ToText(b->iter_vars[0].binding), "0");
    ExpectSameResult(f, MainOf(sch));
    ExpectTraceReplays(f, sch);
  }
}

TEST(LoopTransformFuse, MixedKindsBecomeSerialAndOneLoopIsARename) {
  PrimFunc f = ElementwiseChain(4, 8);
  Schedule sch(f);
  std::vector<LoopRV> l = sch.GetLoops(sch.GetBlock("B"));
  sch.Parallel(l[0]);
  sch.Vectorize(l[1]);
  LoopRV fused = sch.Fuse({l[0], l[1]});
  EXPECT_EQ(LoopOf(sch, fused)->for_kind, ForKind::kSerial);
  LoopRV again = sch.Fuse({fused});
  EXPECT_EQ(sch.Get(again).name(), "i0_i1_fused_fused");
  ExpectSameResult(f, MainOf(sch));
  ExpectTraceReplays(f, sch);
}

TEST(LoopTransformFuse, NonZeroMinsAndMixedDtypes) {
  PrimFunc f = ParseMain(R"(
prim @main(A: Buffer((4, 6), float32), B: Buffer((4, 6), float32)) {
  block "root" {
    for i in range(1i32, extent=3i32) {
      for j in range(2, extent=4) {
        block "B" {
          vi: int32 = spatial(4i32, i)
          vj = spatial(6, j)
          reads(A[vi, vj])
          writes(B[vi, vj])
          B[vi, vj] = A[vi, vj] * 2.0
        }
      }
    }
  }
})");
  Schedule sch(f);
  std::vector<LoopRV> l = sch.GetLoops(sch.GetBlock("B"));
  ASSERT_EQ(sch.Get(l[0]).dtype(), DataType::Int(32));
  LoopRV fused = sch.Fuse({l[0], l[1]});
  EXPECT_EQ(LoopOf(sch, fused)->loop_var.dtype(), DataType::Int(64));
  EXPECT_EQ(*AsConstInt(LoopOf(sch, fused)->extent), 12);
  sch.Split(fused, {kInfer, int64_t{5}});
  ExpectSameResult(f, MainOf(sch));
  ExpectTraceReplays(f, sch);
}

// Loop i holds two loop nests.
const char* kTwoNests = R"(
prim @main(A: Buffer((8, 8), float32), B: Buffer((8, 8), float32)) {
  block "root" {
    for i in range(8) {
      for j in range(8) {
        block "A" {
          vi = spatial(8, i)
          vj = spatial(8, j)
          writes(A[vi, vj])
          A[vi, vj] = 1.0
        }
      }
      for j2 in range(8) {
        block "B" {
          vi = spatial(8, i)
          vj = spatial(8, j2)
          writes(B[vi, vj])
          B[vi, vj] = 2.0
        }
      }
    }
  }
})";

const char* kTriangular = R"(
prim @main(A: Buffer((8, 8), float32)) {
  block "root" {
    for i in range(8) {
      for j in range(i) {
        block "A" {
          vi = spatial(8, i)
          vj = spatial(8, j)
          writes(A[vi, vj])
          A[vi, vj] = 1.0
        }
      }
    }
  }
})";

TEST(LoopTransformFuse, Errors) {
  Schedule sch(Matmul(8, 8, 8));
  std::vector<LoopRV> l = sch.GetLoops(sch.GetBlock("C"));
  EXPECT_KILN_ERROR(sch.Fuse({l[0], l[2]}),
                    "fuse: loop 'k' is not directly inside loop 'i0' (fused loops must be nested with nothing "
                    "between them, given outermost first)");
  EXPECT_KILN_ERROR(sch.Fuse({l[1], l[0]}), "fuse: loop 'i0' is not directly inside loop 'i1'");
  EXPECT_KILN_ERROR(sch.Fuse({l[0], l[0]}), "fuse: loop 'i0' is given twice");
  EXPECT_KILN_ERROR(sch.Fuse({}), "fuse: no loops given");
  sch.Bind(l[0], "blockIdx.x");
  EXPECT_KILN_ERROR(sch.Fuse({l[0], l[1]}), "fuse: loop 'i0' is bound to 'blockIdx.x'; fuse loops before binding them");
  sch.Fuse({l[1], l[2]});
  EXPECT_KILN_ERROR(sch.Fuse({l[1], l[2]}), "fuse: loop 'i1' is no longer in function 'main'");

  Schedule two(ParseMain(kTwoNests));
  std::vector<LoopRV> a = two.GetLoops(two.GetBlock("A"));
  EXPECT_KILN_ERROR(two.Fuse({a[0], a[1]}), "fuse: loop 'j' is not directly inside loop 'i'");

  Schedule tri(ParseMain(kTriangular));
  std::vector<LoopRV> t = tri.GetLoops(tri.GetBlock("A"));
  EXPECT_KILN_ERROR(tri.Fuse({t[0], t[1]}),
                    "fuse: the range of loop 'j' depends on loop 'i'; only loops with independent ranges fuse");
}

// ---- reorder ---------------------------------------------------------------------

TEST(LoopTransformReorder, ReductionLoopOutsideASpatialOne) {
  PrimFunc f = Matmul(8, 12, 16);
  Schedule sch(f);
  std::vector<LoopRV> l = sch.GetLoops(sch.GetBlock("C"));
  sch.Reorder({l[2], l[1]});
  ExpectProgram(sch, R"(
prim @main(A: Buffer((8, 16), float32), B: Buffer((16, 12), float32), C: Buffer((8, 12), float32)) {
  block "root" {
    for i0 in range(8) {
      for k in range(16) {
        for i1 in range(12) {
          block "C" {
            v_i0 = spatial(8, i0)
            v_i1 = spatial(12, i1)
            v_k = reduce(16, k)
            reads(A[v_i0, v_k], B[v_k, v_i1])
            writes(C[v_i0, v_i1])
            init {
              C[v_i0, v_i1] = 0.0
            }
            C[v_i0, v_i1] = C[v_i0, v_i1] + A[v_i0, v_k] * B[v_k, v_i1]
          }
        }
      }
    }
  }
})");
  ExpectSameResult(f, MainOf(sch));
  ExpectTraceReplays(f, sch);
}

TEST(LoopTransformReorder, UnlistedLoopsStayInPlace) {
  PrimFunc f = Matmul(8, 8, 8);
  Schedule sch(f);
  std::vector<LoopRV> l = sch.GetLoops(sch.GetBlock("C"));
  std::vector<LoopRV> i = sch.Split(l[0], {int64_t{2}, int64_t{4}});
  sch.Split(l[1], {int64_t{2}, int64_t{4}});
  // i0_0 i0_1 i1_0 i1_1 k: swap i0_1 and k, leaving the loops between.
  sch.Reorder({l[2], i[1]});
  std::vector<LoopRV> now = sch.GetLoops(sch.GetBlock("C"));
  std::vector<std::string> names;
  for (const LoopRV& loop : now) names.push_back(sch.Get(loop).name());
  EXPECT_EQ(names, (std::vector<std::string>{"i0_0", "k", "i1_0", "i1_1", "i0_1"}));
  ExpectSameResult(f, MainOf(sch));
  ExpectTraceReplays(f, sch);
}

TEST(LoopTransformReorder, CurrentOrderChangesNothing) {
  PrimFunc f = Matmul(4, 4, 4);
  Schedule sch(f);
  std::vector<LoopRV> l = sch.GetLoops(sch.GetBlock("C"));
  sch.Reorder({l[0], l[2]});
  EXPECT_TRUE(StructuralEqual(MainOf(sch), f));
  EXPECT_EQ(sch.trace().size(), 3u);
  ExpectTraceReplays(f, sch);
}

TEST(LoopTransformReorder, TiledGemm) {
  for (auto [m, n, k] : {std::tuple<int64_t, int64_t, int64_t>{64, 48, 32}, {50, 30, 20}}) {
    PrimFunc f = Matmul(m, n, k);
    Schedule sch(f);
    std::vector<LoopRV> l = sch.GetLoops(sch.GetBlock("C"));
    std::vector<LoopRV> i = sch.Split(l[0], {kInfer, int64_t{8}});
    std::vector<LoopRV> j = sch.Split(l[1], {kInfer, int64_t{16}});
    std::vector<LoopRV> r = sch.Split(l[2], {kInfer, int64_t{4}});
    sch.Reorder({i[0], j[0], r[0], i[1], r[1], j[1]});
    sch.Vectorize(j[1]);
    sch.Parallel(i[0]);
    std::vector<std::string> names;
    for (const LoopRV& loop : sch.GetLoops(sch.GetBlock("C"))) names.push_back(sch.Get(loop).name());
    EXPECT_EQ(names, (std::vector<std::string>{"i0_0", "i1_0", "k_0", "i0_1", "k_1", "i1_1"}));
    ExpectSameResult(f, MainOf(sch));
    ExpectTraceReplays(f, sch);
  }
}

TEST(LoopTransformReorder, BlocksSharingABufferWithinOneIteration) {
  PrimFunc f = ParseMain(SharedBuffer("0"));
  Schedule sch(f);
  std::vector<LoopRV> l = sch.GetLoops(sch.GetBlock("C"));
  sch.Reorder({l[1], l[0]});
  ExpectSameResult(f, MainOf(sch));
  ExpectTraceReplays(f, sch);
}

TEST(LoopTransformReorder, BlocksUnderOneSplitPredicate) {
  PrimFunc f = ParseMain(SharedBuffer("0"));
  Schedule sch(f);
  std::vector<LoopRV> l = sch.GetLoops(sch.GetBlock("C"));
  std::vector<LoopRV> j = sch.Split(l[1], {kInfer, int64_t{3}});  // both blocks get j_0 * 3 + j_1 < 7
  sch.Reorder({j[1], l[0], j[0]});
  ExpectSameResult(f, MainOf(sch));
  ExpectTraceReplays(f, sch);
}

// Loops of every shape a reorder refuses.
const char* kNestedBlocks = R"(
prim @main(A: Buffer((8, 8), float32)) {
  block "root" {
    for i in range(8) {
      block "outer" {
        vi = spatial(8, i)
        writes(A[vi, 0:+8])
        for j in range(8) {
          block "inner" {
            vj = spatial(8, j)
            writes(A[vi, vj])
            A[vi, vj] = 1.0
          }
        }
      }
    }
  }
})";

const char* kIfBetween = R"(
prim @main(A: Buffer((8, 8), float32)) {
  block "root" {
    for i in range(8) {
      if i < 4 {
        for j in range(8) {
          block "A" {
            vi = spatial(8, i)
            vj = spatial(8, j)
            writes(A[vi, vj])
            A[vi, vj] = 1.0
          }
        }
      }
    }
  }
})";

const char* kLoopVarInBody = R"(
prim @main(A: Buffer((8, 8), float32)) {
  block "root" {
    for i in range(8) {
      for j in range(8) {
        block "A" {
          vi = spatial(8, i)
          vj = spatial(8, j)
          writes(A[vi, vj])
          A[i, vj] = 1.0
        }
      }
    }
  }
})";

const char* kBareStore2D = R"(
prim @main(A: Buffer((8, 8), float32), B: Buffer((8, 8), float32)) {
  block "root" {
    for i in range(8) {
      for j in range(8) {
        A[i, j] = 1.0
        block "B" {
          vi = spatial(8, i)
          vj = spatial(8, j)
          writes(B[vi, vj])
          B[vi, vj] = 2.0
        }
      }
    }
  }
})";

std::vector<LoopRV> LoopsOf(Schedule& sch, const std::string& block) {
  return sch.GetLoops(sch.GetBlock(block));
}

TEST(LoopTransformReorder, Errors) {
  Schedule sch(Matmul(8, 8, 8));
  std::vector<LoopRV> l = LoopsOf(sch, "C");
  EXPECT_KILN_ERROR(sch.Reorder({l[1], l[1]}), "reorder: loop 'i1' is given twice");
  EXPECT_KILN_ERROR(sch.Reorder({}), "reorder: no loops given");
  sch.Split(l[0], {int64_t{2}, int64_t{4}});
  EXPECT_KILN_ERROR(sch.Reorder({l[1], l[0]}), "reorder: loop 'i0' is no longer in function 'main'");

  Schedule chain(ElementwiseChain(4, 4));
  EXPECT_KILN_ERROR(chain.Reorder({LoopsOf(chain, "C")[1], LoopsOf(chain, "B")[0]}),
                    "reorder: loops 'i0' and 'i1' are not nested in one another");

  Schedule two(ParseMain(kTwoNests));
  EXPECT_KILN_ERROR(two.Reorder({LoopsOf(two, "A")[1], LoopsOf(two, "A")[0]}),
                    "reorder: loops 'i' and 'j' are not directly nested: loop 'i' holds other statements beside "
                    "the loops to reorder");

  Schedule nested(ParseMain(kNestedBlocks));
  EXPECT_KILN_ERROR(nested.Reorder({LoopsOf(nested, "inner")[0], LoopsOf(nested, "outer")[0]}),
                    "reorder: loops 'i' and 'j' are in different block scopes (block 'outer' lies between them)");

  Schedule branch(ParseMain(kIfBetween));
  EXPECT_KILN_ERROR(branch.Reorder({LoopsOf(branch, "A")[1], LoopsOf(branch, "A")[0]}),
                    "reorder: loops 'i' and 'j' are not directly nested: a statement of kind IfThenElse lies "
                    "between them");

  Schedule tri(ParseMain(kTriangular));
  EXPECT_KILN_ERROR(tri.Reorder({LoopsOf(tri, "A")[1], LoopsOf(tri, "A")[0]}),
                    "reorder: the range of loop 'j' depends on loop 'i', which would move inside it");

  Schedule body(ParseMain(kLoopVarInBody));
  EXPECT_KILN_ERROR(body.Reorder({LoopsOf(body, "A")[1], LoopsOf(body, "A")[0]}),
                    "reorder: block 'A' uses the loops outside its iteration bindings, so the order of its "
                    "iterations may matter");

  Schedule bare(ParseMain(kBareStore2D));
  EXPECT_KILN_ERROR(bare.Reorder({LoopsOf(bare, "B")[1], LoopsOf(bare, "B")[0]}),
                    "reorder: loop 'j' has a statement outside any block, whose iterations may depend on the loop "
                    "order: A[i, j] = 1.0");

  Schedule shared(ParseMain(SharedBuffer("1")));
  EXPECT_KILN_ERROR(shared.Reorder({LoopsOf(shared, "C")[1], LoopsOf(shared, "C")[0]}),
                    "reorder: blocks 'B' and 'C' under loop 'j' share buffer 'B' across iterations; a new loop "
                    "order could run an access before the write it needs");
  Schedule guarded(ParseMain(SharedBuffer("0", "where(vj < 5)")));
  EXPECT_KILN_ERROR(guarded.Reorder({LoopsOf(guarded, "C")[1], LoopsOf(guarded, "C")[0]}),
                    "reorder: blocks 'B' and 'C' under loop 'j' share buffer 'B' across iterations");

  PrimFunc mm = Matmul(4, 4, 4);
  Schedule funcs(ir::IRModule({{ir::MakeGlobalVar("f"), mm}, {ir::MakeGlobalVar("g"), mm}}));
  std::vector<LoopRV> lf = funcs.GetLoops(funcs.GetBlock("C", "f"));
  std::vector<LoopRV> lg = funcs.GetLoops(funcs.GetBlock("C", "g"));
  EXPECT_KILN_ERROR(funcs.Reorder({lf[1], lg[0]}), "reorder: loops 'i1' and 'i0' are in different functions");
}

}  // namespace
}  // namespace kiln::tir::testing
