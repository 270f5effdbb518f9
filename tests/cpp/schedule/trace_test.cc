// The schedule core: handles, get_block/get_loops, loop kinds, annotations,
// sampling, and traces that print, parse and replay.
#include "schedule_test_util.h"

namespace kiln::tir::testing {
namespace {

TEST(ScheduleCore, GetBlockAndLoops) {
  Schedule sch(Matmul(8, 8, 8));
  BlockRV c = sch.GetBlock("C");
  EXPECT_EQ(sch.Get(c), "C");
  std::vector<LoopRV> loops = sch.GetLoops(c);
  ASSERT_EQ(loops.size(), 3u);
  EXPECT_EQ(sch.GetStmt(loops[2]).as<ForNode>()->extent.as<IntImmNode>()->value, 8);
  BlockRV root = sch.GetBlock("root");
  std::vector<BlockRV> children = sch.GetChildBlocks(root);
  ASSERT_EQ(children.size(), 1u);
  EXPECT_EQ(sch.Get(children[0]), "C");
  EXPECT_EQ(sch.GetChildBlocks(loops[0]).size(), 1u);
  EXPECT_KILN_ERROR(sch.GetBlock("D"), "get_block: function 'main' has no block 'D' (did you mean 'C'?)");
}

TEST(ScheduleCore, ProducersAndConsumers) {
  Schedule sch(ElementwiseChain(4, 4));
  BlockRV b = sch.GetBlock("B"), c = sch.GetBlock("C");
  ASSERT_EQ(sch.GetConsumers(b).size(), 1u);
  EXPECT_EQ(sch.Get(sch.GetConsumers(b)[0]), "C");
  ASSERT_EQ(sch.GetProducers(c).size(), 1u);
  EXPECT_EQ(sch.Get(sch.GetProducers(c)[0]), "B");
  EXPECT_TRUE(sch.GetProducers(b).empty());
}

TEST(ScheduleCore, LoopKindsKeepTheResult) {
  PrimFunc f = ElementwiseChain(16, 64);
  Schedule sch(f);
  std::vector<LoopRV> lb = sch.GetLoops(sch.GetBlock("B"));
  std::vector<LoopRV> lc = sch.GetLoops(sch.GetBlock("C"));
  sch.Parallel(lb[0]);
  sch.Vectorize(lb[1]);
  sch.Unroll(lc[0]);
  sch.Annotate(lc[1], "pragma_hint", int64_t{4});
  EXPECT_EQ(sch.GetStmt(lb[0]).as<ForNode>()->for_kind, ForKind::kParallel);
  EXPECT_EQ(sch.GetStmt(lb[1]).as<ForNode>()->for_kind, ForKind::kVectorized);
  EXPECT_EQ(sch.GetStmt(lc[0]).as<ForNode>()->for_kind, ForKind::kUnrolled);
  EXPECT_EQ(sch.GetStmt(lc[1]).as<ForNode>()->annotations.Get<int64_t>("pragma_hint", 0), 4);
  sch.Unannotate(lc[1], "pragma_hint");
  EXPECT_TRUE(sch.GetStmt(lc[1]).as<ForNode>()->annotations.empty());
  ExpectSameResult(f, MainOf(sch));
  ExpectTraceReplays(f, sch);
}

TEST(ScheduleCore, ReductionLoopCannotRunInParallel) {
  Schedule sch(Matmul(8, 8, 8));
  std::vector<LoopRV> loops = sch.GetLoops(sch.GetBlock("C"));
  EXPECT_KILN_ERROR(sch.Parallel(loops[2]), "parallel: loop 'k' runs the reduction variable");
  EXPECT_KILN_ERROR(sch.Vectorize(loops[2]), "vectorize: loop 'k' runs the reduction variable");
  EXPECT_KILN_ERROR(sch.Bind(loops[0], "threadIdx.q"), "bind: 'threadIdx.q' is not a thread axis");
  sch.Unroll(loops[2]);  // always allowed
  EXPECT_EQ(sch.trace().size(), 3u);  // get_block, get_loops, unroll: failed calls record nothing
}

TEST(ScheduleCore, SamplingIsReproducible) {
  PrimFunc f = Matmul(64, 48, 32);
  Schedule a(f, 42), b(f, 42);
  for (Schedule* s : {&a, &b}) {
    std::vector<LoopRV> loops = s->GetLoops(s->GetBlock("C"));
    s->SamplePerfectTile(loops[0], 3, 8);
    s->SampleCategorical({1, 2, 4, 8}, {0.1, 0.2, 0.3, 0.4});
  }
  EXPECT_EQ(a.trace().ToText(), b.trace().ToText());
  const Instruction& tile = a.trace().instructions()[2];
  std::vector<int64_t> factors = tile.decision.AsIntList("decision");
  ASSERT_EQ(factors.size(), 3u);
  EXPECT_EQ(factors[0] * factors[1] * factors[2], 64);
  EXPECT_LE(factors[2], 8);
  // Replaying takes the decisions, whatever the seed.
  Schedule c(f, 7);
  a.trace().ApplyTo(c);
  EXPECT_EQ(c.trace().ToText(), a.trace().ToText());
  EXPECT_KILN_ERROR(
      {
        Schedule d(f);
        d.SamplePerfectTile(d.GetLoops(d.GetBlock("C"))[0], 2, 8, std::vector<int64_t>{3, 5});
      },
      "sample_perfect_tile: the decision's factors multiply to 15, not to the extent of loop 'i0'");
}

TEST(ScheduleCore, TraceText) {
  Schedule sch(Matmul(8, 8, 8));
  BlockRV c = sch.GetBlock("C");
  std::vector<LoopRV> loops = sch.GetLoops(c);
  sch.Parallel(loops[0]);
  sch.Annotate(c, "note", std::string("a \"quoted\" value"));
  sch.SampleCategorical({1, 2}, {0.5, 0.5}, 1);
  std::string text = sch.trace().ToText();
  EXPECT_EQ(text,
            "b0 = sch.get_block(\"C\", func=\"main\")\n"
            "l1, l2, l3 = sch.get_loops(b0)\n"
            "sch.parallel(l1)\n"
            "sch.annotate(b0, key=\"note\", value=\"a \\\"quoted\\\" value\")\n"
            "v4 = sch.sample_categorical([1, 2], probs=[0.5, 0.5], decision=1)\n");
  EXPECT_EQ(Trace::FromText(text).ToText(), text);
  EXPECT_EQ(sch.Get(ExprRV{4}), 2);
}

TEST(ScheduleCore, TraceErrors) {
  EXPECT_KILN_ERROR(Trace::FromText("b0 = sch.get_blok(\"C\")\n"),
                    "trace line 1: unknown primitive 'get_blok' (did you mean 'get_block'?)");
  EXPECT_KILN_ERROR(Trace::FromText("b0 = sch.get_block(\"C\"\n"), "trace 1:23: expected ')'");
  Schedule sch(Matmul(8, 8, 8));
  EXPECT_KILN_ERROR(Trace::FromText("sch.parallel(l3)\n").ApplyTo(sch),
                    "trace line 1 (sch.parallel(l3)): trace: handle l3 is used before an instruction defines it");
  EXPECT_KILN_ERROR(Trace::FromText("b0 = sch.get_block(\"X\")\n").ApplyTo(sch), "no block 'X'");
}

TEST(ScheduleCore, StaleLoopHandle) {
  Schedule sch(Matmul(8, 8, 8));
  LoopRV i = sch.GetLoops(sch.GetBlock("C"))[0];
  Schedule other(Matmul(8, 8, 8));
  EXPECT_KILN_ERROR(other.Parallel(LoopRV{99}), "does not belong to this schedule");
  EXPECT_KILN_ERROR(sch.Parallel(LoopRV{0}), "schedule: handle 0 is not a loop");
  sch.Parallel(i);
}

}  // namespace
}  // namespace kiln::tir::testing

namespace kiln::tir::testing {
namespace {

// A loop of one iteration runs in parallel trivially, whatever it writes.
TEST(ScheduleCore, SingleIterationLoopIsParallel) {
  PrimFunc f = ElementwiseChain(1, 8);
  Schedule sch(f);
  std::vector<LoopRV> loops = sch.GetLoops(sch.GetBlock("B"));
  sch.Parallel(loops[0]);
  ExpectSameResult(f, MainOf(sch));
}

}  // namespace
}  // namespace kiln::tir::testing
