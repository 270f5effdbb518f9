// The ONNX control-flow converters, If and Loop, for the forms whose control
// is known at import time. Their bodies are subgraphs imported into the
// enclosing block, with the names of the outer graph visible inside.
//
// - If: a condition known at import time (a constant, or a value the
//   importer computed, e.g. from shapes) picks the branch to import, the
//   other is not imported. Otherwise both branches become the SeqExprs of a
//   relax If (outputs of several values as a tuple); the importer then
//   builds "main" without a dataflow block (see HasRunTimeIf).
// - Loop: the trip count must be a constant and the condition absent or
//   known true; each iteration's condition output must be known too (the
//   common torch.onnx export of a for loop passes the condition through).
//   The body is unrolled, at most kMaxUnroll iterations; scan outputs are
//   stacked along a new axis 0. Any other Loop raises naming the node.
#include "importer.h"
#include "kiln/relax/op/manipulate.h"

namespace kiln::frontend::onnx {

namespace {

constexpr int64_t kMaxUnroll = 64;

// The one element of a value known at import time, as an integer (a bool's
// true is 1), or nullopt.
std::optional<int64_t> KnownScalar(const Value& v) {
  if (v.known && v.known->size() == 1) return ConstIntValue((*v.known)[0]);
  if (v.constant.defined() && v.constant.numel() == 1) {
    DataType dt = v.constant.dtype();
    const void* p = v.constant.data();
    if (dt == DataType::Bool() || dt == DataType::UInt(8) || dt == DataType::Int(8)) {
      return *static_cast<const uint8_t*>(p) != 0;
    }
    if (dt == DataType::Float(32)) return *static_cast<const float*>(p) != 0.0f;
    if (dt == DataType::Float(64)) return *static_cast<const double*>(p) != 0.0;
  }
  return std::nullopt;
}

const kiln_onnx::GraphProto& GraphAttr(NodeContext& ctx, const std::string& name) {
  const auto* a = ctx.FindAttr(name);
  if (a == nullptr || a->type() != kiln_onnx::AttributeProto::GRAPH) {
    ctx.Fail("the graph attribute '" + name + "' is required");
  }
  return a->g();
}

// A branch of a run-time If as a SeqExpr of its own binding block.
Expr BranchSeq(NodeContext& ctx, const kiln_onnx::GraphProto& branch) {
  relax::BlockBuilder& bb = ctx.builder();
  bb.BeginBindingBlock();
  std::vector<Value> outs = ctx.ImportSubgraph(branch, {});
  if (outs.size() != static_cast<size_t>(ctx.node().output_size())) {
    ctx.Fail("the branch '" + branch.name() + "' has " + std::to_string(outs.size()) + " outputs, the node " +
             std::to_string(ctx.node().output_size()));
  }
  std::vector<Expr> exprs;
  for (Value& v : outs) exprs.push_back(ctx.AsTensor(v));
  Expr body = exprs.size() == 1 ? exprs[0] : Expr(bb.Emit(relax::MakeTuple(exprs)));
  relax::BindingBlock block = bb.EndBindingBlock();
  return relax::MakeSeqExpr({block}, body);
}

std::vector<Value> ConvertIf(NodeContext& ctx) {
  std::optional<int64_t> cond = KnownScalar(ctx.In(0));
  if (cond) {
    const auto& branch = GraphAttr(ctx, *cond ? "then_branch" : "else_branch");
    std::vector<Value> outs = ctx.ImportSubgraph(branch, {});
    if (outs.size() != static_cast<size_t>(ctx.node().output_size())) {
      ctx.Fail("the branch '" + branch.name() + "' has " + std::to_string(outs.size()) + " outputs, the node " +
               std::to_string(ctx.node().output_size()));
    }
    return outs;
  }
  if (ctx.builder().InDataflowBlock()) {
    ctx.Fail("the condition '" + ctx.node().input(0) + "' is known only at run time, and the If sits where a relax "
             "If cannot (in a dataflow block)");
  }
  Expr condition = ctx.Tensor(0);
  Expr then_seq = BranchSeq(ctx, GraphAttr(ctx, "then_branch"));
  Expr else_seq = BranchSeq(ctx, GraphAttr(ctx, "else_branch"));
  relax::Var result = ctx.Emit(relax::MakeIf(condition, then_seq, else_seq));
  if (ctx.node().output_size() == 1) return {Value(result)};
  std::vector<Value> outs;
  for (int i = 0; i < ctx.node().output_size(); ++i) outs.emplace_back(ctx.Emit(relax::MakeTupleGetItem(result, i)));
  return outs;
}

std::vector<Value> ConvertLoop(NodeContext& ctx) {
  const auto& body = GraphAttr(ctx, "body");
  if (!ctx.Has(0)) ctx.Fail("a Loop without a trip count (a while loop) is not supported");
  std::optional<int64_t> trips = KnownScalar(ctx.In(0));
  if (!trips) ctx.Fail("the trip count must be known at import time to unroll the loop");
  if (*trips > kMaxUnroll) {
    ctx.Fail("the trip count " + std::to_string(*trips) + " is above the unrolling limit of " +
             std::to_string(kMaxUnroll) + " iterations");
  }
  if (ctx.Has(1)) {
    std::optional<int64_t> cond = KnownScalar(ctx.In(1));
    if (!cond) ctx.Fail("the loop condition must be known at import time to unroll the loop");
    if (!*cond) *trips = 0;
  }
  size_t num_carried = ctx.num_inputs() > 2 ? ctx.num_inputs() - 2 : 0;
  if (static_cast<size_t>(body.input_size()) != num_carried + 2) {
    ctx.Fail("the body has " + std::to_string(body.input_size()) + " inputs, " + std::to_string(num_carried + 2) +
             " are needed (iteration, condition, loop-carried values)");
  }
  size_t num_scan = body.output_size() - 1 - num_carried;
  if (body.output_size() < static_cast<int>(num_carried + 1)) ctx.Fail("the body has too few outputs");
  std::vector<Value> carried;
  for (size_t i = 0; i < num_carried; ++i) carried.push_back(ctx.In(i + 2));
  std::vector<std::vector<Expr>> scans(num_scan);
  for (int64_t it = 0; it < *trips; ++it) {
    std::vector<Value> inputs = {KnownInts({it}, true, DataType::Int(64)), KnownInts({1}, true, DataType::Bool())};
    inputs.insert(inputs.end(), carried.begin(), carried.end());
    std::vector<Value> outs = ctx.ImportSubgraph(body, inputs);
    for (size_t i = 0; i < num_carried; ++i) carried[i] = outs[i + 1];
    for (size_t i = 0; i < num_scan; ++i) {
      scans[i].push_back(ctx.Emit(relax::op::expand_dims(ctx.AsTensor(outs[1 + num_carried + i]), {0})));
    }
    std::optional<int64_t> cond = KnownScalar(outs[0]);
    if (!cond) ctx.Fail("the body's condition output must be known at import time to unroll the loop");
    if (!*cond) break;
  }
  std::vector<Value> results = carried;
  for (size_t i = 0; i < num_scan; ++i) {
    if (scans[i].empty()) ctx.Fail("the loop runs no iteration, so its scan outputs have no known shape");
    results.emplace_back(scans[i].size() == 1 ? scans[i][0] : Expr(ctx.Emit(relax::op::concat(scans[i], 0))));
  }
  return results;
}

}  // namespace

void AddControlFlowConverters(ConverterTable& table) {
  table["If"] = ConvertIf;
  table["Loop"] = ConvertLoop;
}

}  // namespace kiln::frontend::onnx
