// transform_layout and IndexMap: maps that print and parse back, the
// program after a layout change (shapes, accesses, regions), results after an
// LLVM build (a transformed parameter is fed the input laid out by the same
// map), trace replay through text, and every refusal.
#include "schedule_test_util.h"

namespace kiln::tir::testing {
namespace {

// ---- IndexMap ------------------------------------------------------------------------

TEST(IndexMap, TextRoundTrips) {
  for (const char* text : {"lambda i, j: (j // 16, i, j %% 16)", "lambda i: (i,)", "lambda a, b, c: (c, a * 4 + b)",
                           "lambda n, h, w, c: (n, c // 8, h, w, c %% 8)"}) {
    IndexMap m = IndexMap::FromText(text);
    EXPECT_EQ(m.ToText(), text);
    EXPECT_EQ(IndexMap::FromText(m.ToText()).ToText(), text);
  }
  // Spaces, a single index without parentheses, and a trailing comma.
  EXPECT_EQ(IndexMap::FromText("  lambda  x ,y :  y*2+x  ").ToText(), "lambda x, y: (y * 2 + x,)");
  EXPECT_EQ(IndexMap::FromText("lambda x, y: (y, x,)").ToText(), "lambda x, y: (y, x)");
  // Nested parentheses and calls split only at top-level commas.
  EXPECT_EQ(IndexMap::FromText("lambda x, y: ((x + y) // 2, min(x, y))").ToText(),
            "lambda x, y: ((x + y) // 2, min(x, y))");
}

TEST(IndexMap, FromFuncMapAndMapShape) {
  IndexMap m = IndexMap::FromFunc(2, [](const std::vector<Var>& v) -> std::vector<PrimExpr> {
    return {floordiv(v[1], 4), v[0], floormod(v[1], 4)};
  });
  EXPECT_EQ(m.ToText(), "lambda i0, i1: (i1 // 4, i0, i1 %% 4)");
  EXPECT_EQ(
      IndexMap::FromFunc(1, [](const std::vector<Var>& v) -> std::vector<PrimExpr> { return {v[0]}; }, {"x"}).ToText(),
      "lambda x: (x,)");
  std::vector<PrimExpr> at = m.Map({PrimExpr(int64_t{3}), PrimExpr(int64_t{13})});
  ASSERT_EQ(at.size(), 3u);
  EXPECT_EQ(ConstIntValue(at[0]), 3);
  EXPECT_EQ(ConstIntValue(at[1]), 3);
  EXPECT_EQ(ConstIntValue(at[2]), 1);
  std::vector<PrimExpr> shape = m.MapShape({PrimExpr(int64_t{5}), PrimExpr(int64_t{32})});
  ASSERT_EQ(shape.size(), 3u);
  EXPECT_EQ(ConstIntValue(shape[0]), 8);
  EXPECT_EQ(ConstIntValue(shape[1]), 5);
  EXPECT_EQ(ConstIntValue(shape[2]), 4);
  // Truncating % (as written in Python) bounds the same for indices >= 0.
  std::vector<PrimExpr> trunc =
      IndexMap::FromText("lambda i, j: (j // 16, i, j % 16)").MapShape({PrimExpr(int64_t{4}), PrimExpr(int64_t{32})});
  ASSERT_EQ(trunc.size(), 3u);
  EXPECT_EQ(ConstIntValue(trunc[0]), 2);
  EXPECT_EQ(ConstIntValue(trunc[2]), 16);
  EXPECT_KILN_ERROR(m.Map({PrimExpr(int64_t{1})}),
                    "index map lambda i0, i1: (i1 // 4, i0, i1 %% 4) takes 2 indices, not 1");
  EXPECT_KILN_ERROR(m.MapShape({PrimExpr(int64_t{1})}),
                    "index map lambda i0, i1: (i1 // 4, i0, i1 %% 4) takes 2 indices; the buffer has 1 dimensions");
  EXPECT_KILN_ERROR(IndexMap::FromText("lambda i: (i - 1,)").MapShape({PrimExpr(int64_t{4})}),
                    "index map lambda i: (i - 1,): output index 0 may be negative (down to -1)");
  EXPECT_KILN_ERROR(IndexMap::FromFunc(2, [](const std::vector<Var>&) { return std::vector<PrimExpr>{}; }),
                    "index map: the map gives no index");
  EXPECT_KILN_ERROR(IndexMap::FromFunc(2, [](const std::vector<Var>& v) { return std::vector<PrimExpr>{v[0]}; }, {"a"}),
                    "index map: 1 names for 2 dimensions");
}

TEST(IndexMap, TextErrorsNameTheColumn) {
  EXPECT_KILN_ERROR(IndexMap::FromText("(i, j) -> (j, i)"), "index map 1:1: expected 'lambda' in \"(i, j) -> (j, i)\"");
  EXPECT_KILN_ERROR(IndexMap::FromText(""), "index map 1:1: expected 'lambda'");
  EXPECT_KILN_ERROR(IndexMap::FromText("lambda i, j (j, i)"), "index map 1:7: expected ':'");
  EXPECT_KILN_ERROR(IndexMap::FromText("lambda i, : (i,)"), "index map 1:10: expected a variable name");
  EXPECT_KILN_ERROR(IndexMap::FromText("lambda i j: (i,)"), "index map 1:7: bad variable name 'i j'");
  EXPECT_KILN_ERROR(IndexMap::FromText("lambda i:   "), "index map 1:10: expected the mapped indices");
  EXPECT_KILN_ERROR(IndexMap::FromText("lambda i: (i, , i)"), "index map 1:14: empty index");
  EXPECT_KILN_ERROR(IndexMap::FromText("lambda i, j: (i, j + * 2)"), "index map 1:22: ");
  EXPECT_KILN_ERROR(IndexMap::FromText("lambda i: (i, k)"),
                    "index map 1:15: undefined name 'k' in \"lambda i: (i, k)\"");
}

// ---- transform_layout -----------------------------------------------------------------

// `a` laid out by `map` into an array of `shape` (float32, constant shapes).
NDArray Relayout(const NDArray& a, const IndexMap& map, const std::vector<int64_t>& shape) {
  NDArray out = NDArray::Empty(shape, a.dtype(), Device::CPU());
  std::vector<int64_t> from = a.shape();
  int64_t count = 1;
  for (int64_t d : from) count *= d;
  for (int64_t n = 0; n < count; ++n) {
    std::vector<PrimExpr> point(from.size());
    for (size_t d = from.size(), rest = static_cast<size_t>(n); d-- > 0; rest /= from[d]) {
      point[d] = PrimExpr(static_cast<int64_t>(rest % from[d]));
    }
    int64_t flat = 0;
    std::vector<PrimExpr> to = map.Map(point);
    for (size_t k = 0; k < to.size(); ++k) flat = flat * shape[k] + ConstIntValue(to[k]).value();
    static_cast<float*>(out.data())[flat] = static_cast<const float*>(a.data())[n];
  }
  return out;
}

void RunMain(const PrimFunc& f, const std::vector<NDArray>& args) {
  runtime::Module m = BuildFunc(f);
  std::vector<runtime::Any> a(args.begin(), args.end());
  m.GetFunction("main").CallPacked(a.data(), static_cast<int>(a.size()));
}

void ExpectNear(const NDArray& got, const NDArray& want) {
  ASSERT_EQ(got.shape(), want.shape());
  int64_t count = 1;
  for (int64_t d : want.shape()) count *= d;
  for (int64_t i = 0; i < count; ++i) {
    float g = static_cast<const float*>(got.data())[i], w = static_cast<const float*>(want.data())[i];
    ASSERT_NEAR(g, w, 1e-5 * (1 + std::fabs(w))) << "element " << i;
  }
}

std::vector<int64_t> ConstShape(const Buffer& b) {
  std::vector<int64_t> out;
  for (const PrimExpr& d : b->shape) out.push_back(ConstIntValue(d).value_or(-1));
  return out;
}

const BlockNode* BlockOf(Schedule& sch, const std::string& name) {
  return sch.GetStmt(sch.GetBlock(name)).as<BlockNode>();
}

TEST(TransformLayout, PackedWeightParameter) {
  PrimFunc f = Matmul(6, 32, 8);  // B is (k, n) = (8, 32)
  Schedule sch(f);
  IndexMap pack = IndexMap::FromText("lambda k, n: (n // 16, k, n %% 16)");
  sch.TransformLayout(sch.GetBlock("C"), 1, false, pack);
  PrimFunc g = MainOf(sch);
  const Buffer& b = g->buffer_map[1].second;
  EXPECT_EQ(b->name, "B");
  EXPECT_EQ(ConstShape(b), (std::vector<int64_t>{2, 8, 16}));
  const BlockNode* c = BlockOf(sch, "C");
  EXPECT_EQ(c->reads[1].buffer.get(), b.get());
  EXPECT_NE(ToText(g).find("reads(A[v_i0, v_k], B[v_i1 // 16, v_k, v_i1 %% 16])"), std::string::npos) << ToText(g);
  EXPECT_NE(ToText(g).find("A[v_i0, v_k] * B[v_i1 // 16, v_k, v_i1 %% 16]"), std::string::npos) << ToText(g);

  // The caller passes B packed by the same map; C comes out the same.
  std::vector<NDArray> want = RandomArgs(f, 3);
  std::vector<NDArray> got = {want[0], Relayout(want[1], pack, {2, 8, 16}),
                              NDArray::Empty({6, 32}, DataType::Float(32), Device::CPU())};
  RunMain(f, want);
  RunMain(g, got);
  ExpectNear(got[2], want[2]);
  ExpectTraceReplays(f, sch);
  EXPECT_NE(sch.trace().ToText().find("lambda k, n: (n // 16, k, n %% 16)"), std::string::npos) << sch.trace().ToText();
}

TEST(TransformLayout, OutputParameter) {
  PrimFunc f = ElementwiseChain(4, 6);
  Schedule sch(f);
  IndexMap transpose = IndexMap::FromText("lambda i, j: (j, i)");
  sch.TransformLayout(sch.GetBlock("C"), 0, true, transpose);
  PrimFunc g = MainOf(sch);
  EXPECT_EQ(ConstShape(g->buffer_map[1].second), (std::vector<int64_t>{6, 4}));
  EXPECT_EQ(ToText(BlockOf(sch, "C")->body), "C[v_i1, v_i0] = B[v_i0, v_i1] + 1.0\n");
  std::vector<NDArray> want = RandomArgs(f, 5);
  std::vector<NDArray> got = {want[0], NDArray::Empty({6, 4}, DataType::Float(32), Device::CPU())};
  RunMain(f, want);
  RunMain(g, got);
  ExpectNear(got[1], Relayout(want[1], transpose, {6, 4}));
  ExpectTraceReplays(f, sch);
}

TEST(TransformLayout, IntermediateBufferWithSymbolicShape) {
  Var n = SizeVar("n");
  PrimFunc f = ElementwiseChain(n, 8);
  Schedule sch(f);
  sch.TransformLayout(sch.GetBlock("C"), 0, false, IndexMap::FromText("lambda i, j: (j, i)"));
  const Buffer& b = BlockOf(sch, "root")->alloc_buffers[0];
  EXPECT_EQ(ToText(b->shape[0]), "8");
  EXPECT_EQ(b->shape[1].get(), n.get());
  EXPECT_EQ(BlockOf(sch, "B")->writes[0].buffer.get(), b.get());
  EXPECT_EQ(ToText(BlockOf(sch, "B")->body), "B[v_i1, v_i0] = A[v_i0, v_i1] * 2.0\n");
  for (int64_t size : {1, 3, 16}) ExpectSameResult(f, MainOf(sch), {{"n", size}});
  ExpectTraceReplays(f, sch);
}

TEST(TransformLayout, FlattenAndRegions) {
  // C[i, j] = A[i, j] + A[i, j + 2]: the read region of A is A[v_i, v_j:+3].
  te::Tensor a = te::placeholder({4, 10}, DataType::Float(32), "A");
  te::Tensor b = te::compute(
      {4, 8}, [&](Var i, Var j) { return a(i, j) + a(i, j + 2); }, "B");
  te::Tensor c = te::compute(
      {4, 8}, [&](Var i, Var j) { return b(i, j) * 3.0; }, "C");
  PrimFunc f = te::create_prim_func({a}, {c});
  Schedule sch(f);
  ASSERT_NE(ToText(f).find("reads(A[v_i0, v_i1:+3])"), std::string::npos) << ToText(f);
  IndexMap transpose = IndexMap::FromText("lambda i, j: (j, i)");
  sch.TransformLayout(sch.GetBlock("B"), 0, false, transpose);
  EXPECT_NE(ToText(MainOf(sch)).find("reads(A[v_i1:+3, v_i0])"), std::string::npos) << ToText(MainOf(sch));
  sch.TransformLayout(sch.GetBlock("B"), 0, true, IndexMap::FromText("lambda i, j: (i * 8 + j,)"));
  EXPECT_NE(ToText(MainOf(sch)).find("writes(B[v_i0 * 8 + v_i1])"), std::string::npos) << ToText(MainOf(sch));
  EXPECT_EQ(ConstShape(BlockOf(sch, "root")->alloc_buffers[0]), (std::vector<int64_t>{32}));
  PrimFunc g = MainOf(sch);
  std::vector<NDArray> want = RandomArgs(f, 11);
  std::vector<NDArray> got = {Relayout(want[0], transpose, {10, 4}),
                              NDArray::Empty({4, 8}, DataType::Float(32), Device::CPU())};
  RunMain(f, want);
  RunMain(g, got);
  ExpectNear(got[1], want[1]);
  ExpectTraceReplays(f, sch);
}

TEST(TransformLayout, Refusals) {
  Schedule sch(ElementwiseChain(4, 4));
  BlockRV b = sch.GetBlock("B"), c = sch.GetBlock("C");
  auto map = [](const char* text) { return IndexMap::FromText(text); };
  EXPECT_KILN_ERROR(sch.TransformLayout(c, 1, false, map("lambda i, j: (j, i)")),
                    "transform_layout: block 'C' has 1 read; buffer_index 1 is out of range");
  EXPECT_KILN_ERROR(sch.TransformLayout(c, 1, true, map("lambda i, j: (j, i)")),
                    "transform_layout: block 'C' has 1 write; buffer_index 1 is out of range");
  EXPECT_KILN_ERROR(sch.TransformLayout(b, 0, true, map("lambda i: (i,)")),
                    "transform_layout: the index map lambda i: (i,) takes 1 index; buffer 'B' has 2 dimensions");
  EXPECT_KILN_ERROR(sch.TransformLayout(b, 0, true, map("lambda i, j: (i - 1, j)")),
                    "transform_layout: index map lambda i, j: (i - 1, j): output index 0 may be negative (down to -1)");
  EXPECT_KILN_ERROR(sch.TransformLayout(b, 0, true, map("lambda i, j: (i,)")),
                    "transform_layout: the index map lambda i, j: (i,) drops the index 'j'; it must be one-to-one");
  EXPECT_KILN_ERROR(sch.TransformLayout(b, 0, true, map("lambda i, j: (i * 2, j)")),
                    "transform_layout: the index map lambda i, j: (i * 2, j) maps buffer 'B' of shape (4, 4) to shape "
                    "(7, 4), whose element count 28 is not provably 16 (padding is not supported)");
  EXPECT_KILN_ERROR(sch.TransformLayout(b, 0, true, map("lambda i, j: ((i + j) // 2, (i - j + 3) // 2)")),
                    "transform_layout: the index map lambda i, j: ((i + j) // 2, (i - j + 3) // 2) is not "
                    "one-to-one: (0, 1) goes where another index goes");

  Var free = SizeVar("m");
  IndexMap shifted = IndexMap::FromFunc(2, [&](const std::vector<Var>& v) -> std::vector<PrimExpr> {
    return {v[0] + free, v[1]};
  });
  EXPECT_KILN_ERROR(sch.TransformLayout(b, 0, true, shifted),
                    "transform_layout: the index map lambda i0, i1: (i0 + m, i1) uses 'm', which is not one of its "
                    "indices");

  Schedule symbolic(ElementwiseChain(4, SizeVar("n")));
  EXPECT_KILN_ERROR(
      symbolic.TransformLayout(symbolic.GetBlock("B"), 0, true, map("lambda i, j: (i, j // 4, j %% 4)")),
      "transform_layout: the index map lambda i, j: (i, j // 4, j %% 4) maps buffer 'B' of shape (4, n) to shape "
      "(4, (n + 3) // 4, 4), whose element count (n + 3) // 4 * 16 is not provably n * 4 (padding is not "
      "supported)");

  Schedule aligned(ElementwiseChain(4, 6));
  aligned.StorageAlign(aligned.GetBlock("B"), 0, 0, 8, 0);
  EXPECT_KILN_ERROR(aligned.TransformLayout(aligned.GetBlock("B"), 0, true, map("lambda i, j: (j, i)")),
                    "transform_layout: buffer 'B' has explicit strides; transform its layout before storage_align");

  Schedule pointer(ExternUseOf("A"));
  EXPECT_KILN_ERROR(pointer.TransformLayout(pointer.GetBlock("B"), 0, false, map("lambda i: (7 - i,)")),
                    "transform_layout: buffer 'A' is used through its data pointer; its layout cannot change");
  EXPECT_EQ(sch.trace().size(), 2u);  // failed calls record nothing
}

}  // namespace
}  // namespace kiln::tir::testing
