// Constructor of layout_transform, which moves a tensor between layouts such
// as NCHW and the blocked NCHW16c (see infer::BlockedLayout for the strings).
#pragma once

#include <string>

#include "kiln/relax/expr.h"

namespace kiln::relax::op {

// x, laid out as `src_layout`, in `dst_layout`: the same primal axes, each
// blocked or not. layout_transform(x, "NCHW", "NCHW16c") has shape
// [N, C / 16, H, W, 16]; a blocked axis must divide by its block.
Expr layout_transform(Expr x, std::string src_layout, std::string dst_layout);

}  // namespace kiln::relax::op
