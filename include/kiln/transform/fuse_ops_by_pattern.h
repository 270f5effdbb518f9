// The FuseOpsByPattern pass: groups the bindings that match user patterns
// into functions tagged with the pattern's name, for a library or an
// external code generator to take over.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "kiln/relax/pattern/match.h"
#include "kiln/transform/pass.h"

namespace kiln::transform {

struct FusionPattern {
  std::string name;  // "dnnl.linear_relu": the Composite attribute; its first word is the codegen name
  relax::Pattern pattern;
  // Whether to take a match (e.g. a shape the library supports); none: all.
  std::function<bool(const relax::PatternMatch&)> check;
};

// FuseOpsByPattern
//   Summary:     in each dataflow block of each relax function, bindings are
//                matched from the last to the first against the patterns in
//                order (the first pattern that matches and passes its check
//                wins; a binding already grouped is not matched again). Each
//                match (its root and intermediates, relax/pattern/match.h)
//                becomes a function with attr "Composite"=<pattern name>
//                whose parameters are the match's inputs (variables and
//                constants, fresh symbolic dimensions) in pattern order, and
//                whose body re-emits the matched bindings; the root binding
//                calls it, the intermediates go. With annotate_codegen, the
//                graph calls an outer function with attr "Codegen"=<the
//                pattern name up to its first '.'> that calls the composite
//                one. Identical functions are shared.
//   Runs after:  Normalize; before LegalizeOps (patterns name op calls).
//   Opt level:   0.
//   Options:     patterns; annotate_codegen.
Pass FuseOpsByPattern(std::vector<FusionPattern> patterns, bool annotate_codegen = false);

}  // namespace kiln::transform
