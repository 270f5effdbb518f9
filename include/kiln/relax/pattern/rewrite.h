// Pattern-based rewrites of relax functions: every binding of a dataflow
// block whose value matches a pattern is replaced by what a rewriter makes
// of it.
#pragma once

#include <functional>

#include "kiln/relax/pattern/match.h"

namespace kiln::relax {

// Given the matched value (the root call) and the match, the replacement
// expression; returning the matched value itself (or an empty Expr) keeps
// the binding. The replacement may use the match's inputs and any variable
// bound before the root; the intermediates of a replaced match are dropped
// once nothing uses them.
using Rewriter = std::function<Expr(const Expr& matched, const PatternMatch& match)>;

// Rewrites the dataflow blocks of `func`: bindings are tried from the last
// to the first, so the longest chain ending at a binding wins, and a binding
// that is part of a rewritten match is not matched again. Returns `func`
// itself when nothing matched.
Function RewriteCall(const Pattern& pattern, const Rewriter& rewriter, const Function& func);

}  // namespace kiln::relax
