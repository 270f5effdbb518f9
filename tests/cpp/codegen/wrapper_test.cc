// The exported wrapper's argument checks: each failing check returns an
// error naming the function, the argument and what was expected.
#include "codegen_test_util.h"

namespace kiln::codegen {
namespace {

using namespace testing;

class CodegenWrapper : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // scale2d(X: float32[n, 4], Y: float32[n, 4], k: int32): Y = X * k
    Var n = SizeVar("n"), k("k", DataType::Int(32));
    Buffer x = DeclBuffer("X", {n, 4}), y = DeclBuffer("Y", {n, 4});
    Var i("i"), j("j");
    PrimExpr v = BufferLoad(x, {i, j}) * Cast(DataType::Float(32), k);
    Stmt body = For(i, 0, n, ForKind::kSerial, For(j, 0, 4, ForKind::kSerial, BufferStore(y, v, {i, j})));
    module_ =
        new runtime::Module(Build(ModuleOf({{"add_one", AddOne()}, {"scale2d", MakePrimFunc({x, y}, body, {k})}})));
  }
  static void TearDownTestSuite() { delete module_; }
  static runtime::Module* module_;
};
runtime::Module* CodegenWrapper::module_ = nullptr;

TEST_F(CodegenWrapper, CorrectCallsRun) {
  NDArray a = ArrayOf<float>({1, 2, 3, 4}), b = Zeros<float>({4});
  (*module_)["add_one"](a, b);
  EXPECT_EQ(ValuesOf<float>(b), (std::vector<float>{2, 3, 4, 5}));
  NDArray x = ArrayOf(Iota<float>(8), {2, 4}), y = Zeros<float>({2, 4});
  (*module_)["scale2d"](x, y, 3);
  EXPECT_EQ(ValuesOf<float>(y), Iota<float>(8, 3));
  (*module_)["scale2d"](x, y, true);  // a bool passes for an int
  EXPECT_EQ(ValuesOf<float>(y), Iota<float>(8));
}

TEST_F(CodegenWrapper, ArgumentCount) {
  runtime::Function f = (*module_)["add_one"];
  NDArray a = Zeros<float>({4});
  EXPECT_KILN_ERROR(f(a), "compiled function 'add_one' failed: add_one: expected 2 arguments (A, B), got 1");
  EXPECT_KILN_ERROR(f(a, a, a), "add_one: expected 2 arguments (A, B), got 3");
}

TEST_F(CodegenWrapper, TypeCodes) {
  NDArray a = Zeros<float>({4});
  EXPECT_KILN_ERROR((*module_)["add_one"](1, a), "add_one: argument 0 (A) must be a tensor, got int");
  EXPECT_KILN_ERROR((*module_)["add_one"](a, 2.5), "add_one: argument 1 (B) must be a tensor, got float");
  NDArray x = Zeros<float>({2, 4});
  EXPECT_KILN_ERROR((*module_)["scale2d"](x, x, 1.5), "scale2d: argument 2 (k) must be an int, got float");
  EXPECT_KILN_ERROR((*module_)["scale2d"](x, x, "three"), "scale2d: argument 2 (k) must be an int, got str");
}

TEST_F(CodegenWrapper, Dtype) {
  NDArray a = Zeros<double>({4}), b = Zeros<float>({4});
  EXPECT_KILN_ERROR((*module_)["add_one"](a, b), "add_one: argument A has dtype float64, expected float32");
  EXPECT_KILN_ERROR((*module_)["add_one"](b, Zeros<int8_t>({4})), "argument B has dtype int8, expected float32");
  EXPECT_KILN_ERROR((*module_)["add_one"](b, Zeros<bool>({4})), "argument B has dtype bool, expected float32");
  NDArray vec = NDArray::Empty({4}, DataType::Float(32, 4), Device::CPU());
  EXPECT_KILN_ERROR((*module_)["add_one"](vec, b), "argument A has dtype float32x4, expected float32");
}

TEST_F(CodegenWrapper, Ndim) {
  NDArray a = Zeros<float>({2, 2}), b = Zeros<float>({4});
  EXPECT_KILN_ERROR((*module_)["add_one"](a, b), "add_one: argument A has 2 dimensions, expected 1");
  EXPECT_KILN_ERROR((*module_)["scale2d"](b, b, 1), "scale2d: argument X has 1 dimensions, expected 2");
}

TEST_F(CodegenWrapper, Shape) {
  NDArray a = Zeros<float>({4}), b = Zeros<float>({5});
  EXPECT_KILN_ERROR((*module_)["add_one"](a, b), "add_one: argument B has shape (5,), expected (4,) from n = 4");
  NDArray x = Zeros<float>({3, 4}), y = Zeros<float>({3, 5});
  EXPECT_KILN_ERROR((*module_)["scale2d"](x, y, 1), "scale2d: argument Y has shape (3, 5), expected (3, 4) from n = 3");
  EXPECT_KILN_ERROR((*module_)["scale2d"](y, y, 1), "scale2d: argument X has shape (3, 5), expected (3, 4) from n = 3");
}

