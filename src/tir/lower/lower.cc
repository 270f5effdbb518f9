// LowerForCodegen: the lowering steps a code generator needs, in order. Each
// step's contract, and what it needs to run after, is in lower.h.
#include "kiln/tir/lower.h"

namespace kiln::tir {

PrimFunc LowerForCodegen(const PrimFunc& func) {
  PrimFunc f = func;
  f = PlanBufferAllocation(f);     // buffers allocated where they are used
  f = CompactBufferAllocation(f);  // ... and no larger than one use needs
  f = LowerBlocks(f);              // plain loops
  f = LoopPartition(f);            // boundary checks out of the main loops
  f = VectorizeLoops(f);           // vectorized loops as vector code
  f = UnrollLoops(f);              // unrolled loops as copies of their bodies
  f = FlattenBuffers(f);           // one-dimensional accesses
  f = SimplifyIndices(f);          // simple indices, contiguous ramps
  return f;
}

}  // namespace kiln::tir
