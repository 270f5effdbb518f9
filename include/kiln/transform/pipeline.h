// Named pipelines: the standard lists of passes from a graph of ops to a
// module that codegen turns into an executable (kiln::Compile). Each
// pipeline is one file in src/transform/pipeline/, readable top to bottom.
// A pipeline is a plain vector of passes: users splice their own passes in
// anywhere, then run the list as a Sequential.
//
//   std::vector<Pass> passes = GetPipelinePasses("default", "llvm");
//   passes.insert(passes.begin() + 2, MyPass());
//   mod = Sequential(passes, "my_pipeline")(mod);
//
//   "zero"     legalize and nothing else: each op a kernel of its own, no
//              schedule, no fusion, no planning; the reference for numbers.
//   "default"  everything without tuning: constants folded, fusion, blocked
//              convolution layout, weights transformed once, default
//              schedules, static memory planning.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "kiln/transform/pass.h"

namespace kiln::transform {

struct PipelineOptions {
  // Libraries to dispatch patterns to, in order of preference ("onednn",
  // "openblas"); empty: Kiln's own kernels only.
  std::vector<std::string> dispatch;
};

// The passes of pipeline `name` for `target` (a target string such as
// "llvm"; its first word is the kind). Raises kiln::Error naming the
// pipeline and listing the known ones when there is none by that name.
std::vector<Pass> GetPipelinePasses(const std::string& name, const std::string& target,
                                    const PipelineOptions& options = {});
// The same passes as one Sequential named after the pipeline.
Pass GetPipeline(const std::string& name, const std::string& target, const PipelineOptions& options = {});
std::vector<std::string> ListPipelines();

using PipelineFactory = std::function<std::vector<Pass>(const std::string& target, const PipelineOptions&)>;
// Registers a pipeline; raises when the name is taken.
void RegisterPipeline(const std::string& name, PipelineFactory make);

struct PipelineRegistrar {
  PipelineRegistrar(const char* name, PipelineFactory make) { RegisterPipeline(name, std::move(make)); }
};

// The kind of a target string: "llvm" for "llvm -mcpu=znver4".
std::string TargetKind(const std::string& target);

}  // namespace kiln::transform
