// compute_inline and reverse_compute_inline: an elementwise block folds into
// its consumers (or its one consumer into its producer); results stay the
// same, the intermediate buffer disappears, traces replay, and every refusal
// says why.
#include "schedule_test_util.h"

namespace kiln::tir::testing {
namespace {

// A -> B -> C -> D, elementwise.
PrimFunc Chain3(PrimExpr m, PrimExpr n) {
  te::Tensor a = te::placeholder({m, n}, DataType::Float(32), "A");
  te::Tensor b = te::compute(
      {m, n}, [&](Var i, Var j) { return a(i, j) * 2.0; }, "B");
  te::Tensor c = te::compute(
      {m, n}, [&](Var i, Var j) { return b(i, j) + 1.0; }, "C");
  te::Tensor d = te::compute(
      {m, n}, [&](Var i, Var j) { return c(i, j) * c(i, j); }, "D");
  return te::create_prim_func({a}, {d});
}

// Whether sample_compute_location may pick "inline" for the block (asked on a copy).
bool CanComputeInline(const Schedule& sch, const std::string& block) {
  Schedule copy = sch.Copy();
  try {
    copy.SampleComputeLocation(copy.GetBlock(block), -2);
    return true;
  } catch (const Error&) {
    return false;
  }
}

bool Allocates(const Schedule& sch, const std::string& buffer) {
  for (const Buffer& a : MainOf(sch)->body.as<BlockNode>()->alloc_buffers) {
    if (a->name == buffer) return true;
  }
  return false;
}

// ---- compute_inline ---------------------------------------------------------------------

TEST(ComputeInline, ElementwiseChainBecomesOneStage) {
  PrimFunc f = ElementwiseChain(8, 12);
  Schedule sch(f);
  EXPECT_TRUE(Allocates(sch, "B"));
  sch.ComputeInline(sch.GetBlock("B"));
  EXPECT_FALSE(Allocates(sch, "B"));
  // What te makes of C = A * 2 + 1 directly.
  te::Tensor a = te::placeholder({8, 12}, DataType::Float(32), "A");
  te::Tensor c = te::compute(
      {8, 12}, [&](Var i, Var j) { return a(i, j) * 2.0 + 1.0; }, "C");
  PrimFunc expected = te::create_prim_func({a}, {c});
  EXPECT_TRUE(StructuralEqual(MainOf(sch), expected)) << ToText(MainOf(sch)) << "\nexpected:\n" << ToText(expected);
  ExpectSameResult(f, MainOf(sch));
  ExpectTraceReplays(f, sch);
}

TEST(ComputeInline, TwoStagesOfAChainSymbolic) {
  Var m = SizeVar("m"), n = SizeVar("n");
  PrimFunc f = Chain3(m, n);
  Schedule sch(f);
  sch.ComputeInline(sch.GetBlock("C"));
  sch.ComputeInline(sch.GetBlock("B"));
  ASSERT_EQ(sch.GetChildBlocks(sch.GetBlock("root")).size(), 1u);
  const BlockNode* d = sch.GetStmt(sch.GetBlock("D")).as<BlockNode>();
  EXPECT_EQ(ToText(d->body), "D[v_i0, v_i1] = (A[v_i0, v_i1] * 2.0 + 1.0) * (A[v_i0, v_i1] * 2.0 + 1.0)\n");
  ASSERT_EQ(d->reads.size(), 1u);
  EXPECT_EQ(d->reads[0].buffer->name, "A");
  for (auto [mm, nn] : {std::pair<int64_t, int64_t>{1, 1}, {3, 7}, {16, 5}}) {
    ExpectSameResult(f, MainOf(sch), {{"m", mm}, {"n", nn}});
  }
  ExpectTraceReplays(f, sch);
}

TEST(ComputeInline, IntoAStencil) {
  te::Tensor a = te::placeholder({18}, DataType::Float(32), "A");
  te::Tensor b = te::compute(
      {18}, [&](Var i) { return a(i) * 2.0; }, "B");
  te::Tensor c = te::compute(
      {16}, [&](Var i) { return b(i) + b(i + 1) + b(i + 2); }, "C");
  PrimFunc f = te::create_prim_func({a}, {c});
  Schedule sch(f);
  sch.ComputeInline(sch.GetBlock("B"));
  const BlockNode* cb = sch.GetStmt(sch.GetBlock("C")).as<BlockNode>();
  EXPECT_EQ(ToText(cb->body), "C[v_i0] = A[v_i0] * 2.0 + A[v_i0 + 1] * 2.0 + A[v_i0 + 2] * 2.0\n");
  ASSERT_EQ(cb->reads.size(), 1u);
  EXPECT_EQ(ToText(cb->reads[0].region[0].extent), "3");
  ExpectSameResult(f, MainOf(sch));
  ExpectTraceReplays(f, sch);
}

TEST(ComputeInline, IntoAReduction) {
  PrimFunc f = DoubledInputMatmul();
  Schedule sch(f);
  EXPECT_TRUE(CanComputeInline(sch, "A2"));
  sch.ComputeInline(sch.GetBlock("A2"));
  EXPECT_FALSE(Allocates(sch, "A2"));
  ExpectSameResult(f, MainOf(sch));
  ExpectTraceReplays(f, sch);
}

TEST(ComputeInline, AfterComputeAt) {
  // B computed per row of C, then inlined all the same.
  PrimFunc f = Chain3(6, 6);
  Schedule sch(f);
  sch.ComputeAt(sch.GetBlock("B"), sch.GetLoops(sch.GetBlock("C"))[0]);
  sch.ComputeInline(sch.GetBlock("B"));
  EXPECT_EQ(sch.GetChildBlocks(sch.GetBlock("root")).size(), 2u);
  ExpectSameResult(f, MainOf(sch));
  ExpectTraceReplays(f, sch);
}

TEST(ComputeInline, SampledInlineLocation) {
  PrimFunc f = ElementwiseChain(4, 4);
  Schedule sch(f);
  BlockRV b = sch.GetBlock("B");
  LoopRV where = sch.SampleComputeLocation(b, -2);
  sch.ComputeAt(b, where);
  EXPECT_EQ(sch.GetChildBlocks(sch.GetBlock("root")).size(), 1u);
  ExpectSameResult(f, MainOf(sch));
  ExpectTraceReplays(f, sch);
}

// ---- compute_inline: refusals -----------------------------------------------------------

TEST(ComputeInline, RefusesReductionsOutputsAndTheRoot) {
  te::Tensor a = te::placeholder({4, 6}, DataType::Float(32), "A");
  te::ReduceAxis r = te::reduce_axis({0, 6}, "k");
  te::Tensor s = te::compute(
      {4}, [&](Var i) { return te::sum(a(i, r.var), {r}); }, "S");
  te::Tensor y = te::compute(
      {4, 6}, [&](Var i, Var j) { return a(i, j) - s(i); }, "Y");
  Schedule sch(te::create_prim_func({a}, {y}));
  EXPECT_FALSE(CanComputeInline(sch, "S"));
  EXPECT_FALSE(CanComputeInline(sch, "Y"));
  EXPECT_KILN_ERROR(sch.ComputeInline(sch.GetBlock("S")),
                    "compute_inline: block 'S' is a reduction; only a spatial block can be inlined");
  EXPECT_KILN_ERROR(sch.ComputeInline(sch.GetBlock("Y")),
                    "compute_inline: block 'Y' writes buffer 'Y', a parameter of the function; an output cannot be "
                    "inlined");
  EXPECT_KILN_ERROR(sch.ComputeInline(sch.GetBlock("root")),
                    "compute_inline: block 'root' is the root of its function");
}

// DataflowProgram with B under loop i and C: `producer` replaces B's body
// lines, and `extra` (statements) comes between the two loops.
std::string WithProducer(const std::string& producer, const std::string& extra = "") {
  return DataflowProgram({R"(
    for i in range(4) {
      block "B" {
        v = spatial(4, i)
)" + producer + R"(
      }
    })",
                          extra, kConsumerC});
}

TEST(ComputeInline, RefusesStoresThatAreNotElementwise) {
  auto refuse = [](const std::string& producer, const std::string& message) {
    Schedule sch(ParseMain(WithProducer(producer)));
    EXPECT_FALSE(CanComputeInline(sch, "B"));
    EXPECT_KILN_ERROR(sch.ComputeInline(sch.GetBlock("B")), message);
  };
  refuse("reads(A[v])\nwrites(T[0])\nT[0] = A[v]",
         "compute_inline: block 'B' stores to 'T' at indices that are not exactly its iteration variables: "
         "T[0] = A[v]");
  refuse("reads(A[v])\nwrites(T[v])\nT[v] = A[v]\nT[v] = A[v] + 1.0",
         "compute_inline: block 'B' has a body that is not one store to 'T'");
  refuse("reads(A[v], T[v])\nwrites(T[v])\nT[v] = T[v] + A[v]",
         "compute_inline: block 'B' reads buffer 'T' that it writes");
  refuse("reads(A[v])\nwrites(T[v])\nwhere(i < 2)\nT[v] = A[v]",
         "compute_inline: block 'B' has the predicate i < 2; inlining would drop it");
  refuse("reads(A[i])\nwrites(T[v])\nT[v] = A[i]", "compute_inline: block 'B' uses 'i', defined around it");
  refuse("reads(A[v])\nwrites(T[v], C[v])\nT[v] = A[v]",
         "compute_inline: block 'B' writes 2 buffers; it must write one");
  refuse("reads(A[v])\nwrites(T[v])\nalloc_buffer X: Buffer((4,), float32)\nT[v] = A[v]",
         "compute_inline: block 'B' allocates buffers");
}

TEST(ComputeInline, RefusesWhenOthersTouchTheBuffers) {
  const char* second_writer = R"(
      for w in range(4) {
        block "W" {
          v = spatial(4, w)
          writes(T[v])
          T[v] = 0.0
        }
      })";
  Schedule sch(ParseMain(WithProducer("reads(A[v])\nwrites(T[v])\nT[v] = A[v]", second_writer)));
  EXPECT_KILN_ERROR(sch.ComputeInline(sch.GetBlock("B")),
                    "compute_inline: buffer 'T' is written by block 'W' as well as by 'B'");
  const char* input_writer = R"(
      for w in range(4) {
        block "W" {
          v = spatial(4, w)
          writes(A[v])
          A[v] = 0.0
        }
      })";
  Schedule later(ParseMain(WithProducer("reads(A[v])\nwrites(T[v])\nT[v] = A[v]", input_writer)));
  EXPECT_KILN_ERROR(later.ComputeInline(later.GetBlock("B")),
                    "compute_inline: block 'W' writes buffer 'A' that block 'B' reads, after it runs; the inlined "
                    "expression would read the new values");
  const char* view = R"(
      decl_buffer V: Buffer((2,), float32, data=T.data) {
        V[0] = 1.0
      })";
  Schedule aliased(ParseMain(WithProducer("reads(A[v])\nwrites(T[v])\nT[v] = A[v]", view)));
  EXPECT_KILN_ERROR(aliased.ComputeInline(aliased.GetBlock("B")),
                    "compute_inline: buffer 'T' shares its storage with buffer 'V'");
}

