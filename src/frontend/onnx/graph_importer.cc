// The graph walker of the ONNX importer: checks the opset and that every op
// has a converter (listing all that do not at once), makes the graph inputs
// the parameters of "main" (symbolic dims as tir size variables), the
// initializers constants, then converts the nodes in order into one dataflow
// block (subgraphs of If and Loop into the same block, in a scope of their
// own). Entry points FromONNX, FromONNXBytes and UnsupportedONNXOps.
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "importer.h"
#include "kiln/frontend/onnx.h"
#include "kiln/relax/op/cast.h"
#include "kiln/relax/op/create.h"
#include "kiln/relax/op.h"
#include "kiln/relax/op/manipulate.h"
#include "kiln/runtime/error.h"

namespace kiln::frontend {
namespace onnx {

constexpr int64_t kMinOpset = 11;
constexpr int64_t kMaxOpset = 21;

Value KnownInts(Dims values, bool scalar, DataType dtype) {
  Value v;
  v.known = std::move(values);
  v.known_is_scalar = scalar;
  v.known_dtype = dtype;
  return v;
}

Value ConstantValue(NDArray a) {
  Value v;
  v.constant = a;
  DataType dt = a.dtype();
  if (!(dt.is_int() || dt.is_uint()) || a.ndim() > 1 || a.numel() > 64) return v;
  Dims elems;
  for (int64_t i = 0; i < a.numel(); ++i) {
    int64_t x = 0;
    const void* p = a.data();
    switch (dt.bits()) {
      case 8: x = dt.is_int() ? static_cast<const int8_t*>(p)[i] : static_cast<const uint8_t*>(p)[i]; break;
      case 16: x = dt.is_int() ? static_cast<const int16_t*>(p)[i] : static_cast<const uint16_t*>(p)[i]; break;
      case 32: x = dt.is_int() ? static_cast<const int32_t*>(p)[i] : static_cast<const uint32_t*>(p)[i]; break;
      default: x = static_cast<const int64_t*>(p)[i]; break;
    }
    elems.push_back(x);
  }
  v.known = elems;
  v.known_is_scalar = a.ndim() == 0;
  v.known_dtype = dt;
  return v;
}

namespace {

bool IsDefaultDomain(const std::string& domain) { return domain.empty() || domain == "ai.onnx"; }

// A relax-friendly name: letters, digits and '_' only.
std::string SanitizeName(const std::string& name) {
  std::string out;
  for (char c : name) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0]))) out = "v" + out;
  return out;
}

std::string NodeLabel(const kiln_onnx::NodeProto& node, int index) {
  std::string name = node.name();
  if (name.empty()) name = node.output_size() > 0 ? "#" + std::to_string(index) + " -> " + node.output(0) : "#" + std::to_string(index);
  return "node '" + name + "' (" + (IsDefaultDomain(node.domain()) ? "" : node.domain() + ".") + node.op_type() + ")";
}

// The opset of the default domain; raises outside [11, 21].
int64_t DefaultOpset(const kiln_onnx::ModelProto& model) {
  int64_t opset = -1;
  for (const auto& o : model.opset_import()) {
    if (IsDefaultDomain(o.domain())) opset = o.version();
  }
  KILN_CHECK(opset >= 0) << "ONNX: the model imports no opset of the default domain";
  KILN_CHECK(opset >= kMinOpset && opset <= kMaxOpset)
      << "ONNX: opset " << opset << " is not supported (Kiln imports opsets " << kMinOpset << " to " << kMaxOpset
      << ")";
  return opset;
}

using Unsupported = std::vector<std::pair<std::string, std::string>>;

