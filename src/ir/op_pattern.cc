// Names of the op pattern kinds, as printed and as Python shows them.
#include "kiln/ir/op_pattern.h"

namespace kiln::ir {

const char* OpPatternName(OpPattern p) {
  switch (p) {
    case OpPattern::kElementwise: return "elementwise";
    case OpPattern::kBroadcast: return "broadcast";
    case OpPattern::kInjective: return "injective";
    case OpPattern::kReduction: return "reduction";
    case OpPattern::kOutEWiseFusable: return "output_fusible";
    case OpPattern::kOpaque: return "opaque";
  }
  return "?";
}

}  // namespace kiln::ir
