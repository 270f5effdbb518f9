// set_scope and storage_align: the buffer changes everywhere in the function,
// the result after an LLVM build is unchanged, the trace replays, and every
// refusal.
#include "kiln/tir/lower.h"
#include "schedule_test_util.h"

namespace kiln::tir::testing {
namespace {

// The intermediate buffer B as the root block allocates it.
Buffer RootBuffer(Schedule& sch) {
  return sch.GetStmt(sch.GetBlock("root")).as<BlockNode>()->alloc_buffers.at(0);
}

std::vector<int64_t> Strides(const Buffer& b) {
  std::vector<int64_t> out;
  for (const PrimExpr& s : b->strides) out.push_back(ConstIntValue(s).value_or(-1));
  return out;
}

// B = A + 1 (3-d, intermediate), C = B * 2.
PrimFunc Chain3d(int64_t a, int64_t b, int64_t c) {
  te::Tensor x = te::placeholder({a, b, c}, DataType::Float(32), "A");
  te::Tensor y = te::compute(
      {a, b, c}, [&](Var i, Var j, Var k) { return x(i, j, k) + 1.0; }, "B");
  te::Tensor z = te::compute(
      {a, b, c}, [&](Var i, Var j, Var k) { return y(i, j, k) * 2.0; }, "C");
  return te::create_prim_func({x}, {z});
}

// ---- set_scope --------------------------------------------------------------------

TEST(SetScope, IntermediateBufferMovesEverywhere) {
  Var n = SizeVar("n");
  PrimFunc f = ElementwiseChain(n, 8);
  Schedule sch(f);
  sch.SetScope(sch.GetBlock("B"), 0, "shared");
  Buffer b = RootBuffer(sch);
  EXPECT_EQ(b->scope, "shared");
  EXPECT_EQ(sch.GetStmt(sch.GetBlock("B")).as<BlockNode>()->writes[0].buffer.get(), b.get());
  EXPECT_EQ(sch.GetStmt(sch.GetBlock("C")).as<BlockNode>()->reads[0].buffer.get(), b.get());
  EXPECT_NE(ToText(MainOf(sch)).find("alloc_buffer B: Buffer((n, 8), float32, scope=\"shared\")"), std::string::npos);
  for (int64_t size : {1, 9}) ExpectSameResult(f, MainOf(sch), {{"n", size}});
  ExpectTraceReplays(f, sch);
}

TEST(SetScope, SameScopeChangesNothing) {
  PrimFunc f = ElementwiseChain(4, 4);
  Schedule sch(f);
  sch.SetScope(sch.GetBlock("B"), 0, "global");
  EXPECT_EQ(MainOf(sch).get(), f.get());
  EXPECT_EQ(sch.trace().size(), 2u);  // recorded all the same
  ExpectTraceReplays(f, sch);
}

TEST(SetScope, Refusals) {
  Schedule sch(ElementwiseChain(4, 4));
  EXPECT_KILN_ERROR(sch.SetScope(sch.GetBlock("C"), 0, "shared"),
                    "set_scope: buffer 'C' is a parameter of function 'main'; set_scope changes only buffers that a "
                    "block allocates");
  EXPECT_KILN_ERROR(sch.SetScope(sch.GetBlock("B"), 1, "shared"),
                    "set_scope: block 'B' has 1 write; write_index 1 is out of range");
  EXPECT_KILN_ERROR(sch.SetScope(sch.GetBlock("B"), 0, "warp"),
                    "set_scope: 'warp' is not a storage scope (global, shared, local)");
}

// ---- storage_align ----------------------------------------------------------------

TEST(StorageAlign, PadsTheRowStride) {
  PrimFunc f = ElementwiseChain(16, 30);
  Schedule sch(f);
  sch.StorageAlign(sch.GetBlock("B"), 0, 0, 32, 8);
  Buffer b = RootBuffer(sch);
  EXPECT_EQ(Strides(b), (std::vector<int64_t>{40, 1}));  // 30 padded to 40 = 32 + 8
  EXPECT_EQ(sch.GetStmt(sch.GetBlock("C")).as<BlockNode>()->reads[0].buffer.get(), b.get());
  EXPECT_NE(ToText(MainOf(sch)).find("alloc_buffer B: Buffer((16, 30), float32, strides=(40, 1))"), std::string::npos);
  // Lowering keeps the padded rows: B is allocated 16 * 40 and indexed i * 40 + j.
  std::string lowered = ToText(LowerForCodegen(MainOf(sch)));
  EXPECT_NE(lowered.find("Buffer((640,), float32"), std::string::npos) << lowered;
  EXPECT_NE(lowered.find("* 40 +"), std::string::npos) << lowered;
  ExpectSameResult(f, MainOf(sch));
  ExpectTraceReplays(f, sch);
}

TEST(StorageAlign, InnerAxesFirstThenOuter) {
  PrimFunc f = Chain3d(3, 5, 6);
  Schedule sch(f);
  BlockRV b = sch.GetBlock("B");
  sch.StorageAlign(b, 0, 1, 8, 0);  // stride of axis 1: 6 -> 8
  EXPECT_EQ(Strides(RootBuffer(sch)), (std::vector<int64_t>{40, 8, 1}));
  sch.StorageAlign(b, 0, 0, 16, 4);  // stride of axis 0: 5 * 8 = 40 -> 52
  EXPECT_EQ(Strides(RootBuffer(sch)), (std::vector<int64_t>{52, 8, 1}));
  ExpectSameResult(f, MainOf(sch));
  ExpectTraceReplays(f, sch);
}

TEST(StorageAlign, InnermostAxisFollowsTvmsRule) {
  // The stride of the last axis is padded too: 1 -> 2 (2 % 4 == 2).
  PrimFunc f = Chain3d(2, 3, 4);
  Schedule sch(f);
  sch.StorageAlign(sch.GetBlock("B"), 0, 2, 4, 2);
  EXPECT_EQ(Strides(RootBuffer(sch)), (std::vector<int64_t>{24, 8, 2}));
  ExpectSameResult(f, MainOf(sch));
  ExpectTraceReplays(f, sch);
}

// A shared copy of A's tiles with padded rows. The strides are fixed for
// the buffer's whole shape, so lowering does not shrink it to one tile
// (CompactBufferAllocation leaves strided buffers alone): correct, larger.
TEST(StorageAlign, CacheBufferUnderATile) {
  PrimFunc f = Matmul(32, 16, 24);
  Schedule sch(f);
  BlockRV c = sch.GetBlock("C");
  std::vector<LoopRV> l = sch.GetLoops(c);
  std::vector<LoopRV> i = sch.Split(l[0], {std::monostate{}, int64_t{8}});
  BlockRV a_shared = sch.CacheRead(c, 0, "shared");
  sch.ComputeAt(a_shared, i[0]);
  sch.StorageAlign(a_shared, 0, 0, 32, 8);
  EXPECT_EQ(Strides(RootBuffer(sch)), (std::vector<int64_t>{40, 1}));
  std::string lowered = ToText(LowerForCodegen(MainOf(sch)));
  EXPECT_NE(lowered.find("A_shared: Buffer((1280,), float32, scope=\"shared\""), std::string::npos) << lowered;
  ExpectSameResult(f, MainOf(sch));
  ExpectTraceReplays(f, sch);
}

TEST(StorageAlign, AlreadyAlignedChangesNothing) {
  PrimFunc f = ElementwiseChain(4, 32);
  Schedule sch(f);
  sch.StorageAlign(sch.GetBlock("B"), 0, 0, 16, 0);  // 32 % 16 == 0 already
  EXPECT_EQ(MainOf(sch).get(), f.get());
  sch.StorageAlign(sch.GetBlock("B"), 0, 0, 16, 4);  // 36
  EXPECT_EQ(Strides(RootBuffer(sch)), (std::vector<int64_t>{36, 1}));
  sch.StorageAlign(sch.GetBlock("B"), 0, 0, 16, 2);  // realigned from the inner stride: 34
  EXPECT_EQ(Strides(RootBuffer(sch)), (std::vector<int64_t>{34, 1}));
  PrimFunc once = MainOf(sch);
  sch.StorageAlign(sch.GetBlock("B"), 0, 0, 16, 2);
  EXPECT_EQ(MainOf(sch).get(), once.get());
  ExpectSameResult(f, MainOf(sch));
  ExpectTraceReplays(f, sch);
}

TEST(StorageAlign, Refusals) {
  Schedule sch(ElementwiseChain(4, 4));
  BlockRV b = sch.GetBlock("B");
  EXPECT_KILN_ERROR(sch.StorageAlign(sch.GetBlock("C"), 0, 0, 4, 0),
                    "storage_align: buffer 'C' is a parameter of function 'main'; storage_align changes only buffers "
                    "that a block allocates");
  EXPECT_KILN_ERROR(sch.StorageAlign(b, 1, 0, 4, 0),
                    "storage_align: block 'B' has 1 write; write_index 1 is out of range");
  EXPECT_KILN_ERROR(sch.StorageAlign(b, 0, 2, 4, 0),
                    "storage_align: axis 2 is out of range for buffer 'B' of 2 dimensions");
  EXPECT_KILN_ERROR(sch.StorageAlign(b, 0, -1, 4, 0),
                    "storage_align: axis -1 is out of range for buffer 'B' of 2 dimensions");
  EXPECT_KILN_ERROR(sch.StorageAlign(b, 0, 0, 0, 0), "storage_align: factor must be positive, not 0");
  EXPECT_KILN_ERROR(sch.StorageAlign(b, 0, 0, 4, 4),
                    "storage_align: offset must be in [0, factor), not 4 with factor 4");
  EXPECT_KILN_ERROR(sch.StorageAlign(b, 0, 0, 4, -1),
                    "storage_align: offset must be in [0, factor), not -1 with factor 4");

  Schedule symbolic(ElementwiseChain(4, SizeVar("n")));
  EXPECT_KILN_ERROR(symbolic.StorageAlign(symbolic.GetBlock("B"), 0, 0, 4, 0),
                    "storage_align: buffer 'B' has the symbolic shape (4, n); storage_align needs constant dimensions");

  Schedule outer(Chain3d(2, 3, 4));
  outer.StorageAlign(outer.GetBlock("B"), 0, 0, 16, 0);
  EXPECT_KILN_ERROR(
      outer.StorageAlign(outer.GetBlock("B"), 0, 1, 8, 0),
      "storage_align: buffer 'B' is already aligned at axis 0, outside axis 1; align the inner axes first");

  Schedule pointer(ParseMain(R"(module {
  prim @main(A: Buffer((8,), float32), C: Buffer((8,), float32)) {
    block "root" {
      alloc_buffer B: Buffer((8,), float32)
      for i in range(8) {
        block "B" {
          v = spatial(8, i)
          reads(A[v])
          writes(B[v])
          B[v] = A[v]
        }
      }
      block "ext" {
        call("call_extern", "consume", B.data, dtype=int32)
      }
    }
  }
})"));
  EXPECT_KILN_ERROR(pointer.StorageAlign(pointer.GetBlock("B"), 0, 0, 4, 1),
                    "storage_align: buffer 'B' is used through its data pointer; its layout cannot change");
}

}  // namespace
}  // namespace kiln::tir::testing
