// The buffer regions that one instance of a te block reads, computed from the
// index expressions of its loads (see te.h for the rules).
#pragma once

#include <vector>

#include "kiln/tir/stmt.h"

namespace kiln::tir::te {

// The regions read by `exprs` (a block's value and init), one per buffer in
// first-read order, leaving out `output`.
std::vector<BufferRegion> ReadRegions(const std::vector<PrimExpr>& exprs, const Buffer& output);

}  // namespace kiln::tir::te
