// Constructors of the normalizations: layer_norm, rms_norm, group_norm and
// batch_norm in inference form (running statistics; one tensor out).
#pragma once

#include <optional>
#include <vector>

#include "kiln/relax/expr.h"

namespace kiln::relax::op {

// gamma and beta have the shape of data's dims at `axes`.
Expr layer_norm(Expr data, Expr gamma, Expr beta, std::vector<int64_t> axes = {-1}, double epsilon = 1e-5);
Expr rms_norm(Expr data, Expr weight, std::vector<int64_t> axes = {-1}, double epsilon = 1e-5);
// Channels split into num_groups groups, each normalized over its channels
// and `axes` (none: every axis but 0 and channel_axis); gamma, beta are (C,).
Expr group_norm(Expr data, Expr gamma, Expr beta, int64_t num_groups, int64_t channel_axis = 1,
                std::optional<std::vector<int64_t>> axes = std::nullopt, double epsilon = 1e-5);
// (data - moving_mean) / sqrt(moving_var + epsilon) * gamma + beta along `axis`.
Expr batch_norm(Expr data, Expr gamma, Expr beta, Expr moving_mean, Expr moving_var, int64_t axis = 1,
                double epsilon = 1e-5);

}  // namespace kiln::relax::op
