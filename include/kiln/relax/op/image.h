// Constructor of resize2d, image resizing over the two spatial axes.
#pragma once

#include <string>
#include <vector>

#include "kiln/relax/expr.h"

namespace kiln::relax::op {

struct ResizeOptions {
  std::string layout = "NCHW";
  std::string method = "bilinear";  // or "nearest"
  // How output coordinates map to input ones: "half_pixel",
  // "pytorch_half_pixel", "align_corners" or "asymmetric".
  std::string coordinate_transformation_mode = "half_pixel";
  // For "nearest": "round_prefer_floor", "round_prefer_ceil", "floor" or "ceil".
  std::string rounding_method = "round_prefer_floor";
  DataType out_dtype = {};  // void: data's dtype
};

// size: (height, width), or one value for both; symbolic dims allowed.
Expr resize2d(Expr data, std::vector<tir::PrimExpr> size, ResizeOptions options = {});
// size as a shape value.
Expr resize2d(Expr data, Expr size, ResizeOptions options = {});

}  // namespace kiln::relax::op
