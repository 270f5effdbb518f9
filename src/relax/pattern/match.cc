// The pattern matcher: a recursive walk of pattern and expression together,
// backtracking over alternatives by copying its state.
#include "kiln/relax/pattern/match.h"

#include <algorithm>

#include "kiln/relax/functor.h"
#include "kiln/relax/op.h"
#include "kiln/tir/structural_equal.h"

namespace kiln::relax {
namespace {

using runtime::Any;

// A shape or a list of ints (an int-list attribute given from Python) as ints.
std::optional<std::vector<int64_t>> IntsOf(const Any& a) {
  if (a.TypeName() == "Shape") return a.Cast<std::vector<int64_t>>();
  auto list = a.kind() == Any::Kind::kObject ? a.AsObject().As<runtime::ArrayObj>() : Ref<runtime::ArrayObj>();
  if (!list) return std::nullopt;
  std::vector<int64_t> out;
  for (const Any& item : list->items) {
    if (item.kind() != Any::Kind::kInt) return std::nullopt;
    out.push_back(item.AsInt());
  }
  return out;
}

bool AnyEqual(const Any& a, const Any& b) {
  if (auto x = IntsOf(a)) {
    auto y = IntsOf(b);
    return y && *x == *y;
  }
  if (a.kind() != b.kind()) {
    bool numeric = (a.kind() == Any::Kind::kInt || a.kind() == Any::Kind::kFloat) &&
                   (b.kind() == Any::Kind::kInt || b.kind() == Any::Kind::kFloat);
    if (!numeric) return false;
    double x = a.kind() == Any::Kind::kInt ? static_cast<double>(a.AsInt()) : a.AsFloat();
    double y = b.kind() == Any::Kind::kInt ? static_cast<double>(b.AsInt()) : b.AsFloat();
    return x == y;
  }
  switch (a.kind()) {
    case Any::Kind::kNone: return true;
    case Any::Kind::kInt:
    case Any::Kind::kBool: return a.AsInt() == b.AsInt();
    case Any::Kind::kFloat: return a.AsFloat() == b.AsFloat();
    case Any::Kind::kDataType: return a.AsDataType() == b.AsDataType();
    case Any::Kind::kDevice: return a.AsDevice() == b.AsDevice();
    case Any::Kind::kObject: break;
  }
  if (a.TypeName() != b.TypeName()) return false;
  if (a.TypeName() == "str") return a.Cast<std::string>() == b.Cast<std::string>();
  if (auto x = a.AsObject().As<runtime::ArrayObj>()) {
    auto y = b.AsObject().As<runtime::ArrayObj>();
    if (x->items.size() != y->items.size()) return false;
    for (size_t i = 0; i < x->items.size(); ++i) {
      if (!AnyEqual(x->items[i], y->items[i])) return false;
    }
    return true;
  }
  return a.AsObject().get() == b.AsObject().get();
}

// The value of attribute `key` of `call`, or the op's default.
std::optional<Any> CallAttr(const CallNode* call, const std::string& key) {
  if (auto v = call->attrs.Find(key)) return v;
  const auto* op = call->op.as<OpNode>();
  const OpAttrSpec* spec = op ? op->FindAttr(key) : nullptr;
  if (spec && !spec->default_value.is_none()) return spec->default_value;
  return std::nullopt;
}

class Matcher {
 public:
  // `bindings`: the values of the variables that may be looked through.
  explicit Matcher(const std::unordered_map<const VarNode*, Expr>* bindings) : bindings_(bindings) {}

  bool Match(const Pattern& p, const Expr& e, PatternMatch& m) {
    auto seen = m.matched.find(p.get());
    if (seen != m.matched.end()) return seen->second.get() == Resolve(p, e).get();
    if (p.as<WildcardPatternNode>()) return Leaf(p, e, m);
    if (p.as<ConstantPatternNode>()) return e.as<ConstantNode>() && Leaf(p, e, m);
    if (const auto* c = p.as<CallPatternNode>()) return MatchCall(p, c, e, m);
    if (const auto* o = p.as<OrPatternNode>()) {
      for (const Pattern& alt : o->alternatives) {
        PatternMatch attempt = m;
        if (Match(alt, e, attempt)) {
          m = std::move(attempt);
          m.matched[p.get()] = Resolve(alt, e);
          return true;
        }
      }
      return false;
    }
    if (const auto* a = p.as<AttrPatternNode>()) {
      if (!Match(a->pattern, e, m)) return false;
      const auto* call = m.Get(a->pattern).as<CallNode>();
      if (!call) return false;
      for (const auto& [key, value] : a->attrs.items()) {
        std::optional<Any> actual = CallAttr(call, key);
        if (!actual || !AnyEqual(*actual, value)) return false;
      }
      m.matched[p.get()] = m.Get(a->pattern);
      return true;
    }
    if (const auto* d = p.as<DtypePatternNode>()) {
      auto t = e.struct_info().As<TensorStructInfoNode>();
      if (!t || t->dtype != d->dtype || !Match(d->pattern, e, m)) return false;
      m.matched[p.get()] = m.Get(d->pattern);
      return true;
    }
    if (const auto* s = p.as<ShapePatternNode>()) {
      auto t = e.struct_info().As<TensorStructInfoNode>();
      if (!t || !t->shape || t->shape->size() != s->shape.size()) return false;
      for (size_t i = 0; i < s->shape.size(); ++i) {
        if (!tir::StructuralEqual((*t->shape)[i], s->shape[i])) return false;
      }
      if (!Match(s->pattern, e, m)) return false;
      m.matched[p.get()] = m.Get(s->pattern);
      return true;
    }
    return false;
  }

