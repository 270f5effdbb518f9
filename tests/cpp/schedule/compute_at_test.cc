// compute_at and reverse_compute_at: the moved block computes per iteration
// of the target loop just the region the blocks there need (or produce);
// results stay the same, traces replay, and every refused move says why.
#include "schedule_test_util.h"

namespace kiln::tir::testing {
namespace {

// B = A * 2 over [0, n + 2); C[i] = B[i] + B[i + 1] + B[i + 2] over [0, n).
PrimFunc Blur(PrimExpr n) {
  te::Tensor a = te::placeholder({n + 2}, DataType::Float(32), "A");
  te::Tensor b = te::compute(
      {n + 2}, [&](Var i) { return a(i) * 2.0; }, "B");
  te::Tensor c = te::compute(
      {n}, [&](Var i) { return b(i) + b(i + 1) + b(i + 2); }, "C");
  return te::create_prim_func({a}, {c});
}

// S[i] = sum_k A[i, k] (a reduction producer), Y[i, j] = A[i, j] - S[i].
PrimFunc RowCenter(PrimExpr m, PrimExpr n) {
  te::Tensor a = te::placeholder({m, n}, DataType::Float(32), "A");
  te::ReduceAxis r = te::reduce_axis({0, n}, "k");
  te::Tensor s = te::compute(
      {m}, [&](Var i) { return te::sum(a(i, r.var), {r}); }, "S");
  te::Tensor y = te::compute(
      {m, n}, [&](Var i, Var j) { return a(i, j) - s(i); }, "Y");
  return te::create_prim_func({a}, {y});
}

// B = A * 2; C = B + 1 and D = B * 3, both outputs.
PrimFunc TwoConsumers(int64_t n) {
  te::Tensor a = te::placeholder({n, n}, DataType::Float(32), "A");
  te::Tensor b = te::compute(
      {n, n}, [&](Var i, Var j) { return a(i, j) * 2.0; }, "B");
  te::Tensor c = te::compute(
      {n, n}, [&](Var i, Var j) { return b(i, j) + 1.0; }, "C");
  te::Tensor d = te::compute(
      {n, n}, [&](Var i, Var j) { return b(i, j) * 3.0; }, "D");
  return te::create_prim_func({a}, {c, d});
}

// The loops around a block as "name:extent", outermost first.
std::string LoopExtents(Schedule& sch, const std::string& block) {
  std::string out;
  for (const LoopRV& l : sch.GetLoops(sch.GetBlock(block))) {
    const ForNode* f = sch.GetStmt(l).as<ForNode>();
    out += (out.empty() ? "" : " ") + f->loop_var.name() + ":" + ToText(f->extent);
  }
  return out;
}

// ---- compute_at ---------------------------------------------------------------------------

TEST(ComputeAt, ElementwiseAtOuterLoop) {
  PrimFunc f = ElementwiseChain(16, 24);
  Schedule sch(f);
  BlockRV b = sch.GetBlock("B");
  std::vector<LoopRV> lc = sch.GetLoops(sch.GetBlock("C"));
  sch.ComputeAt(b, lc[0]);
  // One row of B per row of C: the unit loop over rows is dropped.
  EXPECT_EQ(LoopExtents(sch, "B"), "i0:16 ax0:24");
  EXPECT_EQ(sch.GetChildBlocks(lc[0]).size(), 2u);
  const BlockNode* nb = sch.GetStmt(b).as<BlockNode>();
  EXPECT_EQ(ToText(nb->iter_vars[0].binding), "i0");
  ExpectSameResult(f, MainOf(sch));
  ExpectTraceReplays(f, sch);
}

TEST(ComputeAt, ElementwiseAtInnerLoopAndUnitLoops) {
  PrimFunc f = ElementwiseChain(8, 8);
  Schedule sch(f);
  std::vector<LoopRV> lc = sch.GetLoops(sch.GetBlock("C"));
  sch.ComputeAt(sch.GetBlock("B"), lc[1]);
  EXPECT_EQ(LoopExtents(sch, "B"), "i0:8 i1:8");
  ExpectSameResult(f, MainOf(sch));
  ExpectTraceReplays(f, sch);

  Schedule kept(f);
  std::vector<LoopRV> lk = kept.GetLoops(kept.GetBlock("C"));
  kept.ComputeAt(kept.GetBlock("B"), lk[1], /*preserve_unit_loops=*/true);
  EXPECT_EQ(LoopExtents(kept, "B"), "i0:8 i1:8 ax0:1 ax1:1");
  ExpectSameResult(f, MainOf(kept));
  ExpectTraceReplays(f, kept);
}

TEST(ComputeAt, BlurComputesThreeElementsPerIteration) {
  PrimFunc f = Blur(16);
  Schedule sch(f);
  std::vector<LoopRV> lc = sch.GetLoops(sch.GetBlock("C"));
  sch.ComputeAt(sch.GetBlock("B"), lc[0]);
  EXPECT_EQ(LoopExtents(sch, "B"), "i0:16 ax0:3");
  std::string text = ToText(MainOf(sch));
  EXPECT_NE(text.find("    for i0 in range(16) {\n"
                      "      for ax0 in range(3) {\n"
                      "        block \"B\" {\n"
                      "          v_i0 = spatial(18, i0 + ax0)\n"
                      "          reads(A[v_i0])\n"
                      "          writes(B[v_i0])\n"
                      "          B[v_i0] = A[v_i0] * 2.0\n"
                      "        }\n"
                      "      }\n"
                      "      block \"C\" {\n"
                      "        v_i0_1 = spatial(16, i0)\n"),
            std::string::npos)
      << text;
  ExpectSameResult(f, MainOf(sch));
  ExpectTraceReplays(f, sch);
}

TEST(ComputeAt, BlurWithSymbolicLength) {
  // A's length m (at least n + 2) is its own variable so that the runtime binds it.
  Var m = SizeVar("m"), n = SizeVar("n");
  te::Tensor a = te::placeholder({m}, DataType::Float(32), "A");
  te::Tensor b = te::compute(
      {n + 2}, [&](Var i) { return a(i) * 2.0; }, "B");
  te::Tensor c = te::compute(
      {n}, [&](Var i) { return b(i) + b(i + 1) + b(i + 2); }, "C");
  PrimFunc f = te::create_prim_func({a}, {c});
  Schedule sch(f);
  sch.ComputeAt(sch.GetBlock("B"), sch.GetLoops(sch.GetBlock("C"))[0]);
  EXPECT_EQ(LoopExtents(sch, "B"), "i0:n ax0:3");
  for (int64_t size : {1, 5, 33}) ExpectSameResult(f, MainOf(sch), {{"m", size + 2}, {"n", size}});
  ExpectTraceReplays(f, sch);
}

TEST(ComputeAt, SymbolicElementwise) {
  Var m = SizeVar("m"), n = SizeVar("n");
  PrimFunc f = ElementwiseChain(m, n);
  Schedule sch(f);
  sch.ComputeAt(sch.GetBlock("B"), sch.GetLoops(sch.GetBlock("C"))[0]);
  EXPECT_EQ(LoopExtents(sch, "B"), "i0:m ax0:n");
  for (auto [mm, nn] : {std::pair<int64_t, int64_t>{1, 1}, {3, 7}, {16, 5}}) {
    ExpectSameResult(f, MainOf(sch), {{"m", mm}, {"n", nn}});
  }
  ExpectTraceReplays(f, sch);
}

TEST(ComputeAt, ReductionProducer) {
  PrimFunc f = RowCenter(6, 10);
  Schedule sch(f);
  std::vector<LoopRV> ly = sch.GetLoops(sch.GetBlock("Y"));
  sch.ComputeAt(sch.GetBlock("S"), ly[0]);
  // The spatial variable follows the row; the reduction keeps its domain.
  EXPECT_EQ(LoopExtents(sch, "S"), "i0:6 ax0:10");
  ExpectSameResult(f, MainOf(sch));
  ExpectTraceReplays(f, sch);
}

TEST(ComputeAt, ProducerAtReductionLoop) {
  // A2 = A * 2 computed per step of the matmul's reduction loop.
  PrimFunc f = DoubledInputMatmul();
  Schedule sch(f);
  std::vector<LoopRV> lc = sch.GetLoops(sch.GetBlock("C"));
  sch.ComputeAt(sch.GetBlock("A2"), lc[1]);
  EXPECT_EQ(LoopExtents(sch, "A2"), "i0:8 i1:4 ax0:12");
  ExpectSameResult(f, MainOf(sch));
  ExpectTraceReplays(f, sch);

  Schedule at_k(f);
  at_k.ComputeAt(at_k.GetBlock("A2"), at_k.GetLoops(at_k.GetBlock("C"))[2]);
  EXPECT_EQ(LoopExtents(at_k, "A2"), "i0:8 i1:4 k:12");
  ExpectSameResult(f, MainOf(at_k));
  ExpectTraceReplays(f, at_k);
}

TEST(ComputeAt, ChainOfProducers) {
  // A -> B -> C -> D: C at D's row, then B at the same row (its consumer C is there now).
  te::Tensor a = te::placeholder({8, 8}, DataType::Float(32), "A");
  te::Tensor b = te::compute(
      {8, 8}, [&](Var i, Var j) { return a(i, j) * 2.0; }, "B");
  te::Tensor c = te::compute(
      {8, 8}, [&](Var i, Var j) { return b(i, j) + 1.0; }, "C");
  te::Tensor d = te::compute(
      {8, 8}, [&](Var i, Var j) { return c(i, j) * c(i, j); }, "D");
  PrimFunc f = te::create_prim_func({a}, {d});
  Schedule sch(f);
  std::vector<LoopRV> ld = sch.GetLoops(sch.GetBlock("D"));
  sch.ComputeAt(sch.GetBlock("C"), ld[0]);
  sch.ComputeAt(sch.GetBlock("B"), ld[0]);
  std::vector<BlockRV> order = sch.GetChildBlocks(ld[0]);
  ASSERT_EQ(order.size(), 3u);
  EXPECT_EQ(sch.Get(order[0]), "B");
  EXPECT_EQ(sch.Get(order[1]), "C");
  EXPECT_EQ(sch.Get(order[2]), "D");
  ExpectSameResult(f, MainOf(sch));
  ExpectTraceReplays(f, sch);
}

TEST(ComputeAt, Candidates) {
  PrimFunc f = Blur(16);
  Schedule sch(f);
  LoopRV at = sch.SampleComputeLocation(sch.GetBlock("B"), 0);
  EXPECT_EQ(sch.Get(at).get(), sch.Get(sch.GetLoops(sch.GetBlock("C"))[0]).get());
  sch.ComputeAt(sch.GetBlock("B"), at);
  ExpectSameResult(f, MainOf(sch));
  ExpectTraceReplays(f, sch);

  Schedule mm(Matmul(4, 4, 4));
  EXPECT_KILN_ERROR(mm.SampleComputeLocation(mm.GetBlock("C"), 0), "is not a location of block 'C'");

  // Both loops of C, and inlining, are possible for B of the chain.
  Schedule chain(ElementwiseChain(4, 4));
  EXPECT_KILN_ERROR(chain.SampleComputeLocation(chain.GetBlock("B"), 2), "is not a location of block 'B'");
  chain.SampleComputeLocation(chain.GetBlock("B"), 1);
  chain.SampleComputeLocation(chain.GetBlock("B"), -2);
}

// ---- compute_at: refusals -----------------------------------------------------------------

TEST(ComputeAt, RefusesTheRootAndOutputs) {
  Schedule sch(ElementwiseChain(4, 4));
  std::vector<LoopRV> lb = sch.GetLoops(sch.GetBlock("B"));
  std::vector<LoopRV> lc = sch.GetLoops(sch.GetBlock("C"));
  EXPECT_KILN_ERROR(sch.ComputeAt(sch.GetBlock("root"), lc[0]),
                    "compute_at: block 'root' is the root of its function; it cannot move");
  EXPECT_KILN_ERROR(sch.ComputeAt(sch.GetBlock("C"), lb[0]),
                    "compute_at: block 'C' writes buffer 'C', a parameter of the function; an output block cannot "
                    "be computed at a loop of other blocks");
  EXPECT_KILN_ERROR(sch.ComputeAt(sch.GetBlock("B"), lb[1]),
                    "compute_at: loop 'i1' is an ancestor of block 'B'; it must be a loop of its consumers only");
}

TEST(ComputeAt, RefusesAConsumerOutsideTheLoop) {
  Schedule sch(TwoConsumers(4));
  EXPECT_KILN_ERROR(sch.ComputeAt(sch.GetBlock("B"), sch.GetLoops(sch.GetBlock("C"))[0]),
                    "compute_at: consumer 'D' of block 'B' is not under loop 'i0'");
  EXPECT_KILN_ERROR(sch.ComputeAt(sch.GetBlock("B"), sch.GetLoops(sch.GetBlock("D"))[0]),
                    "compute_at: consumer 'C' of block 'B' is not under loop 'i0'");
}

TEST(ComputeAt, RefusesAProducerWithoutConsumers) {
  PrimFunc f = ParseMain(R"(module {
  prim @main(A: Buffer((4,), float32), C: Buffer((4,), float32)) {
    block "root" {
      alloc_buffer B: Buffer((4,), float32)
      for i in range(4) {
        block "B" {
          v = spatial(4, i)
          reads(A[v])
          writes(B[v])
          B[v] = A[v] * 2.0
        }
      }
      for j in range(4) {
        block "C" {
          v = spatial(4, j)
          reads(A[v])
          writes(C[v])
          C[v] = A[v] + 1.0
        }
      }
    }
  }
})");
  Schedule sch(f);
  EXPECT_KILN_ERROR(sch.ComputeAt(sch.GetBlock("B"), sch.GetLoops(sch.GetBlock("C"))[0]),
                    "compute_at: block 'B' has no consumer in its scope");
}

TEST(ComputeAt, RefusesWhenAnInputChangesOnTheWay) {
  // W rewrites A, which B reads, between B and the loop of its consumer C.
  Schedule sch(ParseMain(DataflowProgram({kProducerB, R"(
    for w in range(4) {
      block "W" {
        v = spatial(4, w)
        reads(A[v])
        writes(A[v])
        A[v] = A[v] + 1.0
      }
    })",
                                          kConsumerC})));
  EXPECT_KILN_ERROR(sch.ComputeAt(sch.GetBlock("B"), sch.GetLoops(sch.GetBlock("C"))[0]),
                    "compute_at: block 'W', between block 'B' and loop 'j', writes a buffer that block 'B' reads");
}

