// LegalizeOps: a relax ExprMutator that hands each op call to its
// legalization, with the mutator's BlockBuilder collecting the PrimFuncs.
#include "kiln/transform/legalize_ops.h"

#include <set>
#include <sstream>

#include "kiln/relax/functor.h"
#include "kiln/relax/legalize.h"

namespace kiln::transform {
namespace {

class Legalizer : public relax::ExprMutator {
 public:
  Legalizer(const IRModule& mod, std::string target_kind, std::set<std::string> skip)
      : ExprMutator(mod), target_kind_(std::move(target_kind)), skip_(std::move(skip)) {}

  IRModule Run(const IRModule& mod) {
    for (const auto& [gv, func] : mod.functions()) {
      auto f = func.As<relax::FunctionNode>();
      if (!f) continue;
      relax::Expr updated = VisitExpr(relax::Function(f));
      if (updated.get() != f.get()) builder_.UpdateFunction(gv, ir::BaseFunc(updated.As<relax::FunctionNode>()));
    }
    return builder_.GetModule();
  }

 protected:
  relax::Expr VisitExpr_(const relax::CallNode* op) override {
    relax::Expr visited = ExprMutator::VisitExpr_(op);
    const auto* call = visited.as<relax::CallNode>();
    const auto* callee = call ? call->op.as<relax::OpNode>() : nullptr;
    if (!callee || skip_.count(callee->name)) return visited;
    relax::FLegalize f = relax::FindLegalize(runtime::GetRef<relax::OpNode>(callee), target_kind_);
    if (!f) return visited;
    relax::Expr lowered = f(builder_, builder_.Normalize(visited).as<relax::CallNode>());
    KILN_CHECK(lowered) << "LegalizeOps: the legalization of " << callee->name << " returned nothing";
    return builder_.Normalize(lowered);
  }

 private:
  std::string target_kind_;
  std::set<std::string> skip_;
};

std::set<std::string> SkipList(const PassContext& ctx) {
  std::set<std::string> out;
  runtime::Any v = ctx.GetConfig("relax.legalize.skip_ops");
  if (v.is_none()) return out;
  std::stringstream ss(v.Cast<std::string>());
  std::string name;
  while (std::getline(ss, name, ',')) {
    if (name.empty()) continue;
    out.insert(relax::GetOp(name)->name);  // raises with a suggestion for an unknown op
  }
  return out;
}

}  // namespace

Pass LegalizeOps(const std::string& target_kind) {
  auto run = [target_kind](const IRModule& mod, const PassContext& ctx) {
    return Legalizer(mod, target_kind, SkipList(ctx)).Run(mod);
  };
  return CreateModulePass(run, {"LegalizeOps", 0, "lowers op calls to call_tir of te-written PrimFuncs", {"Normalize"}});
}

KILN_REGISTER_PASS(LegalizeOps);

namespace {
const bool kSkipOpsRegistered = [] {
  RegisterPassConfig({"relax.legalize.skip_ops", ConfigType::kString, std::string(),
                      "LegalizeOps leaves calls of these ops (comma-separated names) as they are"});
  return true;
}();
}  // namespace

}  // namespace kiln::transform