// Adds the op_types of `graph` and its subgraphs (domain-qualified outside
// the default domain) without a converter, or without a registered relax op
// for a custom domain, each with the first node using it.
void CollectUnsupported(const kiln_onnx::GraphProto& graph, const CustomOpMap& custom_ops, Unsupported& out,
                        std::set<std::string>& seen) {
  const ConverterTable& table = Converters();
  for (int i = 0; i < graph.node_size(); ++i) {
    const auto& node = graph.node(i);
    bool ok = IsDefaultDomain(node.domain()) ? table.count(node.op_type()) > 0
                                             : relax::FindOp(CustomOpName(node, custom_ops)).get() != nullptr;
    std::string op = IsDefaultDomain(node.domain()) ? node.op_type() : CustomOpKey(node);
    if (!ok && seen.insert(op).second) out.emplace_back(op, NodeLabel(node, i));
    for (const auto& a : node.attribute()) {
      if (a.type() == kiln_onnx::AttributeProto::GRAPH) CollectUnsupported(a.g(), custom_ops, out, seen);
    }
  }
}

// Whether `graph` (or a subgraph) has an If whose condition may be known
// only at run time: neither an initializer nor a Constant node's output.
// Such an If becomes a relax If, which cannot sit in a dataflow block.
bool HasRunTimeIf(const kiln_onnx::GraphProto& graph, std::set<std::string> constants = {}) {
  for (const auto& init : graph.initializer()) constants.insert(init.name());
  for (const auto& node : graph.node()) {
    if (node.op_type() == "Constant" && node.output_size() > 0) constants.insert(node.output(0));
    if (IsDefaultDomain(node.domain()) && node.op_type() == "If" && node.input_size() > 0 &&
        !constants.count(node.input(0))) {
      return true;
    }
    for (const auto& a : node.attribute()) {
      if (a.type() == kiln_onnx::AttributeProto::GRAPH && HasRunTimeIf(a.g(), constants)) return true;
    }
  }
  return false;
}

Unsupported FindUnsupported(const kiln_onnx::GraphProto& graph, const CustomOpMap& custom_ops) {
  Unsupported out;
  std::set<std::string> seen;
  CollectUnsupported(graph, custom_ops, out, seen);
  return out;
}

}  // namespace

class GraphImporter {
 public:
  GraphImporter(const kiln_onnx::ModelProto& model, std::string base_dir, CustomOpMap custom_ops)
      : model_(model), base_dir_(std::move(base_dir)), custom_ops_(std::move(custom_ops)) {}

  ir::IRModule Import() {
    int64_t opset = DefaultOpset(model_);
    opset_ = opset;
    const auto& graph = model_.graph();
    auto unsupported = FindUnsupported(graph, custom_ops_);
    if (!unsupported.empty()) {
      std::ostringstream msg;
      msg << "ONNX: " << unsupported.size() << " unsupported op" << (unsupported.size() > 1 ? "s" : "") << ":";
      for (const auto& [op, where] : unsupported) msg << " " << op << " (first at " << where << ");";
      std::string text = msg.str();
      text.pop_back();
      KILN_THROW() << text;
    }
    for (const auto& init : graph.initializer()) AddInitializer(init);
    std::vector<relax::Var> params;
    for (const auto& input : graph.input()) {
      if (values_.count(input.name())) continue;  // an initializer listed as an input too (old exporters)
      params.push_back(MakeParam(input));
      values_[input.name()] = Value(params.back());
    }
    // A run-time If needs a binding block (no dataflow block around it).
    bool dataflow = !HasRunTimeIf(graph);
    bb_.BeginFunction("main", params);
    if (dataflow) {
      bb_.BeginDataflowBlock();
    } else {
      bb_.BeginBindingBlock();  // explicit, so that the branches' blocks nest in it
    }
    for (int i = 0; i < graph.node_size(); ++i) ConvertNode(graph.node(i), i, opset);
    std::vector<Expr> outputs;
    for (const auto& out : graph.output()) {
      auto it = values_.find(out.name());
      KILN_CHECK(it != values_.end() && it->second.defined())
          << "ONNX: graph output '" << out.name() << "' is not computed by any node";
      outputs.push_back(Materialize(it->second, "graph output '" + out.name() + "'"));
    }
    KILN_CHECK(!outputs.empty()) << "ONNX: the graph has no outputs";
    Expr result_value = outputs.size() == 1 ? outputs[0] : relax::MakeTuple(outputs);
    relax::Var result = dataflow ? bb_.EmitOutput(result_value, "output") : bb_.Emit(result_value, "output");
    if (dataflow) {
      bb_.EndDataflowBlock();
    } else {
      bb_.EndBindingBlock();
    }
    bb_.EndFunction(result);
    return bb_.GetModule();
  }