TEST(ComputeAt, RefusesAnInputWrittenLaterInTheLoop) {
  // C consumes T and then overwrites A, which B reads.
  PrimFunc f = ParseMain(DataflowProgram({kProducerB, R"(
    for j in range(4) {
      block "C" {
        v = spatial(4, j)
        reads(T[v])
        writes(C[v])
        C[v] = T[v] + 1.0
      }
      block "W" {
        v = spatial(4, j)
        writes(A[v])
        A[v] = 0.0
      }
    })"}));
  Schedule sch(f);
  EXPECT_KILN_ERROR(sch.ComputeAt(sch.GetBlock("B"), sch.GetLoops(sch.GetBlock("C"))[0]),
                    "compute_at: block 'W' under loop 'j' writes a buffer that block 'B' reads, after the place it "
                    "would move to");
}

TEST(ComputeAt, RefusesASecondWriterAndAnInPlaceBlock) {
  PrimFunc f = ParseMain(DataflowProgram({kProducerB, R"(
    for i2 in range(4) {
      block "B2" {
        v = spatial(4, i2)
        reads(T[v])
        writes(T[v])
        T[v] = T[v] + 1.0
      }
    })",
                                          kConsumerC}));
  Schedule sch(f);
  LoopRV j = sch.GetLoops(sch.GetBlock("C"))[0];
  EXPECT_KILN_ERROR(sch.ComputeAt(sch.GetBlock("B"), j),
                    "compute_at: buffer 'T' is written by block 'B2' as well as by 'B'");
  EXPECT_KILN_ERROR(sch.ComputeAt(sch.GetBlock("B2"), j), "compute_at: block 'B2' reads buffer 'T' that it writes");
}

TEST(ComputeAt, RefusesAProducerAfterTheLoop) {
  // C (under loop j) reads T before B writes it: B cannot move back.
  PrimFunc f = ParseMain(DataflowProgram({kConsumerC, kProducerB}));
  Schedule sch(f);
  EXPECT_KILN_ERROR(sch.ComputeAt(sch.GetBlock("B"), sch.GetLoops(sch.GetBlock("C"))[0]),
                    "compute_at: block 'B' comes after loop 'j'; a producer must come before its consumers");
}

TEST(ComputeAt, RefusesAPredicateItCannotCarry) {
  PrimFunc f = ParseMain(R"(module {
  prim @main(A: Buffer((8,), float32), C: Buffer((8,), float32)) {
    block "root" {
      alloc_buffer T: Buffer((8,), float32)
      for i in range(8) {
        block "B" {
          v = spatial(8, i)
          reads(A[v])
          writes(T[v])
          where(i < 4)
          T[v] = A[v] * 2.0
        }
      }
      for j in range(8) {
        block "C" {
          v = spatial(8, j)
          reads(T[v])
          writes(C[v])
          C[v] = T[v] + 1.0
        }
      }
    }
  }
})");
  Schedule sch(f);
  EXPECT_KILN_ERROR(sch.ComputeAt(sch.GetBlock("B"), sch.GetLoops(sch.GetBlock("C"))[0]),
                    "compute_at: block 'B' has the predicate i < 4, which does not follow from its domains; it "
                    "cannot move with the block");
}

