// A reference interpreter for tir, for tests: runs a PrimFunc (loops, blocks
// with init, lets, ifs, allocations) on host arrays, checking every access
// against the buffer's shape and the innermost block's declared regions.
#pragma once

#include <cstdint>
#include <variant>
#include <vector>

#include "kiln/tir/function.h"

namespace kiln::testing {

// A host array in row-major order: doubles for float dtypes, int64 for
// integer and bool dtypes (the other vector stays empty).
struct HostArray {
  std::vector<int64_t> shape;
  std::vector<double> f;
  std::vector<int64_t> i;

  int64_t size() const;
  static HostArray Floats(std::vector<int64_t> shape);  // zeros
  static HostArray Ints(std::vector<int64_t> shape);    // zeros
};

// One argument per parameter: an array for a buffer, a value for a scalar.
using Arg = std::variant<HostArray*, int64_t>;

// Runs `func`. A buffer's dimensions that are a bare variable take their
// value from the array's shape; the others must equal it. Semantics follow
// tir (expr.h): C division for Div/Mod, floor for FloorDiv/FloorMod; float32
// results are rounded to float32. Loops of every kind run serially; a block
// binds its iteration variables (each must lie in its domain), runs its init
// when every reduce variable is at its domain's min, then its body. Raises
// kiln::Error on what it cannot run (vectors, unknown intrinsics) and on a
// wrong access: outside the buffer's shape, or outside the regions the
// innermost block declares (blocks that declare none are not checked).
void RunPrimFunc(const tir::PrimFunc& func, const std::vector<Arg>& args);

}  // namespace kiln::testing
