// The ONNX importer's inner interface: the values flowing between nodes, the
// context a converter sees (its node's inputs and attributes, the builder),
// and the converter tables, one per op family (convert_*.cc).
//
// A Value is a relax expression, and, when its elements are known at import
// time, those elements too: integer tensors of rank 0 or 1 (shapes, indices,
// axes) as tir expressions, possibly symbolic (Shape of a tensor with a
// dynamic batch gives [n, 3, 224, 224]), and constants (initializers,
// Constant nodes) as arrays. Shape computations run on the known elements and
// never reach the relax graph; a known value becomes a relax constant only
// when a converter uses it as a tensor.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "kiln/relax/block_builder.h"
#include "kiln_onnx/onnx.pb.h"

namespace kiln::frontend::onnx {

using relax::Expr;
using runtime::DataType;
using runtime::NDArray;
using tir::PrimExpr;
using Dims = std::vector<PrimExpr>;

struct Value {
  Value() = default;
  Value(Expr e) : expr(std::move(e)) {}  // NOLINT: a plain relax value

  Expr expr;                    // empty until a known value is used as a tensor
  NDArray constant;             // the data, when constant
  std::optional<Dims> known;    // the elements of an integer tensor of rank 0 or 1
  bool known_is_scalar = false;  // `known` holds the one element of a rank-0 tensor
  DataType known_dtype = DataType::Int(64);
  // For a Reshape's result (and a Gemm on one): the tensor before the
  // reshape. A Reshape back to its shape returns it, so that flattening
  // around a Gemm ([b, s, k] -> [b * s, k] -> [b, s, n]) leaves no dims
  // such as b * s behind.
  Expr reshaped_from;

  bool has_expr() const { return expr.get() != nullptr; }
  bool defined() const { return has_expr() || constant.defined() || known.has_value(); }
};

// An integer value of known elements (rank 1, or rank 0 when scalar).
Value KnownInts(Dims values, bool scalar = false, DataType dtype = DataType::Int(64));
// A constant value; small integer arrays of rank <= 1 are known elements too.
Value ConstantValue(NDArray array);

// The importer's state for one graph; converters reach it through NodeContext.
class GraphImporter;

// What a converter sees of its node.
class NodeContext {
 public:
  NodeContext(GraphImporter& importer, const kiln_onnx::NodeProto& node, int64_t opset)
      : importer_(importer), node_(node), opset_(opset) {}

  const kiln_onnx::NodeProto& node() const { return node_; }
  int64_t opset() const { return opset_; }
  // "Conv (node 'conv1')": how errors name the node.
  std::string Where() const;

  // ---- inputs ----
  size_t num_inputs() const { return static_cast<size_t>(node_.input_size()); }
  // Input i is given (not missing and not the empty name of an optional input).
  bool Has(size_t i) const;
  const Value& In(size_t i) const;
  // Input i as a relax expression (known values become constants); raises
  // when a required input is missing.
  Expr Tensor(size_t i);
  // A value that is no input (e.g. computed known elements) as a tensor.
  Expr AsTensor(Value v);
  // The shape of input i (raises when unknown), its rank and dtype.
  Dims Shape(size_t i);
  int64_t Rank(size_t i);
  DataType Dtype(size_t i);
  // The elements of input i when known at import time.
  std::optional<Dims> KnownElems(size_t i) const;
  // Like KnownElems but every element must be a constant; raises naming
  // `what` otherwise.
  std::vector<int64_t> ConstInts(size_t i, const std::string& what) const;
  // The one element of a constant float or integer input (Clip's min).
  std::optional<double> ConstScalar(size_t i) const;

  // ---- attributes ----
  const kiln_onnx::AttributeProto* FindAttr(const std::string& name) const;
  bool HasAttr(const std::string& name) const { return FindAttr(name) != nullptr; }
  int64_t Int(const std::string& name, std::optional<int64_t> fallback = std::nullopt) const;
  double Float(const std::string& name, std::optional<double> fallback = std::nullopt) const;
  std::string String(const std::string& name, std::optional<std::string> fallback = std::nullopt) const;
  std::optional<std::vector<int64_t>> Ints(const std::string& name) const;

