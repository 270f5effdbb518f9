// The ops an ONNX model uses, read straight from the protobuf wire format
// (ModelProto.graph.node[].op_type, subgraphs of If/Loop/Scan included) so
// that `kiln inspect` can list them even when the model cannot be imported.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace kiln::cli {

// Each op type with its number of nodes, in the order they first appear; an
// op of a domain other than the default one is "domain.OpType". Raises
// kiln::Error naming the file when it is not a readable ONNX model.
std::vector<std::pair<std::string, int>> CountONNXOps(const std::string& path);

}  // namespace kiln::cli
