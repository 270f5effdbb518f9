// The "zero" pipeline: every op legalized to a kernel of its own and nothing
// more. No schedules, fusion or memory planning: slow, simple, and the
// reference other pipelines are checked against.
#include "kiln/transform/legalize_ops.h"
#include "kiln/transform/normalize.h"
#include "kiln/transform/pipeline.h"

namespace kiln::transform {
namespace {

std::vector<Pass> Zero(const std::string& target, const PipelineOptions& options) {
  KILN_CHECK(options.dispatch.empty()) << "pipeline 'zero' dispatches to no library";
  return {
      Normalize(),                     // struct info everywhere, A-normal form
      LegalizeOps(TargetKind(target)),  // each op call -> call_tir of a te PrimFunc
  };
}

const PipelineRegistrar kZero("zero", Zero);

}  // namespace
}  // namespace kiln::transform
