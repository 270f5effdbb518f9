// Nodes of a custom domain (not "" / "ai.onnx"): a node of domain D and
// op_type T becomes a call of the registered relax op that the import's
// custom-op map names for "D.T", or else of the op registered as "D.T"
// itself (from C++ with RegisterOp or from Python with
// kiln.relax.register_op). The node's inputs are the op's arguments in
// order, its attributes the op's attributes (checked against the op's
// declaration and completed with its defaults); a tuple result gives one
// output per field.
#include "importer.h"
#include "kiln/relax/op.h"

namespace kiln::frontend::onnx {

namespace {

// An ONNX attribute as an op attribute value.
runtime::Any AttrValue(NodeContext& ctx, const kiln_onnx::AttributeProto& a) {
  using A = kiln_onnx::AttributeProto;
  switch (a.type()) {
    case A::INT: return runtime::Any(static_cast<int64_t>(a.i()));
    case A::FLOAT: return runtime::Any(static_cast<double>(a.f()));
    case A::STRING: return runtime::Any(a.s());
    case A::INTS: return runtime::Any(std::vector<int64_t>(a.ints().begin(), a.ints().end()));
    default: break;
  }
  ctx.Fail("attribute '" + a.name() + "' has a kind (" + A::AttributeType_Name(a.type()) +
           ") that op attributes cannot hold (int, float, string and ints can)");
}

}  // namespace

std::string CustomOpKey(const kiln_onnx::NodeProto& node) { return node.domain() + "." + node.op_type(); }

std::string CustomOpName(const kiln_onnx::NodeProto& node, const CustomOpMap& custom_ops) {
  std::string key = CustomOpKey(node);
  auto it = custom_ops.find(key);
  return it == custom_ops.end() ? key : it->second;
}

std::vector<Value> ConvertCustomOp(NodeContext& ctx, const std::string& op_name) {
  relax::Op op = relax::FindOp(op_name);
  if (!op) ctx.Fail("no op '" + op_name + "' is registered for domain '" + ctx.node().domain() + "'");
  std::vector<Expr> args;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    if (!ctx.Has(i)) {
      // A missing optional input: only trailing ones can be left out.
      for (size_t k = i; k < ctx.num_inputs(); ++k) {
        if (ctx.Has(k)) ctx.Fail("input " + std::to_string(i) + " is missing but a later one is given");
      }
      break;
    }
    args.push_back(ctx.Tensor(i));
  }
  relax::Attrs attrs;
  for (const auto& a : ctx.node().attribute()) attrs = attrs.With(a.name(), AttrValue(ctx, a));
  relax::CheckOpArity(op.get(), args.size());
  Expr call = relax::MakeCall(op, args, relax::CheckOpAttrs(op.get(), attrs));
  relax::Var out = ctx.Emit(call);
  auto tuple = out.struct_info().As<relax::TupleStructInfoNode>();
  if (!tuple) return {Value(out)};
  std::vector<Value> outs;
  for (size_t i = 0; i < tuple->fields.size(); ++i) {
    outs.emplace_back(ctx.Emit(relax::MakeTupleGetItem(out, static_cast<int>(i))));
  }
  return outs;
}

}  // namespace kiln::frontend::onnx
