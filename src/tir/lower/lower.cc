// LowerForCodegen: the lowering steps a code generator needs, in order
// (LowerBlocks, FlattenBuffers, SimplifyIndices).
#include "kiln/tir/lower.h"

namespace kiln::tir {

PrimFunc LowerForCodegen(const PrimFunc& func) {
  return SimplifyIndices(FlattenBuffers(LowerBlocks(func)));
}

}  // namespace kiln::tir
