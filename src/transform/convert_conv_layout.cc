// ConvertConvLayout: for each binding block, a forward walk decides which
// bindings go blocked (a convertible conv2d, or a layout-agnostic op with a
// blocked operand) and which of their results are also used plain; then the
// mutator emits the blocked ops, the transforms of their plain operands (once
// per variable) and the transforms back where a plain tensor is used.
//
//   conv2d(x, w) [NCHW, OIHW]   -> conv2d(T(x), T(w)) [NCHW<b>c, OIHW<b>i<b>o]
//   depthwise (groups = C = O)   -> conv2d(T(x), T(w)) [NCHW<b>c, OIHW1i<b>o]
//   f(y) for elementwise f       -> f(yb)              yb: y's blocked form
//   add(y, bias (1, C, 1, 1))    -> add(yb, T(bias))
//   batch_norm(y, g, b, m, v)    -> yb * T(s) + T(t), s = g * rsqrt(v + eps), t = b - m * s
//   max/avg_pool2d(y) [NCHW]     -> max/avg_pool2d(yb) [NCHW<b>c]
//   T_B->A(T_A->B(x))            -> x
#include "kiln/transform/convert_conv_layout.h"

#include <map>
#include <set>
#include <unordered_map>

#include "kiln/relax/functor.h"
#include "kiln/relax/op/binary.h"
#include "kiln/relax/op/create.h"
#include "kiln/relax/op/layout.h"
#include "kiln/relax/op/manipulate.h"
#include "kiln/relax/op/unary.h"
#include "kiln/tir/schedule/default_schedule.h"
#include "kiln/tir/structural_equal.h"

namespace kiln::transform {
namespace {

using relax::Binding;
using relax::BindingBlock;
using relax::CallNode;
using relax::Expr;
using relax::TensorStructInfoNode;
using relax::Var;
using relax::VarNode;
using tir::PrimExpr;

constexpr const char* kDisableKey = "relax.convert_conv_layout.disable";
constexpr const char* kBlockKey = "relax.convert_conv_layout.block";

// The binary broadcasting ops whose result is blocked when an operand is.
const std::set<std::string> kBinaryOps = {"relax.add",    "relax.subtract", "relax.multiply",
                                          "relax.divide", "relax.maximum",  "relax.minimum"};

// The pools whose blocked form (layout NCHW<b>c) the pass uses.
const std::set<std::string> kPoolOps = {"relax.max_pool2d", "relax.avg_pool2d"};

// "NCHW" blocked by b along C: "NCHW16c".
std::string BlockedLayout(const std::string& primal, int64_t b) {
  return primal + std::to_string(b) + "c";
}

const CallNode* OpCall(const Expr& value) {
  const CallNode* call = value.as<CallNode>();
  return call && call->op.as<relax::OpNode>() ? call : nullptr;
}

const std::string& OpName(const CallNode* call) {
  return call->op.as<relax::OpNode>()->name;
}

// The shape of a tensor expression when known.
const std::vector<PrimExpr>* ShapeOf(const Expr& e) {
  const relax::StructInfo& s = e.struct_info();
  const TensorStructInfoNode* t = s ? s.As<TensorStructInfoNode>().get() : nullptr;
  return t && t->shape ? &*t->shape : nullptr;
}

std::optional<int64_t> ConstDim(const std::vector<PrimExpr>& shape, size_t axis) {
  return axis < shape.size() ? tir::ConstIntValue(shape[axis]) : std::nullopt;
}

bool IsOne(const PrimExpr& d) {
  std::optional<int64_t> v = tir::ConstIntValue(d);
  return v && *v == 1;
}

std::string LayoutAttr(const CallNode* call, const char* name, const std::string& fallback) {
  std::string v = call->attrs.Get<std::string>(name, fallback);
  return v.empty() ? fallback : v;
}

// How an operand of a layout-agnostic op takes part in its blocked form.
enum class Operand {
  kBlocked,     // a result the pass blocks: its blocked variable
  kFull,        // a plain tensor of the result's shape: transformed NCHW -> NCHW<b>c
  kPerChannel,  // (1, C, 1, 1): transformed NCHW -> NCHW<b>c
  kChannelHW,   // (C, 1, 1): transformed CHW -> CHW<b>c, which broadcasts the same
  kOnes,        // every dim 1 (or a scalar): broadcasts in any layout, as it is
  kNone,        // anything else: the op stays plain
};

class LayoutConverter : public relax::ExprMutator {
 public:
  LayoutConverter(const IRModule& mod, int64_t block) : ExprMutator(mod), block_(block) {}

