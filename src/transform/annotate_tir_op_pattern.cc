// AnnotateTIROpPattern: a PrimFunc pass writing tir::AnalyzeOpPattern's
// answer into the "op_pattern" attribute.
#include "kiln/transform/annotate_tir_op_pattern.h"

#include "kiln/tir/analysis/op_pattern.h"
#include "kiln/tir/schedule/default_schedule.h"

namespace kiln::transform {

Pass AnnotateTIROpPattern() {
  auto run = [](const tir::PrimFunc& f, const IRModule&, const PassContext&) {
    if (f->attrs.Find(tir::kAttrOpPattern)) return f;
    // A scheduled kernel (by hand, or by a tool) is kept whole: fusing it
    // would replace its schedule with a default one.
    std::optional<runtime::Any> scheduled = f->attrs.Find(tir::kAttrIsScheduled);
    bool keep = scheduled && scheduled->Cast<bool>();
    auto pattern = static_cast<int64_t>(keep ? ir::OpPattern::kOpaque : tir::AnalyzeOpPattern(f));
    return tir::MakePrimFunc(f->params, f->buffer_map, f->body, f->attrs.With(tir::kAttrOpPattern, pattern), f->span);
  };
  return CreatePrimFuncPass(run, {"AnnotateTIROpPattern", 0, "records the fusion pattern kind of each tir function", {}});
}

KILN_REGISTER_PASS(AnnotateTIROpPattern);

}  // namespace kiln::transform
