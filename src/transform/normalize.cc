// Normalize: an ExprMutator that normalizes every node it visits, changed or
// not, so that nodes built without struct info get it.
#include "kiln/transform/normalize.h"

#include "kiln/relax/functor.h"

namespace kiln::transform {

namespace {

class Normalizer : public relax::ExprMutator {
 public:
  using ExprMutator::ExprMutator;
  relax::Expr VisitExpr(const relax::Expr& e) override { return builder_.Normalize(ExprMutator::VisitExpr(e)); }
};

}  // namespace

Pass Normalize() {
  auto run = [](const relax::Function& f, const IRModule& mod, const PassContext&) {
    return Normalizer(mod).VisitExpr(f).As<relax::FunctionNode>();
  };
  return CreateFunctionPass(run, {"Normalize", 0, "fills in struct info and flattens nested calls into bindings", {}});
}

KILN_REGISTER_PASS(Normalize);

}  // namespace kiln::transform