TEST(ComputeAt, RefusesALoopOfAnotherScope) {
  PrimFunc f = ParseMain(DataflowProgram({kProducerB, R"(
    block "outer" {
      reads(T[0:+4])
      writes(C[0:+4])
      for j in range(4) {
        block "C" {
          v = spatial(4, j)
          reads(T[v])
          writes(C[v])
          C[v] = T[v] + 1.0
        }
      }
    })"}));
  Schedule sch(f);
  EXPECT_KILN_ERROR(sch.ComputeAt(sch.GetBlock("B"), sch.GetLoops(sch.GetBlock("C"))[0]),
                    "compute_at: loop 'j' is not in the scope of block 'B' (block 'root')");
}

TEST(ComputeAt, RefusesARegionDefinedInsideTheLoop) {
  // C's row comes from a let inside the loop: B's rows cannot be named outside it.
  PrimFunc f = ParseMain(DataflowProgram({kProducerB, R"(
    for j in range(4) {
      let x = 3 - j
      block "C" {
        v = spatial(4, x)
        reads(T[v])
        writes(C[v])
        C[v] = T[v] + 1.0
      }
    })"}));
  Schedule sch(f);
  EXPECT_KILN_ERROR(sch.ComputeAt(sch.GetBlock("B"), sch.GetLoops(sch.GetBlock("C"))[0]),
                    "compute_at: the iterations of block 'B' needed in one iteration of loop 'j' depend on 'x', which "
                    "is defined inside the loop");
}

TEST(ComputeAt, RefusesABlockThatLeavesNothingBehind) {
  // B's loop is the whole then-branch of an if.
  PrimFunc f = ParseMain(DataflowProgram({R"(
    if n > 0 {
      for i in range(4) {
        block "B" {
          v = spatial(4, i)
          reads(A[v])
          writes(T[v])
          T[v] = A[v] * 2.0
        }
      }
    })",
                                          kConsumerC},
                                         "n: int64"));
  Schedule sch(f);
  EXPECT_KILN_ERROR(sch.ComputeAt(sch.GetBlock("B"), sch.GetLoops(sch.GetBlock("C"))[0]),
                    "compute_at: block 'B' is not one of a sequence of statements, so nothing would be left in its "
                    "place");
  EXPECT_KILN_ERROR(sch.ComputeInline(sch.GetBlock("B")),
                    "compute_inline: block 'B' is not one of a sequence of statements, so nothing would be left in "
                    "its place");
}

TEST(ComputeAt, RefusesALoopOfAnotherFunction) {
  ir::IRModule mod(
      {{ir::MakeGlobalVar("main"), ElementwiseChain(4, 4)}, {ir::MakeGlobalVar("other"), ElementwiseChain(4, 4)}});
  Schedule sch(mod);
  EXPECT_KILN_ERROR(sch.ComputeAt(sch.GetBlock("B", "main"), sch.GetLoops(sch.GetBlock("C", "other"))[0]),
                    "compute_at: block 'B' and loop 'i0' are in different functions");
}

// ---- reverse_compute_at ---------------------------------------------------------------------

TEST(ReverseComputeAt, EpilogueUnderTheMatmulRow) {
  PrimFunc f = MatmulBiasRelu(8, 12, 16);
  Schedule sch(f);
  std::vector<LoopRV> lc = sch.GetLoops(sch.GetBlock("C"));
  sch.ReverseComputeAt(sch.GetBlock("D"), lc[0]);
  EXPECT_EQ(LoopExtents(sch, "D"), "i0:8 ax0:12");
  std::vector<BlockRV> order = sch.GetChildBlocks(lc[0]);
  ASSERT_EQ(order.size(), 2u);
  EXPECT_EQ(sch.Get(order[0]), "C");
  EXPECT_EQ(sch.Get(order[1]), "D");
  ExpectSameResult(f, MainOf(sch));
  ExpectTraceReplays(f, sch);
}

TEST(ReverseComputeAt, EpilogueUnderTheMatmulColumn) {
  PrimFunc f = MatmulBiasRelu(8, 12, 16);
  Schedule sch(f);
  std::vector<LoopRV> lc = sch.GetLoops(sch.GetBlock("C"));
  sch.ReverseComputeAt(sch.GetBlock("D"), lc[1], /*preserve_unit_loops=*/true);
  EXPECT_EQ(LoopExtents(sch, "D"), "i0:8 i1:12 ax0:1 ax1:1");
  ExpectSameResult(f, MainOf(sch));
  ExpectTraceReplays(f, sch);
}

TEST(ReverseComputeAt, ElementwiseSymbolic) {
  Var m = SizeVar("m"), n = SizeVar("n");
  PrimFunc f = ElementwiseChain(m, n);
  Schedule sch(f);
  sch.ReverseComputeAt(sch.GetBlock("C"), sch.GetLoops(sch.GetBlock("B"))[0]);
  EXPECT_EQ(LoopExtents(sch, "C"), "i0:m ax0:n");
  for (auto [mm, nn] : {std::pair<int64_t, int64_t>{1, 1}, {3, 7}, {16, 5}}) {
    ExpectSameResult(f, MainOf(sch), {{"m", mm}, {"n", nn}});
  }
  ExpectTraceReplays(f, sch);
}

TEST(ReverseComputeAt, ReductionConsumerAtItsProducersRow) {
  // S[i] = sum_k B[i, k] computed right after each row of B.
  te::Tensor a = te::placeholder({6, 10}, DataType::Float(32), "A");
  te::Tensor b = te::compute(
      {6, 10}, [&](Var i, Var j) { return a(i, j) * 2.0; }, "B");
  te::ReduceAxis r = te::reduce_axis({0, 10}, "k");
  te::Tensor s = te::compute(
      {6}, [&](Var i) { return te::sum(b(i, r.var), {r}); }, "S");
  PrimFunc f = te::create_prim_func({a}, {s});
  Schedule sch(f);
  sch.ReverseComputeAt(sch.GetBlock("S"), sch.GetLoops(sch.GetBlock("B"))[0]);
  EXPECT_EQ(LoopExtents(sch, "S"), "i0:6 ax0:10");
  ExpectSameResult(f, MainOf(sch));
  ExpectTraceReplays(f, sch);

  // Under the column loop a row of B is not complete yet.
  Schedule col(f);
  EXPECT_KILN_ERROR(col.ReverseComputeAt(col.GetBlock("S"), col.GetLoops(col.GetBlock("B"))[1]),
                    "reverse_compute_at: block 'S' would read B[i0, 0:+10] in one iteration of loop 'i1', beyond "
                    "B[i0, i1] that the blocks before it there write");
}

TEST(ReverseComputeAt, RefusesPartialReductions) {
  // D under the reduction loop k of C would read partial sums.
  Schedule sch(MatmulBiasRelu(4, 4, 4));
  EXPECT_KILN_ERROR(sch.ReverseComputeAt(sch.GetBlock("D"), sch.GetLoops(sch.GetBlock("C"))[2]),
                    "reverse_compute_at: producer 'C' reduces over loop 'k', which is not inside loop 'k'; block "
                    "'D' would read partial results");
}

TEST(ReverseComputeAt, RefusesAStencilThatWouldLoseIterations) {
  // C[i] reads B[i .. i + 2]: computed per element of B, the last two of
  // each iteration would never be available together.
  PrimFunc f = Blur(8);
  Schedule sch(f);
  EXPECT_KILN_ERROR(sch.ReverseComputeAt(sch.GetBlock("C"), sch.GetLoops(sch.GetBlock("B"))[0]),
                    "reverse_compute_at: in one iteration of loop 'i0' its producers write too little for any "
                    "iteration of block 'C' ('v_i0' would range over [i0, i0 - 1))");
}

TEST(ReverseComputeAt, RefusesBadPlaces) {
  Schedule sch(MatmulBiasRelu(4, 4, 4));
  std::vector<LoopRV> lc = sch.GetLoops(sch.GetBlock("C"));
  std::vector<LoopRV> ld = sch.GetLoops(sch.GetBlock("D"));
  EXPECT_KILN_ERROR(sch.ReverseComputeAt(sch.GetBlock("D"), ld[0]),
                    "reverse_compute_at: loop 'i0' is an ancestor of block 'D'; it must be a loop of its "
                    "producers only");
  EXPECT_KILN_ERROR(sch.ReverseComputeAt(sch.GetBlock("C"), ld[0]),
                    "reverse_compute_at: block 'C' comes before loop 'i0'; a consumer must come after its producers");
  Schedule two(TwoConsumers(4));
  EXPECT_KILN_ERROR(two.ReverseComputeAt(two.GetBlock("D"), two.GetLoops(two.GetBlock("C"))[0]),
                    "reverse_compute_at: no producer of block 'D' is under loop 'i0'");
  EXPECT_KILN_ERROR(sch.ReverseComputeAt(sch.GetBlock("root"), lc[0]),
                    "reverse_compute_at: block 'root' is the root of its function; it cannot move");
}

TEST(ReverseComputeAt, RefusesAProducerOutsideTheLoop) {
  // E = C + D reads two producers; only C is under the loop, and D runs after it.
  te::Tensor a = te::placeholder({4, 4}, DataType::Float(32), "A");
  te::Tensor c = te::compute(
      {4, 4}, [&](Var i, Var j) { return a(i, j) * 2.0; }, "C");
  te::Tensor d = te::compute(
      {4, 4}, [&](Var i, Var j) { return a(i, j) + 2.0; }, "D");
  te::Tensor e = te::compute(
      {4, 4}, [&](Var i, Var j) { return c(i, j) + d(i, j); }, "E");
  PrimFunc f = te::create_prim_func({a}, {e});
  Schedule sch(f);
  EXPECT_KILN_ERROR(sch.ReverseComputeAt(sch.GetBlock("E"), sch.GetLoops(sch.GetBlock("C"))[0]),
                    "reverse_compute_at: producer 'D' of block 'E' is not under loop 'i0'");
  // Under D's loop, C is done before the loop: fine.
  sch.ReverseComputeAt(sch.GetBlock("E"), sch.GetLoops(sch.GetBlock("D"))[0]);
  ExpectSameResult(f, MainOf(sch));
  ExpectTraceReplays(f, sch);
}

TEST(ReverseComputeAt, RefusesAConsumerBeforeTheLoop) {
  PrimFunc f = ParseMain(DataflowProgram({kConsumerC, kProducerB}));
  Schedule sch(f);
  EXPECT_KILN_ERROR(sch.ReverseComputeAt(sch.GetBlock("C"), sch.GetLoops(sch.GetBlock("B"))[0]),
                    "reverse_compute_at: block 'C' comes before loop 'i'; a consumer must come after its producers");
}

TEST(ReverseComputeAt, RefusesABlockBetweenThatReadsTheOutput) {
  PrimFunc f = ParseMain(DataflowProgram({kProducerB, R"(
    for k in range(4) {
      block "R" {
        v = spatial(4, k)
        reads(C[v])
        writes(D[v])
        D[v] = C[v]
      }
    })",
                                          kConsumerC},
                                         "D: Buffer((4,), float32)"));
  Schedule sch(f);
  EXPECT_KILN_ERROR(sch.ReverseComputeAt(sch.GetBlock("C"), sch.GetLoops(sch.GetBlock("B"))[0]),
                    "reverse_compute_at: block 'R', between loop 'i' and block 'C', reads or writes a buffer that "
                    "block 'C' writes");
}

TEST(ReverseComputeAt, RefusesWhenTheProducersLeaveElementsUnwritten) {
  // B writes T[0 .. 4) only; C over [0, 8) would never compute its upper half.
  PrimFunc f = ParseMain(R"(module {
  prim @main(A: Buffer((8,), float32), C: Buffer((8,), float32)) {
    block "root" {
      alloc_buffer T: Buffer((8,), float32)
      for i in range(4) {
        block "B" {
          v = spatial(8, i)
          reads(A[v])
          writes(T[v])
          T[v] = A[v] * 2.0
        }
      }
      for j in range(8) {
        block "C" {
          v = spatial(8, j)
          reads(T[v])
          writes(C[v])
          C[v] = T[v] + 1.0
        }
      }
    }
  }
})");
  Schedule sch(f);
  EXPECT_KILN_ERROR(sch.ReverseComputeAt(sch.GetBlock("C"), sch.GetLoops(sch.GetBlock("B"))[0]),
                    "reverse_compute_at: the iterations of block 'C' under loop 'i' would not be shown to cover its "
                    "domain: 'v' ranges over [0, 4) in all, not over its domain [0, 8)");
}

TEST(ReverseComputeAt, RefusesAProducerThatUpdatesInPlace) {
  PrimFunc f = ParseMain(DataflowProgram({R"(
    for i in range(4) {
      block "B" {
        v = spatial(4, i)
        reads(A[v])
        writes(T[v])
        T[v] = A[v] * 2.0
      }
      block "B2" {
        v = spatial(4, i)
        reads(T[v])
        writes(T[v])
        T[v] = T[v] + 1.0
      }
    })",
                                          kConsumerC}));
  Schedule sch(f);
  EXPECT_KILN_ERROR(sch.ReverseComputeAt(sch.GetBlock("C"), sch.GetLoops(sch.GetBlock("B"))[0]),
                    "reverse_compute_at: producer 'B2' updates buffer 'T' in place; its values may not be final "
                    "within one iteration of loop 'i'");
}

