// Context: what an Analyzer knows about variables (values, inclusive and
// possibly symbolic ranges) and the conditions it assumes. Assumptions are
// scoped: PopTo(mark) undoes everything pushed since Mark().
#pragma once

#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "kiln/tir/arith/const_int_bound.h"

namespace kiln::tir::arith {

// lo <= v <= hi; an empty side is unbounded.
struct Interval {
  PrimExpr lo, hi;
};

class Context {
 public:
  // Bindings replace what an earlier binding said about v.
  void SetValue(const Var& v, PrimExpr value);
  void SetRange(const Var& v, Interval range);
  // Scoped knowledge, undone by PopTo.
  void PushRange(const Var& v, Interval range);
  void PushFact(PrimExpr condition);
  size_t Mark() const { return undo_.size(); }
  void PopTo(size_t mark);

  // The value v is bound to, or nullptr.
  const PrimExpr* ValueOf(const VarNode* v) const;
  // The binding's range first, then the scoped ones, innermost last.
  std::vector<Interval> RangesOf(const VarNode* v) const;
  // Assumed conditions, each simplified and free of &&.
  const std::vector<PrimExpr>& facts() const { return facts_; }
  // The constant bound of v from its dtype, size-var-ness, value and ranges.
  ConstIntBound VarBound(const VarNode* v) const;
  // When v was last bound or given a range (larger is later; 0 never): inner
  // loop vars and assumptions come later than what their ranges mention.
  uint64_t BindOrder(const VarNode* v) const;

 private:
  struct Known {
    Var var;  // keeps the key alive
    PrimExpr value;
    std::optional<Interval> range;  // from SetRange
    std::vector<Interval> scoped;   // from PushRange
    uint64_t order = 0;
  };
  Known& Entry(const Var& v);
  ConstIntBound ComputeVarBound(const VarNode* v) const;

  std::unordered_map<const VarNode*, Known> known_;
  std::vector<PrimExpr> facts_;
  uint64_t clock_ = 0;
  std::vector<const VarNode*> undo_;  // per scoped push: its var, or nullptr for a fact
  mutable std::unordered_map<const VarNode*, ConstIntBound> cache_;
  mutable std::unordered_set<const VarNode*> in_progress_;
};

// Undoes, when it goes out of scope, what was pushed since its construction.
class ContextRestore {
 public:
  explicit ContextRestore(Context& ctx) : ctx_(ctx), mark_(ctx.Mark()) {}
  ~ContextRestore() { ctx_.PopTo(mark_); }
  ContextRestore(const ContextRestore&) = delete;
  ContextRestore& operator=(const ContextRestore&) = delete;

 private:
  Context& ctx_;
  size_t mark_;
};

}  // namespace kiln::tir::arith
