// Context: the bindings and scoped assumptions an Analyzer holds.
#include "kiln/tir/arith/context.h"

#include <algorithm>

namespace kiln::tir::arith {

Context::Known& Context::Entry(const Var& v) {
  cache_.clear();
  Known& k = known_[v.get()];
  k.var = v;
  k.order = ++clock_;
  return k;
}

void Context::SetValue(const Var& v, PrimExpr value) {
  Known& k = Entry(v);
  k.value = std::move(value);
  k.range.reset();
}

void Context::SetRange(const Var& v, Interval range) {
  Known& k = Entry(v);
  k.value = PrimExpr();
  k.range = std::move(range);
}

void Context::PushRange(const Var& v, Interval range) {
  Entry(v).scoped.push_back(std::move(range));
  undo_.push_back(v.get());
}

void Context::PushFact(PrimExpr condition) {
  facts_.push_back(std::move(condition));
  undo_.push_back(nullptr);
}

void Context::PopTo(size_t mark) {
  cache_.clear();
  while (undo_.size() > mark) {
    if (const VarNode* v = undo_.back()) {
      known_.at(v).scoped.pop_back();
    } else {
      facts_.pop_back();
    }
    undo_.pop_back();
  }
}

const PrimExpr* Context::ValueOf(const VarNode* v) const {
  auto it = known_.find(v);
  return it != known_.end() && it->second.value ? &it->second.value : nullptr;
}

std::vector<Interval> Context::RangesOf(const VarNode* v) const {
  auto it = known_.find(v);
  if (it == known_.end()) return {};
  std::vector<Interval> ranges;
  if (it->second.range) ranges.push_back(*it->second.range);
  ranges.insert(ranges.end(), it->second.scoped.begin(), it->second.scoped.end());
  return ranges;
}

uint64_t Context::BindOrder(const VarNode* v) const {
  auto it = known_.find(v);
  return it != known_.end() ? it->second.order : 0;
}

ConstIntBound Context::VarBound(const VarNode* v) const {
  if (auto it = cache_.find(v); it != cache_.end()) return it->second;
  ConstIntBound b = ComputeVarBound(v);
  cache_[v] = b;
  return b;
}

// A var met again while computing its own bound (x < y, y < x) gets its
// dtype's range at the inner occurrence.
ConstIntBound Context::ComputeVarBound(const VarNode* v) const {
  ConstIntBound b = ConstIntBound::Of(v->dtype);
  if (v->is_size_var) b.min_value = std::max<int64_t>(b.min_value, 0);
  if (!in_progress_.insert(v).second) return b;
  if (const PrimExpr* value = ValueOf(v)) {
    b = BoundIntersect(b, EvalConstIntBound(*value, *this));
  }
  for (const Interval& r : RangesOf(v)) {
    ConstIntBound lo = r.lo ? EvalConstIntBound(r.lo, *this) : ConstIntBound{};
    ConstIntBound hi = r.hi ? EvalConstIntBound(r.hi, *this) : ConstIntBound{};
    b = BoundIntersect(b, {lo.min_value, hi.max_value});
  }
  in_progress_.erase(v);
  return b;
}

}  // namespace kiln::tir::arith
