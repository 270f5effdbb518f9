// The LegalizeOps pass: every call of a registered op becomes a call_tir of a
// PrimFunc that computes it (see include/kiln/relax/legalize.h).
#pragma once

#include <string>

#include "kiln/transform/pass.h"

namespace kiln::transform {

// LegalizeOps
//   Summary:     each call of an op with a legalization is replaced by what
//                the legalization returns (call_tir of a PrimFunc added to
//                the module, written with te; identical PrimFuncs are
//                shared). Overrides registered for `target_kind` (or for
//                every target) take precedence over the op's own. Calls of
//                ops without a legalization (call_tir, call_dps_packed, ...)
//                stay. Symbolic shapes stay symbolic.
//   Runs after:  Normalize (needs struct info).
//   Opt level:   0.
//   Options:     the config key "relax.legalize.skip_ops" (a comma-separated
//                list of op names) leaves those ops as they are, e.g. for a
//                later dispatch to a library.
Pass LegalizeOps(const std::string& target_kind = "llvm");

}  // namespace kiln::transform
