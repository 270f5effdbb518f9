// cache_read and cache_write: the copies they add, where they go, which
// accesses move to the cached buffer, results after an LLVM build, trace
// replay, and every refusal.
#include "kiln/tir/lower.h"
#include "schedule_test_util.h"

namespace kiln::tir::testing {
namespace {

// B = A * 2, C = A + B: two blocks read A.
PrimFunc TwoReaders(PrimExpr n) {
  te::Tensor a = te::placeholder({n, 8}, DataType::Float(32), "A");
  te::Tensor b = te::compute(
      {n, 8}, [&](Var i, Var j) { return a(i, j) * 2.0; }, "B");
  te::Tensor c = te::compute(
      {n, 8}, [&](Var i, Var j) { return a(i, j) + b(i, j); }, "C");
  return te::create_prim_func({a}, {c});
}

std::vector<std::string> Names(const Schedule& sch, const std::vector<BlockRV>& blocks) {
  std::vector<std::string> out;
  for (const BlockRV& b : blocks) out.push_back(sch.Get(b));
  return out;
}

const BlockNode* BlockOf(const Schedule& sch, const BlockRV& b) {
  return sch.GetStmt(b).as<BlockNode>();
}

// ---- cache_read -------------------------------------------------------------------

TEST(CacheRead, MatmulInputsGoThroughCopies) {
  PrimFunc f = Matmul(16, 8, 12);
  Schedule sch(f);
  BlockRV c = sch.GetBlock("C");
  BlockRV a_shared = sch.CacheRead(c, 0, "shared");
  BlockRV b_local = sch.CacheRead(c, 1, "local");
  EXPECT_EQ(sch.Get(a_shared), "A_shared");
  EXPECT_EQ(sch.Get(b_local), "B_local");
  BlockRV root = sch.GetBlock("root");
  EXPECT_EQ(Names(sch, sch.GetChildBlocks(root)), (std::vector<std::string>{"A_shared", "B_local", "C"}));
  const BlockNode* cb = BlockOf(sch, c);
  EXPECT_EQ(cb->reads[0].buffer->name, "A_shared");
  EXPECT_EQ(cb->reads[1].buffer->name, "B_local");
  const BlockNode* rb = BlockOf(sch, root);
  ASSERT_EQ(rb->alloc_buffers.size(), 2u);
  EXPECT_EQ(rb->alloc_buffers[0]->scope, "shared");
  EXPECT_EQ(rb->alloc_buffers[1]->scope, "local");
  EXPECT_EQ(sch.GetLoops(a_shared).size(), 2u);
  ExpectSameResult(f, MainOf(sch));
  ExpectTraceReplays(f, sch);
}

TEST(CacheRead, TheProgramItMakes) {
  Schedule sch(ElementwiseChain(4, 8));
  sch.CacheRead(sch.GetBlock("B"), 0, "shared");
  const char* expected = R"(prim @func(A: Buffer((4, 8), float32), C: Buffer((4, 8), float32)) {
  block "root" {
    alloc_buffer B: Buffer((4, 8), float32)
    alloc_buffer A_shared: Buffer((4, 8), float32, scope="shared")
    for ax0 in range(4) {
      for ax1 in range(8) {
        block "A_shared" {
          v0 = spatial(4, ax0)
          v1 = spatial(8, ax1)
          reads(A[v0, v1])
          writes(A_shared[v0, v1])
          A_shared[v0, v1] = A[v0, v1]
        }
      }
    }
    for i0 in range(4) {
      for i1 in range(8) {
        block "B" {
          v_i0 = spatial(4, i0)
          v_i1 = spatial(8, i1)
          reads(A_shared[v_i0, v_i1])
          writes(B[v_i0, v_i1])
          B[v_i0, v_i1] = A_shared[v_i0, v_i1] * 2.0
        }
      }
    }
    for i0_1 in range(4) {
      for i1_1 in range(8) {
        block "C" {
          v_i0_1 = spatial(4, i0_1)
          v_i1_1 = spatial(8, i1_1)
          reads(B[v_i0_1, v_i1_1])
          writes(C[v_i0_1, v_i1_1])
          C[v_i0_1, v_i1_1] = B[v_i0_1, v_i1_1] + 1.0
        }
      }
    }
  }
}
)";
  EXPECT_EQ(ToText(MainOf(sch)), expected);
}

