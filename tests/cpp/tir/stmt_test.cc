// tir statements, PrimFunc, and the visitor/mutator/substitution machinery.
#include "common/test_util.h"
#include "kiln/tir/functor.h"

namespace kiln::tir {
namespace {

// for i in [0, n): B[i] = A[i] + 1
PrimFunc AddOne(Var n) {
  Buffer a = DeclBuffer("A", {n}), b = DeclBuffer("B", {n});
  Var i("i");
  Stmt body = For(i, 0, n, ForKind::kSerial, BufferStore(b, BufferLoad(a, {i}) + 1.0, {i}));
  return MakePrimFunc({a, b}, body, {n});
}

TEST(TirStmt, ForChecks) {
  Var i("i"), j("j", DataType::Int(32));
  Stmt s = Evaluate(0);
  EXPECT_KILN_ERROR(For(Var("f", DataType::Float(32)), 0, 4, ForKind::kSerial, s), "must be an integer");
  EXPECT_KILN_ERROR(For(j, 0, 4, ForKind::kSerial, s), "min and extent must have the loop variable's dtype int32");
  EXPECT_KILN_ERROR(For(i, 0, 4, ForKind::kSerial, s, "threadIdx.x"), "thread tag goes with thread_binding");
}

TEST(TirStmt, StoreChecks) {
  Buffer b = DeclBuffer("B", {4}, DataType::Int(8));
  EXPECT_KILN_ERROR(BufferStore(b, PrimExpr(1.0), {0}), "store of a float32 value into buffer 'B' of dtype int8");
  EXPECT_KILN_ERROR(BufferStore(b, IntImm(DataType::Int(8), 1), {}), "with 0 indices");
}

TEST(TirStmt, SeqFlattens) {
  Stmt a = Evaluate(1), b = Evaluate(2), c = Evaluate(3);
  Stmt s = Seq({a, Seq({b, c})});
  ASSERT_NE(s.as<SeqNode>(), nullptr);
  EXPECT_EQ(s.as<SeqNode>()->seq.size(), 3u);
  EXPECT_EQ(Seq({a}).get(), a.get());
}

TEST(TirStmt, BlockChecks) {
  Buffer c = DeclBuffer("C", {4});
  Var vi("vi"), i("i");
  BlockSpec spec;
  spec.name = "init_only";
  spec.iter_vars = {{vi, {0, 4}, IterKind::kSpatial, i}};
  spec.init = BufferStore(c, PrimExpr(0.0), {vi});
  spec.body = BufferStore(c, PrimExpr(1.0), {vi});
  EXPECT_KILN_ERROR(Block(spec), "block 'init_only' has an init but no reduce iteration variable");
  spec.init = Stmt();
  spec.writes = {{c, {}}};
  EXPECT_KILN_ERROR(Block(spec), "a region of buffer 'C' has 0 ranges for 1 dimensions");
}

TEST(PrimFunc, ParamsAndBuffers) {
  Var n = SizeVar("n");
  PrimFunc f = AddOne(n);
  ASSERT_EQ(f->params.size(), 3u);
  EXPECT_EQ(f->BufferOf(f->params[0])->name, "A");
  EXPECT_EQ(f->params[2].get(), n.get());
  Buffer a = DeclBuffer("A", {4});
  EXPECT_KILN_ERROR(MakePrimFunc({n}, {{Var("h", DataType::Handle()), a}}, Evaluate(0)), "which is not a parameter");
}

// Counts loads; checks that the visitor reaches expressions inside stores and loops.
class LoadCounter : public StmtVisitor {
 public:
  int loads = 0;

 protected:
  void VisitExpr_(const BufferLoadNode* op) override {
    ++loads;
    StmtVisitor::VisitExpr_(op);
  }
};

TEST(TirFunctor, VisitorReachesLoads) {
  LoadCounter c;
  c.VisitStmt(AddOne(SizeVar("n"))->body);
  EXPECT_EQ(c.loads, 1);
}

// A mutator that changes nothing returns the same objects.
class Identity : public StmtMutator {};

TEST(TirFunctor, MutatorCopiesOnlyOnWrite) {
  PrimFunc f = AddOne(SizeVar("n"));
  Identity id;
  EXPECT_EQ(id.VisitStmt(f->body).get(), f->body.get());
}

TEST(TirFunctor, SubstituteReplacesVarsAndKeepsTheRest) {
  Var n = SizeVar("n");
  PrimFunc f = AddOne(n);
  Stmt s = Substitute(f->body, [&](const Var& v) { return v.get() == n.get() ? PrimExpr(16) : PrimExpr(); });
  const ForNode* loop = s.as<ForNode>();
  ASSERT_NE(loop, nullptr);
  EXPECT_EQ(*AsConstInt(loop->extent), 16);
  EXPECT_EQ(loop->body.get(), f->body.as<ForNode>()->body.get());  // untouched subtree shared
  int vars = 0;
  PreOrderVisit(s, [&](const PrimExpr& e) { vars += e.as<VarNode>() != nullptr; });
  EXPECT_EQ(vars, 2);  // i in the load and the store
}

}  // namespace
}  // namespace kiln::tir
