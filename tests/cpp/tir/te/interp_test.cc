// The reference interpreter on hand-written tir: loops, blocks with init,
// lets, ifs and allocations, and the access checks it makes.
#include "tir/te/interp.h"

#include "common/test_util.h"

namespace kiln::testing {
namespace {

using namespace tir;

// for i in [0, n): B[i] = A[i] + 1
PrimFunc AddOne(Var n) {
  Buffer a = DeclBuffer("A", {n}), b = DeclBuffer("B", {n});
  Var i("i");
  return MakePrimFunc({a, b}, For(i, 0, n, ForKind::kSerial, BufferStore(b, BufferLoad(a, {i}) + 1.0, {i})));
}

// C[i] = sum over k of A[i, k], as a block with an init; `reads` as given.
PrimFunc RowSum(std::vector<Range> a_region) {
  Buffer a = DeclBuffer("A", {2, 3}), c = DeclBuffer("C", {2});
  Var i("i"), k("k"), vi("vi"), vk("vk");
  BlockSpec spec;
  spec.name = "C";
  spec.iter_vars = {{vi, {0, 2}, IterKind::kSpatial, i}, {vk, {0, 3}, IterKind::kReduce, k}};
  spec.reads = {{a, a_region.empty() ? std::vector<Range>{{vi, 1}, {vk, 1}} : a_region}};
  spec.writes = {{c, {{vi, 1}}}};
  spec.init = BufferStore(c, PrimExpr(0.0), {vi});
  spec.body = BufferStore(c, BufferLoad(c, {vi}) + BufferLoad(a, {vi, vk}), {vi});
  return MakePrimFunc({a, c}, For(i, 0, 2, ForKind::kSerial, For(k, 0, 3, ForKind::kSerial, Block(spec))));
}

TEST(TirInterp, LoopsBindSymbolicShapes) {
  PrimFunc f = AddOne(SizeVar("n"));
  HostArray a = HostArray::Floats({5}), b = HostArray::Floats({5});
  for (int i = 0; i < 5; ++i) a.f[i] = i * 0.5;
  RunPrimFunc(f, {&a, &b});
  for (int i = 0; i < 5; ++i) EXPECT_EQ(b.f[i], i * 0.5 + 1);
}

TEST(TirInterp, BlockInitRunsOncePerReduction) {
  HostArray a = HostArray::Floats({2, 3}), c = HostArray::Floats({2});
  for (int i = 0; i < 6; ++i) a.f[i] = i;
  c.f = {100, 100};  // overwritten by the init
  RunPrimFunc(RowSum({}), {&a, &c});
  EXPECT_EQ(c.f, (std::vector<double>{0 + 1 + 2, 3 + 4 + 5}));
}

TEST(TirInterp, LetsIfsAllocationsAndIntrinsics) {
  Buffer out = DeclBuffer("out", {4}), tmp = DeclBuffer("tmp", {1});
  Var i("i"), x("x", DataType::Float(32)), y("y", DataType::Float(32));
  PrimExpr fi = Cast(DataType::Float(32), i);
  Stmt body = LetStmt(
      x, fi * 2.0,
      Seq({BufferStore(tmp, Call(DataType::Float(32), "sqrt", {x * x}), {0}),
           IfThenElse(
               i < 2, BufferStore(out, Let(y, BufferLoad(tmp, {0}), y + 1.0), {i}),
               BufferStore(out, Select(i == 2, PrimExpr(-1.0), Cast(DataType::Float(32), floordiv(-i, 2))), {i}))}));
  PrimFunc f = MakePrimFunc({out}, Allocate(tmp, For(i, 0, 4, ForKind::kSerial, body)));
  HostArray o = HostArray::Floats({4});
  RunPrimFunc(f, {&o});
  EXPECT_EQ(o.f, (std::vector<double>{1, 3, -1, -2}));  // floordiv(-3, 2) == -2
}

TEST(TirInterp, IntegerBuffersWrapToTheirWidth) {
  Buffer b = DeclBuffer("B", {1}, DataType::Int(8));
  PrimFunc f = MakePrimFunc({b}, BufferStore(b, IntImm(DataType::Int(8), 100) + IntImm(DataType::Int(8), 100), {0}));
  HostArray a = HostArray::Ints({1});
  RunPrimFunc(f, {&a});
  EXPECT_EQ(a.i[0], -56);
}

TEST(TirInterp, ChecksAccesses) {
  HostArray a = HostArray::Floats({4}), b = HostArray::Floats({4});
  EXPECT_KILN_ERROR(RunPrimFunc(AddOne(SizeVar("n")), {&a}), "1 arguments for 2 parameters");
  HostArray c = HostArray::Floats({5});
  EXPECT_KILN_ERROR(RunPrimFunc(AddOne(SizeVar("n")), {&a, &c}), "buffer 'B' dimension 0 is 5, but 'n' is 4");
  // Reading A[i, 0] only is declared, but the body reads A[i, k].
  HostArray m = HostArray::Floats({2, 3}), s = HostArray::Floats({2});
  PrimFunc narrow = RowSum({{PrimExpr(0), PrimExpr(2)}, {PrimExpr(0), PrimExpr(1)}});
  EXPECT_KILN_ERROR(RunPrimFunc(narrow, {&m, &s}), "block 'C' loads A[0, 1] outside the regions it declares");
  Buffer buf = DeclBuffer("A", {4});
  Var i("i");
  PrimFunc oob = MakePrimFunc({buf}, For(i, 0, 5, ForKind::kSerial, BufferStore(buf, PrimExpr(1.0), {i})));
  EXPECT_KILN_ERROR(RunPrimFunc(oob, {&b}), "store to buffer 'A' at index 4 of dimension 0, whose extent is 4");
}

}  // namespace
}  // namespace kiln::testing
