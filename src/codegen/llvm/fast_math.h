// float32 exp, erf and tanh as inline LLVM IR over a float or a vector of
// floats, so that vector code stays vector code (LLVM's own intrinsics and
// libm compute them one lane at a time). Accuracy is stated per function.
#pragma once

#include <llvm/IR/IRBuilder.h>

namespace kiln::codegen {

// exp(x) within 2 ulp; +inf above 88.72, 0 below -87.34, NaN stays NaN.
llvm::Value* ExpF32(llvm::IRBuilder<>& b, llvm::Value* x);

// erf(x) within 4e-7 absolute; erf(+-inf) = +-1, NaN stays NaN.
llvm::Value* ErfF32(llvm::IRBuilder<>& b, llvm::Value* x);

// tanh(x) within 4e-7 absolute (and 4e-7 relative near 0); tanh(+-inf) = +-1,
// NaN stays NaN.
llvm::Value* TanhF32(llvm::IRBuilder<>& b, llvm::Value* x);

}  // namespace kiln::codegen
