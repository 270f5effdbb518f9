// FuseTIR: merges each Primitive relax function's call_tir kernels into one
// PrimFunc (fusion::KernelCopier copies their loop nests), then rewrites the
// calls of the function into call_tir of that PrimFunc.
#include "kiln/transform/fuse_tir.h"

#include <unordered_map>
#include <unordered_set>

#include "fusion/kernel_copier.h"
#include "kiln/relax/functor.h"
#include "kiln/relax/op/tir_call.h"
#include "kiln/relax/struct_info_analysis.h"

namespace kiln::transform {
namespace {

using relax::Expr;
using relax::StructInfo;
using BufferOf = std::unordered_map<const runtime::Object*, tir::Buffer>;  // relax var or constant -> buffer

bool IsPrimitive(const relax::FunctionNode* f) { return f->attrs.Get<int64_t>("Primitive", 0) != 0; }

// What the call sites need of a fused kernel.
struct FusedKernel {
  ir::GlobalVar gv;
  tir::PrimFunc func;
  relax::Function primitive;
  std::vector<size_t> tensor_params;  // the Primitive's parameters passed on (tensors)
  std::vector<Expr> constants;        // passed after them
  std::vector<tir::Var> scalars;      // the Primitive's symbolic variables, passed as tir_vars
  std::vector<std::string> kernels;   // the PrimFuncs it merged
};

// The bindings of a Primitive function's body and its results.
struct Body {
  std::vector<relax::Binding> bindings;
  std::vector<relax::Var> results;
};

Body ReadBody(const relax::FunctionNode* f, const std::string& name) {
  Body out;
  auto seq = f->body.as<relax::SeqExprNode>();
  KILN_CHECK(seq) << "FuseTIR: function '" << name << "' has no bindings to fuse";
  for (const relax::BindingBlock& block : seq->blocks) {
    for (const relax::Binding& b : block.bindings) out.bindings.push_back(b);
  }
  std::vector<Expr> results = {seq->body};
  if (auto tuple = seq->body.as<relax::TupleNode>()) results = tuple->fields;
  for (const Expr& r : results) {
    auto var = r.as<relax::VarNode>();
    KILN_CHECK(var) << "FuseTIR: function '" << name << "' must return variables or a tuple of them";
    out.results.push_back(relax::Var(runtime::GetRef(var)));
  }
  return out;
}

tir::Buffer TensorBuffer(const StructInfo& sinfo, const std::string& name, const std::string& func) {
  auto t = sinfo.As<relax::TensorStructInfoNode>();
  KILN_CHECK(t && t->shape && !t->dtype.is_void())
      << "FuseTIR: function '" << func << "': '" << name << "' needs a tensor of known shape and dtype, got "
      << relax::StructInfoString(sinfo);
  return tir::DeclBuffer(name, *t->shape, t->dtype);
}

class Merger {
 public:
  Merger(const IRModule& mod, const std::string& name, const relax::FunctionNode* f) : mod_(mod), name_(name), f_(f) {}

  FusedKernel Run() {
    FusedKernel k;
    k.primitive = runtime::GetRef(f_);
    Body body = ReadBody(f_, name_);
    std::vector<tir::Buffer> params;
    for (size_t i = 0; i < f_->params.size(); ++i) {
      const relax::Var& p = f_->params[i];
      if (p.struct_info().As<relax::ShapeStructInfoNode>()) continue;  // its dimensions are scalars
      params.push_back(TensorBuffer(p.struct_info(), buffer_names_.Unique(p.name()), name_));
      buffer_of_[p.get()] = params.back();
      k.tensor_params.push_back(i);
    }
    for (const relax::Binding& b : body.bindings) {
      for (const Expr& a : Args(b)) {
        if (!a.as<relax::ConstantNode>() || buffer_of_.count(a.get())) continue;
        params.push_back(TensorBuffer(a.struct_info(), buffer_names_.Unique("c"), name_));
        buffer_of_[a.get()] = params.back();
        k.constants.push_back(a);
      }
    }
    std::unordered_set<const relax::VarNode*> results;
    for (const relax::Var& r : body.results) {
      KILN_CHECK(results.insert(r.get()).second && !buffer_of_.count(r.get()))
          << "FuseTIR: function '" << name_ << "' returns '" << r.name() << "' twice or returns a parameter";
      params.push_back(TensorBuffer(r.struct_info(), buffer_names_.Unique(r.name()), name_));
      buffer_of_[r.get()] = params.back();
    }
    std::vector<tir::Buffer> allocs;
    for (const relax::Binding& b : body.bindings) {
      if (results.count(b.var.get())) continue;
      allocs.push_back(TensorBuffer(b.var.struct_info(), buffer_names_.Unique(b.var.name()), name_));
      buffer_of_[b.var.get()] = allocs.back();
    }
    std::vector<tir::Stmt> stmts;
    for (const relax::Binding& b : body.bindings) stmts.push_back(CopyKernel(b, &allocs, &k.kernels));
    tir::Stmt root = tir::Block({"root", {}, {}, {}, tir::Stmt(), tir::Seq(stmts), allocs, tir::PrimExpr(), {}, {}});
    k.scalars = Scalars(params, root);
    k.func = tir::MakePrimFunc(params, root, k.scalars);
    return k;
  }

