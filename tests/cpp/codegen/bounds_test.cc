// Build refuses kernels that would access a buffer out of bounds, and
// accepts guarded or in-bounds ones.
#include "codegen_test_util.h"
#include "kiln/tir/te.h"

namespace kiln::codegen {
namespace {

using namespace testing;

TEST(CodegenBounds, ShiftedReadIsRefused) {
  te::Tensor a = te::placeholder({16}, DataType::Float(32), "A");
  te::Tensor b = te::compute({16}, [&](Var i) { return a(i + 1); }, "B");
  EXPECT_KILN_ERROR(BuildOne("shift", te::create_prim_func({a}, {b})),
                    "shift: buffer 'A' is read out of bounds: index i0 + 1 of dimension 0 (extent 16) reaches 16");
}

TEST(CodegenBounds, SymbolicExtent) {
  Var n = SizeVar("n");
  Buffer a = DeclBuffer("A", {n}), b = DeclBuffer("B", {n});
  Var i("i");
  Stmt body = For(i, 0, n, ForKind::kSerial, BufferStore(b, BufferLoad(a, {i + 1}), {i}));
  EXPECT_KILN_ERROR(BuildOne("shift_n", MakePrimFunc({a, b}, body)),
                    "shift_n: buffer 'A' is read out of bounds: index i + 1 of dimension 0 (extent n)");
  Stmt neg = For(i, 0, n, ForKind::kSerial, BufferStore(b, BufferLoad(a, {i - 1}), {i}));
  EXPECT_KILN_ERROR(BuildOne("neg", MakePrimFunc({a, b}, neg)), "reaches -1");
}

TEST(CodegenBounds, WriteOutOfBounds) {
  Buffer a = DeclBuffer("A", {8}), b = DeclBuffer("B", {8});
  Var i("i");
  Stmt body = For(i, 0, 8, ForKind::kSerial, BufferStore(b, BufferLoad(a, {i}), {i * 2}));
  EXPECT_KILN_ERROR(BuildOne("strided", MakePrimFunc({a, b}, body)),
                    "strided: buffer 'B' is written out of bounds: index i * 2 of dimension 0 (extent 8) reaches 14");
}

TEST(CodegenBounds, GuardedAndInBoundsAccessesBuild) {
  Buffer a = DeclBuffer("A", {16}), b = DeclBuffer("B", {16});
  Var i("i");
  // A guard may exclude the bad iterations: trusted.
  Stmt guarded = For(i, 0, 16, ForKind::kSerial,
                     IfThenElse(i < 15, BufferStore(b, BufferLoad(a, {i + 1}), {i}), BufferStore(b, 0.0f, {i})));
  runtime::Module m = BuildOne("guarded", MakePrimFunc({a, b}, guarded));
  NDArray x = ArrayOf(Iota<float>(16)), y = Zeros<float>({16});
  m["guarded"](x, y);
  EXPECT_EQ(ValuesOf<float>(y)[14], 15.0f);
  EXPECT_EQ(ValuesOf<float>(y)[15], 0.0f);
  // Non-affine indices are not judged (i * i stays within 0..225 only for A of 256).
  Buffer big = DeclBuffer("A", {256});
  Stmt square = For(i, 0, 16, ForKind::kSerial, BufferStore(b, BufferLoad(big, {i * i}), {i}));
  BuildOne("square", MakePrimFunc({big, b}, square));
}

}  // namespace
}  // namespace kiln::codegen