  relax::BlockBuilder& builder() { return bb_; }
  std::unordered_map<std::string, Value>& values() { return values_; }

  // A known value as a relax expression: a constant, or for symbolic
  // elements, the elements joined from one-element aranges.
  Expr Materialize(Value& v, const std::string& what) {
    if (v.has_expr()) return v.expr;
    if (v.constant.defined()) {
      v.expr = relax::MakeConstant(v.constant);
      return v.expr;
    }
    KILN_CHECK(v.known) << "ONNX: " << what << " has no value";
    bool all_const = true;
    for (const PrimExpr& e : *v.known) all_const = all_const && ConstIntValue(e).has_value();
    std::vector<int64_t> shape;
    if (!v.known_is_scalar) shape.push_back(static_cast<int64_t>(v.known->size()));
    if (all_const) {
      NDArray arr = NDArray::Empty(shape, DataType::Int(64), runtime::Device::CPU());
      auto* p = static_cast<int64_t*>(arr.data());
      for (size_t i = 0; i < v.known->size(); ++i) p[i] = *ConstIntValue((*v.known)[i]);
      Expr c = relax::MakeConstant(arr);
      v.expr = v.known_dtype == DataType::Int(64) ? c : bb_.Emit(relax::op::astype(c, v.known_dtype));
      return v.expr;
    }
    std::vector<Expr> parts;
    for (const PrimExpr& e : *v.known) parts.push_back(bb_.Emit(relax::op::arange(e, e + 1, 1, DataType::Int(64))));
    Expr joined = parts.size() == 1 ? parts[0] : bb_.Emit(relax::op::concat(parts, 0));
    if (v.known_is_scalar) joined = bb_.Emit(relax::op::reshape(joined, std::vector<int64_t>{}));
    if (v.known_dtype != DataType::Int(64)) joined = bb_.Emit(relax::op::astype(joined, v.known_dtype));
    v.expr = joined;
    return v.expr;
  }

  const std::string& base_dir() const { return base_dir_; }

  // See NodeContext::ImportSubgraph.
  std::vector<Value> ImportSubgraph(const kiln_onnx::GraphProto& graph, const std::vector<Value>& inputs,
                                    const std::string& where) {
    KILN_CHECK(static_cast<size_t>(graph.input_size()) == inputs.size())
        << "ONNX: " << where << ": the subgraph '" << graph.name() << "' has " << graph.input_size()
        << " inputs, " << inputs.size() << " are given";
    std::unordered_map<std::string, Value> outer = values_;
    for (const auto& init : graph.initializer()) AddInitializer(init);
    for (size_t i = 0; i < inputs.size(); ++i) values_[graph.input(static_cast<int>(i)).name()] = inputs[i];
    for (int i = 0; i < graph.node_size(); ++i) ConvertNode(graph.node(i), i, opset_);
    std::vector<Value> outs;
    for (const auto& out : graph.output()) {
      auto it = values_.find(out.name());
      KILN_CHECK(it != values_.end() && it->second.defined())
          << "ONNX: " << where << ": the subgraph output '" << out.name() << "' is not computed by any node";
      outs.push_back(it->second);
    }
    values_ = std::move(outer);
    return outs;
  }

 private:
  void AddInitializer(const kiln_onnx::TensorProto& init) { values_[init.name()] = ConstantValue(TensorToArray(init, base_dir_)); }