 private:
  const relax::CallNode* TirCall(const relax::Binding& b) {
    static const relax::Op call_tir = relax::GetOp("relax.call_tir");
    auto call = b.value.as<relax::CallNode>();
    KILN_CHECK(!b.match_cast && call && call->op.get() == call_tir.get() && call->args[0].as<ir::GlobalVarNode>() &&
               b.var.struct_info().As<relax::TensorStructInfoNode>())
        << "FuseTIR: function '" << name_ << "': binding '" << b.var.name()
        << "' is not a call_tir with a tensor result";
    return call;
  }
  const std::vector<Expr>& Args(const relax::Binding& b) { return TirCall(b)->args[1].as<relax::TupleNode>()->fields; }

  // The kernel of binding `b`, copied with its parameters bound to the
  // group's buffers; its own allocations join `allocs`.
  tir::Stmt CopyKernel(const relax::Binding& b, std::vector<tir::Buffer>* allocs, std::vector<std::string>* kernels) {
    const relax::CallNode* call = TirCall(b);
    const std::string& kname = call->args[0].as<ir::GlobalVarNode>()->name;
    auto f = mod_.Lookup(kname).As<tir::PrimFuncNode>();
    KILN_CHECK(f) << "FuseTIR: function '" << name_ << "' calls '" << kname << "', which is not a tir function";
    kernels->push_back(kname);
    std::vector<tir::Buffer> actual;
    for (const Expr& a : Args(b)) {
      auto it = buffer_of_.find(a.get());
      KILN_CHECK(it != buffer_of_.end()) << "FuseTIR: function '" << name_ << "': an argument of '" << kname
                                         << "' is neither a parameter, a constant nor a value bound before";
      actual.push_back(it->second);
    }
    actual.push_back(buffer_of_.at(b.var.get()));
    std::vector<tir::PrimExpr> tir_vars;
    if (call->args.size() > 2) tir_vars = call->args[2].as<relax::ShapeExprNode>()->values;

    std::unordered_map<const tir::VarNode*, tir::PrimExpr> vars;
    std::unordered_map<const tir::BufferNode*, tir::Buffer> buffers;
    size_t next_buffer = 0, next_scalar = 0;
    for (const tir::Var& p : f->params) {
      tir::Buffer fb = f->BufferOf(p);
      if (!fb) {
        KILN_CHECK(next_scalar < tir_vars.size())
            << "FuseTIR: '" << kname << "' takes more scalars than call_tir passes in '" << name_ << "'";
        vars[p.get()] = tir_vars[next_scalar++];
        continue;
      }
      KILN_CHECK(next_buffer < actual.size())
          << "FuseTIR: '" << kname << "' takes more buffers than call_tir passes in '" << name_ << "'";
      const tir::Buffer& ab = actual[next_buffer++];
      KILN_CHECK(fb->dtype == ab->dtype && fb->shape.size() == ab->shape.size())
          << "FuseTIR: '" << kname << "' parameter '" << fb->name << "' does not match its argument in '" << name_
          << "'";
      for (size_t d = 0; d < fb->shape.size(); ++d) {
        if (auto v = fb->shape[d].as<tir::VarNode>(); v && !vars.count(v)) vars[v] = ab->shape[d];
      }
      vars[fb->data.get()] = ab->data;
      buffers[fb.get()] = ab;
    }
    KILN_CHECK(next_buffer == actual.size() && next_scalar == tir_vars.size())
        << "FuseTIR: call_tir of '" << kname << "' in '" << name_ << "' passes more than it takes";

    fusion::KernelCopier copier(std::move(vars), std::move(buffers), &block_names_, &buffer_names_, kname);
    tir::Stmt body = f->body;
    if (auto root = body.as<tir::BlockNode>(); root && root->iter_vars.empty()) {
      for (const tir::Buffer& a : root->alloc_buffers) allocs->push_back(copier.CopyBuffer(a));
      body = root->body;
    }
    return copier.Copy(body);
  }

