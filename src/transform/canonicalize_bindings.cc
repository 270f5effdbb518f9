// CanonicalizeBindings: an ExprMutator that drops copy bindings and remaps
// their uses; before each dataflow block it finds the dataflow variables that
// an output copies, so that their definitions bind the output directly.
#include "kiln/transform/canonicalize_bindings.h"

#include <unordered_set>

#include "kiln/relax/functor.h"
#include "kiln/relax/struct_info_analysis.h"

namespace kiln::transform {

namespace {

using relax::Binding;
using relax::BindingBlock;
using relax::Expr;
using relax::Var;
using relax::VarNode;

class Canonicalizer : public relax::ExprMutator {
 public:
  using ExprMutator::ExprMutator;

 protected:
  BindingBlock VisitBindingBlock(const BindingBlock& block) override {
    if (block.is_dataflow) FindOutputCopies(block);
    return ExprMutator::VisitBindingBlock(block);
  }

  void VisitBinding(const Binding& b) override {
    // y = match_cast(x, S) where x is known to be S  ->  y = x
    Binding plain = CastHolds(b) ? Binding{b.var, b.value, {}} : b;
    if (auto it = output_of_.find(b.var.get()); it != output_of_.end()) {
      // lv = f(a); gv = lv  ->  gv = f(a)
      ExprMutator::VisitBinding({it->second, plain.value, plain.match_cast});
      RemapVar(b.var, Resolve(it->second));
      return;
    }
    // y = x  ->  uses of y read x; an output keeps its binding rather than
    // let a dataflow variable leave the block.
    Var source = CopySource(plain);
    if (source && (b.var->is_dataflow || !source->is_dataflow)) {
      RemapVar(b.var, source);
      return;
    }
    ExprMutator::VisitBinding(plain);
  }

 private:
  // The variable `e` stands for now, after the remaps so far.
  Var Resolve(const Expr& e) const {
    auto v = e.As<VarNode>();
    if (!v) return Var();
    auto it = var_remap_.find(v.get());
    return it == var_remap_.end() ? Var(v) : it->second;
  }

  bool CastHolds(const Binding& b) const {
    if (!b.match_cast) return false;
    Var v = Resolve(b.value);
    const relax::StructInfo& actual = v ? v.struct_info() : b.value.struct_info();
    return actual && relax::IsBaseOf(b.match_cast, actual);
  }

  // x when `b` is `y = x` (or a match_cast of x that holds), else empty.
  Var CopySource(const Binding& b) const { return b.match_cast && !CastHolds(b) ? Var() : Resolve(b.value); }

  // Maps each dataflow variable of `block` that an output copies (directly or
  // through copies) to the first such output.
  void FindOutputCopies(const BindingBlock& block) {
    std::unordered_map<const VarNode*, const VarNode*> copy_of;
    std::unordered_set<const VarNode*> defined;
    for (const Binding& b : block.bindings) {
      Var v = CopySource(b);
      if (v && v->is_dataflow && defined.count(v.get())) {
        const VarNode* root = v.get();
        while (copy_of.count(root)) root = copy_of[root];
        if (b.var->is_dataflow) {
          copy_of[b.var.get()] = root;
        } else {
          output_of_.try_emplace(root, b.var);
        }
      }
      if (b.var->is_dataflow) defined.insert(b.var.get());
    }
  }

  std::unordered_map<const VarNode*, Var> output_of_;
};

}  // namespace

Pass CanonicalizeBindings() {
  auto run = [](const relax::Function& f, const IRModule& mod, const PassContext&) {
    return Canonicalizer(mod).VisitExpr(f).As<relax::FunctionNode>();
  };
  return CreateFunctionPass(
      run, {"CanonicalizeBindings", 1, "removes copy bindings and statically true match_casts", {"Normalize"}});
}

KILN_REGISTER_PASS(CanonicalizeBindings);

}  // namespace kiln::transform