  relax::Var MakeParam(const kiln_onnx::ValueInfoProto& input) {
    std::string where = "graph input '" + input.name() + "'";
    KILN_CHECK(input.type().has_tensor_type()) << "ONNX: " << where << " is not a tensor";
    const auto& tt = input.type().tensor_type();
    DataType dtype = ToDataType(tt.elem_type(), where);
    KILN_CHECK(tt.has_shape()) << "ONNX: " << where << " has no shape (its rank is needed)";
    Dims shape;
    for (int i = 0; i < tt.shape().dim_size(); ++i) {
      const auto& d = tt.shape().dim(i);
      if (d.has_dim_value()) {
        KILN_CHECK(d.dim_value() >= 0) << "ONNX: " << where << " has dim " << d.dim_value() << " at axis " << i;
        shape.push_back(d.dim_value());
        continue;
      }
      std::string name = d.has_dim_param() && !d.dim_param().empty()
                             ? SanitizeName(d.dim_param())
                             : SanitizeName(input.name()) + "_dim" + std::to_string(i);
      auto it = dim_vars_.find(name);
      if (it == dim_vars_.end()) it = dim_vars_.emplace(name, tir::SizeVar(name)).first;
      shape.push_back(it->second);
    }
    return relax::MakeVar(SanitizeName(input.name()), relax::TensorSInfo(shape, dtype));
  }

  void ConvertNode(const kiln_onnx::NodeProto& node, int index, int64_t opset) {
    std::string label = NodeLabel(node, index);
    for (const std::string& in : node.input()) {
      KILN_CHECK(in.empty() || values_.count(in))
          << "ONNX: " << label << ": input '" << in << "' is not defined before the node (graph not sorted?)";
    }
    NodeContext ctx(*this, node, opset);
    std::vector<Value> outs;
    try {
      outs = IsDefaultDomain(node.domain()) ? Converters().at(node.op_type())(ctx)
                                            : ConvertCustomOp(ctx, CustomOpName(node, custom_ops_));
      for (size_t i = 0; i < outs.size() && i < static_cast<size_t>(node.output_size()); ++i) {
        Value& v = outs[i];
        if (v.has_expr() && !v.expr.as<relax::VarNode>() && !v.expr.as<relax::ConstantNode>()) {
          v.expr = bb_.Emit(v.expr);
        }
        if (v.has_expr() && !v.known && !v.constant.defined()) TrackSmallConstant(v);
      }
    } catch (const Error& e) {
      if (e.message().rfind("ONNX: ", 0) == 0) throw;
      KILN_THROW() << "ONNX: " << label << ": " << e.message();
    }
    KILN_CHECK(outs.size() >= static_cast<size_t>(std::min(node.output_size(), 1)))
        << "ONNX: " << label << ": the converter gave no output";
    for (int i = 0; i < node.output_size(); ++i) {
      if (node.output(i).empty()) continue;
      if (static_cast<size_t>(i) < outs.size()) values_[node.output(i)] = outs[i];
    }
  }

  // A relax constant expression: record its array so shape code can read it.
  static void TrackSmallConstant(Value& v) {
    if (const auto* c = v.expr.as<relax::ConstantNode>()) {
      Expr e = v.expr;
      v = ConstantValue(c->data);
      v.expr = e;
    }
  }

  const kiln_onnx::ModelProto& model_;
  std::string base_dir_;
  CustomOpMap custom_ops_;
  int64_t opset_ = 0;
  relax::BlockBuilder bb_;
  std::unordered_map<std::string, Value> values_;
  std::map<std::string, tir::Var> dim_vars_;
};

// ---- NodeContext ----

std::string NodeContext::Where() const {
  return "node '" + (node_.name().empty() ? node_.output_size() ? node_.output(0) : std::string("?") : node_.name()) +
         "' (" + node_.op_type() + ")";
}

void NodeContext::Fail(const std::string& message) const {
  throw Error("ONNX: " + Where() + ": " + message, __FILE__, __LINE__);
}

