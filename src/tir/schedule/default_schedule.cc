// The default schedule's dispatcher: finds the stages of a function, tries
// the rules (src/tir/schedule/rules/) in order on a fresh schedule each, and
// keeps the first schedule that the primitives accept and lowering takes.
#include "kiln/tir/schedule/default_schedule.h"

#include <exception>

#include "kiln/runtime/error.h"
#include "kiln/tir/lower.h"
#include "rules/rule_util.h"

namespace kiln::tir {
namespace {

using RuleFunc = bool (*)(Schedule&, const std::vector<rules::Stage>&, const CpuScheduleOptions&);

struct Rule {
  const char* name;
  RuleFunc apply;
};

// Most specific first: a convolution is also a product-sum reduction, and
// every reduction rule handles the spatial stages around it.
constexpr Rule kRules[] = {
    {"matmul", rules::SchedulePackedMatmul},
    {"conv_blocked", rules::ScheduleConvBlocked},
    {"conv", rules::ScheduleConv},
    {"conv_depthwise", rules::ScheduleConvDepthwise},
    {"matmul", rules::ScheduleMatmul},
    {"reduction", rules::ScheduleReduction},
    {"layout_transform", rules::ScheduleLayoutTransform},
    {"injective", rules::ScheduleInjective},
};

PrimFunc WithAttrs(const PrimFunc& f, ir::Attrs attrs) {
  return MakePrimFunc(f->params, f->buffer_map, f->body, std::move(attrs), f->span);
}

std::string Message(const std::exception& e) {
  if (auto* k = dynamic_cast<const Error*>(&e)) return k->message();
  return e.what();
}

}  // namespace

int64_t CpuScheduleOptions::HostVectorBytes() {
#if defined(__x86_64__) || defined(__i386__)
  if (__builtin_cpu_supports("avx512f")) return 64;
  if (__builtin_cpu_supports("avx2")) return 32;
#endif
  return 16;
}

DefaultScheduleResult ApplyDefaultSchedule(const PrimFunc& func, const CpuScheduleOptions& options) {
  DefaultScheduleResult result{func, "", "", ""};
  if (std::optional<runtime::Any> done = func->attrs.Find(kAttrIsScheduled); done && done->Cast<bool>()) {
    return result;
  }
  std::string failures;
  for (const Rule& rule : kRules) {
    try {
      Schedule sch(func);
      std::optional<std::vector<rules::Stage>> stages = rules::FindStages(sch);
      if (!stages) return result;
      if (!rule.apply(sch, *stages, options)) continue;
      PrimFunc scheduled(sch.mod()["main"].As<PrimFuncNode>());
      LowerForCodegen(scheduled);  // what the build runs: a schedule it refuses is no schedule
      result.func = WithAttrs(scheduled, func->attrs.With(kAttrIsScheduled, true).With(kAttrScheduleRule, rule.name));
      result.rule = rule.name;
      result.trace = sch.trace().ToText();
      result.fallback = failures;
      return result;
    } catch (const std::exception& e) {
      failures += (failures.empty() ? "" : "; ") + std::string(rule.name) + ": " + Message(e);
    }
  }
  if (!failures.empty()) result.func = WithAttrs(func, func->attrs.With(kAttrScheduleFallback, failures));
  result.fallback = failures;
  return result;
}

PrimFunc DefaultSchedule(const PrimFunc& func, const CpuScheduleOptions& options) {
  return ApplyDefaultSchedule(func, options).func;
}

}  // namespace kiln::tir
