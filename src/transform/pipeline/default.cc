// The "default" pipeline: what kiln.compile runs when given no pipeline. An
// untuned model comes out fast: constant work done at compile time, ops
// fused, convolutions in a blocked layout, each kernel scheduled by the
// rule for its pattern, intermediate buffers sharing memory.
#include "kiln/transform/annotate_tir_op_pattern.h"
#include "kiln/transform/call_tir_rewrite.h"
#include "kiln/transform/canonicalize_bindings.h"
#include "kiln/transform/convert_conv_layout.h"
#include "kiln/transform/dead_code_elimination.h"
#include "kiln/transform/default_schedule.h"
#include "kiln/transform/dispatch_to_library.h"
#include "kiln/transform/fold_constant.h"
#include "kiln/transform/fuse_ops.h"
#include "kiln/transform/fuse_tir.h"
#include "kiln/transform/legalize_ops.h"
#include "kiln/transform/lift_transform_params.h"
#include "kiln/transform/normalize.h"
#include "kiln/transform/pack_matmul_weights.h"
#include "kiln/transform/pipeline.h"
#include "kiln/transform/run_codegen.h"
#include "kiln/transform/static_plan_block_memory.h"

namespace kiln::transform {
namespace {

std::vector<Pass> Default(const std::string& target, const PipelineOptions& options) {
  std::string kind = TargetKind(target);
  std::vector<Pass> passes = {
      // ---- graph: clean up ----
      Normalize(),             // struct info everywhere, A-normal form
      CanonicalizeBindings(),  // y = x; z = f(y) -> z = f(x)
  };
  // ---- libraries: matmul / linear / conv2d (+ epilogues) -> call_dps_packed ----
  if (!options.dispatch.empty()) passes.push_back(DispatchToLibrary(options.dispatch));
  // ---- external code generators: functions tagged Codegen=<name> -> their modules ----
  passes.push_back(RunCodegen());  // nothing to do when no function is tagged
  passes.insert(passes.end(), {
      ConvertConvLayout(),     // conv2d NCHW -> NCHW16c, the ops between convs stay blocked
      PackMatmulWeights(),     // linear/matmul weights -> column panels NK<b>n, packed once
      // ---- ops to kernels, weights prepared once ----
      LegalizeOps(kind),      // each op call -> call_tir of a te PrimFunc
      LiftTransformParams(),  // with "num_input": weight-only work -> main_transform_params
      FoldConstant(),         // kernels on constants run now, at compile time
      DeadCodeElimination({}, true),  // unused bindings and kernels; every relax function stays
      // ---- fusion ----
      AnnotateTIROpPattern(),  // each kernel's pattern: elementwise ... opaque
      FuseOps(),               // chains and epilogues -> "Primitive" functions
      FuseTIR(),               // each such function -> one kernel
      DeadCodeElimination({}, true),
  });
  // ---- kernels: schedules ----
  // (the c target compiles the same loops; its lane loops vectorize in the C compiler)
  if (kind == "llvm" || kind == "c") passes.push_back(DefaultSchedule());  // a rule-based schedule per kernel
  // ---- memory ----
  passes.push_back(CallTIRRewrite());          // call_tir -> alloc_tensor + kernel(args..., out)
  passes.push_back(StaticPlanBlockMemory());  // intermediates share storage when lifetimes allow
  return passes;
}

const PipelineRegistrar kDefault("default", Default);

}  // namespace
}  // namespace kiln::transform
