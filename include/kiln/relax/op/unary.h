// Constructors of the elementwise unary ops (exp, relu, gelu, clip, ...).
// Each returns an un-normalized Call; normalization fills its struct info.
#pragma once

#include <string>

#include "kiln/relax/expr.h"

namespace kiln::relax::op {

Expr exp(Expr x);
Expr log(Expr x);
Expr sqrt(Expr x);
Expr rsqrt(Expr x);
Expr tanh(Expr x);
Expr sigmoid(Expr x);
Expr erf(Expr x);
Expr floor(Expr x);
Expr ceil(Expr x);
// Halves to even, as numpy and torch.
Expr round(Expr x);
Expr abs(Expr x);
Expr neg(Expr x);
Expr relu(Expr x);
// approximate: "none" (x * Phi(x) through erf) or "tanh".
Expr gelu(Expr x, std::string approximate = "none");
Expr silu(Expr x);
// min(max(x, min), max); either bound may be infinite.
Expr clip(Expr x, double min, double max);

}  // namespace kiln::relax::op