// ---- With split, fuse and caches --------------------------------------------------------

// C = A @ B tiled 16 x 16 (loops i0_0, i1_0, i0_1, i1_1, k), accumulating
// into a cache_write buffer; returns the write-back block.
struct TiledGemm {
  BlockRV write_back;
  std::vector<LoopRV> loops;  // io, jo, ii, ji, k
};
TiledGemm Tile(Schedule& sch, const std::string& block = "C") {
  BlockRV c = sch.GetBlock(block);
  std::vector<LoopRV> l = sch.GetLoops(c);
  std::vector<LoopRV> i = sch.Split(l[0], {std::monostate{}, int64_t{16}});
  std::vector<LoopRV> j = sch.Split(l[1], {std::monostate{}, int64_t{16}});
  sch.Reorder({i[0], j[0], i[1], j[1]});
  return {sch.CacheWrite(c, 0, "local"), {i[0], j[0], i[1], j[1], l[2]}};
}

TEST(ReverseComputeAt, GemmWriteBackUnderTheTile) {
  PrimFunc f = Matmul(64, 48, 32);
  Schedule sch(f);
  TiledGemm t = Tile(sch);
  sch.ReverseComputeAt(t.write_back, t.loops[1]);
  EXPECT_EQ(LoopExtents(sch, sch.Get(t.write_back)), "i0_0:4 i1_0:3 ax0:16 ax1:16");
  const BlockNode* wb = sch.GetStmt(t.write_back).as<BlockNode>();
  EXPECT_EQ(ToText(wb->iter_vars[0].binding), "i0_0 * 16 + ax0");
  ExpectSameResult(f, MainOf(sch));
  ExpectTraceReplays(f, sch);
}