 private:
  // What a pattern records for `e`: the bound call for a call pattern on a
  // variable that is looked through, else `e`.
  Expr Resolve(const Pattern& p, const Expr& e) const {
    if (!p.as<CallPatternNode>()) return e;
    auto [value, var] = LookThrough(e);
    return value;
  }
  std::pair<Expr, const VarNode*> LookThrough(const Expr& e) const {
    if (const auto* v = e.as<VarNode>(); v && bindings_) {
      auto it = bindings_->find(v);
      if (it != bindings_->end()) return {it->second, v};
    }
    return {e, nullptr};
  }

  bool Leaf(const Pattern& p, const Expr& e, PatternMatch& m) {
    m.matched[p.get()] = e;
    if (std::find_if(m.inputs.begin(), m.inputs.end(), [&](const Expr& x) { return x.get() == e.get(); }) ==
        m.inputs.end()) {
      m.inputs.push_back(e);
    }
    return true;
  }

  bool MatchCall(const Pattern& p, const CallPatternNode* c, const Expr& e, PatternMatch& m) {
    auto [value, var] = LookThrough(e);
    const auto* call = value.as<CallNode>();
    const auto* op = call ? call->op.as<OpNode>() : nullptr;
    if (!op || op->name != c->op || call->args.size() != c->args.size()) return false;
    for (size_t i = 0; i < c->args.size(); ++i) {
      if (!Match(c->args[i], call->args[i], m)) return false;
    }
    m.matched[p.get()] = value;
    if (var) m.intermediates.push_back(Var(runtime::GetRef<VarNode>(var)));
    return true;
  }

  const std::unordered_map<const VarNode*, Expr>* bindings_;
};

}  // namespace

Expr PatternMatch::Get(const Pattern& p) const {
  auto it = matched.find(p.get());
  return it == matched.end() ? Expr() : it->second;
}

std::optional<PatternMatch> MatchPattern(const Pattern& pattern, const Expr& expr) {
  KILN_CHECK(pattern) << "MatchPattern: empty pattern";
  PatternMatch m;
  if (!Matcher(nullptr).Match(pattern, expr, m)) return std::nullopt;
  return m;
}

BlockMatcher::BlockMatcher(const BindingBlock& block) : block_(block) {
  for (size_t i = 0; i < block.bindings.size(); ++i) {
    const Binding& b = block.bindings[i];
    PostOrderVisit(b.value, [&](const Expr& e) {
      if (const auto* v = e.as<VarNode>()) ++uses_[v];
    });
    index_[b.var.get()] = i;
  }
}

int BlockMatcher::IndexOf(const VarNode* var) const {
  auto it = index_.find(var);
  return it == index_.end() ? -1 : static_cast<int>(it->second);
}

std::optional<PatternMatch> BlockMatcher::MatchAt(const Pattern& pattern, size_t index,
                                                  const std::vector<bool>& taken) const {
  KILN_CHECK(pattern) << "pattern matching: empty pattern";
  const Binding& root = block_.bindings.at(index);
  if (root.match_cast) return std::nullopt;
  // Only the root and the dataflow bindings before it may be looked through.
  std::unordered_map<const VarNode*, Expr> bindings;
  for (size_t i = 0; i <= index; ++i) {
    const Binding& b = block_.bindings[i];
    if (i == index || (!b.match_cast && b.var->is_dataflow)) bindings[b.var.get()] = b.value;
  }
  PatternMatch m;
  if (!Matcher(&bindings).Match(pattern, root.var, m)) return std::nullopt;
  // The root is the match's value, not an intermediate.
  std::erase_if(m.intermediates, [&](const Var& v) { return v.get() == root.var.get(); });
  std::sort(m.intermediates.begin(), m.intermediates.end(),
            [&](const Var& a, const Var& b) { return index_.at(a.get()) < index_.at(b.get()); });
  m.intermediates.erase(std::unique(m.intermediates.begin(), m.intermediates.end()), m.intermediates.end());
  // Each intermediate is used only by the members of the match.
  std::unordered_map<const VarNode*, int> inside;
  std::vector<size_t> members = {index};
  for (const Var& v : m.intermediates) members.push_back(index_.at(v.get()));
  for (size_t i : members) {
    if (!taken.empty() && taken[i]) return std::nullopt;
    PostOrderVisit(block_.bindings[i].value, [&](const Expr& e) {
      if (const auto* v = e.as<VarNode>()) ++inside[v];
    });
  }
  for (const Var& v : m.intermediates) {
    if (inside[v.get()] != uses_.at(v.get())) return std::nullopt;
  }
  return m;
}

}  // namespace kiln::relax
