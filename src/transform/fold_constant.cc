// FoldConstant: a walk over each relax function works out which bindings
// are constant, evaluating call_tir (and op calls, legalized on the spot)
// with kernels compiled for the host; a mutator then puts the constants in
// place of those bindings' values.
#include "kiln/transform/fold_constant.h"

#include <atomic>

#include <unordered_map>

#include "kiln/codegen/build.h"
#include "kiln/relax/functor.h"
#include "kiln/relax/legalize.h"
#include "kiln/tir/structural_equal.h"

namespace kiln::transform {
namespace {

using relax::Expr;
using runtime::NDArray;

constexpr const char* kMaxBytesKey = "relax.fold_constant.max_bytes";
constexpr int64_t kDefaultMaxBytes = int64_t{256} << 20;

// The tensors of a call_tir or op result: one tensor, or a tuple of them.
std::vector<relax::StructInfo> OutputTensors(const relax::StructInfo& sinfo) {
  if (auto tuple = sinfo.As<relax::TupleStructInfoNode>()) return tuple->fields;
  return {sinfo};
}

// The bytes of a result whose tensors all have constant shapes and known
// dtypes; -1 otherwise.
int64_t StaticBytes(const relax::StructInfo& sinfo) {
  int64_t total = 0;
  for (const relax::StructInfo& field : OutputTensors(sinfo)) {
    auto t = field.As<relax::TensorStructInfoNode>();
    if (!t || !t->shape || t->dtype.is_void()) return -1;
    int64_t bytes = (t->dtype.bits() * t->dtype.lanes() + 7) / 8;
    for (const tir::PrimExpr& d : *t->shape) {
      const auto* imm = d.as<tir::IntImmNode>();
      if (!imm) return -1;
      bytes *= imm->value;
    }
    total += bytes;
  }
  return total;
}

std::vector<int64_t> StaticShape(const relax::StructInfo& sinfo) {
  std::vector<int64_t> shape;
  for (const tir::PrimExpr& d : *sinfo.As<relax::TensorStructInfoNode>()->shape) {
    shape.push_back(d.as<tir::IntImmNode>()->value);
  }
  return shape;
}

bool AllIntImm(const std::vector<tir::PrimExpr>& values) {
  for (const tir::PrimExpr& v : values) {
    if (!v.as<tir::IntImmNode>()) return false;
  }
  return true;
}

// Host kernels by structure: a PrimFunc equal to one compiled before in this
// run reuses its code. Kernels are compiled as legalized, unscheduled: each
// runs once, and scheduling did not pay for itself when measured (2 cores):
// folding a 4096x4096 transpose took 105 ms unscheduled and 125 ms
// scheduled, ten conv weight layout transforms 102 and 105 ms; about 15 ms
// of each distinct kernel is compiling it.
std::atomic<int64_t> kernels_compiled{0};

class KernelCache {
 public:
  // The compiled kernel, or an undefined Function when codegen refuses it.
  runtime::Function Get(const tir::PrimFunc& func) {
    std::vector<Entry>& bucket = kernels_[tir::StructuralHash(func)];
    for (const Entry& e : bucket) {
      if (tir::StructuralEqual(e.func, func)) return e.kernel;
    }
    // A fixed name: the PrimFunc's own may be one the C library owns ("exp").
    const std::string name = "fold_constant_kernel";
    runtime::Function kernel;
    kernels_compiled.fetch_add(1);
    try {
      kernel = codegen::Build(ir::IRModule({{ir::MakeGlobalVar(name), ir::BaseFunc(func)}}), target_)[name];
    } catch (const InternalError&) {
      throw;
    } catch (const Error&) {
      // left for run time, where the build reports it
    }
    bucket.push_back({func, kernel});
    return kernel;
  }

 private:
  struct Entry {
    tir::PrimFunc func;
    runtime::Function kernel;
  };
  codegen::Target target_ = codegen::Target::Host();
  std::unordered_map<size_t, std::vector<Entry>> kernels_;
};

// Walks a function's bindings in order and records those whose values are
// constant: `known_` maps variables to their constant values (a Constant, a
// tuple of them, a static ShapeExpr or PrimValue), `folded_` maps the
// binding values to rewrite (calls, tuple items) to their constants.
class ConstantEvaluator : public relax::ExprVisitor {
 public:
  ConstantEvaluator(const ir::IRModule& mod, KernelCache& kernels, int64_t max_bytes)
      : mod_(mod), kernels_(kernels), max_bytes_(max_bytes) {}

  const std::unordered_map<const ir::RelaxExprNode*, Expr>& folded() const { return folded_; }

