// The DefaultSchedule pass: schedules every tir function of a module that
// nobody scheduled, by the rules of include/kiln/tir/schedule/default_schedule.h.
#pragma once

#include "kiln/tir/schedule/default_schedule.h"
#include "kiln/transform/pass.h"

namespace kiln::transform {

// DefaultSchedule
//   Summary:     each PrimFunc without the attribute "tir.is_scheduled" is
//                scheduled for the CPU by the first rule that fits its blocks
//                (conv, matmul, reduction, injective: tiled register
//                micro-kernels, row-wise fused reductions, vectorized and
//                parallel loops) and gets "tir.is_scheduled" and
//                "tir.schedule_rule". A function no rule fits is left as it
//                is; one where every fitting rule was refused by a primitive
//                or by lowering stays unscheduled (correct) with
//                "tir.schedule_fallback" naming the reasons. Never fails on
//                a valid module.
//   Runs after:  LegalizeOps, and fusion (FuseOps, FuseTIR) when it runs:
//                the rules read the fused functions' chains of blocks.
//   Opt level:   1.
//   Options:     `options`: the CPU's vector width, the smallest loop nest
//                worth running in parallel, the accumulator registers of a
//                micro-kernel (defaults describe the host).
Pass DefaultSchedule(tir::CpuScheduleOptions options = {});

}  // namespace kiln::transform
