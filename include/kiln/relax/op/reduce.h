// Constructors of the reductions: sum, mean, max, min, prod and variance
// over a list of axes (none: all), and argmax/argmin over one axis (none:
// the flattened tensor). keepdims keeps reduced axes with size 1.
#pragma once

#include <optional>
#include <vector>

#include "kiln/relax/expr.h"

namespace kiln::relax::op {

using Axes = std::optional<std::vector<int64_t>>;

Expr sum(Expr x, Axes axis = std::nullopt, bool keepdims = false);
Expr mean(Expr x, Axes axis = std::nullopt, bool keepdims = false);
Expr max(Expr x, Axes axis = std::nullopt, bool keepdims = false);
Expr min(Expr x, Axes axis = std::nullopt, bool keepdims = false);
Expr prod(Expr x, Axes axis = std::nullopt, bool keepdims = false);
// sum((x - mean)^2) / (count - correction); correction 1 is the unbiased form.
Expr variance(Expr x, Axes axis = std::nullopt, bool keepdims = false, int64_t correction = 0);
// int64 indices.
Expr argmax(Expr x, std::optional<int64_t> axis = std::nullopt, bool keepdims = false);
Expr argmin(Expr x, std::optional<int64_t> axis = std::nullopt, bool keepdims = false);

}  // namespace kiln::relax::op