TEST(ComputeInline, RefusesAnInputThatDoesNotExistAtTheReader) {
  // B reads X, which only exists inside block S; C reads B's output outside S.
  PrimFunc f = ParseMain(DataflowProgram({R"(
    block "S" {
      reads(A[0:+4])
      writes(T[0:+4])
      alloc_buffer X: Buffer((4,), float32)
      for i in range(4) {
        block "X" {
          v = spatial(4, i)
          reads(A[v])
          writes(X[v])
          X[v] = A[v] * 2.0
        }
      }
      for i in range(4) {
        block "B" {
          v = spatial(4, i)
          reads(X[v])
          writes(T[v])
          T[v] = X[v] + 1.0
        }
      }
    })",
                                          kConsumerC}));
  Schedule sch(f);
  EXPECT_KILN_ERROR(sch.ComputeInline(sch.GetBlock("B")),
                    "compute_inline: block 'C' would read buffer 'X' outside block 'S', which allocates it");
  // X itself inlines into B, inside S.
  sch.ComputeInline(sch.GetBlock("X"));
  ExpectSameResult(f, MainOf(sch));
  ExpectTraceReplays(f, sch);
}

TEST(ComputeInline, OutOfANestedScope) {
  // B sits in block S, which lists T among its writes; C reads T after S.
  PrimFunc f = ParseMain(R"(module {
  prim @main(A: Buffer((4,), float32), C: Buffer((4,), float32), D: Buffer((4,), float32)) {
    block "root" {
      alloc_buffer T: Buffer((4,), float32)
      block "S" {
        reads(A[0:+4])
        writes(T[0:+4], D[0:+4])
        for i in range(4) {
          block "B" {
            v = spatial(4, i)
            reads(A[v])
            writes(T[v])
            T[v] = A[v] * 2.0
          }
        }
        for i in range(4) {
          block "W" {
            v = spatial(4, i)
            reads(A[v])
            writes(D[v])
            D[v] = A[v] - 1.0
          }
        }
      }
      for j in range(4) {
        block "C" {
          v = spatial(4, j)
          reads(T[v])
          writes(C[v])
          C[v] = T[v] + 1.0
        }
      }
    }
  }
})");
  Schedule sch(f);
  sch.ComputeInline(sch.GetBlock("B"));
  const BlockNode* s = sch.GetStmt(sch.GetBlock("S")).as<BlockNode>();
  ASSERT_EQ(s->writes.size(), 1u);
  EXPECT_EQ(s->writes[0].buffer->name, "D");
  ExpectSameResult(f, MainOf(sch));
  ExpectTraceReplays(f, sch);
}

