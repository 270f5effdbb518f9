// Constructors of the convolutions: conv1d, conv2d and conv2d_transpose.
// Options left at their defaults take the op's defaults (layouts NCW/NCHW
// with OIW/OIHW kernels, IOHW for the transposed kernel). conv2d also takes
// blocked layouts: data "NCHW16c" ([N, C/16, H, W, 16]), kernel
// "OIHW16i16o" ([O/16, C/16, KH, KW, 16, 16]) and out_layout "NCHW16c"
// (groups 1; the data and kernel input blocks agree, and so do the kernel
// output and result blocks).
#pragma once

#include <string>
#include <vector>

#include "kiln/relax/expr.h"

namespace kiln::relax::op {

struct ConvOptions {
  std::vector<int64_t> strides = {1};   // 1 value for every spatial axis, or one each
  std::vector<int64_t> padding = {0};   // 1, n (per axis) or 2n values (all begins, then all ends)
  std::vector<int64_t> dilation = {1};  // like strides
  int64_t groups = 1;
  std::string data_layout = "";    // "": the op's default
  std::string kernel_layout = "";  // "": the op's default
  std::string out_layout = "";     // conv2d only; "": data_layout (see blocked layouts below)
  DataType out_dtype = {};         // void: the operands' dtype
};

Expr conv1d(Expr data, Expr weight, ConvOptions options = {});
Expr conv2d(Expr data, Expr weight, ConvOptions options = {});
// output_padding adds to one side of each output dim (smaller than the
// stride or the dilation).
Expr conv2d_transpose(Expr data, Expr weight, ConvOptions options = {}, std::vector<int64_t> output_padding = {0});

}  // namespace kiln::relax::op
