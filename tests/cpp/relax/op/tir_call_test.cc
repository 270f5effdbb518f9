// call_tir, call_tir_inplace and call_dps_packed: the declared output is the
// result; the callee, argument and output kinds are checked, and in-place
// outputs must match the arguments they overwrite.
#include "kiln/relax/op/tir_call.h"

#include "op_test_util.h"

namespace kiln::relax::testing {
namespace {

TEST(CallTirOp, ReturnsTheDeclaredOutput) {
  tir::Var n = tir::SizeVar("n");
  ir::GlobalVar f = ir::MakeGlobalVar("add_one");
  Var x = Tensor("x", {n, 4});
  StructInfo out = TensorSInfo({n, 4}, kF32);
  EXPECT_EQ(Infer(op::call_tir(f, {x}, out)).get(), out.get());
  StructInfo pair = TupleSInfo({out, TensorSInfo({n}, kI64)});
  EXPECT_EQ(Infer(op::call_tir(f, {x, x}, pair)).get(), pair.get());
  EXPECT_EQ(Infer(op::call_tir(f, {x}, out, MakeShapeExpr({n}))).get(), out.get());
  const OpNode* call_tir = GetOp("call_tir").get();
  EXPECT_EQ(call_tir->pattern, OpPattern::kOpaque);
  EXPECT_EQ(call_tir->arg_names, (std::vector<std::string>{"func", "args", "tir_vars"}));
}

TEST(CallTirOp, Errors) {
  ir::GlobalVar f = ir::MakeGlobalVar("f");
  Var x = Tensor("x", {4});
  StructInfo out = TensorSInfo({4}, kF32);
  EXPECT_KILN_ERROR(Infer(MakeCall(GetOp("call_tir"), {MakeExternFunc("k"), MakeTuple({x})}, {}, {out})),
                    "relax.call_tir: argument 'func' must be a GlobalVar (a tir function of the module), got "
                    "relax.ExternFunc");
  EXPECT_KILN_ERROR(Infer(op::call_tir(f, {MakeVar("s", ShapeSInfo({4}))}, out)),
                    "relax.call_tir: field 0 of argument 'args' must be a tensor, got a shape");
  EXPECT_KILN_ERROR(Infer(MakeCall(GetOp("call_tir"), {f, MakeTuple({x})})),
                    "relax.call_tir: needs the output struct info as its one sinfo_arg, got 0");
  EXPECT_KILN_ERROR(Infer(op::call_tir(f, {x}, ShapeSInfo({4}))),
                    "relax.call_tir: the output must be a tensor or a tuple of tensors, got a shape");
  EXPECT_KILN_ERROR(Infer(op::call_tir(f, {x}, TupleSInfo({out, ObjectSInfo()}))),
                    "relax.call_tir: the output must be a tensor or a tuple of tensors, got a tuple whose field 1 is "
                    "an object");
  EXPECT_KILN_ERROR(Infer(op::call_tir(f, {x}, out, x)),
                    "relax.call_tir: argument 'tir_vars' must be a shape, got a tensor");
  EXPECT_KILN_ERROR(Infer(MakeCall(GetOp("call_tir"), {f, x}, {}, {out})),
                    "relax.call_tir: argument 'args' must be a tuple of tensors, got a tensor");
}

TEST(CallTirInplaceOp, OutputsMatchWhatTheyOverwrite) {
  tir::Var n = tir::SizeVar("n");
  ir::GlobalVar f = ir::MakeGlobalVar("scale_");
  Var x = Tensor("x", {n, 4}), y = Tensor("y", {4});
  StructInfo out = TensorSInfo({n, 4}, kF32);
  EXPECT_EQ(Infer(op::call_tir_inplace(f, {x, y}, {0}, out)).get(), out.get());
  StructInfo two = TupleSInfo({out, TensorSInfo({8}, kF32)});
  EXPECT_EQ(Infer(op::call_tir_inplace(f, {x, y}, {0, -1}, two)).get(), two.get());
  EXPECT_KILN_ERROR(Infer(op::call_tir_inplace(f, {x, y}, {0}, TensorSInfo({n, 5}, kF32))),
                    "relax.call_tir_inplace: output 0 has shape (n, 5) but the argument it is written over has (n, 4)");
  EXPECT_KILN_ERROR(
      Infer(op::call_tir_inplace(f, {x, y}, {0}, TensorSInfo({n, 4}, kF16))),
      "relax.call_tir_inplace: output 0 has dtype float16 but the argument it is written over has float32");
  EXPECT_KILN_ERROR(Infer(op::call_tir_inplace(f, {x, y}, {2}, out)),
                    "relax.call_tir_inplace: inplace index 2 is not -1 or an argument index below 2");
  EXPECT_KILN_ERROR(Infer(op::call_tir_inplace(f, {x, y}, {0, 1}, out)),
                    "relax.call_tir_inplace: inplace_indices has 2 entries for 1 outputs");
  EXPECT_KILN_ERROR(Infer(op::call_tir_inplace(f, {x, x}, {0, 0}, TupleSInfo({out, out}))),
                    "relax.call_tir_inplace: argument 0 is written over by two outputs");
  EXPECT_KILN_ERROR(CheckOpAttrs(GetOp("call_tir_inplace").get(), {}),
                    "relax.call_tir_inplace: missing attribute 'inplace_indices'");
}

TEST(CallDpsPackedOp, ExternalFunctions) {
  Var x = Tensor("x", {4});
  StructInfo out = TensorSInfo({4}, kF32);
  EXPECT_EQ(Infer(op::call_dps_packed("my_kernel", {x}, out)).get(), out.get());
  EXPECT_KILN_ERROR(Infer(MakeCall(GetOp("call_dps_packed"), {ir::MakeGlobalVar("g"), MakeTuple({x})}, {}, {out})),
                    "relax.call_dps_packed: argument 'func' must be an ExternFunc (a runtime function by name), got "
                    "ir.GlobalVar");
  EXPECT_EQ(GetOp("call_dps_packed")->pattern, OpPattern::kOpaque);
}

}  // namespace
}  // namespace kiln::relax::testing
