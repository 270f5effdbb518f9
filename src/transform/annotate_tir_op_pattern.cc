// AnnotateTIROpPattern: a PrimFunc pass writing tir::AnalyzeOpPattern's
// answer into the "op_pattern" attribute.
#include "kiln/transform/annotate_tir_op_pattern.h"

#include "kiln/tir/analysis/op_pattern.h"

namespace kiln::transform {

Pass AnnotateTIROpPattern() {
  auto run = [](const tir::PrimFunc& f, const IRModule&, const PassContext&) {
    if (f->attrs.Find(tir::kAttrOpPattern)) return f;
    auto pattern = static_cast<int64_t>(tir::AnalyzeOpPattern(f));
    return tir::MakePrimFunc(f->params, f->buffer_map, f->body, f->attrs.With(tir::kAttrOpPattern, pattern), f->span);
  };
  return CreatePrimFuncPass(run, {"AnnotateTIROpPattern", 0, "records the fusion pattern kind of each tir function", {}});
}

KILN_REGISTER_PASS(AnnotateTIROpPattern);

}  // namespace kiln::transform
