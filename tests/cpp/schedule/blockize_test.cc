// blockize: the program it makes (compared with the expected program written
// as text), results equal to the unscheduled kernel's after building (also
// at several sizes of a symbolic dimension), trace replay, and every
// precondition it refuses.
#include "schedule_test_util.h"

namespace kiln::tir::testing {
namespace {

TEST(Blockize, InnerRowOfATiledMatmul) {
  PrimFunc f = Matmul(64, 64, 32);
  std::vector<LoopRV> l;
  Schedule sch = TiledMatmul(f, &l);
  BlockRV outer = sch.Blockize(l[4]);
  EXPECT_EQ(sch.Get(outer), "C_o");
  // The init moves out (the outer block reduces over k); the inner block
  // keeps its iteration variables, bound through the outer ones.
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
              for j1 in range(16) {
                block "C" {
                  vi = spatial(64, vi_o)
                  vj = spatial(64, j1 + vj_o * 16)
                  vk = reduce(32, vk_o)
                  reads(A[vi, vk], B[vk, vj])
                  writes(C[vi, vj])
                  C[vi, vj] = C[vi, vj] + A[vi, vk] * B[vk, vj]
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

TEST(Blockize, WholeReductionInsideKeepsTheInit) {
  PrimFunc f = Matmul(8, 8, 8);
  Schedule sch(f);
  std::vector<LoopRV> l = sch.GetLoops(sch.GetBlock("C"));
  sch.Blockize(l[1]);  // j and k inside: one outer instance per row
  ExpectProgram(sch, R"(
prim @main(A: Buffer((8, 8), float32), B: Buffer((8, 8), float32), C: Buffer((8, 8), float32)) {
  block "root" {
    for i in range(8) {
      block "C_o" {
        vi_o = spatial(8, i)
        reads(A[vi_o, 0:+8], B[0:+8, 0:+8])
        writes(C[vi_o, 0:+8])
        for j in range(8) {
          for k in range(8) {
            block "C" {
              vi = spatial(8, vi_o)
              vj = spatial(8, j)
              vk = reduce(8, k)
              reads(A[vi, vk], B[vk, vj])
              writes(C[vi, vj])
              init {
                C[vi, vj] = 0.0
              }
              C[vi, vj] = C[vi, vj] + A[vi, vk] * B[vk, vj]
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

TEST(Blockize, SplitReductionMovesTheInitOut) {
  PrimFunc f = Matmul(8, 8, 32);
  Schedule sch(f);
  std::vector<LoopRV> l = sch.GetLoops(sch.GetBlock("C"));
  std::vector<LoopRV> k = sch.Split(l[2], {kInfer, int64_t{4}});
  BlockRV outer = sch.Blockize(k[1]);
  const BlockNode* o = sch.GetStmt(outer).as<BlockNode>();
  ASSERT_EQ(o->iter_vars.size(), 3u);
  EXPECT_EQ(o->iter_vars[2].kind, IterKind::kReduce);
  EXPECT_EQ(ToText(o->iter_vars[2].dom.extent), "8");
  EXPECT_TRUE(o->init);
  EXPECT_FALSE(sch.GetStmt(sch.GetBlock("C")).as<BlockNode>()->init);
  ExpectSameResult(f, MainOf(sch));
  ExpectTraceReplays(f, sch);
}

TEST(Blockize, OutermostLoopAndNestedBlockize) {
  PrimFunc f = Matmul(16, 32, 8);
  {
    Schedule sch(f);
    BlockRV outer = sch.Blockize(sch.GetLoops(sch.GetBlock("C"))[0]);
    EXPECT_TRUE(sch.GetStmt(outer).as<BlockNode>()->iter_vars.empty());
    ExpectSameResult(f, MainOf(sch));
    ExpectTraceReplays(f, sch);
  }
  std::vector<LoopRV> l;
  Schedule sch = TiledMatmul(f, &l);
  BlockRV row = sch.Blockize(l[4]);
  BlockRV tile = sch.Blockize(l[3]);  // around "C_o"
  EXPECT_EQ(sch.Get(tile), "C_o_o");
  std::vector<BlockRV> children = sch.GetChildBlocks(tile);  // the init's block, then "C_o"
  ASSERT_EQ(children.size(), 2u);
  EXPECT_EQ(sch.Get(children[0]), "C_o_init");
  EXPECT_EQ(sch.Get(children[1]), sch.Get(row));
  ExpectSameResult(f, MainOf(sch));
  ExpectTraceReplays(f, sch);
}

TEST(Blockize, SymbolicExtents) {
  Var m = SizeVar("m"), n = SizeVar("n");
  PrimFunc f = ElementwiseChain(m, n);
  Schedule sch(f);
  std::vector<LoopRV> l = sch.GetLoops(sch.GetBlock("C"));
  std::vector<LoopRV> j = sch.Split(l[1], {kInfer, int64_t{1}});
  sch.Blockize(j[0]);  // the whole row: extent n inside
  sch.Blockize(sch.GetLoops(sch.GetBlock("B"))[1]);
  for (auto dims : std::vector<std::map<std::string, int64_t>>{{{"m", 3}, {"n", 5}}, {{"m", 1}, {"n", 16}}}) {
    ExpectSameResult(f, MainOf(sch), dims);
  }
  ExpectTraceReplays(f, sch);
}

TEST(Blockize, PredicateOfTheLoopsOutsideMovesOut) {
  PrimFunc f = ElementwiseChain(10, 32);
  Schedule sch(f);
  std::vector<LoopRV> l = sch.GetLoops(sch.GetBlock("B"));
  sch.Split(l[0], {kInfer, int64_t{4}});  // 12 iterations for 10: a predicate
  BlockRV outer = sch.Blockize(l[1]);
  EXPECT_TRUE(sch.GetStmt(outer).as<BlockNode>()->predicate);
  EXPECT_FALSE(sch.GetStmt(sch.GetBlock("B")).as<BlockNode>()->predicate);
  ExpectSameResult(f, MainOf(sch));
  ExpectTraceReplays(f, sch);
}

// ---- refusals ------------------------------------------------------------------

TEST(Blockize, RefusesAnythingButOneBlockUnderLoops) {
  PrimFunc two = ParseMain(R"(
prim @main(A: Buffer((4,), float32), B: Buffer((4,), float32), C: Buffer((4,), float32)) {
  block "root" {
    for i in range(4) {
      block "B" {
        vi = spatial(4, i)
        reads(A[vi])
        writes(B[vi])
        B[vi] = A[vi] * 2.0
      }
      block "C" {
        vi = spatial(4, i)
        reads(B[vi])
        writes(C[vi])
        C[vi] = B[vi] + 1.0
      }
    }
    for j in range(4) {
      A[j] = 0.0
    }
    for k in range(4) {
      if k < 2 {
        block "D" {
          vk = spatial(4, k)
          writes(C[vk])
          C[vk] = 1.0
        }
      }
    }
  }
})");
  Schedule sch(two);
  BlockRV root = sch.GetBlock("root");
  std::vector<BlockRV> children = sch.GetChildBlocks(root);
  ASSERT_EQ(children.size(), 3u);
  LoopRV i = sch.GetLoops(children[0])[0];
  EXPECT_KILN_ERROR(sch.Blockize(i), "blockize: loop 'i' must hold exactly one block, it holds 2 ('B', 'C')");
  LoopRV k = sch.GetLoops(children[2])[0];
  EXPECT_KILN_ERROR(
      sch.Blockize(k),
      "blockize: only loops may lie between loop 'k' and block 'D'; found a statement of kind IfThenElse");
  EXPECT_EQ(sch.trace().size(), 4u);  // get_block, get_child_blocks, get_loops twice: failed calls record nothing
}

PrimFunc WithBindings(const std::string& loops, const std::string& vi, const std::string& extent,
                      const std::string& where = "") {
  return ParseMain(R"(
prim @main(A: Buffer((64,), float32)) {
  block "root" {
)" + loops + R"(
      block "B" {
        vi = spatial()" +
                   extent + ", " + vi + R"()
        writes(A[vi])
)" + (where.empty() ? "" : "        where(" + where + ")\n") +
                   R"(        A[vi] = 1.0
      }
    }
  }
  }
})");
}

TEST(Blockize, RefusesBindingsItCannotSplit) {
  const std::string two_loops = "    for i0 in range(4) {\n      for i1 in range(16) {";
  {
    Schedule sch(WithBindings(two_loops, "i0 * 16 + i1 // 2 * 2", "64"));
    EXPECT_KILN_ERROR(sch.Blockize(sch.GetLoops(sch.GetBlock("B"))[1]),
                      "blockize: the binding i0 * 16 + i1 // 2 * 2 of 'vi' in block 'B' is not affine in the loops "
                      "from 'i1' down, so it cannot be split into a part outside the block and a part inside");
  }
  {
    Schedule sch(WithBindings("    for i0 in range(2) {\n      for i1 in range(16) {", "i0 * 32 + i1 * 2", "64"));
    EXPECT_KILN_ERROR(sch.Blockize(sch.GetLoops(sch.GetBlock("B"))[1]),
                      "blockize: the binding i0 * 32 + i1 * 2 of 'vi' in block 'B' does not run densely over the "
                      "loops from 'i1' down (loop 'i1' has coefficient 2, not 1)");
  }
  {
    Schedule sch(WithBindings("    for i0 in range(5) {\n      for i1 in range(4) {", "i0 * 3 + i1", "16"));
    EXPECT_KILN_ERROR(sch.Blockize(sch.GetLoops(sch.GetBlock("B"))[1]),
                      "blockize: the binding i0 * 3 + i1 of 'vi' in block 'B' has a part outside loop 'i1' (i0 * 3) "
                      "that does not step in multiples of 4, what the loops from 'i1' down cover");
  }
  {
    Schedule sch(
        WithBindings("    for i0 in range(3) {\n      for i1 in range(4) {", "i0 * 4 + i1", "10", "i0 * 4 + i1 < 10"));
    EXPECT_KILN_ERROR(sch.Blockize(sch.GetLoops(sch.GetBlock("B"))[1]),
                      "blockize: the extent 10 of 'vi' in block 'B' is not a multiple of 4, what the loops from 'i1' "
                      "down cover");
  }
  {
    Schedule sch(WithBindings("    for i0 in range(8) {\n      for i1 in range(i0) {", "i0 * 8 + i1", "64"));
    EXPECT_KILN_ERROR(sch.Blockize(sch.GetLoops(sch.GetBlock("B"))[1]),
                      "blockize: the range of loop 'i1' depends on loops outside loop 'i1'");
  }
}

TEST(Blockize, StaleLoop) {
  std::vector<LoopRV> l;
  Schedule sch = TiledMatmul(Matmul(16, 16, 4), &l);
  sch.Blockize(l[4]);
  sch.Split(l[3], {int64_t{2}, int64_t{2}});
  EXPECT_KILN_ERROR(sch.Blockize(l[3]), "blockize: loop 'i0_1' is no longer in function 'main'");
}

}  // namespace
}  // namespace kiln::tir::testing