TEST(ComputeInline, RefusesEffectsOutsideBlocks) {
  const char* store = R"(
      A[0] = 1.0)";
  Schedule sch(ParseMain(WithProducer("reads(A[v])\nwrites(T[v])\nT[v] = A[v]", store)));
  EXPECT_KILN_ERROR(sch.ComputeInline(sch.GetBlock("B")),
                    "compute_inline: block 'root' has a statement outside its child blocks, whose effects no region "
                    "shows: A[0] = 1.0");
  EXPECT_KILN_ERROR(sch.ComputeAt(sch.GetBlock("B"), sch.GetLoops(sch.GetBlock("C"))[0]),
                    "compute_at: block 'root' has a statement outside its child blocks, whose effects no region "
                    "shows: A[0] = 1.0");
}

// ---- reverse_compute_inline ------------------------------------------------------------------

TEST(ReverseComputeInline, ElementwiseChain) {
  PrimFunc f = ElementwiseChain(8, 12);
  Schedule sch(f);
  sch.ReverseComputeInline(sch.GetBlock("C"));
  EXPECT_FALSE(Allocates(sch, "B"));
  ASSERT_EQ(sch.GetChildBlocks(sch.GetBlock("root")).size(), 1u);
  const BlockNode* b = sch.GetStmt(sch.GetBlock("B")).as<BlockNode>();
  EXPECT_EQ(ToText(b->body), "C[v_i0, v_i1] = A[v_i0, v_i1] * 2.0 + 1.0\n");
  ASSERT_EQ(b->writes.size(), 1u);
  EXPECT_EQ(b->writes[0].buffer->name, "C");
  ExpectSameResult(f, MainOf(sch));
  ExpectTraceReplays(f, sch);
}

