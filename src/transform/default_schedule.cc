// DefaultSchedule: a PrimFunc pass over tir::DefaultSchedule, which never
// raises; a function it leaves alone comes back as the same object.
#include "kiln/transform/default_schedule.h"

namespace kiln::transform {

Pass DefaultSchedule(tir::CpuScheduleOptions options) {
  auto run = [options](const tir::PrimFunc& f, const IRModule&, const PassContext&) {
    return tir::DefaultSchedule(f, options);
  };
  return CreatePrimFuncPass(
      run,
      {"DefaultSchedule", 1, "schedules unscheduled tir functions for the CPU by rules chosen by their pattern", {}});
}

KILN_REGISTER_PASS(DefaultSchedule);

}  // namespace kiln::transform
