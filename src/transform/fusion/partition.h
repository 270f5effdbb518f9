// The grouping rules of FuseOps over a dataflow graph: nodes with pattern
// kinds and edges, merged greedily in program order (the rules are listed in
// include/kiln/transform/fuse_ops.h). Pure graph code: no IR.
#pragma once

#include <cstddef>
#include <vector>

#include "kiln/relax/op.h"

namespace kiln::transform::fusion {

struct GraphNode {
  relax::OpPattern pattern = relax::OpPattern::kOpaque;
  std::vector<size_t> inputs;  // producers whose value this node reads, in argument order
  std::vector<size_t> after;   // other nodes this one must follow (match_cast barriers)
  bool escapes = false;        // its value is used after the block
  // Per input (aligned with `inputs`): whether this node's output has that
  // producer's output shape.
  std::vector<bool> same_shape;
};

// For each node, the index of its group's representative (the smallest
// node index in the group).
std::vector<size_t> Partition(const std::vector<GraphNode>& nodes);

// The order to emit groups in: each group (by representative) once, after
// every group it depends on, earliest first-member first.
std::vector<size_t> GroupOrder(const std::vector<GraphNode>& nodes, const std::vector<size_t>& group);

}  // namespace kiln::transform::fusion
