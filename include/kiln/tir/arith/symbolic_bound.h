// Constant bounds of a canonical sum through symbolic ranges (with i in
// [0, n), i - n <= -1): vars are replaced by range endpoints and min, max and
// select by their operands, a few levels deep, keeping the best bound.
#pragma once

#include "kiln/tir/arith/canonical.h"
#include "kiln/tir/arith/context.h"

namespace kiln::tir::arith {

// Sound: the sum is <= MaxOf and >= MinOf at every point `ctx` allows. The
// sentinels of ConstIntBound stand for "unbounded".
int64_t MaxOf(const SumForm& s, const Context& ctx);
int64_t MinOf(const SumForm& s, const Context& ctx);

}  // namespace kiln::tir::arith
