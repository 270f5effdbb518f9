// The injective rule: functions without reductions (elementwise, broadcast,
// layout and index ops, and chains of them after fusion). Every
// intermediate stage that its consumers read at one point is inlined into
// them; each stage left (the outputs, and gathers such as resize's reads of
// four neighbours) gets its loops fused, the innermost one vectorized when
// its extent is a constant multiple of the lanes, and the fused loop
// parallel when the stage writes enough elements.
#include <algorithm>

#include "rule_util.h"

namespace kiln::tir::rules {

bool ScheduleInjective(Schedule& sch, const std::vector<Stage>& stages, const CpuScheduleOptions& options) {
  if (std::any_of(stages.begin(), stages.end(), [](const Stage& s) { return s.reduction; })) return false;
  std::vector<Stage> left = InlineStages(sch, stages);
  for (const Stage& s : left) ScheduleSpatialLoops(sch, s.block, 0, true, options);
  return true;
}

}  // namespace kiln::tir::rules
