// The AnnotateTIROpPattern pass: records on each tir function the fusion
// pattern kind its blocks show (include/kiln/tir/analysis/op_pattern.h).
#pragma once

#include "kiln/transform/pass.h"

namespace kiln::transform {

// AnnotateTIROpPattern
//   Summary:     each PrimFunc without the attribute "op_pattern" gets it:
//                the int of relax::OpPattern that tir::AnalyzeOpPattern
//                reads from its blocks (elementwise, broadcast, injective,
//                reduction, out-ewise-fusable, opaque). Functions that have
//                the attribute keep it, so a kernel written by hand can say
//                what it is; a function marked "tir.is_scheduled" is opaque
//                (fusing it would throw its schedule away).
//   Runs after:  LegalizeOps; before FuseOps, which reads the attribute.
//   Opt level:   0.
//   Options:     none.
Pass AnnotateTIROpPattern();

}  // namespace kiln::transform