  // ---- building ----
  // Emits `e` into the graph's dataflow block; the variable has struct info.
  relax::Var Emit(const Expr& e);
  // An axis in [-rank, rank) made non-negative; raises naming the node.
  int64_t NormAxis(int64_t axis, int64_t rank) const;
  // Raises kiln::Error naming the node.
  [[noreturn]] void Fail(const std::string& message) const;

  // The builder, for converters that open scopes of their own (If's branches).
  relax::BlockBuilder& builder();

  // ---- subgraphs (If, Loop) ----
  // Imports `graph` into the current block with its inputs bound to `inputs`
  // (the names of the enclosing graphs stay visible inside) and returns the
  // values of its outputs; names defined inside do not leak out.
  std::vector<Value> ImportSubgraph(const kiln_onnx::GraphProto& graph, const std::vector<Value>& inputs);

 private:
  GraphImporter& importer_;
  const kiln_onnx::NodeProto& node_;
  int64_t opset_;
};

// A converter: a node's outputs from its context (fewer outputs than the node
// names leave the rest undefined; a node may use only the first ones).
using Converter = std::function<std::vector<Value>(NodeContext& ctx)>;
using ConverterTable = std::unordered_map<std::string, Converter>;

// The tables of each family (convert_*.cc).
void AddElementwiseConverters(ConverterTable& table);
void AddNNConverters(ConverterTable& table);
void AddShapeConverters(ConverterTable& table);
void AddReduceConverters(ConverterTable& table);
void AddPadConverters(ConverterTable& table);
void AddControlFlowConverters(ConverterTable& table);
// All converters of the default ONNX domain, by op_type.
const ConverterTable& Converters();

// ---- custom-domain ops (convert_custom.cc) ----
// "domain.op_type" -> the name of the registered relax op it becomes.
using CustomOpMap = std::map<std::string, std::string>;
// "com.example.Rope" for a node of domain com.example and op_type Rope.
std::string CustomOpKey(const kiln_onnx::NodeProto& node);
// The relax op a custom-domain node becomes: the map's entry for its key,
// else the key itself.
std::string CustomOpName(const kiln_onnx::NodeProto& node, const CustomOpMap& custom_ops);
// The node as a call of the registered op `op_name`; raises naming the node
// when no such op is registered or its arguments or attributes do not fit.
std::vector<Value> ConvertCustomOp(NodeContext& ctx, const std::string& op_name);

// ---- the model loader (model_loader.cc) ----
// Parses a serialized ModelProto; raises when the bytes are not one.
kiln_onnx::ModelProto ParseModel(const std::string& bytes);
std::string ReadFile(const std::string& path, const std::string& what);
// The Kiln dtype of an ONNX TensorProto data type; raises naming `where`.
DataType ToDataType(int32_t onnx_type, const std::string& where);
// The array a TensorProto holds (raw, typed fields or external data read
// relative to base_dir); raises on sizes that do not match the shape.
NDArray TensorToArray(const kiln_onnx::TensorProto& tensor, const std::string& base_dir);

// A rank-0 relax constant of `dtype` (float32/64, int32/64, bool).
Expr ScalarConstant(double value, DataType dtype);

// ---- shape helpers (convert_shape.cc) ----
// The -1 of an ONNX Reshape target and its 0s (copy the input's dim unless
// allow_zero) resolved against the input's dims.
Dims ResolveReshape(NodeContext& ctx, const Dims& in, const std::vector<PrimExpr>& target, bool allow_zero);
PrimExpr SimplifyDim(const PrimExpr& e);
// Dims provably equal (same constant, same variable, or equal expressions).
bool SameDim(const PrimExpr& a, const PrimExpr& b);

}  // namespace kiln::frontend::onnx