TEST(CacheRead, CopyGoesAfterTheLastWriter) {
  Var n = SizeVar("n");
  PrimFunc f = ElementwiseChain(n, 8);
  Schedule sch(f);
  BlockRV copy = sch.CacheRead(sch.GetBlock("C"), 0, "local");
  EXPECT_EQ(sch.Get(copy), "B_local");
  EXPECT_EQ(Names(sch, sch.GetChildBlocks(sch.GetBlock("root"))), (std::vector<std::string>{"B", "B_local", "C"}));
  EXPECT_EQ(BlockOf(sch, sch.GetBlock("B"))->writes[0].buffer->name, "B");
  for (int64_t size : {1, 7, 33}) ExpectSameResult(f, MainOf(sch), {{"n", size}});
  ExpectTraceReplays(f, sch);
}

TEST(CacheRead, EveryReaderAfterTheCopyReadsIt) {
  Var n = SizeVar("n");
  PrimFunc f = TwoReaders(n);
  Schedule sch(f);
  sch.CacheRead(sch.GetBlock("C"), 0, "shared");
  EXPECT_EQ(Names(sch, sch.GetChildBlocks(sch.GetBlock("root"))), (std::vector<std::string>{"A_shared", "B", "C"}));
  EXPECT_EQ(BlockOf(sch, sch.GetBlock("B"))->reads[0].buffer->name, "A_shared");
  EXPECT_EQ(BlockOf(sch, sch.GetBlock("C"))->reads[0].buffer->name, "A_shared");
  EXPECT_EQ(BlockOf(sch, sch.GetBlock("C"))->reads[1].buffer->name, "B");
  for (int64_t size : {1, 5}) ExpectSameResult(f, MainOf(sch), {{"n", size}});
  ExpectTraceReplays(f, sch);
}

TEST(CacheRead, NamesStayUnique) {
  PrimFunc f = Matmul(4, 4, 4);
  Schedule sch(f);
  BlockRV c = sch.GetBlock("C");
  sch.CacheRead(c, 0, "shared");
  // C now reads A_shared; caching that again gives A_shared_shared, and a
  // second copy of B in the same scope gets a suffix.
  EXPECT_EQ(sch.Get(sch.CacheRead(c, 0, "shared")), "A_shared_shared");
  EXPECT_EQ(sch.Get(sch.CacheRead(c, 1, "local")), "B_local");
  ExpectSameResult(f, MainOf(sch));
  ExpectTraceReplays(f, sch);
}

// B and C under one loop: C reads what B writes in the same iteration.
constexpr const char* kSharedNest = R"(module {
  prim @main(A: Buffer((8,), float32), C: Buffer((8,), float32)) {
    block "root" {
      alloc_buffer B: Buffer((8,), float32)
      for i in range(8) {
        block "B" {
          vb = spatial(8, i)
          reads(A[vb])
          writes(B[vb])
          B[vb] = A[vb] * 2.0
        }
        block "C" {
          vc = spatial(8, i)
          reads(B[vc])
          writes(C[vc])
          C[vc] = B[vc] + 1.0
        }
      }
    }
  }
})";

// Block "B" updates A in place: A[i] = A[i] + 1.
constexpr const char* kInPlace = R"(
prim @main(A: Buffer((8,), float32)) {
  block "root" {
    for i in range(8) {
      block "B" {
        v = spatial(8, i)
        reads(A[v])
        writes(A[v])
        A[v] = A[v] + 1.0
      }
    }
  }
})";