TEST(ReverseComputeAt, GemmWriteBackAfterDecomposeReduction) {
  // The init and the update of the accumulator both write it under the tile.
  PrimFunc f = Matmul(32, 32, 8);
  Schedule sch(f);
  TiledGemm t = Tile(sch);
  sch.DecomposeReduction(sch.GetBlock("C"), t.loops[4]);
  sch.ReverseComputeAt(t.write_back, t.loops[1]);
  EXPECT_EQ(LoopExtents(sch, sch.Get(t.write_back)), "i0_0:2 i1_0:2 ax0:16 ax1:16");
  ExpectSameResult(f, MainOf(sch));
  ExpectTraceReplays(f, sch);
}

TEST(ReverseComputeAt, GemmWithAGuardedTile) {
  // 40 rows in tiles of 16: the last tile's write-back covers 8 rows.
  PrimFunc f = Matmul(40, 32, 8);
  Schedule sch(f);
  TiledGemm t = Tile(sch);
  sch.ReverseComputeAt(t.write_back, t.loops[1]);
  ExpectSameResult(f, MainOf(sch));
  ExpectTraceReplays(f, sch);
}

TEST(ReverseComputeAt, FusedEpilogueUnderTheTile) {
  // matmul + bias + relu: the epilogue folds into the write-back
  // (reverse_compute_inline), which then moves under the tile.
  PrimFunc f = MatmulBiasRelu(32, 48, 16);
  Schedule sch(f);
  TiledGemm t = Tile(sch);
  sch.ReverseComputeInline(sch.GetBlock("D"));
  sch.ReverseComputeAt(t.write_back, t.loops[1]);
  const BlockNode* wb = sch.GetStmt(t.write_back).as<BlockNode>();
  EXPECT_EQ(wb->writes[0].buffer->name, "D");
  EXPECT_EQ(LoopExtents(sch, sch.Get(t.write_back)), "i0_0:2 i1_0:3 ax0:16 ax1:16");
  ExpectSameResult(f, MainOf(sch));
  ExpectTraceReplays(f, sch);

  // Or the epilogue moves under the tile as its own block, after the write-back.
  Schedule apart(f);
  TiledGemm u = Tile(apart);
  apart.ReverseComputeAt(u.write_back, u.loops[1]);
  apart.ReverseComputeAt(apart.GetBlock("D"), u.loops[1]);
  std::vector<BlockRV> order = apart.GetChildBlocks(u.loops[1]);
  ASSERT_EQ(order.size(), 3u);
  EXPECT_EQ(apart.Get(order[2]), "D");
  ExpectSameResult(f, MainOf(apart));
  ExpectTraceReplays(f, apart);
}

