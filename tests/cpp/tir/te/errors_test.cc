// te user mistakes: each raises kiln::Error naming the tensor, axis or
// variable at fault.
#include "common/test_util.h"
#include "kiln/tir/te.h"

namespace kiln::tir::te {
namespace {

const DataType f32 = DataType::Float(32);

TEST(TeErrors, WrongNumberOfIndices) {
  Tensor a = placeholder({4, 4}, f32, "A");
  EXPECT_KILN_ERROR(a(1), "tensor 'A' has 2 dimensions; read with 1 indices");
  EXPECT_KILN_ERROR(compute(
                        {4}, [&](Var i) { return a(i, i, i); }, "B"),
                    "read with 3 indices");
  EXPECT_KILN_ERROR(compute(
                        {4, 4}, [&](Var i) { return a(i, i); }, "B"),
                    "compute 'B': the function takes 1 indices but the shape has 2 dimensions");
}

TEST(TeErrors, ReduceAxisOutsideAReduction) {
  Tensor a = placeholder({4, 4}, f32, "A");
  ReduceAxis k = reduce_axis({0, 4});
  EXPECT_KILN_ERROR(compute(
                        {4}, [&](Var i) { return sum(a(i, k.var), {k}, a(i, k.var)); }, "S"),
                    "compute 'S': reduce axis 'k' is used outside a reduction (in its init)");
  EXPECT_KILN_ERROR(compute(
                        {4}, [&](Var i) { return sum(a(i, k.var), {k}) + 1.0; }, "S"),
                    "compute 'S': a reduction must be the whole value of a compute, not part of it");
  Tensor s = compute(
      {4}, [&](Var i) { return sum(a(i, k.var), {k}); }, "S");
  Tensor t = compute(
      {4}, [&](Var i) { return s(i) + a(i, k.var); }, "T");
  EXPECT_KILN_ERROR(create_prim_func({a}, {t}), "reduce axis 'k' is used outside a reduction (in block 'T')");
  ReduceAxis r = reduce_axis({0, 4}, "r");
  Tensor u = compute(
      {4}, [&](Var i) { return a(i, r.var); }, "U");
  EXPECT_KILN_ERROR(create_prim_func({a}, {u}),
                    "variable 'r' (in block 'U') is neither a whole dimension of an input or output nor among the "
                    "scalars");
}

TEST(TeErrors, ReductionDomainsAndNesting) {
  Tensor a = placeholder({4, 4}, f32, "A");
  EXPECT_KILN_ERROR(compute(
                        {4},
                        [&](Var i) {
                          return sum(a(i, 0), {reduce_axis({0, i})});
                        },
                        "tri"),
                    "compute 'tri': the domain of reduce axis 'k' depends on index 'i0'");
  ReduceAxis k = reduce_axis({0, 4}), r = reduce_axis({0, 4}, "r");
  EXPECT_KILN_ERROR(compute(
                        {1}, [&](Var) { return sum(max(a(k.var, r.var), {r}), {k}); }, "nested"),
                    "compute 'nested': a reduction inside a reduction");
  EXPECT_KILN_ERROR(sum(a(0, k.var), {}), "reduction: no reduce axes given");
  EXPECT_KILN_ERROR(sum(a(0, k.var), {k, k}), "reduce axis 'k' is given twice");
}

TEST(TeErrors, MixedDtypes) {
  Var n("n", DataType::Int(32));
  EXPECT_KILN_ERROR(placeholder({n, 4}, f32, "A"),
                    "placeholder 'A': dimension 1 is int64 but dimension 0 is int32 (mixed dtypes; cast one)");
  Tensor a = placeholder({4}, f32, "A");
  ReduceAxis k = reduce_axis({0, 4});
  EXPECT_KILN_ERROR(sum(a(k.var), {k}, FloatImm(DataType::Float(16), 0)),
                    "reduction: init of dtype float16 for a source of dtype float32 (mixed dtypes; cast one)");
  EXPECT_KILN_ERROR(reduce_axis({Var("lo"), n}, "j"), "reduce axis 'j': min of dtype int64 and extent of dtype int32");
  EXPECT_KILN_ERROR(compute(
                        {4}, [&](Var i) { return a(i) + Cast(DataType::Float(16), a(i)); }, "B"),
                    "operands have different dtypes float32 and float16");
}

TEST(TeErrors, OutputDependsOnAMissingInput) {
  Tensor a = placeholder({4}, f32, "A"), b = placeholder({4}, f32, "B");
  Tensor c = compute(
      {4}, [&](Var i) { return a(i) * b(i); }, "C");
  Tensor d = compute(
      {4}, [&](Var i) { return c(i) + 1.0; }, "D");
  EXPECT_KILN_ERROR(create_prim_func({a}, {d}),
                    "create_prim_func: output 'D' depends on placeholder 'B', which is not among the inputs");
}

TEST(TeErrors, BadArguments) {
  Tensor a = placeholder({4}, f32, "A");
  Tensor c = compute(
      {4}, [&](Var i) { return a(i); }, "C");
  EXPECT_KILN_ERROR(create_prim_func({a}, {}), "no outputs given");
  EXPECT_KILN_ERROR(create_prim_func({a, a}, {c}), "tensor 'A' is given twice");
  EXPECT_KILN_ERROR(create_prim_func({a, c}, {c}), "tensor 'C' is both an input and an output");
  Buffer raw = DeclBuffer("raw", {4});
  EXPECT_KILN_ERROR(compute(
                        {4}, [&](Var i) { return BufferLoad(raw, {i}); }, "R"),
                    "compute 'R' reads buffer 'raw', which is not a te tensor");
}

TEST(TeErrors, UndefinedVariablesNeedScalars) {
  Var m = SizeVar("m"), alpha("alpha", f32);
  Tensor a = placeholder({m * 2}, f32, "A");  // m is not a whole dimension: it cannot be bound from A
  Tensor b = compute(
      {m * 2}, [&](Var i) { return a(i) * alpha; }, "B");
  EXPECT_KILN_ERROR(create_prim_func({a}, {b}), "variable 'm' (in the shape of buffer 'A')");
  EXPECT_KILN_ERROR(create_prim_func({a}, {b}, {m}), "variable 'alpha' (in block 'B')");
  PrimFunc f = create_prim_func({a}, {b}, {m, alpha});
  EXPECT_EQ(f->params.size(), 4u);
}

}  // namespace
}  // namespace kiln::tir::te
