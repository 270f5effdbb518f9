// PackMatmulWeights: a mutator over each relax function's bindings; a linear
// or matmul whose weight qualifies gets the weight's layout_transform emitted
// before it (once per weight and layout in a block) and becomes a linear
// reading the packed weight.
#include "kiln/transform/pack_matmul_weights.h"

#include <map>
#include <set>
#include <unordered_map>

#include "kiln/relax/functor.h"
#include "kiln/relax/op/create.h"
#include "kiln/relax/op/layout.h"
#include "kiln/relax/op/manipulate.h"
#include "kiln/tir/schedule/default_schedule.h"

namespace kiln::transform {
namespace {

using relax::Binding;
using relax::BindingBlock;
using relax::CallNode;
using relax::Expr;
using relax::TensorStructInfoNode;
using relax::Var;
using tir::PrimExpr;

const TensorStructInfoNode* TensorOf(const Expr& e) {
  const relax::StructInfo& s = e.struct_info();
  return s ? s.As<TensorStructInfoNode>().get() : nullptr;
}

// The constant dims of a tensor of known shape, or nullopt.
std::optional<std::vector<int64_t>> ConstShape(const TensorStructInfoNode* t) {
  if (!t || !t->shape) return std::nullopt;
  std::vector<int64_t> dims;
  for (const PrimExpr& d : *t->shape) {
    std::optional<int64_t> v = tir::ConstIntValue(d);
    if (!v) return std::nullopt;
    dims.push_back(*v);
  }
  return dims;
}

// Whether x, the left operand, has more than one row: rank 2 or more and
// the product of its dims but the last not the constant 1 (symbolic counts).
bool HasRows(const Expr& x) {
  const TensorStructInfoNode* t = TensorOf(x);
  if (!t || !t->shape || t->shape->size() < 2) return false;
  int64_t rows = 1;
  for (size_t d = 0; d + 1 < t->shape->size(); ++d) {
    std::optional<int64_t> v = tir::ConstIntValue((*t->shape)[d]);
    if (!v) return true;
    rows *= *v;
  }
  return rows > 1;
}

class WeightPacker : public relax::ExprMutator {
 public:
  WeightPacker(const IRModule& mod, int64_t panel, std::set<const relax::VarNode*> weights)
      : ExprMutator(mod), panel_(panel), weights_(std::move(weights)) {}

 protected:
  BindingBlock VisitBindingBlock(const BindingBlock& block) override {
    std::map<std::pair<const runtime::Object*, std::string>, Var> outer = std::move(packed_);
    packed_.clear();
    BindingBlock out = ExprMutator::VisitBindingBlock(block);
    packed_ = std::move(outer);
    return out;
  }

  void VisitBinding(const Binding& b) override {
    const CallNode* call = b.match_cast ? nullptr : b.value.as<CallNode>();
    const relax::OpNode* op = call ? call->op.as<relax::OpNode>() : nullptr;
    if (op && op->name == "relax.permute_dims" && IsWeight(call->args[0]) && IsTranspose(call)) {
      transposed_[b.var.get()] = call->args[0];
    }
    if (op && (op->name == "relax.linear" || op->name == "relax.matmul")) {
      if (std::optional<Expr> packed = Pack(call, op->name == "relax.linear")) {
        ExprMutator::VisitBinding({b.var, *packed, {}});
        return;
      }
    }
    ExprMutator::VisitBinding(b);
  }

 private:
  bool IsWeight(const Expr& e) const {
    if (e.as<relax::ConstantNode>()) return true;
    const relax::VarNode* v = e.as<relax::VarNode>();
    return v && weights_.count(v);
  }

  // Whether a permute_dims call swaps the two dims of a matrix.
  static bool IsTranspose(const CallNode* call) {
    const TensorStructInfoNode* t = TensorOf(call->args[0]);
    if (!t || t->ndim != 2) return false;
    std::optional<runtime::Any> axes = call->attrs.Find("axes");
    if (!axes || axes->is_none()) return true;
    // A list attribute is a Shape when made in C++, a list of ints from Python.
    if (axes->TypeName() == "Shape") return axes->Cast<std::vector<int64_t>>() == std::vector<int64_t>{1, 0};
    std::vector<int64_t> values;
    for (const runtime::Any& a : axes->Cast<std::vector<runtime::Any>>()) {
      if (a.kind() != runtime::Any::Kind::kInt) return false;
      values.push_back(a.AsInt());
    }
    return values == std::vector<int64_t>{1, 0};
  }

