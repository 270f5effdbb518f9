// The default schedule rules on te kernels: which rule takes each function,
// the loop kinds it leaves (parallel, vectorized, unrolled), where blocks go,
// results equal to the unscheduled function's, traces that replay, and the
// cases where a rule gives way (to the next rule, or leaves the function).
#include "kiln/tir/schedule/default_schedule.h"

#include <functional>
#include <set>

#include "kiln/tir/intrinsics.h"
#include "kiln/transform/default_schedule.h"
#include "schedule_test_util.h"

namespace kiln::tir::testing {
namespace {

const DataType kF32 = DataType::Float(32);

// The kinds of the loops around each block, outermost first, by block name.
std::map<std::string, std::vector<ForKind>> LoopKindsByBlock(const PrimFunc& f) {
  std::map<std::string, std::vector<ForKind>> out;
  std::vector<ForKind> stack;
  std::function<void(const Stmt&)> walk = [&](const Stmt& s) {
    if (!s) return;
    switch (s.kind()) {
      case StmtKind::kBlock: {
        const BlockNode* b = s.as<BlockNode>();
        out[b->name] = stack;
        walk(b->init);
        return walk(b->body);
      }
      case StmtKind::kFor: {
        stack.push_back(s.as<ForNode>()->for_kind);
        walk(s.as<ForNode>()->body);
        stack.pop_back();
        return;
      }
      case StmtKind::kSeq:
        for (const Stmt& c : s.as<SeqNode>()->seq) walk(c);
        return;
      default: return;
    }
  };
  walk(f->body);
  return out;
}

bool Has(const std::vector<ForKind>& kinds, ForKind kind) {
  return std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
}

bool AnyLoop(const PrimFunc& f, ForKind kind) {
  for (const auto& [name, kinds] : LoopKindsByBlock(f)) {
    if (Has(kinds, kind)) return true;
  }
  return false;
}

// Applies the default schedule and checks what every scheduled function
// must satisfy: the rule's attributes, a trace that replays to the same
// program, and the same results as the input.
DefaultScheduleResult Scheduled(const PrimFunc& f, const std::string& rule,
                                const std::map<std::string, int64_t>& dims = {}, double rtol = 1e-4) {
  DefaultScheduleResult r = ApplyDefaultSchedule(f);
  EXPECT_EQ(r.rule, rule) << r.fallback << "\n" << r.trace;
  EXPECT_TRUE(r.func->attrs.Get<bool>(kAttrIsScheduled, false));
  EXPECT_EQ(r.func->attrs.Get<std::string>(kAttrScheduleRule, ""), rule);
  Schedule replay(f);
  Trace::FromText(r.trace).ApplyTo(replay);
  EXPECT_TRUE(StructuralEqual(MainOf(replay)->body, r.func->body)) << r.trace;
  ExpectSameResult(f, r.func, dims, rtol);
  return r;
}

// ---- Kernels ------------------------------------------------------------------------

// C = A + bias (broadcast over rows), then D = max(C, 0) * 2.
PrimFunc BiasReluScale(PrimExpr m, PrimExpr n) {
  te::Tensor a = te::placeholder({m, n}, kF32, "A");
  te::Tensor bias = te::placeholder({n}, kF32, "bias");
  te::Tensor c = te::compute(
      {m, n}, [&](Var i, Var j) { return a(i, j) + bias(j); }, "C");
  te::Tensor d = te::compute(
      {m, n}, [&](Var i, Var j) { return max(c(i, j), PrimExpr(0.0)) * 2.0; }, "D");
  return te::create_prim_func({a, bias}, {d});
}

// B[j, i] = A[i, j].
PrimFunc Transpose(int64_t m, int64_t n) {
  te::Tensor a = te::placeholder({m, n}, kF32, "A");
  te::Tensor b = te::compute(
      {n, m}, [&](Var i, Var j) { return a(j, i); }, "B");
  return te::create_prim_func({a}, {b});
}

// Softmax over rows: row_max, row_sum of exp, then the normalized row.
PrimFunc Softmax(PrimExpr m, int64_t n) {
  te::Tensor a = te::placeholder({m, PrimExpr(n)}, kF32, "A");
  te::ReduceAxis k1 = te::reduce_axis({0, n}, "k");
  te::Tensor mx = te::compute(
      {m}, [&](Var i) { return te::max(a(i, k1.var), {k1}); }, "row_max");
  te::ReduceAxis k2 = te::reduce_axis({0, n}, "k");
  te::Tensor sm = te::compute(
      {m}, [&](Var i) { return te::sum(exp(a(i, k2.var) - mx(i)), {k2}); }, "row_sum");
  te::Tensor out = te::compute(
      {m, PrimExpr(n)}, [&](Var i, Var j) { return exp(a(i, j) - mx(i)) / sm(i); }, "softmax");
  return te::create_prim_func({a}, {out});
}

// Layer norm over rows: mean_sum, mean, var_sum, var, then the scaled row.
PrimFunc LayerNorm(int64_t m, int64_t n) {
  te::Tensor a = te::placeholder({m, n}, kF32, "A");
  te::Tensor gamma = te::placeholder({n}, kF32, "gamma");
  te::Tensor beta = te::placeholder({n}, kF32, "beta");
  te::ReduceAxis k1 = te::reduce_axis({0, n}, "k");
  te::Tensor s = te::compute(
      {m}, [&](Var i) { return te::sum(a(i, k1.var), {k1}); }, "mean_sum");
  te::Tensor mean = te::compute(
      {m}, [&](Var i) { return s(i) / double(n); }, "mean");
  te::ReduceAxis k2 = te::reduce_axis({0, n}, "k");
  te::Tensor vs = te::compute(
      {m}, [&](Var i) { return te::sum((a(i, k2.var) - mean(i)) * (a(i, k2.var) - mean(i)), {k2}); }, "var_sum");
  te::Tensor var = te::compute(
      {m}, [&](Var i) { return vs(i) / double(n); }, "var");
  te::Tensor out = te::compute(
      {m, n}, [&](Var i, Var j) { return (a(i, j) - mean(i)) * rsqrt(var(i) + 1e-5) * gamma(j) + beta(j); }, "norm");
  return te::create_prim_func({a, gamma, beta}, {out});
}

// C[i, j] = sum_k A[i, k] * W[j, k] + bias[j]: linear, the weight stored (n, k).
PrimFunc Linear(PrimExpr m, int64_t n, int64_t k) {
  te::Tensor a = te::placeholder({m, PrimExpr(k)}, kF32, "A");
  te::Tensor w = te::placeholder({n, k}, kF32, "W");
  te::Tensor bias = te::placeholder({n}, kF32, "bias");
  te::ReduceAxis r = te::reduce_axis({0, k}, "k");
  te::Tensor c = te::compute(
      {m, PrimExpr(n)}, [&](Var i, Var j) { return te::sum(a(i, r.var) * w(j, r.var), {r}); }, "C");
  te::Tensor d = te::compute(
      {m, PrimExpr(n)}, [&](Var i, Var j) { return c(i, j) + bias(j); }, "D");
  return te::create_prim_func({a, w, bias}, {d});
}

// Batched C[b, i, j] = sum_k A[b, i, k] * B[b, k, j].
PrimFunc BatchMatmul(PrimExpr batch, int64_t m, int64_t n, int64_t k) {
  te::Tensor a = te::placeholder({batch, PrimExpr(m), PrimExpr(k)}, kF32, "A");
  te::Tensor b = te::placeholder({batch, PrimExpr(k), PrimExpr(n)}, kF32, "B");
  te::ReduceAxis r = te::reduce_axis({0, k}, "k");
  te::Tensor c = te::compute(
      {batch, PrimExpr(m), PrimExpr(n)},
      [&](Var bb, Var i, Var j) { return te::sum(a(bb, i, r.var) * b(bb, r.var, j), {r}); }, "C");
  return te::create_prim_func({a, b}, {c});
}

// NCHW conv2d with zero padding 1 and a 3x3 kernel, then relu(conv + bias[oc]).
PrimFunc Conv2dBiasRelu(int64_t c, int64_t oc, int64_t hw) {
  te::Tensor x = te::placeholder({1, c, hw, hw}, kF32, "X");
  te::Tensor w = te::placeholder({oc, c, 3, 3}, kF32, "W");
  te::Tensor bias = te::placeholder({oc}, kF32, "bias");
  te::Tensor pad = te::compute(
      {PrimExpr(1), PrimExpr(c), PrimExpr(hw + 2), PrimExpr(hw + 2)},
      [&](Var n, Var ci, Var h, Var ww) {
        PrimExpr inside = logical_and(logical_and(h >= 1, h <= hw), logical_and(ww >= 1, ww <= hw));
        return if_then_else(inside, x(n, ci, h - 1, ww - 1), PrimExpr(0.0));
      },
      "pad");
  te::ReduceAxis rc = te::reduce_axis({0, c}, "rc");
  te::ReduceAxis rh = te::reduce_axis({0, 3}, "rh");
  te::ReduceAxis rw = te::reduce_axis({0, 3}, "rw");
  te::Tensor conv = te::compute(
      {PrimExpr(1), PrimExpr(oc), PrimExpr(hw), PrimExpr(hw)},
      [&](Var n, Var o, Var h, Var ww) {
        return te::sum(pad(n, rc.var, h + rh.var, ww + rw.var) * w(o, rc.var, rh.var, rw.var), {rc, rh, rw});
      },
      "conv");
  te::Tensor out = te::compute(
      conv->shape, [&](Var n, Var o, Var h, Var ww) { return max(conv(n, o, h, ww) + bias(o), PrimExpr(0.0)); },
      "relu");
  return te::create_prim_func({x, w, bias}, {out});
}

// ---- injective --------------------------------------------------------------------

TEST(DefaultScheduleInjective, ChainInlinedVectorizedAndParallel) {
  PrimFunc f = BiasReluScale(256, 128);
  DefaultScheduleResult r = Scheduled(f, "injective");
  std::map<std::string, std::vector<ForKind>> kinds = LoopKindsByBlock(r.func);
  EXPECT_FALSE(kinds.count("C")) << "the producer is inlined";
  ASSERT_TRUE(kinds.count("D"));
  // Fused rows and column groups in parallel, 16 lanes vectorized.
  EXPECT_EQ(kinds["D"], (std::vector<ForKind>{ForKind::kParallel, ForKind::kVectorized}));
  EXPECT_NE(r.trace.find("compute_inline"), std::string::npos) << r.trace;
}

TEST(DefaultScheduleInjective, SmallKernelsStaySerial) {
  DefaultScheduleResult r = Scheduled(BiasReluScale(8, 32), "injective");
  EXPECT_FALSE(AnyLoop(r.func, ForKind::kParallel));
  EXPECT_TRUE(AnyLoop(r.func, ForKind::kVectorized));
}

TEST(DefaultScheduleInjective, SymbolicShapesRunInParallelWithoutVectors) {
  Var m = SizeVar("m"), n = SizeVar("n");
  DefaultScheduleResult r = Scheduled(BiasReluScale(m, n), "injective", {{"m", 37}, {"n", 19}});
  EXPECT_TRUE(AnyLoop(r.func, ForKind::kParallel));
  EXPECT_FALSE(AnyLoop(r.func, ForKind::kVectorized));
  ExpectSameResult(BiasReluScale(m, n), r.func, {{"m", 1}, {"n", 1}});
}

TEST(DefaultScheduleInjective, OddInnerExtentIsParallelOnly) {
  DefaultScheduleResult r = Scheduled(BiasReluScale(1000, 129), "injective");
  EXPECT_TRUE(AnyLoop(r.func, ForKind::kParallel));
  EXPECT_FALSE(AnyLoop(r.func, ForKind::kVectorized));
}

TEST(DefaultScheduleInjective, Transpose) {
  // A copy along different innermost axes: the layout transform rule walks
  // it in tiles (vectors along the output row, the input's rows unrolled).
  DefaultScheduleResult r = Scheduled(Transpose(96, 200), "layout_transform");
  EXPECT_TRUE(AnyLoop(r.func, ForKind::kParallel));
  EXPECT_TRUE(AnyLoop(r.func, ForKind::kVectorized));
  EXPECT_TRUE(AnyLoop(r.func, ForKind::kUnrolled));
}

// ---- reductions -------------------------------------------------------------------

TEST(DefaultScheduleReduction, RowSumsFactoredOverLanes) {
  for (const char* kind : {"sum", "max"}) {
    DefaultScheduleResult r = Scheduled(RowReduce(128, 1024, kind), "reduction");
    std::map<std::string, std::vector<ForKind>> kinds = LoopKindsByBlock(r.func);
    ASSERT_TRUE(kinds.count("B_rf")) << r.trace;
    // The partial results under the parallel row loop, their lanes vectorized.
    EXPECT_EQ(kinds["B_rf"].front(), ForKind::kParallel);
    EXPECT_EQ(kinds["B_rf"].back(), ForKind::kVectorized);
    EXPECT_EQ(kinds["B"].front(), ForKind::kParallel);
  }
}

TEST(DefaultScheduleReduction, ShortOrSymbolicRows) {
  Scheduled(RowReduce(4, 10, "sum"), "reduction");
  Var m = SizeVar("m"), n = SizeVar("n");
  DefaultScheduleResult r = Scheduled(RowReduce(m, n, "max"), "reduction", {{"m", 5}, {"n", 33}});
  EXPECT_TRUE(AnyLoop(r.func, ForKind::kParallel));
}

TEST(DefaultScheduleReduction, SoftmaxRowStaysInCache) {
  PrimFunc f = Softmax(128, 1024);
  DefaultScheduleResult r = Scheduled(f, "reduction");
  std::map<std::string, std::vector<ForKind>> kinds = LoopKindsByBlock(r.func);
  // Every stage runs under the one parallel row loop.
  for (const char* b : {"row_max_rf", "row_max", "row_sum_rf", "row_sum", "softmax"}) {
    ASSERT_TRUE(kinds.count(b)) << b << "\n" << r.trace;
    EXPECT_EQ(kinds[b].front(), ForKind::kParallel) << b;
  }
  EXPECT_EQ(kinds["softmax"].back(), ForKind::kVectorized);
  EXPECT_EQ(kinds["row_sum_rf"].back(), ForKind::kVectorized);
  // One loop at the root: the rows.
  const BlockNode* root = r.func->body.as<BlockNode>();
  ASSERT_TRUE(root && root->body.as<ForNode>()) << ToText(r.func, "main");
}

TEST(DefaultScheduleReduction, SymbolicRowsOfSoftmax) {
  Var m = SizeVar("m");
  PrimFunc f = Softmax(m, 256);
  DefaultScheduleResult r = Scheduled(f, "reduction", {{"m", 3}});
  ExpectSameResult(f, r.func, {{"m", 70}}, 1e-4);
}

TEST(DefaultScheduleReduction, LayerNormInlinesTheMeans) {
  DefaultScheduleResult r = Scheduled(LayerNorm(128, 768), "reduction");
  std::map<std::string, std::vector<ForKind>> kinds = LoopKindsByBlock(r.func);
  EXPECT_FALSE(kinds.count("mean"));
  EXPECT_FALSE(kinds.count("var"));
  EXPECT_EQ(kinds["var_sum"].front(), ForKind::kParallel);
  EXPECT_EQ(kinds["norm"].back(), ForKind::kVectorized);
}

TEST(DefaultScheduleReduction, ColumnsAndWindowsVectorizeAlongTheRow) {
  // B[j] = sum_i A[i, j]: the lanes run along j, the reduction inside.
  te::Tensor a = te::placeholder({512, 64}, kF32, "A");
  te::ReduceAxis r = te::reduce_axis({0, 512}, "i");
  te::Tensor b = te::compute(
      {64}, [&](Var j) { return te::sum(a(r.var, j), {r}); }, "B");
  DefaultScheduleResult cols = Scheduled(te::create_prim_func({a}, {b}), "reduction");
  std::map<std::string, std::vector<ForKind>> kinds = LoopKindsByBlock(cols.func);
  EXPECT_EQ(kinds["B"].back(), ForKind::kVectorized);
  EXPECT_EQ(kinds["B_init"].back(), ForKind::kVectorized);
  EXPECT_EQ(kinds["B"].front(), ForKind::kParallel);

  // A depthwise 3x3 window over rows of 32: the depthwise conv rule, vectors
  // along the output row.
  te::Tensor x = te::placeholder({1, 32, 34, 34}, kF32, "X");
  te::Tensor w = te::placeholder({32, 3, 3}, kF32, "W");
  te::ReduceAxis rh = te::reduce_axis({0, 3}, "rh"), rw = te::reduce_axis({0, 3}, "rw");
  te::Tensor dw = te::compute(
      {PrimExpr(1), PrimExpr(32), PrimExpr(32), PrimExpr(32)},
      [&](Var n, Var c, Var h, Var ww) {
        return te::sum(x(n, c, h + rh.var, ww + rw.var) * w(c, rh.var, rw.var), {rh, rw});
      },
      "dw");
  DefaultScheduleResult depthwise = Scheduled(te::create_prim_func({x, w}, {dw}), "conv_depthwise");
  kinds = LoopKindsByBlock(depthwise.func);
  EXPECT_EQ(kinds["dw"].back(), ForKind::kVectorized);
  EXPECT_EQ(kinds["dw"].front(), ForKind::kParallel);
}

TEST(DefaultScheduleReduction, DotProductsOfAGemv) {
  // One row against a weight stored (n, k): packing would not pay, the dot
  // products over k are vectorized instead.
  DefaultScheduleResult r = Scheduled(Linear(1, 256, 512), "reduction");
  EXPECT_TRUE(AnyLoop(r.func, ForKind::kVectorized));
  EXPECT_TRUE(AnyLoop(r.func, ForKind::kParallel));
}

// ---- matrix products ---------------------------------------------------------------

TEST(DefaultScheduleMatmul, TiledPackedAndParallel) {
  PrimFunc f = Matmul(256, 256, 256);
  DefaultScheduleResult r = Scheduled(f, "matmul");
  std::map<std::string, std::vector<ForKind>> kinds = LoopKindsByBlock(r.func);
  // (j0 parallel, i0, k, i1 unrolled, j1 vectorized), B packed per panel,
  // the accumulator tile written back under i0.
  EXPECT_EQ(kinds["C"], (std::vector<ForKind>{ForKind::kParallel, ForKind::kSerial, ForKind::kSerial,
                                              ForKind::kUnrolled, ForKind::kVectorized}));
  EXPECT_TRUE(kinds.count("B_global")) << r.trace;
  // The write-back reads the tile at constant offsets: rows unrolled, columns vectorized.
  EXPECT_EQ(kinds["C_local"],
            (std::vector<ForKind>{ForKind::kParallel, ForKind::kSerial, ForKind::kUnrolled, ForKind::kVectorized}));
  EXPECT_TRUE(kinds.count("C_init"));
  EXPECT_NE(r.trace.find("cache_write"), std::string::npos);
  EXPECT_NE(ToText(r.func, "main").find("scope=\"local\""), std::string::npos);
}

TEST(DefaultScheduleMatmul, EpilogueFoldsIntoTheWriteBack) {
  DefaultScheduleResult r = Scheduled(MatmulBiasRelu(64, 96, 32), "matmul");
  std::map<std::string, std::vector<ForKind>> kinds = LoopKindsByBlock(r.func);
  EXPECT_FALSE(kinds.count("D")) << ToText(r.func, "main");
  EXPECT_NE(r.trace.find("reverse_compute_inline"), std::string::npos);
}

TEST(DefaultScheduleMatmul, LinearPacksTheWeightTransposed) {
  DefaultScheduleResult r = Scheduled(Linear(64, 96, 80), "matmul");
  EXPECT_NE(r.trace.find("transform_layout"), std::string::npos) << r.trace;
  EXPECT_TRUE(AnyLoop(r.func, ForKind::kUnrolled));
}

TEST(DefaultScheduleMatmul, SymbolicRowsAndOddShapes) {
  Var m = SizeVar("m");
  PrimFunc f = Linear(m, 48, 32);
  DefaultScheduleResult r = Scheduled(f, "matmul", {{"m", 1}});
  for (int64_t rows : {7, 33}) ExpectSameResult(f, r.func, {{"m", rows}}, 1e-4);
  Scheduled(Matmul(197, 100, 13), "matmul");  // a guarded tail of rows and of columns
  Scheduled(Matmul(3, 5, 4), "matmul");
}

TEST(DefaultScheduleMatmul, BatchInTheParallelLoop) {
  DefaultScheduleResult r = Scheduled(BatchMatmul(4, 64, 64, 32), "matmul");
  EXPECT_EQ(LoopKindsByBlock(r.func)["C"].front(), ForKind::kParallel);
  Var b = SizeVar("b");
  PrimFunc f = BatchMatmul(b, 16, 32, 8);
  DefaultScheduleResult s = Scheduled(f, "matmul", {{"b", 3}});
  ExpectSameResult(f, s.func, {{"b", 1}}, 1e-4);
}

// ---- convolutions --------------------------------------------------------------------

TEST(DefaultScheduleConv, TiledOverChannelsWithThePadApart) {
  PrimFunc f = Conv2dBiasRelu(16, 32, 14);
  DefaultScheduleResult r = Scheduled(f, "conv");
  std::map<std::string, std::vector<ForKind>> kinds = LoopKindsByBlock(r.func);
  EXPECT_FALSE(kinds.count("relu")) << "the epilogue folds into the write-back";
  EXPECT_EQ(kinds["pad"].back(), ForKind::kVectorized);  // 4096 elements: serial
  // (n, oh, oc0) fused in parallel, ow0, rc, rh, rw, ow1 unrolled, oc1 vectorized.
  EXPECT_EQ(kinds["conv"].front(), ForKind::kParallel);
  EXPECT_EQ(kinds["conv"].back(), ForKind::kVectorized);
  EXPECT_TRUE(Has(kinds["conv"], ForKind::kUnrolled));
  // The write-back reads the tile along oc, its contiguous dimension.
  EXPECT_EQ(kinds["conv_local"].back(), ForKind::kVectorized) << ToText(r.func, "main");
  EXPECT_TRUE(Has(kinds["conv_local"], ForKind::kUnrolled));
  EXPECT_NE(r.trace.find("transform_layout"), std::string::npos);
}

TEST(DefaultScheduleConv, ChannelsThatDoNotTileGoToTheReductionRule) {
  DefaultScheduleResult r = Scheduled(Conv2dBiasRelu(3, 6, 9), "reduction");
  EXPECT_TRUE(r.fallback.empty()) << r.fallback;
}

// ---- giving way --------------------------------------------------------------------------

TEST(DefaultScheduleFallback, ARefusedRuleGivesWayToTheNext) {
  // A matmul whose init is a block of its own: decompose_reduction refuses
  // (there is no init to move), so the reduction rule schedules it.
  PrimFunc f = ParseMain(R"(
prim @main(A: Buffer((64, 64), float32), B: Buffer((64, 64), float32), C: Buffer((64, 64), float32)) {
  block "root" {
    for i in range(64) {
      for j in range(64) {
        block "C_zero" {
          vi = spatial(64, i)
          vj = spatial(64, j)
          writes(C[vi, vj])
          C[vi, vj] = 0.0
        }
      }
    }
    for i2 in range(64) {
      for j2 in range(64) {
        for k in range(64) {
          block "C" {
            vi = spatial(64, i2)
            vj = spatial(64, j2)
            vk = reduce(64, k)
            reads(C[vi, vj], A[vi, vk], B[vk, vj])
            writes(C[vi, vj])
            C[vi, vj] = C[vi, vj] + A[vi, vk] * B[vk, vj]
          }
        }
      }
    }
  }
})");
  DefaultScheduleResult r = Scheduled(f, "reduction");
  EXPECT_NE(r.fallback.find("matmul: "), std::string::npos) << r.fallback;
}

TEST(DefaultScheduleFallback, ScheduledAndUnknownFunctionsStayAsTheyAre) {
  PrimFunc f = Matmul(64, 64, 64);
  PrimFunc by_hand = MakePrimFunc(f->params, f->buffer_map, f->body, f->attrs.With(kAttrIsScheduled, true));
  DefaultScheduleResult r = ApplyDefaultSchedule(by_hand);
  EXPECT_EQ(r.func.get(), by_hand.get());
  EXPECT_TRUE(r.rule.empty());
  // Blocks nested inside a stage: not a shape the rules know.
  Schedule sch(Matmul(64, 64, 64));
  std::vector<LoopRV> l = sch.GetLoops(sch.GetBlock("C"));
  sch.Blockize(l[2]);
  PrimFunc nested = MainOf(sch);
  DefaultScheduleResult n = ApplyDefaultSchedule(nested);
  EXPECT_EQ(n.func.get(), nested.get());
  EXPECT_TRUE(n.rule.empty() && n.fallback.empty());
}

TEST(DefaultSchedulePass, SchedulesEachPrimFuncOnce) {
  ir::IRModule mod({{ir::MakeGlobalVar("mm"), Matmul(64, 64, 64)}, {ir::MakeGlobalVar("ew"), BiasReluScale(64, 64)}});
  transform::Pass pass = transform::GetPass("DefaultSchedule");
  EXPECT_EQ(pass.info().opt_level, 1);
  ir::IRModule out = pass(mod);
  EXPECT_EQ(FuncOf(out, "mm")->attrs.Get<std::string>(kAttrScheduleRule, ""), "matmul");
  EXPECT_EQ(FuncOf(out, "ew")->attrs.Get<std::string>(kAttrScheduleRule, ""), "injective");
  ir::IRModule again = pass(out);
  EXPECT_EQ(FuncOf(again, "mm").get(), FuncOf(out, "mm").get());
  EXPECT_EQ(FuncOf(again, "ew").get(), FuncOf(out, "ew").get());
}

}  // namespace
}  // namespace kiln::tir::testing
