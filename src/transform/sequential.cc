// Sequential: runs passes in order, skipping those above the context's opt
// level and running each pass's required passes before it.
#include <algorithm>
#include <set>

#include "kiln/transform/pass.h"

namespace kiln::transform {

namespace {

class SequentialNode : public PassNode {
 public:
  KILN_OBJECT_TYPE(SequentialNode, PassNode, "transform.Sequential")
  std::vector<Pass> passes;

  IRModule Run(const IRModule& mod, const PassContext& ctx) const override {
    IRModule out = mod;
    std::set<std::string> done;
    for (const Pass& pass : passes) {
      if (pass.info().opt_level <= ctx.opt_level()) out = RunWithRequired(pass, out, ctx, &done, {});
    }
    return out;
  }

 private:
  // Runs the passes `pass` requires that have not run yet, then `pass`.
  // `chain` holds the passes waiting on a requirement, to catch cycles.
  static IRModule RunWithRequired(const Pass& pass, IRModule mod, const PassContext& ctx, std::set<std::string>* done,
                                  std::vector<std::string> chain) {
    chain.push_back(pass.info().name);
    for (const std::string& name : pass.info().required) {
      if (done->count(name)) continue;
      KILN_CHECK(std::find(chain.begin(), chain.end(), name) == chain.end())
          << "pass '" << pass.info().name << "' requires '" << name << "', which requires it in turn";
      Pass required = FindPass(name);
      KILN_CHECK(required) << "pass '" << pass.info().name << "' requires '" << name
                           << "', which is not a registered pass";
      mod = RunWithRequired(required, std::move(mod), ctx, done, chain);
    }
    mod = pass(mod, ctx);
    done->insert(pass.info().name);
    return mod;
  }
};

}  // namespace

Pass Sequential(std::vector<Pass> passes, std::string name) {
  auto n = runtime::MakeObject<SequentialNode>();
  for (const Pass& p : passes) KILN_CHECK(p) << "Sequential '" << name << "': a pass is undefined";
  n->info = {std::move(name), 0, "runs " + std::to_string(passes.size()) + " passes in order", {}};
  n->passes = std::move(passes);
  return Pass(n);
}

}  // namespace kiln::transform
