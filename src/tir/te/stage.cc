// One te compute stage: iteration variables and loops from its axes, the
// body rewritten onto them and onto the PrimFunc's buffers, and its regions.
#include "stage.h"

#include "access_region.h"
#include "kiln/tir/functor.h"
#include "reduction.h"

namespace kiln::tir::te {

namespace {
// Moves a compute's expressions onto the block: te axes become iteration
// variables, tensors become buffers.
class Rewriter : public ExprMutator {
 public:
  Rewriter(const BufferMap& buffers, std::unordered_map<const PrimExprNode*, Var> vars)
      : buffers_(buffers), vars_(std::move(vars)) {}
  PrimExpr operator()(const PrimExpr& e) { return VisitExpr(e); }

 protected:
  PrimExpr VisitExpr_(const VarNode* op) override {
    auto it = vars_.find(op);
    return it == vars_.end() ? PrimExpr(runtime::GetRef<PrimExprNode>(op)) : PrimExpr(it->second);
  }
  Buffer VisitBufferUse(const Buffer& buffer) override {
    auto it = buffers_.find(buffer.get());
    KILN_ICHECK(it != buffers_.end()) << "no buffer for tensor '" << buffer->name << "'";
    return it->second;
  }

 private:
  const BufferMap& buffers_;
  std::unordered_map<const PrimExprNode*, Var> vars_;
};

// A loop variable over `extent` and the block iteration variable bound to it.
struct Axis {
  Var loop;
  PrimExpr extent;
  IterVar iter;
};

Axis MakeAxis(const Var& var, const Range& dom, IterKind kind) {
  Var loop(var.name(), var.dtype());
  return {loop, dom.extent, {Var("v_" + var.name(), var.dtype()), dom, kind, loop + dom.min}};
}

std::vector<Axis> AxesOf(const TensorNode* t, const std::optional<Reduction>& r) {
  std::vector<Axis> axes;
  for (size_t d = 0; d < t->axis.size(); ++d) {
    axes.push_back(MakeAxis(t->axis[d], {MakeConst(t->shape[d].dtype(), 0), t->shape[d]}, IterKind::kSpatial));
  }
  if (r) {
    for (const ReduceAxis& a : r->axes) axes.push_back(MakeAxis(a.var, a.dom, IterKind::kReduce));
  }
  return axes;
}

// Each te variable (spatial axes, then reduce axes) to its iteration variable.
std::unordered_map<const PrimExprNode*, Var> VarMap(const TensorNode* t, const std::optional<Reduction>& r,
                                                    const std::vector<Axis>& axes) {
  std::unordered_map<const PrimExprNode*, Var> vars;
  for (size_t i = 0; i < axes.size(); ++i) {
    const Var& te_var = i < t->axis.size() ? t->axis[i] : r->axes[i - t->axis.size()].var;
    vars.emplace(te_var.get(), axes[i].iter.var);
  }
  return vars;
}

Stmt Loops(const std::vector<Axis>& axes, Stmt body) {
  for (auto it = axes.rbegin(); it != axes.rend(); ++it) {
    body = For(it->loop, MakeConst(it->loop.dtype(), 0), it->extent, ForKind::kSerial, body);
  }
  return body;
}
}  // namespace

Stmt MakeStage(const Tensor& t, const BufferMap& buffers) {
  KILN_ICHECK(!t->is_placeholder()) << "placeholder '" << t.name() << "' has no stage";
  std::optional<Reduction> r = DecodeReduction(t->body);
  std::vector<Axis> axes = AxesOf(t.get(), r);
  Rewriter rewrite(buffers, VarMap(t.get(), r, axes));
  const Buffer& out = buffers.at(t.get());
  BlockSpec spec;
  spec.name = out->name;
  spec.annotations = t->attrs;
  std::vector<PrimExpr> index;
  spec.writes = {{out, {}}};
  for (const Axis& a : axes) {
    spec.iter_vars.push_back(a.iter);
    if (a.iter.kind == IterKind::kReduce) continue;
    index.push_back(a.iter.var);
    spec.writes[0].region.push_back({index.back(), MakeConst(a.iter.var.dtype(), 1)});
  }
  PrimExpr value = rewrite(r ? r->Combine(t[t->axis], r->source) : t->body);
  PrimExpr init = r ? rewrite(r->init) : PrimExpr();
  spec.reads = ReadRegions(r ? std::vector<PrimExpr>{value, init} : std::vector<PrimExpr>{value}, out);
  spec.body = BufferStore(out, value, index);
  if (r) spec.init = BufferStore(out, init, index);
  return Loops(axes, Block(std::move(spec)));
}

}  // namespace kiln::tir::te