// B[i] = A[i] with no root block around the loop.
constexpr const char* kRootless = R"(
prim @main(A: Buffer((8,), float32), B: Buffer((8,), float32)) {
  for i in range(8) {
    block "B" {
      v = spatial(8, i)
      reads(A[v])
      writes(B[v])
      B[v] = A[v]
    }
  }
})";

TEST(CacheRead, AnInputOfASharedNest) {
  PrimFunc f = ParseMain(kSharedNest);
  Schedule sch(f);
  sch.CacheRead(sch.GetBlock("B"), 0, "local");
  EXPECT_EQ(Names(sch, sch.GetChildBlocks(sch.GetBlock("root"))), (std::vector<std::string>{"A_local", "B", "C"}));
  ExpectSameResult(f, MainOf(sch));
  ExpectTraceReplays(f, sch);
}

TEST(CacheRead, Refusals) {
  Schedule sch(Matmul(4, 4, 4));
  BlockRV c = sch.GetBlock("C");
  EXPECT_KILN_ERROR(sch.CacheRead(c, 2, "shared"), "cache_read: block 'C' has 2 reads; read_index 2 is out of range");
  EXPECT_KILN_ERROR(sch.CacheRead(c, -1, "shared"), "cache_read: block 'C' has 2 reads; read_index -1 is out of range");
  EXPECT_KILN_ERROR(sch.CacheRead(c, 0, "texture"),
                    "cache_read: 'texture' is not a storage scope (global, shared, local)");
  EXPECT_KILN_ERROR(sch.CacheRead(sch.GetBlock("root"), 0, "shared"),
                    "cache_read: block 'root' has 0 reads; read_index 0 is out of range");

  Schedule nest(ParseMain(kSharedNest));
  EXPECT_KILN_ERROR(nest.CacheRead(nest.GetBlock("C"), 0, "local"),
                    "cache_read: block 'C' shares a loop nest with block 'B', the last writer of buffer 'B'; the "
                    "copy cannot go between them");

  Schedule later(ParseMain(R"(module {
  prim @main(A: Buffer((8,), float32), C: Buffer((8,), float32)) {
    block "root" {
      for i in range(8) {
        block "C" {
          vc = spatial(8, i)
          reads(A[vc])
          writes(C[vc])
          C[vc] = A[vc]
        }
      }
      for j in range(8) {
        block "W" {
          vw = spatial(8, j)
          writes(A[vw])
          A[vw] = 0.0
        }
      }
    }
  }
})"));
  EXPECT_KILN_ERROR(later.CacheRead(later.GetBlock("C"), 0, "shared"),
                    "cache_read: block 'W' writes buffer 'A' after block 'C' reads it; the copy goes after the "
                    "last writer");

  Schedule inplace(ParseMain(kInPlace));
  EXPECT_KILN_ERROR(inplace.CacheRead(inplace.GetBlock("B"), 0, "local"),
                    "cache_read: block 'B' also writes buffer 'A'; a buffer that a block updates is staged with "
                    "cache_write");

  Schedule rootless(ParseMain(kRootless));
  EXPECT_KILN_ERROR(rootless.CacheRead(rootless.GetBlock("B"), 0, "local"),
                    "cache_read: block 'B' has no enclosing block to allocate the cache in");

  Schedule pointer(ExternUseOf("A"));
  EXPECT_KILN_ERROR(pointer.CacheRead(pointer.GetBlock("B"), 0, "local"),
                    "cache_read: buffer 'A' is used through its data pointer in function 'main'; its accesses "
                    "cannot all be redirected");
  EXPECT_EQ(sch.trace().size(), 2u);  // the get_blocks: failed calls record nothing
}

// ---- cache_write ------------------------------------------------------------------