 protected:
  // What a block makes blocked stays in it: its dataflow variables are not
  // visible after it, and a nested block (an if branch) must not disturb
  // the enclosing one.
  BindingBlock VisitBindingBlock(const BindingBlock& block) override {
    State outer = state_;
    Analyze(block);
    BindingBlock out = ExprMutator::VisitBindingBlock(block);
    state_ = std::move(outer);
    return out;
  }

  void VisitBinding(const Binding& b) override {
    if (auto it = state_.reuse.find(b.var.get()); it != state_.reuse.end()) {
      // T_NCHW->NCHW<b>c(y) for a blocked y: its blocked variable.
      Alias(b.var, state_.blocked_var.at(it->second));
      return;
    }
    auto it = state_.blocked.find(b.var.get());
    if (it == state_.blocked.end()) {
      if (!CancelPair(b)) ExprMutator::VisitBinding(b);
      return;
    }
    const CallNode* call = OpCall(b.value);
    int64_t blk = it->second;
    const std::string& name = OpName(call);
    Expr value = name == "relax.conv2d"       ? BlockedConv(call)
                 : name == "relax.batch_norm" ? BlockedBatchNorm(call, blk)
                 : kPoolOps.count(name)       ? BlockedPool(call, blk)
                                              : BlockedAgnostic(call, blk);
    Var bv = builder_.Emit(value, b.var->name + "_blocked");
    state_.blocked_var[b.var.get()] = bv;
    if (state_.needs_plain.count(b.var.get())) {
      ExprMutator::VisitBinding({b.var, Transform(bv, BlockedLayout("NCHW", blk), "NCHW"), {}});
    }
  }

 private:
  // ---- analysis ----

  void Analyze(const BindingBlock& block) {
    for (const Binding& b : block.bindings) {
      const CallNode* call = b.match_cast ? nullptr : OpCall(b.value);
      if (!call) continue;
      int64_t blk = ConvBlocksOf(call).out;
      if (blk == 0) blk = AgnosticBlock(call);
      if (blk == 0) blk = BatchNormBlock(call);
      if (blk == 0) blk = PoolBlock(call);
      if (blk != 0) {
        state_.blocked[b.var.get()] = blk;
      } else if (const VarNode* v = BlockedSource(call)) {
        state_.reuse[b.var.get()] = v;
      }
    }
    for (const Binding& b : block.bindings) {
      if (state_.blocked.count(b.var.get())) {
        if (!b.var->is_dataflow) state_.needs_plain.insert(b.var.get());
        continue;
      }
      if (state_.reuse.count(b.var.get())) continue;
      relax::PostOrderVisit(b.value, [&](const Expr& e) {
        if (const VarNode* v = e.as<VarNode>(); v && state_.blocked.count(v)) state_.needs_plain.insert(v);
      });
    }
  }

  int64_t BlockFor(runtime::DataType dtype) const {
    if (block_ > 0) return block_;
    return std::max<int64_t>(1, tir::CpuScheduleOptions::HostVectorBytes() / std::max<int64_t>(1, dtype.bytes()));
  }

  // The input-channel (data) and output-channel (result) blocks of a
  // conv2d the pass converts; zeros when it does not. Each is the block, or
  // half of it when the channels do not divide by the block (if the half is
  // at least 4); the input block is the data's own when it is blocked
  // already, so that a chain stays blocked. A depthwise conv2d (groups = C =
  // O, one input channel per output channel) has one block for both.
  struct ConvBlocks {
    int64_t in = 0, out = 0;
    bool depthwise = false;
  };
  ConvBlocks ConvBlocksOf(const CallNode* call) const {
    if (OpName(call) != "relax.conv2d" || call->args.size() != 2) return {};
    if (LayoutAttr(call, "data_layout", "NCHW") != "NCHW" || LayoutAttr(call, "kernel_layout", "OIHW") != "OIHW" ||
        LayoutAttr(call, "out_layout", "NCHW") != "NCHW") {
      return {};
    }
    const std::vector<PrimExpr>* d = ShapeOf(call->args[0]);
    const std::vector<PrimExpr>* w = ShapeOf(call->args[1]);
    if (!d || !w || d->size() != 4 || w->size() != 4) return {};
    std::optional<int64_t> c = ConstDim(*d, 1), o = ConstDim(*w, 0);
    if (!c || !o) return {};
    int64_t groups = call->attrs.Get<int64_t>("groups", 1);
    bool depthwise = groups != 1 && groups == *c && *o == *c && IsOne((*w)[1]);
    if (groups != 1 && !depthwise) return {};
    int64_t blk = BlockFor(call->args[0].struct_info().As<TensorStructInfoNode>()->dtype);
    auto fit = [blk](int64_t channels) -> int64_t {
      if (blk >= 2 && channels % blk == 0) return blk;
      return blk / 2 >= 4 && channels % (blk / 2) == 0 ? blk / 2 : 0;
    };
    // Fewer input channels than half a block (an image's 3): one block of
    // all of them, so that the first conv's result is blocked already.
    int64_t in = !depthwise && *c < blk / 2 ? *c : fit(*c);
    ConvBlocks b{in, fit(*o), depthwise};
    const VarNode* v = call->args[0].as<VarNode>();
    if (v && state_.blocked.count(v)) b.in = state_.blocked.at(v);
    if (depthwise) b.out = b.in;
    return b.in && b.out ? b : ConvBlocks{};
  }