  // The Primitive's symbolic variables that the fused function uses but no
  // parameter's shape defines (a bare dimension).
  std::vector<tir::Var> Scalars(const std::vector<tir::Buffer>& params, const tir::Stmt& root) {
    std::vector<tir::Var> candidates;
    std::unordered_set<const runtime::Object*> seen, defined, used;
    for (const relax::Var& p : f_->params) {
      relax::VisitStructInfoExprs(p.struct_info(), [&](const tir::PrimExpr& e) {
        tir::PreOrderVisit(e, [&](const tir::PrimExpr& x) {
          if (x.as<tir::VarNode>() && seen.insert(x.get()).second) candidates.push_back(tir::Var(x));
        });
      });
    }
    for (const tir::Buffer& b : params) {
      for (const tir::PrimExpr& d : b->shape) {
        if (d.as<tir::VarNode>()) defined.insert(d.get());
      }
      for (const tir::PrimExpr& d : b->shape) tir::PreOrderVisit(d, [&](const tir::PrimExpr& x) { used.insert(x.get()); });
    }
    tir::PreOrderVisit(root, [&](const tir::PrimExpr& x) { used.insert(x.get()); });
    if (auto block = root.as<tir::BlockNode>()) {
      for (const tir::Buffer& b : block->alloc_buffers) {
        for (const tir::PrimExpr& d : b->shape) tir::PreOrderVisit(d, [&](const tir::PrimExpr& x) { used.insert(x.get()); });
      }
    }
    std::vector<tir::Var> out;
    for (const tir::Var& v : candidates) {
      if (used.count(v.get()) && !defined.count(v.get())) out.push_back(v);
    }
    return out;
  }

  const IRModule& mod_;
  std::string name_;
  const relax::FunctionNode* f_;
  BufferOf buffer_of_;
  fusion::NameSet buffer_names_, block_names_;
};

// Binds the bare symbolic variables of `param` to what `arg` has in their place.
void Bind(const StructInfo& param, const Expr& arg, std::unordered_map<const runtime::Object*, tir::PrimExpr>* bound) {
  auto bind = [&](const std::optional<std::vector<tir::PrimExpr>>& p, const std::vector<tir::PrimExpr>* a) {
    if (!p || !a || p->size() != a->size()) return;
    for (size_t i = 0; i < p->size(); ++i) {
      if ((*p)[i].as<tir::VarNode>()) bound->emplace((*p)[i].get(), (*a)[i]);
    }
  };
  if (auto t = param.As<relax::TensorStructInfoNode>()) {
    auto a = arg.struct_info().As<relax::TensorStructInfoNode>();
    bind(t->shape, a && a->shape ? &*a->shape : nullptr);
  } else if (auto s = param.As<relax::ShapeStructInfoNode>()) {
    if (auto e = arg.as<relax::ShapeExprNode>()) {
      bind(s->values, &e->values);
    } else if (auto a = arg.struct_info().As<relax::ShapeStructInfoNode>(); a && a->values) {
      bind(s->values, &*a->values);
    }
  }
}

class CallRewriter : public relax::ExprMutator {
 public:
  CallRewriter(const IRModule& mod, const std::unordered_map<std::string, FusedKernel>& kernels)
      : ExprMutator(mod), kernels_(kernels) {}

