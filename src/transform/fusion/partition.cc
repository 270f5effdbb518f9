// FuseOps' grouping: union of groups in program order under the kind rules,
// with a reachability check that refuses merges creating cycles.
#include "partition.h"

#include <algorithm>
#include <functional>
#include <queue>

namespace kiln::transform::fusion {
namespace {

using relax::OpPattern;

bool IsAnchor(OpPattern k) { return k == OpPattern::kOutEWiseFusable || k == OpPattern::kReduction; }

class Partitioner {
 public:
  explicit Partitioner(const std::vector<GraphNode>& nodes) : nodes_(nodes), parent_(nodes.size()), kind_(nodes.size()) {
    users_.resize(nodes.size());
    order_users_.resize(nodes.size());
    for (size_t v = 0; v < nodes.size(); ++v) {
      parent_[v] = v;
      kind_[v] = nodes[v].pattern;
      for (size_t u : nodes[v].inputs) {
        users_[u].push_back(v);
        order_users_[u].push_back(v);
      }
      for (size_t u : nodes[v].after) order_users_[u].push_back(v);
    }
  }

  std::vector<size_t> Run() {
    for (size_t v = 0; v < nodes_.size(); ++v) {
      if (nodes_[v].pattern == OpPattern::kOpaque) continue;
      // Producers in anchored groups first: an epilogue takes its anchor
      // before a chain in front of it could claim the consumer.
      std::vector<size_t> order(nodes_[v].inputs.size());
      for (size_t i = 0; i < order.size(); ++i) order[i] = i;
      std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        return IsAnchor(kind_[Find(nodes_[v].inputs[a])]) > IsAnchor(kind_[Find(nodes_[v].inputs[b])]);
      });
      for (size_t i : order) TryMerge(nodes_[v].inputs[i], v, nodes_[v].same_shape[i]);
    }
    std::vector<size_t> group(nodes_.size());
    for (size_t v = 0; v < nodes_.size(); ++v) group[v] = Find(v);
    return group;
  }

 private:
  size_t Find(size_t v) {
    while (parent_[v] != v) v = parent_[v] = parent_[parent_[v]];
    return v;
  }

  // The kind rules of fuse_ops.h, for producer u (group p) and consumer v
  // (group c).
  bool Allowed(size_t u, size_t v, bool same_shape) {
    OpPattern kp = kind_[Find(u)], kc = kind_[Find(v)];
    if (kp == OpPattern::kOpaque || kc == OpPattern::kOpaque) return false;
    if (kp <= OpPattern::kInjective) return kc <= OpPattern::kInjective || kc == OpPattern::kReduction;
    // Epilogues: the consumer's group is elementwise or broadcast, and the
    // producer's value goes nowhere else.
    if (kc > OpPattern::kBroadcast) return false;
    if (kp == OpPattern::kOutEWiseFusable && !same_shape) return false;
    if (nodes_[u].escapes) return false;
    return std::all_of(users_[u].begin(), users_[u].end(), [&](size_t w) { return Find(w) == Find(v); });
  }

  // Whether some node outside groups a and b lies on a path from one to the other.
  bool PathOutside(size_t a, size_t b) {
    std::vector<bool> seen(nodes_.size(), false);
    std::vector<size_t> work;
    for (size_t x = 0; x < nodes_.size(); ++x) {
      if (Find(x) != a) continue;
      for (size_t w : order_users_[x]) {
        if (Find(w) != a && Find(w) != b) work.push_back(w);
      }
    }
    while (!work.empty()) {
      size_t x = work.back();
      work.pop_back();
      if (seen[x]) continue;
      seen[x] = true;
      for (size_t w : order_users_[x]) {
        if (Find(w) == b) return true;
        if (Find(w) != a) work.push_back(w);
      }
    }
    return false;
  }

  void TryMerge(size_t u, size_t v, bool same_shape) {
    size_t p = Find(u), c = Find(v);
    if (p == c || !Allowed(u, v, same_shape)) return;
    if (PathOutside(p, c) || PathOutside(c, p)) return;
    OpPattern kind = std::max(kind_[p], kind_[c]);
    size_t root = std::min(p, c), other = std::max(p, c);
    parent_[other] = root;
    kind_[root] = kind;
  }

  const std::vector<GraphNode>& nodes_;
  std::vector<size_t> parent_;
  std::vector<OpPattern> kind_;
  std::vector<std::vector<size_t>> users_;        // data edges
  std::vector<std::vector<size_t>> order_users_;  // data and ordering edges
};

}  // namespace

std::vector<size_t> Partition(const std::vector<GraphNode>& nodes) { return Partitioner(nodes).Run(); }

std::vector<size_t> GroupOrder(const std::vector<GraphNode>& nodes, const std::vector<size_t>& group) {
  size_t n = nodes.size();
  std::vector<std::vector<size_t>> next(n);  // by representative
  std::vector<size_t> pending(n, 0);
  for (size_t v = 0; v < n; ++v) {
    auto depend = [&](size_t u) {
      if (group[u] == group[v]) return;
      next[group[u]].push_back(group[v]);
      ++pending[group[v]];
    };
    for (size_t u : nodes[v].inputs) depend(u);
    for (size_t u : nodes[v].after) depend(u);
  }
  // Representatives are their group's first member: a min-heap of them
  // keeps the original order where dependencies allow.
  std::priority_queue<size_t, std::vector<size_t>, std::greater<>> ready;
  for (size_t v = 0; v < n; ++v) {
    if (group[v] == v && pending[v] == 0) ready.push(v);
  }
  std::vector<size_t> order;
  while (!ready.empty()) {
    size_t g = ready.top();
    ready.pop();
    order.push_back(g);
    for (size_t h : next[g]) {
      if (--pending[h] == 0) ready.push(h);
    }
  }
  return order;
}

}  // namespace kiln::transform::fusion
