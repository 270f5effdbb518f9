// The CanonicalizeBindings pass: removes bindings that only rename a value,
// so that later passes see each value under one name.
#pragma once

#include "kiln/transform/pass.h"

namespace kiln::transform {

// CanonicalizeBindings
//   Summary:     `y = x` is dropped and uses of y become x; a match_cast that
//                statically holds becomes a plain binding (dropped too when
//                its value is a variable); a dataflow output that re-binds a
//                dataflow variable (`lv = f(a); gv = lv`) binds the value
//                directly (`gv = f(a)`).
//   Runs after:  Normalize (reads struct info; required, so Sequential runs
//                it first when it has not run).
//   Opt level:   1.
//   Options:     none.
Pass CanonicalizeBindings();

}  // namespace kiln::transform
