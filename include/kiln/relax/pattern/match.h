// Matching relax patterns (relax/pattern/pattern.h) against expressions and
// against the bindings of a dataflow block. Inside a block a call pattern
// looks through a dataflow variable to the call bound to it, so
// `lv0 = matmul(x, w); lv1 = add(lv0, b)` matches add(matmul(*, *), *) at lv1.
// The bindings a match looks through are its intermediates: each must be a
// dataflow variable used only by the match itself.
#pragma once

#include <optional>
#include <unordered_map>
#include <vector>

#include "kiln/relax/pattern/pattern.h"

namespace kiln::relax {

struct PatternMatch {
  // Each pattern node of the match to the expression it matched: for a call
  // pattern the call (not the variable bound to it), for the others the
  // argument itself.
  std::unordered_map<const PatternNode*, Expr> matched;
  // The expressions matched by wildcards and constant patterns, in the order
  // the pattern lists them (left to right, inner calls first), each once.
  std::vector<Expr> inputs;
  // The variables looked through, in binding order (empty outside a block).
  std::vector<Var> intermediates;

  // The expression `p` matched, or an empty Expr when it took no part
  // (an alternative not taken).
  Expr Get(const Pattern& p) const;
};

// Matches `pattern` against `expr` alone: no variable is looked through.
std::optional<PatternMatch> MatchPattern(const Pattern& pattern, const Expr& expr);

// The bindings of one dataflow block, for matching inside it.
class BlockMatcher {
 public:
  explicit BlockMatcher(const BindingBlock& block);
  // Matches `pattern` at binding `index` of the block (its value is the
  // root). Fails when an intermediate is not a dataflow variable of the
  // block, is used outside the match, or is in `taken`.
  std::optional<PatternMatch> MatchAt(const Pattern& pattern, size_t index,
                                      const std::vector<bool>& taken = {}) const;
  // The index of the binding of `var` in the block, or -1.
  int IndexOf(const VarNode* var) const;

 private:
  const BindingBlock& block_;
  std::unordered_map<const VarNode*, size_t> index_;
  std::unordered_map<const VarNode*, int> uses_;  // uses in the block's binding values
};

}  // namespace kiln::relax