  // The packed form of a linear (linear = true) or matmul call, or nullopt.
  // A matmul by a transposed weight (permute_dims(w), PyTorch's layout) is a
  // linear by w.
  std::optional<Expr> Pack(const CallNode* call, bool linear) {
    if (call->args.size() < 2 || !HasRows(call->args[0])) return std::nullopt;
    if (linear && !call->attrs.Get<std::string>("weight_layout", "").empty()) return std::nullopt;
    if (!linear && call->args.size() != 2) return std::nullopt;
    Expr weight = call->args[1];
    bool nk = linear;
    if (const relax::VarNode* v = weight.as<relax::VarNode>(); !linear && v && transposed_.count(v)) {
      weight = transposed_.at(v);
      nk = true;
    }
    if (!IsWeight(weight)) return std::nullopt;
    const TensorStructInfoNode* w = TensorOf(weight);
    const TensorStructInfoNode* out = TensorOf(Expr(runtime::GetRef<CallNode>(call)));
    std::optional<std::vector<int64_t>> shape = ConstShape(w);
    if (!shape || shape->size() != 2 || !w->dtype.is_float() || !out || !out->dtype.is_float()) return std::nullopt;
    int64_t n = nk ? (*shape)[0] : (*shape)[1], k = nk ? (*shape)[1] : (*shape)[0];
    int64_t b = PanelFor(out->dtype, n), padded = n;
    if (b == 0) {
      b = PaddedPanelFor(out->dtype, n, k);
      if (b == 0) return std::nullopt;
      padded = (n + b - 1) / b * b;
    }
    std::string layout = "NK" + std::to_string(b) + "n";
    std::vector<Expr> args;
    for (const Expr& a : call->args) args.push_back(VisitExpr(a));
    args[1] = Packed(weight, VisitExpr(weight), nk ? "NK" : "KN", layout, padded - n);
    ir::Attrs attrs;
    attrs = attrs.With("out_dtype", call->attrs.Get<std::string>("out_dtype", ""));
    attrs = attrs.With("weight_layout", layout);
    if (padded == n) return relax::MakeCall(relax::GetOp("relax.linear"), std::move(args), attrs);
    // N padded with zero features: the bias too, and the result sliced back.
    if (args.size() == 3) {
      const TensorStructInfoNode* bias = TensorOf(args[2]);
      if (!bias || bias->ndim != 0) {
        Expr zeros = relax::op::zeros(std::vector<PrimExpr>{PrimExpr(padded - n)}, bias ? bias->dtype : w->dtype);
        args[2] = builder_.Emit(relax::op::concat({args[2], zeros}, 0));
      }
    }
    Expr full = builder_.Emit(relax::MakeCall(relax::GetOp("relax.linear"), std::move(args), attrs));
    return relax::op::strided_slice(full, {out->ndim - 1}, {0}, {n});
  }

  // The panel width for an N of `n` columns of `dtype` results; 0: none fits.
  int64_t PanelFor(runtime::DataType dtype, int64_t n) const {
    if (panel_ > 0) return n % panel_ == 0 ? panel_ : 0;
    int64_t lanes =
        std::max<int64_t>(1, tir::CpuScheduleOptions::HostVectorBytes() / std::max<int64_t>(1, dtype.bytes()));
    for (int64_t b : {2 * lanes, lanes}) {
      if (b >= 4 && n % b == 0) return b;
    }
    return 0;
  }

  // The panel width for an N of `n` columns that no panel divides, padded
  // with zero columns to a multiple of it; 0 when the padding (at most 1/8
  // of the columns) or the slice of the result (K below 64) would cost more
  // than the panels save.
  int64_t PaddedPanelFor(runtime::DataType dtype, int64_t n, int64_t k) const {
    int64_t b = panel_ > 0 ? panel_ : 2 * std::max<int64_t>(1, tir::CpuScheduleOptions::HostVectorBytes() /
                                                                  std::max<int64_t>(1, dtype.bytes()));
    return b >= 4 && n >= 8 * b && k >= 64 ? b : 0;
  }

  // The variable holding `weight` (visited: `visited`) in layout `dst`, with
  // `pad` zero features after its N, emitted on first use in the block.
  Var Packed(const Expr& weight, const Expr& visited, const std::string& src, const std::string& dst, int64_t pad) {
    auto key = std::make_pair(static_cast<const runtime::Object*>(visited.get()), src + ">" + dst);
    auto it = packed_.find(key);
    if (it != packed_.end()) return it->second;
    const relax::VarNode* v = weight.as<relax::VarNode>();
    Expr source = visited;
    if (pad > 0) {
      const TensorStructInfoNode* t = TensorOf(visited);
      size_t n_axis = src == "NK" ? 0 : 1;
      std::vector<PrimExpr> shape = *t->shape;
      shape[n_axis] = PrimExpr(pad);
      Expr zeros = relax::op::zeros(shape, t->dtype);
      source = builder_.Emit(relax::op::concat({visited, zeros}, static_cast<int64_t>(n_axis)));
    }
    Var packed = builder_.Emit(relax::op::layout_transform(source, src, dst), (v ? v->name : "w") + "_packed");
    packed_[key] = packed;
    return packed;
  }

  int64_t panel_;
  std::set<const relax::VarNode*> weights_;
  std::map<std::pair<const runtime::Object*, std::string>, Var> packed_;
  std::unordered_map<const relax::VarNode*, Expr> transposed_;  // t = permute_dims(w) of a weight w
};

}  // namespace

Pass PackMatmulWeights(int64_t panel) {
  KILN_CHECK(panel >= 0) << "PackMatmulWeights: panel must be positive (or 0 for the host's), got " << panel;
  auto run = [panel](const relax::Function& f, const IRModule& mod, const PassContext&) {
    std::set<const relax::VarNode*> weights;
    int64_t num_input = f->attrs.Get<int64_t>("num_input", -1);
    for (size_t i = num_input < 0 ? f->params.size() : static_cast<size_t>(num_input); i < f->params.size(); ++i) {
      weights.insert(f->params[i].get());
    }
    return WeightPacker(mod, panel, std::move(weights)).VisitExpr(f).As<relax::FunctionNode>();
  };
  return CreateFunctionPass(run, {"PackMatmulWeights",
                                  2,
                                  "packs the constant weights of linear and matmul into column panels, once",
                                  {"Normalize"}});
}

KILN_REGISTER_PASS(PackMatmulWeights);

}  // namespace kiln::transform
