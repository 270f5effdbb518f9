// Default schedules: rules that schedule a PrimFunc for the CPU without
// tuning, chosen by the pattern of its blocks (elementwise chains, row
// reductions and normalizations, matrix products, convolutions). Each rule
// drives the public Schedule API, so what it decided is a trace you can print
// and replay; a rule that a primitive refuses gives way to the next one, and
// the function is left unscheduled (still correct) when none succeeds.
//
//   PrimFunc fast = DefaultSchedule(te::create_prim_func({a, b}, {c}));
//   DefaultScheduleResult r = ApplyDefaultSchedule(f);  // r.rule, r.trace, r.fallback
#pragma once

#include <cstdint>
#include <string>

#include "kiln/tir/function.h"

namespace kiln::tir {

// The few facts about the CPU the rules need. The defaults describe the host
// (vector width from its CPU features); the number of threads is the
// runtime's matter (KILN_NUM_THREADS), not the schedule's.
struct CpuScheduleOptions {
  // Bytes of one vector register: 64 with AVX-512, 32 with AVX2, 16 otherwise.
  int64_t vector_bytes = HostVectorBytes();
  // Loop nests doing less work than this stay serial: a parallel launch
  // costs more than they take. Work counts elements written and reduction
  // steps; the multiply-adds of the matmul and conv micro-kernels count 16
  // to one.
  int64_t min_parallel_work = 16384;
  // Vector registers an accumulator tile of a matrix product or a
  // convolution may fill (of 32 with AVX-512, 16 otherwise).
  int64_t accumulator_registers = 16;

  static int64_t HostVectorBytes();
};

// What ApplyDefaultSchedule did to one function.
struct DefaultScheduleResult {
  PrimFunc func;         // the scheduled function; the input itself when no rule applied
  std::string rule;      // "injective", "reduction", "matmul", "conv", ...: the rule's name; empty when none applied
  std::string trace;     // the trace of the rule's schedule, as text
  std::string fallback;  // rules that matched but gave up, each with the error that stopped it
};

// Function attributes the rules read and write.
inline constexpr const char* kAttrIsScheduled = "tir.is_scheduled";            // bool: leave the function alone
inline constexpr const char* kAttrScheduleRule = "tir.schedule_rule";          // string: the rule that scheduled it
inline constexpr const char* kAttrScheduleFallback = "tir.schedule_fallback";  // string: why rules gave up

// Schedules `func` with the first rule, in the order matmul (packed
// weights), conv_blocked, conv, conv_depthwise, matmul, reduction,
// layout_transform, injective, whose pattern it has and whose schedule the
// primitives accept and lowering (LowerForCodegen) takes. The result carries
// kAttrIsScheduled and kAttrScheduleRule. A function that already has
// kAttrIsScheduled, or has blocks nested under its root's children (hand
// written, opaque), is returned as is. When rules matched but all gave up,
// the function is returned unscheduled with kAttrScheduleFallback saying
// why. Never raises for a valid function.
DefaultScheduleResult ApplyDefaultSchedule(const PrimFunc& func, const CpuScheduleOptions& options = {});

// ApplyDefaultSchedule(func, options).func.
PrimFunc DefaultSchedule(const PrimFunc& func, const CpuScheduleOptions& options = {});

}  // namespace kiln::tir