  Operand Classify(const Expr& arg, const std::vector<PrimExpr>& out, int64_t* blk) const {
    if (const VarNode* v = arg.as<VarNode>(); v && state_.blocked.count(v)) {
      if (*blk != 0 && *blk != state_.blocked.at(v)) return Operand::kNone;
      *blk = state_.blocked.at(v);
      return Operand::kBlocked;
    }
    const std::vector<PrimExpr>* s = ShapeOf(arg);
    if (!s) return Operand::kNone;
    if (std::all_of(s->begin(), s->end(), IsOne)) return Operand::kOnes;
    if (s->size() == 4 && std::equal(s->begin(), s->end(), out.begin(),
                                     [](const PrimExpr& a, const PrimExpr& b) { return tir::StructuralEqual(a, b); })) {
      return Operand::kFull;
    }
    bool channel = s->size() >= 3 && tir::StructuralEqual((*s)[s->size() - 3], out[1]);
    if (s->size() == 4 && IsOne((*s)[0]) && channel && IsOne((*s)[2]) && IsOne((*s)[3])) return Operand::kPerChannel;
    if (s->size() == 3 && channel && IsOne((*s)[1]) && IsOne((*s)[2])) return Operand::kChannelHW;
    return Operand::kNone;
  }

  // The block of a layout-agnostic op with a blocked operand, or 0.
  int64_t AgnosticBlock(const CallNode* call) const {
    const relax::OpNode* op = call->op.as<relax::OpNode>();
    bool elementwise = op->pattern == relax::OpPattern::kElementwise && !call->args.empty();
    if (!elementwise && !kBinaryOps.count(op->name)) return 0;
    const std::vector<PrimExpr>* out = ShapeOf(Expr(runtime::GetRef<CallNode>(call)));
    if (!out || out->size() != 4) return 0;
    int64_t blk = 0;
    bool any_blocked = false;
    for (const Expr& arg : call->args) {
      Operand kind = Classify(arg, *out, &blk);
      if (kind == Operand::kNone) return 0;
      any_blocked |= kind == Operand::kBlocked;
    }
    std::optional<int64_t> c = ConstDim(*out, 1);
    return any_blocked && c && *c % blk == 0 ? blk : 0;
  }

  // The block of batch_norm along axis 1 of a blocked tensor with (C,)
  // statistics, or 0.
  int64_t BatchNormBlock(const CallNode* call) const {
    if (OpName(call) != "relax.batch_norm" || call->args.size() != 5) return 0;
    const VarNode* v = call->args[0].as<VarNode>();
    const std::vector<PrimExpr>* d = ShapeOf(call->args[0]);
    int64_t axis = call->attrs.Get<int64_t>("axis", 1);
    if (!v || !state_.blocked.count(v) || !d || d->size() != 4 || (axis != 1 && axis != -3)) return 0;
    for (size_t i = 1; i < 5; ++i) {
      const std::vector<PrimExpr>* s = ShapeOf(call->args[i]);
      if (!s || s->size() != 1 || !tir::StructuralEqual((*s)[0], (*d)[1])) return 0;
    }
    return state_.blocked.at(v);
  }