  IRModule Run(const IRModule& mod) {
    for (const auto& [gv, func] : mod.functions()) {
      auto f = func.As<relax::FunctionNode>();
      if (!f || IsPrimitive(f.get())) continue;
      caller_ = gv->name;
      Expr updated = VisitExpr(relax::Function(f));
      if (updated.get() != f.get()) builder_.UpdateFunction(gv, ir::BaseFunc(updated.As<relax::FunctionNode>()));
    }
    return builder_.GetModule();
  }

 protected:
  Expr VisitExpr_(const relax::CallNode* op) override {
    Expr visited = ExprMutator::VisitExpr_(op);
    auto call = visited.as<relax::CallNode>();
    auto gv = call ? call->op.as<ir::GlobalVarNode>() : nullptr;
    auto it = gv ? kernels_.find(gv->name) : kernels_.end();
    if (it == kernels_.end()) return visited;
    const FusedKernel& k = it->second;
    Expr normalized = builder_.Normalize(visited);
    call = normalized.as<relax::CallNode>();
    std::unordered_map<const runtime::Object*, tir::PrimExpr> bound;
    const auto& params = k.primitive->params;
    KILN_CHECK(call->args.size() == params.size())
        << "FuseTIR: '" << caller_ << "' calls '" << gv->name << "' with " << call->args.size() << " arguments, not "
        << params.size();
    for (size_t i = 0; i < params.size(); ++i) Bind(params[i].struct_info(), call->args[i], &bound);
    std::vector<tir::PrimExpr> tir_vars;
    for (const tir::Var& v : k.scalars) {
      auto b = bound.find(v.get());
      KILN_CHECK(b != bound.end()) << "FuseTIR: in '" << caller_ << "', the symbolic dimension '" << v->name
                                   << "' of '" << gv->name << "' is not known from its arguments";
      tir_vars.push_back(b->second);
    }
    std::vector<Expr> args;
    for (size_t i : k.tensor_params) args.push_back(call->args[i]);
    args.insert(args.end(), k.constants.begin(), k.constants.end());
    return relax::op::call_tir(k.gv, args, normalized.struct_info(),
                               tir_vars.empty() ? Expr() : relax::MakeShapeExpr(tir_vars));
  }

 private:
  const std::unordered_map<std::string, FusedKernel>& kernels_;
  std::string caller_;
};

IRModule Run(const IRModule& mod) {
  std::unordered_map<std::string, FusedKernel> kernels;
  for (const auto& [gv, func] : mod.functions()) {
    auto f = func.As<relax::FunctionNode>();
    if (!f || !IsPrimitive(f.get())) continue;
    FusedKernel k = Merger(mod, gv->name, f.get()).Run();
    k.gv = ir::MakeGlobalVar(gv->name);
    k.gv->struct_info = k.func->struct_info;
    kernels.emplace(gv->name, std::move(k));
  }
  if (kernels.empty()) return mod;
  IRModule rewritten = CallRewriter(mod, kernels).Run(mod);

  // The Primitive functions give way to their PrimFuncs; the kernels they
  // merged go when nothing else calls them.
  std::unordered_set<std::string> merged, called;
  for (const auto& [name, k] : kernels) merged.insert(k.kernels.begin(), k.kernels.end());
  for (const auto& [gv, func] : rewritten.functions()) {
    auto f = func.As<relax::FunctionNode>();
    if (!f || IsPrimitive(f.get())) continue;
    relax::PostOrderVisit(relax::Expr(f), [&](const Expr& e) {
      if (auto g = e.as<ir::GlobalVarNode>()) called.insert(g->name);
    });
  }
  std::vector<std::pair<ir::GlobalVar, ir::BaseFunc>> functions;
  for (const auto& [gv, func] : rewritten.functions()) {
    auto it = kernels.find(gv->name);
    if (it != kernels.end()) {
      functions.emplace_back(it->second.gv, ir::BaseFunc(it->second.func));
    } else if (!merged.count(gv->name) || called.count(gv->name)) {
      functions.emplace_back(gv, func);
    }
  }
  return IRModule(std::move(functions), rewritten.attrs());
}

}  // namespace

Pass FuseTIR() {
  auto run = [](const IRModule& mod, const PassContext&) { return Run(mod); };
  return CreateModulePass(run, {"FuseTIR", 1, "merges each Primitive function's kernels into one tir function", {}});
}

KILN_REGISTER_PASS(FuseTIR);

}  // namespace kiln::transform