 protected:
  void VisitBinding(const relax::Binding& b) override {
    ExprVisitor::VisitBinding(b);  // bindings nested in the value come first
    if (b.match_cast) return;
    Expr value = Evaluate(b.value, mod_);
    if (!value) return;
    known_[b.var.get()] = value;
    if (b.value.as<relax::CallNode>() || b.value.as<relax::TupleGetItemNode>()) folded_[b.value.get()] = value;
  }

 private:
  // The constant value of a leaf (or tuple of leaves), or an empty handle.
  Expr Resolve(const Expr& e) const {
    if (e.as<relax::ConstantNode>() || e.as<relax::StringImmNode>()) return e;
    if (const auto* v = e.as<relax::VarNode>()) {
      auto it = known_.find(v);
      return it == known_.end() ? Expr() : it->second;
    }
    if (const auto* shape = e.as<relax::ShapeExprNode>()) return AllIntImm(shape->values) ? e : Expr();
    if (const auto* prim = e.as<relax::PrimValueNode>()) {
      return prim->value.as<tir::IntImmNode>() || prim->value.as<tir::FloatImmNode>() ? e : Expr();
    }
    if (const auto* tuple = e.as<relax::TupleNode>()) {
      std::vector<Expr> fields;
      for (const Expr& f : tuple->fields) {
        fields.push_back(Resolve(f));
        if (!fields.back()) return Expr();
      }
      return relax::MakeTuple(std::move(fields));
    }
    return Expr();
  }

  // The constant value of `value` (GlobalVars name functions of `mod`), or
  // an empty handle when it is not constant or cannot be evaluated here.
  Expr Evaluate(const Expr& value, const ir::IRModule& mod) {
    if (const auto* item = value.as<relax::TupleGetItemNode>()) {
      Expr tuple = Resolve(item->tuple);
      return tuple.as<relax::TupleNode>() ? tuple.as<relax::TupleNode>()->fields.at(item->index) : Expr();
    }
    const auto* call = value.as<relax::CallNode>();
    if (!call) return Resolve(value);
    const auto* op = call->op.as<relax::OpNode>();
    if (!op || !op->is_pure) return Expr();
    if (Expr known = FromStructInfo(call->struct_info)) return known;
    if (op->name == "relax.call_tir") return EvaluateCallTir(call, mod);
    if (op->name == "relax.call_tir_inplace" || op->name == "relax.call_dps_packed") return Expr();
    return EvaluateOpCall(call);
  }

  // A shape or scalar that struct info knows: shape_of a static tensor.
  static Expr FromStructInfo(const relax::StructInfo& sinfo) {
    if (auto shape = sinfo.As<relax::ShapeStructInfoNode>(); shape && shape->values && AllIntImm(*shape->values)) {
      return relax::MakeShapeExpr(*shape->values);
    }
    if (auto prim = sinfo.As<relax::PrimStructInfoNode>(); prim && prim->value) {
      if (prim->value.as<tir::IntImmNode>() || prim->value.as<tir::FloatImmNode>()) {
        return relax::MakePrimValue(prim->value);
      }
    }
    return Expr();
  }

  bool SmallEnough(const relax::StructInfo& sinfo) const {
    int64_t bytes = StaticBytes(sinfo);
    return bytes >= 0 && bytes <= max_bytes_;
  }

  // call_tir(f, (constants...), out_sinfo[, tir_vars]): f(args..., outputs...,
  // tir_vars...) on the host.
  Expr EvaluateCallTir(const relax::CallNode* call, const ir::IRModule& mod) {
    const relax::StructInfo& out = call->sinfo_args.at(0);
    if (!SmallEnough(out)) return Expr();
    const auto* gv = call->args[0].as<ir::GlobalVarNode>();
    auto func = gv ? mod.Lookup(gv->name).As<tir::PrimFuncNode>() : Ref<tir::PrimFuncNode>();
    Expr inputs = Resolve(call->args[1]);
    if (!func || !inputs.as<relax::TupleNode>()) return Expr();
    std::vector<runtime::Any> args;
    for (const Expr& in : inputs.as<relax::TupleNode>()->fields) {
      const auto* c = in.as<relax::ConstantNode>();
      if (!c) return Expr();
      args.emplace_back(c->data);
    }
    std::vector<Expr> results;
    for (const relax::StructInfo& field : OutputTensors(out)) {
      NDArray array =
          NDArray::Empty(StaticShape(field), field.As<relax::TensorStructInfoNode>()->dtype, runtime::Device::CPU());
      args.emplace_back(array);
      results.push_back(relax::MakeConstant(array));
    }
    if (call->args.size() == 3) {
      Expr tir_vars = Resolve(call->args[2]);
      if (!tir_vars.as<relax::ShapeExprNode>()) return Expr();
      for (const tir::PrimExpr& v : tir_vars.as<relax::ShapeExprNode>()->values) {
        args.emplace_back(v.as<tir::IntImmNode>()->value);
      }
    }
    runtime::Function kernel = kernels_.Get(tir::PrimFunc(func));
    if (!kernel.defined()) return Expr();
    try {
      kernel.CallPacked(args.data(), static_cast<int>(args.size()));
    } catch (const InternalError&) {
      throw;
    } catch (const Error&) {
      return Expr();  // a kernel that fails on these values fails at run time too
    }
    return out.As<relax::TupleStructInfoNode>() ? relax::MakeTuple(std::move(results)) : results[0];
  }