bool NodeContext::Has(size_t i) const { return i < num_inputs() && !node_.input(static_cast<int>(i)).empty(); }

const Value& NodeContext::In(size_t i) const {
  if (!Has(i)) Fail("input " + std::to_string(i) + " is required");
  return importer_.values().at(node_.input(static_cast<int>(i)));
}

Expr NodeContext::Tensor(size_t i) {
  if (!Has(i)) Fail("input " + std::to_string(i) + " is required");
  Value& v = importer_.values().at(node_.input(static_cast<int>(i)));
  return importer_.Materialize(v, "input '" + node_.input(static_cast<int>(i)) + "'");
}

Expr NodeContext::AsTensor(Value v) { return importer_.Materialize(v, Where()); }

Dims NodeContext::Shape(size_t i) {
  const Value& v = In(i);
  if (!v.has_expr() && v.known) return v.known_is_scalar ? Dims{} : Dims{static_cast<int64_t>(v.known->size())};
  if (!v.has_expr() && v.constant.defined()) {
    Dims d;
    for (int64_t s : v.constant.shape()) d.push_back(s);
    return d;
  }
  auto t = v.expr.struct_info().As<relax::TensorStructInfoNode>();
  if (t == nullptr || !t->shape) Fail("the shape of input '" + node_.input(static_cast<int>(i)) + "' is unknown");
  return *t->shape;
}

int64_t NodeContext::Rank(size_t i) { return static_cast<int64_t>(Shape(i).size()); }

DataType NodeContext::Dtype(size_t i) {
  const Value& v = In(i);
  if (!v.has_expr() && v.constant.defined()) return v.constant.dtype();
  if (!v.has_expr() && v.known) return v.known_dtype;
  auto t = v.expr.struct_info().As<relax::TensorStructInfoNode>();
  if (t == nullptr) Fail("input '" + node_.input(static_cast<int>(i)) + "' is not a tensor");
  return t->dtype;
}

std::optional<Dims> NodeContext::KnownElems(size_t i) const {
  if (!Has(i)) return std::nullopt;
  return In(i).known;
}

std::vector<int64_t> NodeContext::ConstInts(size_t i, const std::string& what) const {
  std::optional<Dims> k = KnownElems(i);
  if (!k) Fail(what + " must be a constant (an initializer or a Constant node)");
  std::vector<int64_t> out;
  for (const PrimExpr& e : *k) {
    std::optional<int64_t> c = ConstIntValue(e);
    if (!c) Fail(what + " must be constant, not symbolic");
    out.push_back(*c);
  }
  return out;
}

std::optional<double> NodeContext::ConstScalar(size_t i) const {
  if (!Has(i)) return std::nullopt;
  const Value& v = In(i);
  if (!v.constant.defined() || v.constant.numel() != 1) return std::nullopt;
  DataType dt = v.constant.dtype();
  const void* p = v.constant.data();
  if (dt == DataType::Float(32)) return *static_cast<const float*>(p);
  if (dt == DataType::Float(64)) return *static_cast<const double*>(p);
  if (v.known) {
    if (auto c = ConstIntValue((*v.known)[0])) return static_cast<double>(*c);
  }
  return std::nullopt;
}

const kiln_onnx::AttributeProto* NodeContext::FindAttr(const std::string& name) const {
  for (const auto& a : node_.attribute()) {
    if (a.name() == name) return &a;
  }
  return nullptr;
}

int64_t NodeContext::Int(const std::string& name, std::optional<int64_t> fallback) const {
  const auto* a = FindAttr(name);
  if (a == nullptr) {
    if (!fallback) Fail("the attribute '" + name + "' is required");
    return *fallback;
  }
  if (a->type() != kiln_onnx::AttributeProto::INT) Fail("the attribute '" + name + "' must be an int");
  return a->i();
}

