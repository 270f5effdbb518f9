// Constructors of the 2-D pooling ops: max and average pooling over a window,
// and adaptive average pooling to a given output size.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "kiln/relax/expr.h"

namespace kiln::relax::op {

struct PoolOptions {
  std::vector<int64_t> strides = {1};   // 1 value or one per spatial axis
  std::vector<int64_t> padding = {0};   // 1, 2 (per axis) or 4 values (top, left, bottom, right)
  std::vector<int64_t> dilation = {1};  // like strides
  bool ceil_mode = false;               // round the output size up
  std::string layout = "NCHW";          // of data and of the result
};

Expr max_pool2d(Expr data, std::vector<int64_t> pool_size, PoolOptions options = {});
// count_include_pad: padded elements count in the divisor.
Expr avg_pool2d(Expr data, std::vector<int64_t> pool_size, PoolOptions options = {}, bool count_include_pad = false);
// output_size: 1 or 2 values; none keeps the input's spatial size.
Expr adaptive_avg_pool2d(Expr data, std::optional<std::vector<int64_t>> output_size = std::nullopt,
                         std::string layout = "NCHW");

}  // namespace kiln::relax::op
