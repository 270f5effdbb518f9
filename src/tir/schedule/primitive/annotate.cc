// annotate and unannotate: string-keyed values on loops and blocks that later
// passes read (e.g. "pragma_auto_unroll_max_step", "meta_schedule.tiling").
#include "../primitives.h"

namespace kiln::tir::schedule {
namespace {

runtime::Any ToAny(const AnnotationValue& v) {
  if (auto* i = std::get_if<int64_t>(&v)) return runtime::Any(*i);
  if (auto* f = std::get_if<double>(&v)) return runtime::Any(*f);
  return runtime::Any(std::get<std::string>(v));
}

void SetLoopAnnotations(ScheduleState& s, const LoopRef& loop, const char* primitive,
                        const std::function<ir::Attrs(const ir::Attrs&)>& f) {
  Located loc = s.Find(loop, primitive);
  const ForNode* l = loc.loop();
  Stmt n = For(l->loop_var, l->min, l->extent, l->for_kind, l->body, l->thread_tag, f(l->annotations), l->span);
  s.Replace(loop.func, {{l, n}});
}

void SetBlockAnnotations(ScheduleState& s, const BlockRef& block, const char* primitive,
                         const std::function<ir::Attrs(const ir::Attrs&)>& f) {
  Located loc = s.Find(block, primitive);
  BlockSpec spec = SpecOf(loc.block());
  spec.annotations = f(spec.annotations);
  s.Replace(block.func, {{loc.block(), Block(std::move(spec))}});
}

void CheckKey(const std::string& key, const char* primitive) {
  KILN_SCHEDULE_CHECK(!key.empty(), primitive) << "the annotation key is empty";
}

}  // namespace

void Annotate(ScheduleState& s, const LoopRef& loop, const std::string& key, const AnnotationValue& value) {
  CheckKey(key, "annotate");
  SetLoopAnnotations(s, loop, "annotate", [&](const ir::Attrs& a) { return a.With(key, ToAny(value)); });
}

void Annotate(ScheduleState& s, const BlockRef& block, const std::string& key, const AnnotationValue& value) {
  CheckKey(key, "annotate");
  SetBlockAnnotations(s, block, "annotate", [&](const ir::Attrs& a) { return a.With(key, ToAny(value)); });
}

void Unannotate(ScheduleState& s, const LoopRef& loop, const std::string& key) {
  SetLoopAnnotations(s, loop, "unannotate", [&](const ir::Attrs& a) {
    KILN_SCHEDULE_CHECK(a.Find(key), "unannotate")
        << "loop '" << loop.var.name() << "' has no annotation '" << key << "'";
    return a.Without(key);
  });
}

void Unannotate(ScheduleState& s, const BlockRef& block, const std::string& key) {
  SetBlockAnnotations(s, block, "unannotate", [&](const ir::Attrs& a) {
    KILN_SCHEDULE_CHECK(a.Find(key), "unannotate") << "block '" << block.name << "' has no annotation '" << key << "'";
    return a.Without(key);
  });
}

}  // namespace kiln::tir::schedule