TEST(CacheWrite, MatmulAccumulatesInALocalBuffer) {
  PrimFunc f = Matmul(16, 8, 12);
  Schedule sch(f);
  BlockRV c = sch.GetBlock("C");
  BlockRV copy = sch.CacheWrite(c, 0, "local");
  EXPECT_EQ(sch.Get(copy), "C_local");
  EXPECT_EQ(Names(sch, sch.GetChildBlocks(sch.GetBlock("root"))), (std::vector<std::string>{"C", "C_local"}));
  const BlockNode* cb = BlockOf(sch, c);
  EXPECT_EQ(cb->writes[0].buffer->name, "C_local");
  EXPECT_EQ(cb->writes[0].buffer->scope, "local");
  // The update reads and the init writes the cache too.
  EXPECT_EQ(ToText(cb->init), "C_local[v_i0, v_i1] = 0.0\n");
  EXPECT_EQ(ToText(cb->body), "C_local[v_i0, v_i1] = C_local[v_i0, v_i1] + A[v_i0, v_k] * B[v_k, v_i1]\n");
  // The copy back is a plain spatial block over the whole of C.
  const BlockNode* cp = BlockOf(sch, copy);
  EXPECT_FALSE(cp->init);
  ASSERT_EQ(cp->iter_vars.size(), 2u);
  EXPECT_EQ(cp->iter_vars[0].kind, IterKind::kSpatial);
  EXPECT_EQ(cp->reads[0].buffer->name, "C_local");
  EXPECT_EQ(cp->writes[0].buffer->name, "C");
  ExpectSameResult(f, MainOf(sch));
  ExpectTraceReplays(f, sch);
}

TEST(CacheWrite, TheProgramItMakes) {
  Schedule sch(ElementwiseChain(4, 8));
  sch.CacheWrite(sch.GetBlock("B"), 0, "shared");
  const char* expected = R"(prim @func(A: Buffer((4, 8), float32), C: Buffer((4, 8), float32)) {
  block "root" {
    alloc_buffer B: Buffer((4, 8), float32)
    alloc_buffer B_shared: Buffer((4, 8), float32, scope="shared")
    for i0 in range(4) {
      for i1 in range(8) {
        block "B" {
          v_i0 = spatial(4, i0)
          v_i1 = spatial(8, i1)
          reads(A[v_i0, v_i1])
          writes(B_shared[v_i0, v_i1])
          B_shared[v_i0, v_i1] = A[v_i0, v_i1] * 2.0
        }
      }
    }
    for ax0 in range(4) {
      for ax1 in range(8) {
        block "B_shared" {
          v0 = spatial(4, ax0)
          v1 = spatial(8, ax1)
          reads(B_shared[v0, v1])
          writes(B[v0, v1])
          B[v0, v1] = B_shared[v0, v1]
        }
      }
    }
    for i0_1 in range(4) {
      for i1_1 in range(8) {
        block "C" {
          v_i0_1 = spatial(4, i0_1)
          v_i1_1 = spatial(8, i1_1)
          reads(B[v_i0_1, v_i1_1])
          writes(C[v_i0_1, v_i1_1])
          C[v_i0_1, v_i1_1] = B[v_i0_1, v_i1_1] + 1.0
        }
      }
    }
  }
}
)";
  EXPECT_EQ(ToText(MainOf(sch)), expected);
}

TEST(CacheWrite, SymbolicShapesAndBothCaches) {
  Var n = SizeVar("n");
  PrimFunc f = ElementwiseChain(n, 8);
  Schedule sch(f);
  BlockRV b = sch.GetBlock("B"), c = sch.GetBlock("C");
  sch.CacheWrite(b, 0, "local");
  sch.CacheRead(c, 0, "shared");
  sch.CacheWrite(c, 0, "local");
  EXPECT_EQ(Names(sch, sch.GetChildBlocks(sch.GetBlock("root"))),
            (std::vector<std::string>{"B", "B_local", "B_shared", "C", "C_local"}));
  for (int64_t size : {1, 6, 17}) ExpectSameResult(f, MainOf(sch), {{"n", size}});
  ExpectTraceReplays(f, sch);
}

