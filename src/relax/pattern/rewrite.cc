// RewriteCall: a mutator over dataflow blocks that matches from the last
// binding to the first and re-emits each block with the replacements.
#include "kiln/relax/pattern/rewrite.h"

#include <unordered_set>

#include "kiln/relax/functor.h"

namespace kiln::relax {
namespace {

class CallRewriter : public ExprMutator {
 public:
  CallRewriter(const Pattern& pattern, const Rewriter& rewriter) : pattern_(pattern), rewriter_(rewriter) {}

 protected:
  BindingBlock VisitBindingBlock(const BindingBlock& block) override {
    if (!block.is_dataflow) return ExprMutator::VisitBindingBlock(block);
    size_t n = block.bindings.size();
    BlockMatcher matcher(block);
    std::vector<bool> taken(n, false), dropped(n, false);
    std::vector<Expr> replacement(n);
    for (size_t i = n; i-- > 0;) {
      if (taken[i]) continue;
      std::optional<PatternMatch> m = matcher.MatchAt(pattern_, i, taken);
      if (!m) continue;
      Expr value = rewriter_(m->Get(pattern_), *m);
      if (!value || value.get() == block.bindings[i].value.get()) continue;
      replacement[i] = value;
      taken[i] = true;
      for (const Var& v : m->intermediates) taken[matcher.IndexOf(v.get())] = dropped[matcher.IndexOf(v.get())] = true;
    }
    // An intermediate stays when a replacement (or an intermediate that stays) uses it.
    std::unordered_set<const VarNode*> needed;
    auto need_vars_of = [&](const Expr& e) {
      PostOrderVisit(e, [&](const Expr& x) {
        if (const auto* v = x.as<VarNode>()) needed.insert(v);
      });
    };
    for (size_t i = n; i-- > 0;) {
      if (replacement[i]) need_vars_of(replacement[i]);
      if (dropped[i] && needed.count(block.bindings[i].var.get())) {
        dropped[i] = false;
        need_vars_of(block.bindings[i].value);
      }
    }
    builder_.BeginDataflowBlock();
    for (size_t i = 0; i < n; ++i) {
      const Binding& b = block.bindings[i];
      if (dropped[i]) continue;
      VisitBinding(replacement[i] ? Binding{b.var, replacement[i], StructInfo()} : b);
    }
    return builder_.EndDataflowBlock();
  }

 private:
  const Pattern& pattern_;
  const Rewriter& rewriter_;
};

}  // namespace

Function RewriteCall(const Pattern& pattern, const Rewriter& rewriter, const Function& func) {
  KILN_CHECK(pattern) << "rewrite_call: empty pattern";
  KILN_CHECK(func) << "rewrite_call: no function to rewrite";
  Expr out = CallRewriter(pattern, rewriter).VisitExpr(func);
  return out.As<FunctionNode>();
}

}  // namespace kiln::relax