TEST(ReverseComputeInline, SymbolicAndTransposed) {
  Var m = SizeVar("m"), n = SizeVar("n");
  te::Tensor a = te::placeholder({m, n}, DataType::Float(32), "A");
  te::Tensor b = te::compute(
      {m, n}, [&](Var i, Var j) { return a(i, j) * 2.0; }, "B");
  te::Tensor c = te::compute(
      {n, m}, [&](Var j, Var i) { return max(b(i, j), PrimExpr(0.0)); }, "C");
  PrimFunc f = te::create_prim_func({a}, {c});
  Schedule sch(f);
  sch.ReverseComputeInline(sch.GetBlock("C"));
  const BlockNode* nb = sch.GetStmt(sch.GetBlock("B")).as<BlockNode>();
  EXPECT_EQ(ToText(nb->body), "C[v_i1, v_i0] = max(A[v_i0, v_i1] * 2.0, 0.0)\n");
  for (auto [mm, nn] : {std::pair<int64_t, int64_t>{1, 1}, {3, 7}, {16, 5}}) {
    ExpectSameResult(f, MainOf(sch), {{"m", mm}, {"n", nn}});
  }
  ExpectTraceReplays(f, sch);
}

TEST(ReverseComputeInline, RefusesAReductionProducer) {
  Schedule sch(MatmulBiasRelu(4, 4, 4));
  EXPECT_KILN_ERROR(sch.ReverseComputeInline(sch.GetBlock("D")),
                    "reverse_compute_inline: producer 'C' is a reduction; its store runs once per reduction step, "
                    "so the consumer's expression would apply to partial sums");
}