// A view of `base` with other strides (in elements), through DLPack.
NDArray StridedView(const NDArray& base, std::vector<int64_t> shape, std::vector<int64_t> strides) {
  struct Owner {
    NDArray base;
    std::vector<int64_t> shape, strides;
    DLManagedTensor managed;
  };
  auto* owner = new Owner{base, std::move(shape), std::move(strides), {}};
  DLTensor& t = owner->managed.dl_tensor;
  t = *base.dl();
  t.ndim = static_cast<int32_t>(owner->shape.size());
  t.shape = owner->shape.data();
  t.strides = owner->strides.data();
  owner->managed.manager_ctx = owner;
  owner->managed.deleter = [](DLManagedTensor* self) { delete static_cast<Owner*>(self->manager_ctx); };
  return NDArray::FromDLPack(&owner->managed);
}

TEST_F(CodegenWrapper, Strides) {
  NDArray storage = Zeros<float>({4, 8}), y = Zeros<float>({4, 4});
  // Every other column: strides (8, 2) where (4, 1) is compact.
  NDArray columns = StridedView(storage, {4, 4}, {8, 2});
  EXPECT_KILN_ERROR((*module_)["scale2d"](columns, y, 1),
                    "scale2d: argument X has strides (8, 2), expected compact strides (4, 1) or none");
  // Compact strides given explicitly pass, and so does any stride of a unit dimension.
  (*module_)["scale2d"](StridedView(storage, {4, 4}, {4, 1}), y, 1);
  (*module_)["scale2d"](StridedView(storage, {1, 4}, {99, 1}), Zeros<float>({1, 4}), 1);
}

TEST_F(CodegenWrapper, Alignment) {
  NDArray storage = Zeros<float>({8}), b = Zeros<float>({4});
  // Parameters promise element alignment: 2 bytes past a float boundary fails.
  NDArray shifted = storage.CreateView({4}, DataType::Float(32), 2);
  EXPECT_KILN_ERROR((*module_)["add_one"](shifted, b), "which is not 4-byte aligned");
  (*module_)["add_one"](storage.CreateView({4}, DataType::Float(32), 4), b);  // 4 bytes in: fine
}

// Buffers with declared strides bind their symbolic strides from the tensor.
TEST(CodegenWrapperStrides, DeclaredStridesBind) {
  Var n = SizeVar("n"), s = SizeVar("s");
  Buffer x = DeclBuffer("X", {n, 2}, DataType::Float(32), "global", {s, 1}), y = DeclBuffer("Y", {n, 2});
  Var i("i"), j("j");
  Stmt body =
      For(i, 0, n, ForKind::kSerial, For(j, 0, 2, ForKind::kSerial, BufferStore(y, BufferLoad(x, {i, j}), {i, j})));
  runtime::Module m = BuildOne("pick", MakePrimFunc({x, y}, body));
  NDArray storage = ArrayOf(Iota<float>(15), {3, 5}), out = Zeros<float>({3, 2});
  m["pick"](StridedView(storage, {3, 2}, {5, 1}), out);
  EXPECT_EQ(ValuesOf<float>(out), (std::vector<float>{0, 1, 5, 6, 10, 11}));
  m["pick"](ArrayOf(Iota<float>(6), {3, 2}), out);  // no strides: compact, s = 2
  EXPECT_EQ(ValuesOf<float>(out), Iota<float>(6));
  EXPECT_KILN_ERROR(m["pick"](StridedView(storage, {3, 2}, {5, 2}), out),
                    "pick: argument X has strides (5, 2), expected (5, 1) from s = 5");
}

TEST(CodegenWrapperErrors, UnboundShapeVariable) {
  Var n = SizeVar("n");
  Buffer a = DeclBuffer("A", {n * 2});
  Stmt body = BufferStore(a, 0.0, {0});
  EXPECT_KILN_ERROR(BuildOne("twice", MakePrimFunc({a}, body)),
                    "twice: shape 0 of buffer 'A' uses variable 'n', which no earlier parameter binds");
  Var k("k");
  Buffer b = DeclBuffer("B", {4});
  EXPECT_KILN_ERROR(BuildOne("uses_k", MakePrimFunc({b}, BufferStore(b, Cast(DataType::Float(32), k), {0}))),
                    "uses_k: variable 'k' is used where it is not defined");
}

TEST(CodegenWrapperErrors, BadNames) {
  EXPECT_KILN_ERROR(BuildOne("add one", AddOne()), "function name 'add one' is not a C identifier");
  EXPECT_KILN_ERROR(BuildOne("exp", AddOne()), "function name 'exp' is taken by the C library or the compiler");
  EXPECT_KILN_ERROR(BuildOne("__kiln_runtime_api", AddOne()), "is taken by the C library or the compiler");
}

}  // namespace
}  // namespace kiln::codegen