TEST(ReverseComputeAt, RefusesFusedTiles) {
  // After fusing the tile loops both coordinates move with one loop: the
  // cover check cannot tell the tiles apart, so the move is refused.
  Schedule sch(Matmul(32, 32, 8));
  TiledGemm t = Tile(sch);
  LoopRV fused = sch.Fuse({t.loops[0], t.loops[1]});
  EXPECT_KILN_ERROR(sch.ReverseComputeAt(t.write_back, fused),
                    "reverse_compute_at: the iterations of block 'C_local' under loop 'i0_0_i1_0_fused' would not be "
                    "shown to cover its domain: 'v0' and 'v1' both move with loop 'i0_0_i1_0_fused'");
}

TEST(ReverseComputeAt, RefusesGapsBetweenTiles) {
  // Tiles of 6 elements of B feed only 4 complete outputs of the blur each.
  Schedule sch(Blur(16));
  std::vector<LoopRV> lb = sch.Split(sch.GetLoops(sch.GetBlock("B"))[0], {std::monostate{}, int64_t{6}});
  EXPECT_KILN_ERROR(sch.ReverseComputeAt(sch.GetBlock("C"), lb[0]),
                    "reverse_compute_at: the iterations of block 'C' under loop 'i0_0' would not be shown to cover "
                    "its domain: 'v_i0' does not advance without gaps with loop 'i0_0'");
}