  // The block of a max/avg pool in NCHW of a blocked tensor, or 0.
  int64_t PoolBlock(const CallNode* call) const {
    if (!kPoolOps.count(OpName(call)) || call->args.size() != 1) return 0;
    const VarNode* v = call->args[0].as<VarNode>();
    if (!v || !state_.blocked.count(v) || LayoutAttr(call, "layout", "NCHW") != "NCHW") return 0;
    return state_.blocked.at(v);
  }

  // v when `call` is layout_transform(v, NCHW -> NCHW<b>c) of a blocked v
  // with that block.
  const VarNode* BlockedSource(const CallNode* call) const {
    if (OpName(call) != "relax.layout_transform") return nullptr;
    const VarNode* v = call->args[0].as<VarNode>();
    if (!v || !state_.blocked.count(v)) return nullptr;
    bool same = call->attrs.Get<std::string>("src_layout", "") == "NCHW" &&
                call->attrs.Get<std::string>("dst_layout", "") == BlockedLayout("NCHW", state_.blocked.at(v));
    return same ? v : nullptr;
  }

  // ---- rewriting ----

  Expr Transform(const Expr& x, const std::string& src, const std::string& dst) {
    return relax::op::layout_transform(x, src, dst);
  }

  // The transform of an operand of the pass's blocked ops, emitted once per
  // variable and layout.
  Expr TransformOperand(const Expr& arg, const std::string& src, const std::string& dst) {
    const VarNode* v = arg.as<VarNode>();
    std::pair<const VarNode*, std::string> key{v, dst};
    if (v) {
      if (auto it = state_.transformed.find(key); it != state_.transformed.end()) return it->second;
    }
    Var t = builder_.Emit(Transform(VisitExpr(arg), src, dst), v ? v->name + "_blocked" : "");
    if (v) state_.transformed[key] = t;
    return t;
  }

  Expr BlockedData(const Expr& arg, int64_t blk) {
    if (const VarNode* v = arg.as<VarNode>(); v && state_.blocked_var.count(v)) return state_.blocked_var.at(v);
    return TransformOperand(arg, "NCHW", BlockedLayout("NCHW", blk));
  }

  Expr BlockedConv(const CallNode* call) {
    ConvBlocks b = ConvBlocksOf(call);
    std::string kernel = "OIHW" + std::to_string(b.depthwise ? 1 : b.in) + "i" + std::to_string(b.out) + "o";
    Expr data = BlockedData(call->args[0], b.in);
    Expr weight = TransformOperand(call->args[1], "OIHW", kernel);
    relax::Attrs attrs = call->attrs.With("data_layout", BlockedLayout("NCHW", b.in))
                             .With("kernel_layout", kernel)
                             .With("out_layout", BlockedLayout("NCHW", b.out));
    return relax::MakeCall(call->op, {data, weight}, attrs, call->sinfo_args);
  }

  Expr BlockedAgnostic(const CallNode* call, int64_t blk) {
    const std::vector<PrimExpr>& out = *ShapeOf(Expr(runtime::GetRef<CallNode>(call)));
    std::vector<Expr> args;
    for (const Expr& arg : call->args) {
      int64_t b = blk;
      switch (Classify(arg, out, &b)) {
        case Operand::kBlocked: args.push_back(state_.blocked_var.at(arg.as<VarNode>())); break;
        case Operand::kFull:
        case Operand::kPerChannel: args.push_back(TransformOperand(arg, "NCHW", BlockedLayout("NCHW", blk))); break;
        case Operand::kChannelHW: args.push_back(TransformOperand(arg, "CHW", BlockedLayout("CHW", blk))); break;
        case Operand::kOnes: args.push_back(VisitExpr(arg)); break;
        case Operand::kNone:
          KILN_ICHECK(false) << "ConvertConvLayout: an operand of " << OpName(call) << " changed kind";
      }
    }
    return relax::MakeCall(call->op, std::move(args), call->attrs, call->sinfo_args);
  }

  Expr BlockedPool(const CallNode* call, int64_t blk) {
    Expr x = state_.blocked_var.at(call->args[0].as<VarNode>());
    return relax::MakeCall(call->op, {x}, call->attrs.With("layout", BlockedLayout("NCHW", blk)), call->sinfo_args);
  }