double NodeContext::Float(const std::string& name, std::optional<double> fallback) const {
  const auto* a = FindAttr(name);
  if (a == nullptr) {
    if (!fallback) Fail("the attribute '" + name + "' is required");
    return *fallback;
  }
  if (a->type() == kiln_onnx::AttributeProto::INT) return static_cast<double>(a->i());
  if (a->type() != kiln_onnx::AttributeProto::FLOAT) Fail("the attribute '" + name + "' must be a float");
  return a->f();
}

std::string NodeContext::String(const std::string& name, std::optional<std::string> fallback) const {
  const auto* a = FindAttr(name);
  if (a == nullptr) {
    if (!fallback) Fail("the attribute '" + name + "' is required");
    return *fallback;
  }
  if (a->type() != kiln_onnx::AttributeProto::STRING) Fail("the attribute '" + name + "' must be a string");
  return a->s();
}

std::optional<std::vector<int64_t>> NodeContext::Ints(const std::string& name) const {
  const auto* a = FindAttr(name);
  if (a == nullptr) return std::nullopt;
  if (a->type() != kiln_onnx::AttributeProto::INTS) Fail("the attribute '" + name + "' must be a list of ints");
  return std::vector<int64_t>(a->ints().begin(), a->ints().end());
}

relax::Var NodeContext::Emit(const Expr& e) { return importer_.builder().Emit(e); }

relax::BlockBuilder& NodeContext::builder() { return importer_.builder(); }

std::vector<Value> NodeContext::ImportSubgraph(const kiln_onnx::GraphProto& graph, const std::vector<Value>& inputs) {
  return importer_.ImportSubgraph(graph, inputs, Where());
}

int64_t NodeContext::NormAxis(int64_t axis, int64_t rank) const {
  if (axis < -rank || axis >= std::max<int64_t>(rank, 1)) {
    Fail("axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
  }
  return axis < 0 ? axis + rank : axis;
}

const ConverterTable& Converters() {
  static const ConverterTable table = [] {
    ConverterTable t;
    AddElementwiseConverters(t);
    AddNNConverters(t);
    AddShapeConverters(t);
    AddReduceConverters(t);
    AddPadConverters(t);
    AddControlFlowConverters(t);
    return t;
  }();
  return table;
}

}  // namespace onnx

namespace {

// `text` with the bytes that are not valid UTF-8 written as \xNN: names in a
// corrupt file may be any bytes, and error messages must stay text.
std::string ValidUtf8(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size();) {
    auto c = static_cast<unsigned char>(text[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    bool ok = n > 0 && i + n <= text.size() && (c >= 0x20 || c == '\n' || c == '\t');
    for (size_t k = 1; ok && k < n; ++k) ok = (static_cast<unsigned char>(text[i + k]) >> 6) == 0x2;
    if (ok) {
      out.append(text, i, n);
      i += n;
    } else {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x", c);
      out += buf;
      i += 1;
    }
  }
  return out;
}

}  // namespace

ir::IRModule FromONNXBytes(const std::string& bytes, const std::string& base_dir, const ONNXCustomOps& custom_ops) {
  try {
    kiln_onnx::ModelProto model = onnx::ParseModel(bytes);
    return onnx::GraphImporter(model, base_dir, custom_ops).Import();
  } catch (const Error& e) {
    std::string clean = ValidUtf8(e.message());
    if (clean == e.message()) throw;
    throw Error(clean);
  }
}

ir::IRModule FromONNX(const std::string& path, const ONNXCustomOps& custom_ops) {
  std::string bytes = onnx::ReadFile(path, "model");
  return FromONNXBytes(bytes, std::filesystem::path(path).parent_path().string(), custom_ops);
}

std::vector<std::string> UnsupportedONNXOps(const std::string& path) {
  kiln_onnx::ModelProto model = onnx::ParseModel(onnx::ReadFile(path, "model"));
  std::vector<std::string> out;
  for (const auto& [op, where] : onnx::FindUnsupported(model.graph(), {})) out.push_back(ValidUtf8(op));
  return out;
}

}  // namespace kiln::frontend
