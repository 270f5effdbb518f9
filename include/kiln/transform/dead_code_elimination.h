// The DeadCodeElimination pass: removes bindings and functions that cannot
// affect the results of the module's entry functions.
#pragma once

#include <string>
#include <vector>

#include "kiln/transform/pass.h"

namespace kiln::transform {

// DeadCodeElimination
//   Summary:     removes bindings whose variables are never used and whose
//                values are pure (in and out of dataflow blocks; impure calls
//                and match_casts stay), then the relax and tir functions not
//                reachable from the entry functions: those with a
//                "global_symbol" attribute, "main", and `entry_functions`.
//                A module without any entry function keeps all of them.
//   Runs after:  Normalize (reads struct info for purity; required, so
//                Sequential runs it first when it has not run).
//   Opt level:   1.
//   Options:     entry_functions: more functions to keep, by name (raises
//                when one is not in the module);
//                relax_functions_are_entries: every relax function is an
//                entry except fused ones (attr "Primitive"): what the
//                pipelines use, since each relax function the user wrote is
//                callable on the VM.
Pass DeadCodeElimination(std::vector<std::string> entry_functions = {}, bool relax_functions_are_entries = false);

}  // namespace kiln::transform
