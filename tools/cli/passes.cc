// `kiln passes` and `kiln pipelines`: the registered passes with their opt
// levels, summaries and required passes, and the passes of each named
// pipeline for a target.
#include <algorithm>
#include <iomanip>
#include <iostream>

#include "commands.h"
#include "kiln/transform/pass.h"
#include "kiln/transform/pipeline.h"

namespace kiln::cli {

namespace {

int ListPasses(const Args&) {
  std::vector<transform::PassInfo> passes = transform::ListPasses();
  std::sort(passes.begin(), passes.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  size_t width = 4;
  for (const transform::PassInfo& p : passes) width = std::max(width, p.name.size());
  std::cout << std::left << std::setw(static_cast<int>(width)) << "pass"
            << "  opt  summary\n";
  for (const transform::PassInfo& p : passes) {
    std::cout << std::setw(static_cast<int>(width)) << p.name << "  " << std::setw(3) << p.opt_level << "  "
              << p.summary;
    if (!p.required.empty()) {
      std::cout << " (after";
      for (const std::string& r : p.required) std::cout << " " << r;
      std::cout << ")";
    }
    std::cout << "\n";
  }
  return 0;
}

int ListPipelines(const Args& args) {
  std::string target = args.Get("target", "llvm");
  for (const std::string& name : transform::ListPipelines()) {
    std::cout << name << " (" << target << "):\n";
    int i = 0;
    for (const transform::Pass& p : transform::GetPipelinePasses(name, target)) {
      std::cout << "  " << std::setw(2) << ++i << ". " << p.info().name << "\n";
    }
  }
  return 0;
}

}  // namespace

Command PassesCommand() {
  Command c;
  c.name = "passes";
  c.summary = "list the registered passes with their opt levels and summaries";
  c.usage = "kiln passes";
  c.run = ListPasses;
  return c;
}

Command PipelinesCommand() {
  Command c;
  c.name = "pipelines";
  c.summary = "list the named pipelines and their passes";
  c.usage = "kiln pipelines [--target TARGET]";
  c.options = {{"target", "TARGET", "the target the pipelines are for (default llvm)"}};
  c.run = ListPipelines;
  return c;
}

}  // namespace kiln::cli
