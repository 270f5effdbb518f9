// The ONNX importer: reads an ONNX model (ModelProto, opsets 11 to 21) into
// a relax IRModule with one function "main".
//
// Graph inputs become the parameters of "main" (dims named by dim_param, or
// missing, become symbolic tir size variables named after them), initializers
// become relax Constants (external data is read from files relative to the
// model's folder), and shape computations (Shape, Gather, Concat, Range, ...)
// are evaluated at import time as tir expressions where their values are
// known. Unsupported ops, bad files and bad attributes raise kiln::Error
// naming the node (name and op_type).
//
// Nodes of a custom domain (not "" / "ai.onnx") become calls of registered
// relax ops: "domain.op_type" looked up in `custom_ops`, or else in the op
// registry under that very name; their attributes become op attributes.
// If and Loop are imported when their control is known at import time (see
// src/frontend/onnx/convert_control_flow.cc).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "kiln/ir/module.h"

namespace kiln::frontend {

// "domain.op_type" of a custom-domain node -> the relax op it becomes
// ({"com.example.Rope": "example.rope"}).
using ONNXCustomOps = std::map<std::string, std::string>;

// Imports the ONNX model stored at `path`.
ir::IRModule FromONNX(const std::string& path, const ONNXCustomOps& custom_ops = {});

// Imports a serialized ModelProto; external-data files are looked up in
// `base_dir` (the current folder when empty).
ir::IRModule FromONNXBytes(const std::string& bytes, const std::string& base_dir = "",
                           const ONNXCustomOps& custom_ops = {});

// The op_types of the model at `path` that the importer does not support, in
// the order they first appear (empty when the model can be imported op by
// op), subgraphs (If and Loop bodies) included; custom-domain ops count as
// supported when their relax op is registered under "domain.op_type". Reads
// the graph only: no conversion is done.
std::vector<std::string> UnsupportedONNXOps(const std::string& path);

}  // namespace kiln::frontend