TEST(ReverseComputeInline, RefusesConsumersThatAreNotElementwise) {
  // A reduction consumer, a broadcast read, two producers, another reader.
  te::Tensor a = te::placeholder({4, 6}, DataType::Float(32), "A");
  te::Tensor b = te::compute(
      {4, 6}, [&](Var i, Var j) { return a(i, j) * 2.0; }, "B");
  te::ReduceAxis r = te::reduce_axis({0, 6}, "k");
  te::Tensor s = te::compute(
      {4}, [&](Var i) { return te::sum(b(i, r.var), {r}); }, "S");
  Schedule red(te::create_prim_func({a}, {s}));
  EXPECT_KILN_ERROR(red.ReverseComputeInline(red.GetBlock("S")),
                    "reverse_compute_inline: block 'S' is a reduction; only a spatial consumer can be inlined into "
                    "its producer");

  te::Tensor v = te::compute(
      {4}, [&](Var i) { return a(i, 0) * 2.0; }, "V");
  te::Tensor w = te::compute(
      {4, 6}, [&](Var i, Var j) { return v(i) + a(i, j); }, "W");
  Schedule bcast(te::create_prim_func({a}, {w}));
  EXPECT_KILN_ERROR(bcast.ReverseComputeInline(bcast.GetBlock("W")),
                    "reverse_compute_inline: block 'W' reads buffer 'V' at indices that are not exactly its "
                    "iteration variables");

  te::Tensor d = te::compute(
      {4, 6}, [&](Var i, Var j) { return a(i, j) + 2.0; }, "D");
  te::Tensor e = te::compute(
      {4, 6}, [&](Var i, Var j) { return b(i, j) + d(i, j); }, "E");
  Schedule two(te::create_prim_func({a}, {e}));
  EXPECT_KILN_ERROR(two.ReverseComputeInline(two.GetBlock("E")),
                    "reverse_compute_inline: block 'E' has 2 producers in its scope; it needs exactly one");

  te::Tensor c1 = te::compute(
      {4, 6}, [&](Var i, Var j) { return b(i, j) + 1.0; }, "C1");
  te::Tensor c2 = te::compute(
      {4, 6}, [&](Var i, Var j) { return b(i, j) * 3.0; }, "C2");
  Schedule shared(te::create_prim_func({a}, {c1, c2}));
  EXPECT_KILN_ERROR(shared.ReverseComputeInline(shared.GetBlock("C1")),
                    "reverse_compute_inline: buffer 'B' is read by block 'C2' as well as by block 'C1'");

  Schedule output(te::create_prim_func({a}, {b, c1}));
  EXPECT_KILN_ERROR(output.ReverseComputeInline(output.GetBlock("C1")),
                    "reverse_compute_inline: producer 'B' writes buffer 'B', a parameter of the function, which "
                    "must stay written");
}