// The copy follows the whole nest of the block it caches.
TEST(CacheWrite, CopyFollowsTheNestAroundTheBlock) {
  PrimFunc f = ParseMain(kSharedNest);
  Schedule sch(f);
  sch.CacheWrite(sch.GetBlock("C"), 0, "local");
  EXPECT_EQ(Names(sch, sch.GetChildBlocks(sch.GetBlock("root"))), (std::vector<std::string>{"B", "C", "C_local"}));
  ExpectSameResult(f, MainOf(sch));
  ExpectTraceReplays(f, sch);
}

TEST(CacheWrite, Refusals) {
  Schedule sch(Matmul(4, 4, 4));
  BlockRV c = sch.GetBlock("C");
  EXPECT_KILN_ERROR(sch.CacheWrite(c, 1, "local"), "cache_write: block 'C' has 1 write; write_index 1 is out of range");
  EXPECT_KILN_ERROR(sch.CacheWrite(c, 0, "registers"),
                    "cache_write: 'registers' is not a storage scope (global, shared, local)");

  // B is read by C inside B's own loop nest.
  Schedule nest(ParseMain(kSharedNest));
  EXPECT_KILN_ERROR(nest.CacheWrite(nest.GetBlock("B"), 0, "local"),
                    "cache_write: block 'C' reads buffer 'B' inside the loop nest of block 'B', before the copy back "
                    "would run");

  Schedule inplace(ParseMain(kInPlace));
  EXPECT_KILN_ERROR(inplace.CacheWrite(inplace.GetBlock("B"), 0, "local"),
                    "cache_write: block 'B' reads buffer 'A' as well as writing it, and is not a reduction; the cache "
                    "would not hold what it reads");

  Schedule shifted(ParseMain(R"(module {
  prim @main(A: Buffer((8,), float32), S: Buffer((9,), float32)) {
    block "root" {
      for i in range(8) {
        for k in range(8) {
          block "S" {
            v = spatial(8, i)
            vk = reduce(8, k)
            reads(A[vk])
            writes(S[v:+2])
            init {
              S[v + 1] = 0.0
            }
            S[v + 1] = S[v] + A[vk]
          }
        }
      }
    }
  }
})"));
  EXPECT_KILN_ERROR(shifted.CacheWrite(shifted.GetBlock("S"), 0, "local"),
                    "cache_write: block 'S' reads buffer 'S' at [v], which is not an element it updates");

  Schedule two(ParseMain(R"(module {
  prim @main(A: Buffer((8,), float32), B: Buffer((8,), float32)) {
    block "root" {
      for i in range(8) {
        block "B" {
          v = spatial(8, i)
          reads(A[v])
          writes(B[v])
          B[v] = A[v]
        }
      }
      for j in range(4) {
        block "B2" {
          w = spatial(4, j)
          writes(B[w])
          B[w] = 0.0
        }
      }
    }
  }
})"));
  EXPECT_KILN_ERROR(two.CacheWrite(two.GetBlock("B"), 0, "local"),
                    "cache_write: buffer 'B' is also written by block 'B2'; block 'B' must be its only writer in the "
                    "scope");

  Schedule partial(ParseMain(R"(module {
  prim @main(A: Buffer((8,), float32), B: Buffer((8,), float32)) {
    block "root" {
      for i in range(4) {
        block "B" {
          v = spatial(4, i)
          reads(A[v])
          writes(B[v + 2])
          B[v + 2] = A[v]
        }
      }
    }
  }
})"));
  EXPECT_KILN_ERROR(partial.CacheWrite(partial.GetBlock("B"), 0, "local"),
                    "cache_write: block 'B' may not write all of buffer 'B' (axis 0: [2, 6) of 8); the copy back "
                    "covers the whole buffer");

  Schedule rootless(ParseMain(kRootless));
  EXPECT_KILN_ERROR(rootless.CacheWrite(rootless.GetBlock("B"), 0, "local"),
                    "cache_write: block 'B' has no enclosing block to allocate the cache in");

  Schedule pointer(ExternUseOf("B"));
  EXPECT_KILN_ERROR(pointer.CacheWrite(pointer.GetBlock("B"), 0, "local"),
                    "cache_write: buffer 'B' is used through its data pointer in function 'main'; its accesses "
                    "cannot all be redirected");
}

