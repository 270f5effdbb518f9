// The shape of what create_prim_func builds: parameters, the root block and
// its allocations, loops, iteration variables, and read/write regions.
#include "common/test_util.h"
#include "kiln/tir/arith/eval.h"
#include "kiln/tir/functor.h"
#include "kiln/tir/te.h"

namespace kiln::tir::te {
namespace {

const DataType f32 = DataType::Float(32);

// The blocks and loops of a function, in pre-order (the function must outlive it).
class Collector : public StmtVisitor {
 public:
  std::vector<const BlockNode*> blocks;
  std::vector<const ForNode*> loops;

 protected:
  void VisitStmt_(const BlockNode* op) override {
    blocks.push_back(op);
    StmtVisitor::VisitStmt_(op);
  }
  void VisitStmt_(const ForNode* op) override {
    loops.push_back(op);
    StmtVisitor::VisitStmt_(op);
  }
};

Collector Collect(const PrimFunc& f) {
  Collector c;
  c.VisitStmt(f->body);
  return c;
}

// The value of an index expression with every variable set to `value`.
int64_t ValueAt(const PrimExpr& e, int64_t value) {
  return arith::EvalInt(e, [&](const Var&) { return value; });
}

bool IsPoint(const Range& r, const Var& v) {
  return r.min.get() == v.get() && AsConstInt(r.extent) && *AsConstInt(r.extent) == 1;
}

TEST(TeStructure, Matmul) {
  Var n = SizeVar("n");
  Tensor a = placeholder({n, 8}, f32, "A"), b = placeholder({8, 4}, f32, "B");
  ReduceAxis k = reduce_axis({0, 8});
  Tensor c = compute(
      {n, 4}, [&](Var i, Var j) { return sum(a(i, k.var) * b(k.var, j), {k}); }, "C");
  PrimFunc f = create_prim_func({a, b}, {c});
  ASSERT_EQ(f->params.size(), 3u);
  EXPECT_EQ(f->BufferOf(f->params[0])->name, "A");
  EXPECT_EQ(f->BufferOf(f->params[2])->name, "C");
  EXPECT_EQ(f->BufferOf(f->params[2])->shape[0].get(), n.get());
  Collector col = Collect(f);
  ASSERT_EQ(col.blocks.size(), 2u);
  const BlockNode* root = col.blocks[0];
  EXPECT_EQ(root->name, "root");
  EXPECT_TRUE(root->iter_vars.empty() && root->alloc_buffers.empty());
  ASSERT_EQ(col.loops.size(), 3u);
  EXPECT_EQ(col.loops[0]->extent.get(), n.get());
  EXPECT_EQ(col.loops[2]->loop_var.name(), "k");
  const BlockNode* blk = col.blocks[1];
  EXPECT_EQ(blk->name, "C");
  ASSERT_EQ(blk->iter_vars.size(), 3u);
  EXPECT_EQ(blk->iter_vars[0].kind, IterKind::kSpatial);
  EXPECT_EQ(blk->iter_vars[1].kind, IterKind::kSpatial);
  EXPECT_EQ(blk->iter_vars[2].kind, IterKind::kReduce);
  EXPECT_EQ(blk->iter_vars[0].dom.extent.get(), n.get());
  EXPECT_EQ(blk->iter_vars[2].binding.get(), col.loops[2]->loop_var.get());
  const Var &vi = blk->iter_vars[0].var, &vj = blk->iter_vars[1].var, &vk = blk->iter_vars[2].var;
  ASSERT_EQ(blk->reads.size(), 2u);  // C's own read is implied by the init
  EXPECT_EQ(blk->reads[0].buffer->name, "A");
  EXPECT_TRUE(IsPoint(blk->reads[0].region[0], vi) && IsPoint(blk->reads[0].region[1], vk));
  EXPECT_TRUE(IsPoint(blk->reads[1].region[0], vk) && IsPoint(blk->reads[1].region[1], vj));
  ASSERT_EQ(blk->writes.size(), 1u);
  EXPECT_TRUE(IsPoint(blk->writes[0].region[0], vi) && IsPoint(blk->writes[0].region[1], vj));
  const BufferStoreNode* init = blk->init.as<BufferStoreNode>();
  ASSERT_NE(init, nullptr);
  EXPECT_EQ(init->value.as<FloatImmNode>()->value, 0.0);
}

TEST(TeStructure, StagesInDependencyOrderWithIntermediatesInTheRoot) {
  Tensor a = placeholder({4, 5}, f32, "A");
  ReduceAxis k = reduce_axis({0, 5});
  Tensor mx = compute(
      {4}, [&](Var i) { return max(a(i, k.var), {k}); }, "max");
  Tensor e = compute(
      {4, 5}, [&](Var i, Var j) { return a(i, j) - mx(i); }, "shifted");
  Tensor s = compute(
      {4}, [&](Var i) { return sum(e(i, k.var), {k}); }, "sum");
  Tensor out = compute(
      {4, 5}, [&](Var i, Var j) { return e(i, j) / s(i); }, "out");
  PrimFunc f = create_prim_func({a}, {out});
  Collector col = Collect(f);
  std::vector<std::string> names;
  for (const BlockNode* b : col.blocks) names.push_back(b->name);
  EXPECT_EQ(names, (std::vector<std::string>{"root", "max", "shifted", "sum", "out"}));
  std::vector<std::string> allocated;
  for (const Buffer& b : col.blocks[0]->alloc_buffers) allocated.push_back(b->name);
  EXPECT_EQ(allocated, (std::vector<std::string>{"max", "shifted", "sum"}));
  EXPECT_EQ(col.blocks[3]->reads[0].buffer.get(), col.blocks[0]->alloc_buffers[1].get());
}

TEST(TeStructure, ReadRegions) {
  Var n = SizeVar("n");
  Tensor a = placeholder({n}, f32, "A"), idx = placeholder({n}, DataType::Int(64), "idx");
  // A stencil: three reads at constant distance make one region of extent 3.
  Tensor stencil = compute(
      {n - 2}, [&](Var i) { return a(i) + a(i + 1) + a(i + 2); }, "stencil");
  // A gather: an index that reads memory covers the whole dimension.
  Tensor gather = compute(
      {n}, [&](Var i) { return a(idx(i)); }, "gather");
  // Reads at a distance that is not constant cover the whole dimension.
  Tensor flip = compute(
      {n}, [&](Var i) { return a(i) + a(n - 1 - i); }, "flip");
  PrimFunc f = create_prim_func({a, idx}, {stencil, gather, flip});
  Collector col = Collect(f);
  ASSERT_EQ(col.blocks.size(), 4u);
  const BufferRegion& st = col.blocks[1]->reads.at(0);
  EXPECT_EQ(st.buffer->name, "A");
  EXPECT_EQ(ValueAt(st.region[0].min, 10), 10);
  EXPECT_EQ(*AsConstInt(st.region[0].extent), 3);
  const BlockNode* g = col.blocks[2];
  ASSERT_EQ(g->reads.size(), 2u);
  EXPECT_EQ(*AsConstInt(g->reads[0].region[0].min), 0);
  EXPECT_EQ(g->reads[0].region[0].extent.get(), n.get());
  EXPECT_EQ(g->reads[1].buffer->name, "idx");
  EXPECT_TRUE(IsPoint(g->reads[1].region[0], g->iter_vars[0].var));
  EXPECT_EQ(col.blocks[3]->reads[0].region[0].extent.get(), n.get());
}

TEST(TeStructure, NamesAreMadeUnique) {
  Tensor x = placeholder({2}, f32, "x"), y = placeholder({2}, f32, "x");
  Tensor z = compute(
      {2}, [&](Var i) { return x(i) + y(i); }, "x");
  PrimFunc f = create_prim_func({x, y}, {z});
  std::vector<std::string> names;
  for (const Var& p : f->params) names.push_back(f->BufferOf(p)->name);
  EXPECT_EQ(names, (std::vector<std::string>{"x", "x_1", "x_2"}));
  EXPECT_EQ(Collect(f).blocks[1]->name, "x_2");
}

TEST(TeStructure, ReduceAxisOffsetAttrsAndFreshVariables) {
  Tensor a = placeholder({8}, f32, "A");
  ReduceAxis k = reduce_axis({2, 5});
  Tensor s = compute({1}, [&](Var) { return sum(a(k.var), {k}); }, "S", {{"schedule_rule", std::string("none")}});
  PrimFunc f1 = create_prim_func({a}, {s}), f2 = create_prim_func({a}, {s});
  Collector c1 = Collect(f1), c2 = Collect(f2);
  const IterVar& vk = c1.blocks[1]->iter_vars[1];
  EXPECT_EQ(vk.var.name(), "v_k");
  EXPECT_EQ(*AsConstInt(vk.dom.min), 2);
  EXPECT_EQ(*AsConstInt(c1.loops[1]->extent), 5);
  EXPECT_EQ(ValueAt(vk.binding, 0), 2);  // the loop starts at 0
  EXPECT_EQ(c1.blocks[1]->annotations.Get<std::string>("schedule_rule", ""), "none");
  EXPECT_NE(vk.var.get(), c2.blocks[1]->iter_vars[1].var.get());
}

TEST(TeStructure, AComputeGivenAsInputIsAParameter) {
  Tensor a = placeholder({4}, f32, "A");
  Tensor b = compute(
      {4}, [&](Var i) { return a(i) * 2.0; }, "B");
  Tensor c = compute(
      {4}, [&](Var i) { return b(i) + 1.0; }, "C");
  PrimFunc f = create_prim_func({b}, {c});
  ASSERT_EQ(f->params.size(), 2u);
  EXPECT_EQ(f->BufferOf(f->params[0])->name, "B");
  EXPECT_EQ(Collect(f).blocks.size(), 2u);  // root and C
}

}  // namespace
}  // namespace kiln::tir::te
