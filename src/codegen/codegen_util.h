// What the code generators (llvm, c, cuda) share about a PrimFunc: the
// variables a compiled function takes, the variables a parallel body
// captures, the variables of an expression, and the printf format the
// argument-check messages use for shapes.
#pragma once

#include <string>
#include <vector>

#include "kiln/ir/module.h"
#include "kiln/tir/function.h"
#include "kiln/tir/stmt.h"

namespace kiln::codegen {

// The functions of `mod` as a code generator takes them: (name, PrimFunc)
// pairs, each checked for out-of-bounds accesses (tir::VerifyBounds) and
// lowered (tir::LowerForCodegen). Raises kiln::Error for a function that is
// not a PrimFunc.
std::vector<std::pair<std::string, tir::PrimFunc>> LoweredKernels(const ir::IRModule& mod);

// The variables a compiled PrimFunc takes, in order: each parameter (a
// buffer parameter as its buffer's data pointer), then the variables of
// buffer shapes and strides that are no parameter. Raises kiln::Error, naming
// `name`, for parameters sharing data and symbolic buffer offsets.
std::vector<tir::Var> ComputeArgs(const std::string& name, const tir::PrimFunc& func);

// The variables `stmt` uses (buffer data and allocation sizes included), in
// order of first use: what an outlined parallel body must capture.
std::vector<tir::Var> UsedVars(const tir::Stmt& stmt);

// The variables of `e`, in order of first appearance.
std::vector<tir::Var> VarsOf(const tir::PrimExpr& e);

// Checks of a tir intrinsic call in `function`: it has `n` arguments; for
// float math, also that each argument is a float of the call's own dtype.
// Raise kiln::Error naming the function and the intrinsic.
void CheckIntrinsicArity(const std::string& function, const tir::CallNode* op, size_t n);
void CheckFloatMathArgs(const std::string& function, const tir::CallNode* op, size_t n);

// "(%lld,)" or "(%lld, %lld)": the printf format of an n-tuple of int64.
std::string TupleFormat(size_t n);

}  // namespace kiln::codegen
