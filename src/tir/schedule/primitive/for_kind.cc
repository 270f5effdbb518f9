// parallel, vectorize, unroll, bind: change how a loop runs. Parallel,
// vectorized and thread-bound iterations run in any order or at once, so the
// loop must not carry a reduction or write one place from every iteration;
// unrolling changes nothing of the meaning and is always allowed.
#include <algorithm>
#include <sstream>

#include "../primitives.h"
#include "kiln/tir/functor.h"
#include "kiln/tir/printer.h"

namespace kiln::tir::schedule {
namespace {

const char* PrimitiveOf(ForKind kind) {
  switch (kind) {
    case ForKind::kParallel: return "parallel";
    case ForKind::kVectorized: return "vectorize";
    case ForKind::kUnrolled: return "unroll";
    case ForKind::kThreadBinding: return "bind";
    default: return "set_for_kind";
  }
}

bool Uses(const PrimExpr& e, const Var& v) {
  bool found = false;
  PreOrderVisit(e, [&](const PrimExpr& x) { found |= x.get() == v.get(); });
  return found;
}

bool IsThreadAxis(const std::string& axis) {
  static const char* kAxes[] = {"blockIdx.x",  "blockIdx.y",  "blockIdx.z", "threadIdx.x",
                                "threadIdx.y", "threadIdx.z", "vthread.x",  "vthread.y",
                                "vthread.z"};
  return std::find(std::begin(kAxes), std::end(kAxes), axis) != std::end(kAxes);
}

// Iterations of `loop` may run concurrently: no block right under it reduces
// over the loop, and every block under it writes a region that moves with the loop
// (unless the buffer is allocated under the loop: then each iteration has its own).
void CheckIndependentIterations(const Located& loc, const char* primitive) {
  const ForNode* loop = loc.loop();
  const Var& v = loop->loop_var;
  std::vector<const BufferNode*> local;
  for (const BlockNode* b : AllBlocks(loop->body)) {
    for (const Buffer& buf : b->alloc_buffers) local.push_back(buf.get());
  }
  // The outermost blocks under the loop: nested blocks see the loop only
  // through their parents' iteration variables.
  for (const BlockNode* b : ChildBlocks(loc.stmt())) {
    bool bound_by_loop = false;
    for (const IterVar& iv : b->iter_vars) {
      if (!Uses(iv.binding, v)) continue;
      bound_by_loop = true;
      KILN_SCHEDULE_CHECK(iv.kind != IterKind::kReduce, primitive)
          << "loop '" << v.name() << "' runs the reduction variable '" << iv.var.name() << "' of block '" << b->name
          << "'; its iterations would race on the accumulator (rfactor the reduction first)";
    }
    if (bound_by_loop || b->iter_vars.empty()) continue;
    for (const BufferRegion& w : b->writes) {
      if (std::find(local.begin(), local.end(), w.buffer.get()) != local.end()) continue;
      Fail(primitive, "every iteration of loop '" + v.name() + "' writes the same region of buffer '" +
                          w.buffer->name + "' in block '" + b->name + "'");
    }
  }
}

}  // namespace

void SetForKind(ScheduleState& s, const LoopRef& loop, ForKind kind, const std::string& thread_axis) {
  const char* primitive = PrimitiveOf(kind);
  Located loc = s.Find(loop, primitive);
  const ForNode* l = loc.loop();
  if (kind == ForKind::kThreadBinding) {
    KILN_SCHEDULE_CHECK(IsThreadAxis(thread_axis), primitive)
        << "'" << thread_axis << "' is not a thread axis (blockIdx.x/y/z, threadIdx.x/y/z, vthread.x/y/z)";
  }
  // One iteration cannot race with another.
  auto extent = ConstIntValue(l->extent);
  bool single = extent && *extent <= 1;
  if (kind != ForKind::kUnrolled && !single) CheckIndependentIterations(loc, primitive);
  if (kind == ForKind::kVectorized) {
    KILN_SCHEDULE_CHECK(!extent || *extent >= 1, primitive)
        << "loop '" << l->loop_var.name() << "' has extent " << *extent;
  }
  Stmt n = For(l->loop_var, l->min, l->extent, kind, l->body, kind == ForKind::kThreadBinding ? thread_axis : "",
               l->annotations, l->span);
  s.Replace(loop.func, {{l, n}});
}

}  // namespace kiln::tir::schedule
