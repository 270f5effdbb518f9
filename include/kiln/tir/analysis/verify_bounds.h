// VerifyBounds: refuses a loop program that would access a buffer out of
// bounds, before it is compiled. A kernel that reads A[i + 1] for i up to
// the last element is an error at build time, not a crash at run time.
#pragma once

#include <string>

#include "kiln/tir/function.h"

namespace kiln::tir {

// Raises kiln::Error naming the function, the buffer, the dimension, the
// index and its range when an access provably leaves its buffer for some
// iteration: the index is affine in the loop variables (each used once, with
// a constant coefficient) and no condition guards the access (a guard could
// exclude the bad iterations, so guarded accesses are trusted). Accesses the
// analysis cannot decide are accepted.
void VerifyBounds(const PrimFunc& func, const std::string& name);

}  // namespace kiln::tir