TEST(ReverseComputeInline, RefusesTheRootAndBlocksWithoutOneProducer) {
  Schedule sch(ElementwiseChain(4, 4));
  EXPECT_KILN_ERROR(sch.ReverseComputeInline(sch.GetBlock("root")),
                    "reverse_compute_inline: block 'root' is the root of its function");
  EXPECT_KILN_ERROR(sch.ReverseComputeInline(sch.GetBlock("B")),
                    "reverse_compute_inline: block 'B' has 0 producers in its scope; it needs exactly one");
  // B writes T and U, and C reads both.
  std::string two = WithProducer("reads(A[v])\nwrites(T[v], U[v])\nT[v] = A[v]");
  two.replace(two.find("alloc_buffer T"), 0, "alloc_buffer U: Buffer((4,), float32)\n");
  two.replace(two.find("reads(T[v])"), std::string("reads(T[v])").size(), "reads(T[v], U[v])");
  Schedule both(ParseMain(two));
  EXPECT_KILN_ERROR(both.ReverseComputeInline(both.GetBlock("C")),
                    "reverse_compute_inline: block 'C' reads 2 buffers of producer 'B'; it must read one");
}

TEST(ReverseComputeInline, RefusesAProducerThatReadsTheOutputOrComesLater) {
  Schedule reads_out(ParseMain(WithProducer("reads(C[v])\nwrites(T[v])\nT[v] = C[v] * 2.0")));
  EXPECT_KILN_ERROR(reads_out.ReverseComputeInline(reads_out.GetBlock("C")),
                    "reverse_compute_inline: producer 'B' reads buffer 'C' that block 'C' writes");
  PrimFunc later = ParseMain(DataflowProgram({kConsumerC, kProducerB}));
  Schedule sch(later);
  EXPECT_KILN_ERROR(sch.ReverseComputeInline(sch.GetBlock("C")),
                    "reverse_compute_inline: producer 'B' comes after block 'C'");
}

TEST(ReverseComputeInline, RefusesMismatchedRangesAndBlocksBetween) {
  // C reads only the first half of B.
  te::Tensor a = te::placeholder({8}, DataType::Float(32), "A");
  te::Tensor b = te::compute(
      {8}, [&](Var i) { return a(i) * 2.0; }, "B");
  te::Tensor c = te::compute(
      {4}, [&](Var i) { return b(i) + 1.0; }, "C");
  Schedule half(te::create_prim_func({a}, {c}));
  EXPECT_KILN_ERROR(half.ReverseComputeInline(half.GetBlock("C")),
                    "reverse_compute_inline: block 'C' and producer 'B' run over different ranges of dimension 0 "
                    "of 'B'");

  // W reads C's output between B and C: it would see the new values early.
  const char* reader = R"(
      for w in range(4) {
        block "W" {
          v = spatial(4, w)
          reads(C[v])
          writes(A[v])
          A[v] = C[v]
        }
      })";
  Schedule between(ParseMain(WithProducer("reads(A[v])\nwrites(T[v])\nT[v] = A[v]", reader)));
  EXPECT_KILN_ERROR(between.ReverseComputeInline(between.GetBlock("C")),
                    "reverse_compute_inline: block 'W', between producer 'B' and block 'C', reads or writes buffer "
                    "'C'");

  std::string guarded = WithProducer("reads(A[v])\nwrites(T[v])\nT[v] = A[v]");
  guarded.replace(guarded.find("writes(C[v])"), std::string("writes(C[v])").size(), "writes(C[v])\nwhere(j < 3)");
  Schedule pred(ParseMain(guarded));
  EXPECT_KILN_ERROR(pred.ReverseComputeInline(pred.GetBlock("C")),
                    "reverse_compute_inline: block 'C' has the predicate j < 3; inlining would drop it");
}

}  // namespace
}  // namespace kiln::tir::testing