  // batch_norm(x, gamma, beta, mean, var) is x * s + t per channel, with
  //   s = gamma * rsqrt(var + epsilon), t = beta - mean * s
  // each (C,) -> (C, 1, 1) -> CHW<b>c, which broadcasts over NCHW<b>c.
  // FoldConstant computes s and t when the statistics are constants.
  Expr BlockedBatchNorm(const CallNode* call, int64_t blk) {
    double epsilon = call->attrs.Get<double>("epsilon", 1e-5);
    std::vector<Expr> a;
    for (size_t i = 1; i < 5; ++i) a.push_back(VisitExpr(call->args[i]));
    Expr scale = builder_.Emit(
        relax::op::multiply(a[0], relax::op::rsqrt(relax::op::add(a[3], relax::op::full_like(a[3], epsilon)))));
    auto per_channel = [&](const Expr& e) {
      return builder_.Emit(Transform(relax::op::expand_dims(e, {1, 2}), "CHW", BlockedLayout("CHW", blk)));
    };
    Expr x = state_.blocked_var.at(call->args[0].as<VarNode>());
    Expr scale_b = per_channel(scale);  // emitted in this order: scale, then shift
    Expr shift_b = per_channel(relax::op::subtract(a[1], relax::op::multiply(a[2], scale)));
    return relax::op::add(relax::op::multiply(x, scale_b), shift_b);
  }

  // y = T_B->A(x) where x = T_A->B(z): y stands for z.
  bool CancelPair(const Binding& b) {
    const CallNode* call = b.match_cast ? nullptr : OpCall(b.value);
    if (!call || OpName(call) != "relax.layout_transform") return false;
    std::string src = call->attrs.Get<std::string>("src_layout", "");
    std::string dst = call->attrs.Get<std::string>("dst_layout", "");
    if (const VarNode* v = call->args[0].as<VarNode>()) {
      auto it = state_.transforms.find(v);
      if (it != state_.transforms.end() && it->second.src == dst && it->second.dst == src) {
        Alias(b.var, VisitExpr(it->second.source));
        return true;
      }
    }
    state_.transforms[b.var.get()] = {call->args[0], src, dst};
    return false;
  }

  // From now on `var` stands for `value`: a remap where scopes allow (a
  // dataflow variable may not leave its block), else a copy binding.
  void Alias(const Var& var, const Expr& value) {
    const VarNode* v = value.as<VarNode>();
    if (v && (var->is_dataflow || !v->is_dataflow)) {
      RemapVar(var, Var(runtime::GetRef<VarNode>(v)));
      return;
    }
    builder_.EmitBinding({var, value, {}});
  }

  struct TransformOf {
    Expr source;
    std::string src, dst;
  };
  struct State {
    std::unordered_map<const VarNode*, int64_t> blocked;                // bindings made blocked, with their block
    std::set<const VarNode*> needs_plain;                               // ... whose plain form is used too
    std::unordered_map<const VarNode*, const VarNode*> reuse;           // forward transforms of blocked results
    std::unordered_map<const VarNode*, Var> blocked_var;                // the blocked variable of each
    std::map<std::pair<const VarNode*, std::string>, Var> transformed;  // operand transforms emitted
    std::unordered_map<const VarNode*, TransformOf> transforms;         // layout_transform bindings seen
  };

  int64_t block_;
  State state_;
};

int64_t ConfiguredBlock(int64_t block, const PassContext& ctx) {
  if (block > 0) return block;
  return ctx.GetConfig<int64_t>(kBlockKey);
}

}  // namespace

Pass ConvertConvLayout(int64_t block) {
  KILN_CHECK(block >= 0) << "ConvertConvLayout: block must be positive (or 0 for the host's), got " << block;
  auto run = [block](const relax::Function& f, const IRModule& mod, const PassContext& ctx) {
    if (ctx.GetConfig<bool>(kDisableKey)) return f;
    return LayoutConverter(mod, ConfiguredBlock(block, ctx)).VisitExpr(f).As<relax::FunctionNode>();
  };
  return CreateFunctionPass(run, {"ConvertConvLayout",
                                  2,
                                  "moves NCHW conv2d (dense or depthwise) and the ops between convs to the blocked NCHW<b>c layout",
                                  {"Normalize"}});
}

KILN_REGISTER_PASS(ConvertConvLayout);

namespace {
const bool kConfigRegistered = [] {
  RegisterPassConfig({kDisableKey, ConfigType::kBool, false, "ConvertConvLayout leaves the module as it is"});
  RegisterPassConfig({kBlockKey, ConfigType::kInt, int64_t{0},
                      "ConvertConvLayout's channel block (0: the host's vector width in elements)"});
  return true;
}();
}  // namespace

}  // namespace kiln::transform