  // An op call on constants: its legalization, emitted into a scratch
  // builder, then evaluated binding by binding.
  Expr EvaluateOpCall(const relax::CallNode* call) {
    for (const Expr& a : call->args) {
      if (!Resolve(a)) return Expr();
    }
    relax::FLegalize legalize = relax::FindLegalize(relax::Op(runtime::GetRef(call->op.as<relax::OpNode>())), "llvm");
    if (!legalize || !SmallEnough(call->struct_info)) return Expr();
    relax::BlockBuilder scratch;
    Expr lowered;
    relax::BindingBlock emitted;
    scratch.BeginBindingBlock();
    try {
      lowered = scratch.Normalize(legalize(scratch, call));
    } catch (const InternalError&) {
      throw;
    } catch (const Error&) {
      return Expr();  // leave the op to LegalizeOps, which reports the problem
    }
    emitted = scratch.EndBindingBlock();
    // A legalization may hand back a call of the op itself (nothing to lower).
    if (const auto* again = lowered.as<relax::CallNode>(); again && again->op.get() == call->op.get()) return Expr();
    for (const relax::Binding& b : emitted.bindings) {
      Expr v = b.match_cast ? Expr() : Evaluate(b.value, scratch.GetModule());
      if (!v) return Expr();
      known_[b.var.get()] = v;
    }
    return Evaluate(lowered, scratch.GetModule());
  }

  const ir::IRModule& mod_;
  KernelCache& kernels_;
  int64_t max_bytes_;
  std::unordered_map<const relax::VarNode*, Expr> known_;
  std::unordered_map<const ir::RelaxExprNode*, Expr> folded_;
};

// Puts the folded constants in place of the binding values they came from.
class ConstantRewriter : public relax::ExprMutator {
 public:
  ConstantRewriter(const ir::IRModule& mod, const std::unordered_map<const ir::RelaxExprNode*, Expr>& folded)
      : ExprMutator(mod), folded_(folded) {}

 protected:
  Expr VisitExpr_(const relax::CallNode* op) override {
    auto it = folded_.find(op);
    return it != folded_.end() ? it->second : ExprMutator::VisitExpr_(op);
  }
  Expr VisitExpr_(const relax::TupleGetItemNode* op) override {
    auto it = folded_.find(op);
    return it != folded_.end() ? it->second : ExprMutator::VisitExpr_(op);
  }

 private:
  const std::unordered_map<const ir::RelaxExprNode*, Expr>& folded_;
};

IRModule Fold(const IRModule& mod, int64_t max_bytes) {
  KernelCache kernels;
  IRModule out = mod;
  for (const auto& [gv, f] : mod.functions()) {
    auto func = f.As<relax::FunctionNode>();
    if (!func) continue;
    ConstantEvaluator evaluator(mod, kernels, max_bytes);
    evaluator.VisitExpr(Expr(func));
    if (evaluator.folded().empty()) continue;
    Expr updated = ConstantRewriter(mod, evaluator.folded()).VisitExpr(Expr(func));
    out = out.Update(gv, ir::BaseFunc(updated.As<relax::FunctionNode>()));
  }
  return out;
}

}  // namespace

int64_t FoldConstantKernelsCompiled() { return kernels_compiled.load(); }

Pass FoldConstant() {
  auto run = [](const IRModule& mod, const PassContext& ctx) {
    return Fold(mod, ctx.GetConfig<int64_t>(kMaxBytesKey));
  };
  return CreateModulePass(run, {"FoldConstant",
                                1,
                                "evaluates bindings that depend on constants only, with kernels compiled for the host",
                                {"Normalize"}});
}

KILN_REGISTER_PASS(FoldConstant);

namespace {
const bool kMaxBytesRegistered = [] {
  RegisterPassConfig({kMaxBytesKey, ConfigType::kInt, kDefaultMaxBytes,
                      "FoldConstant leaves results with more bytes than this to run time"});
  return true;
}();
}  // namespace

}  // namespace kiln::transform