TEST(ComputeAt, SharedTileOfTheMatmulInput) {
  // A's tile for each (i tile, k step) is read into a "shared" copy inside the k loop.
  PrimFunc f = Matmul(32, 32, 32);
  Schedule sch(f);
  TiledGemm t = Tile(sch);
  BlockRV c = sch.GetBlock("C");
  std::vector<LoopRV> k = sch.Split(t.loops[4], {std::monostate{}, int64_t{8}});
  sch.Reorder({k[0], t.loops[2], t.loops[3], k[1]});
  BlockRV a_shared = sch.CacheRead(c, 0, "shared");
  sch.ComputeAt(a_shared, k[0]);
  EXPECT_EQ(LoopExtents(sch, sch.Get(a_shared)), "i0_0:2 i1_0:2 k_0:4 ax0:16 ax1:8");
  ExpectSameResult(f, MainOf(sch));
  ExpectTraceReplays(f, sch);
}

TEST(ComputeAt, UnderAGuardedConsumerLoop) {
  // C's rows split by 4 over 10: the last tile needs only 2 rows of B.
  PrimFunc f = ElementwiseChain(10, 8);
  Schedule sch(f);
  std::vector<LoopRV> lc = sch.Split(sch.GetLoops(sch.GetBlock("C"))[0], {std::monostate{}, int64_t{4}});
  sch.ComputeAt(sch.GetBlock("B"), lc[0]);
  EXPECT_EQ(LoopExtents(sch, "B"), "i0_0:3 ax0:min(i0_0 * 4 + 4, 10) - i0_0 * 4 ax1:8");
  ExpectSameResult(f, MainOf(sch));
  ExpectTraceReplays(f, sch);
}

