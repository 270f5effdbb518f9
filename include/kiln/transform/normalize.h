// The Normalize pass: puts relax functions in normal form, with struct info
// everywhere and nested calls flattened into bindings.
#pragma once

#include "kiln/transform/pass.h"

namespace kiln::transform {

// Normalize
//   Summary:     fills in missing struct info and flattens nested calls into
//                bindings of their own (A-normal form); a scope body that is
//                neither a SeqExpr nor a leaf becomes a SeqExpr.
//   Runs after:  nothing; run it first on modules built by hand or parsed.
//   Opt level:   0.
//   Options:     none.
Pass Normalize();

}  // namespace kiln::transform