// Inside a blockized row of the matmul the scope is the outer block "C_o":
// the copy of B goes there (once per row), and a cache_write would copy back
// all of C from a buffer each row fills only one row of, so it is refused.
TEST(CacheRead, InsideABlockizedScope) {
  PrimFunc f = Matmul(8, 8, 8);
  Schedule sch(f);
  BlockRV c = sch.GetBlock("C");
  BlockRV row = sch.Blockize(sch.GetLoops(c)[1]);
  BlockRV copy = sch.CacheRead(c, 1, "local");
  EXPECT_EQ(Names(sch, sch.GetChildBlocks(row)), (std::vector<std::string>{"B_local", "C"}));
  EXPECT_EQ(BlockOf(sch, row)->alloc_buffers.size(), 1u);
  EXPECT_EQ(BlockOf(sch, copy)->writes[0].buffer->scope, "local");
  ExpectSameResult(f, MainOf(sch));
  ExpectTraceReplays(f, sch);
  // (The row variable is named by blockize.)
  EXPECT_KILN_ERROR(sch.CacheWrite(c, 0, "local"), "cache_write: block 'C' may not write all of buffer 'C' (axis 0: [");
}

// ---- With split, reorder and compute_at ---------------------------------------------------

// A 16 x 16 tile of C accumulates in a "local" buffer written back under the
// tile; each 8-deep step of k reads its tiles of A and B into "shared"
// copies. Lowering shrinks each cache to one tile.
TEST(CacheWrite, TiledGemmWithStagedInputs) {
  PrimFunc f = Matmul(64, 48, 32);
  Schedule sch(f);
  BlockRV c = sch.GetBlock("C");
  std::vector<LoopRV> l = sch.GetLoops(c);
  std::vector<LoopRV> i = sch.Split(l[0], {std::monostate{}, int64_t{16}});
  std::vector<LoopRV> j = sch.Split(l[1], {std::monostate{}, int64_t{16}});
  std::vector<LoopRV> k = sch.Split(l[2], {std::monostate{}, int64_t{8}});
  sch.Reorder({i[0], j[0], k[0], i[1], j[1], k[1]});
  BlockRV write_back = sch.CacheWrite(c, 0, "local");
  sch.ReverseComputeAt(write_back, j[0]);
  BlockRV a_shared = sch.CacheRead(c, 0, "shared");
  sch.ComputeAt(a_shared, k[0]);
  BlockRV b_shared = sch.CacheRead(c, 1, "shared");
  sch.ComputeAt(b_shared, k[0]);
  EXPECT_EQ(Names(sch, sch.GetChildBlocks(k[0])), (std::vector<std::string>{"A_shared", "B_shared", "C"}));
  EXPECT_EQ(Names(sch, sch.GetChildBlocks(j[0])), (std::vector<std::string>{"A_shared", "B_shared", "C", "C_local"}));
  std::string lowered = ToText(LowerForCodegen(MainOf(sch)));
  for (const char* alloc :
       {"C_local: Buffer((256,), float32, scope=\"local\"", "A_shared: Buffer((128,), float32, scope=\"shared\"",
        "B_shared: Buffer((128,), float32, scope=\"shared\""}) {
    EXPECT_NE(lowered.find(alloc), std::string::npos) << alloc << "\n" << lowered;
  }
  ExpectSameResult(f, MainOf(sch));
  ExpectTraceReplays(f, sch);
}

}  // namespace
}  // namespace kiln::tir::testing