TEST(ComputeAt, ProducerWithASplitGuard) {
  // B's guard (from splitting 10 rows by 4) follows from its new domain.
  PrimFunc f = ElementwiseChain(10, 8);
  Schedule sch(f);
  sch.Split(sch.GetLoops(sch.GetBlock("B"))[0], {std::monostate{}, int64_t{4}});
  ASSERT_TRUE(sch.GetStmt(sch.GetBlock("B")).as<BlockNode>()->predicate);
  sch.ComputeAt(sch.GetBlock("B"), sch.GetLoops(sch.GetBlock("C"))[0]);
  EXPECT_FALSE(sch.GetStmt(sch.GetBlock("B")).as<BlockNode>()->predicate);
  ExpectSameResult(f, MainOf(sch));
  ExpectTraceReplays(f, sch);
}

TEST(ComputeAt, SymbolicTiles) {
  Var m = SizeVar("m"), n = SizeVar("n");
  PrimFunc f = ElementwiseChain(m, n);
  Schedule sch(f);
  std::vector<LoopRV> lc = sch.Split(sch.GetLoops(sch.GetBlock("C"))[0], {std::monostate{}, int64_t{4}});
  sch.ComputeAt(sch.GetBlock("B"), lc[0]);
  for (auto [mm, nn] : {std::pair<int64_t, int64_t>{1, 1}, {3, 7}, {17, 5}}) {
    ExpectSameResult(f, MainOf(sch), {{"m", mm}, {"n", nn}});
  }
  ExpectTraceReplays(f, sch);
}

}  // namespace
}  // namespace kiln::tir::testing
