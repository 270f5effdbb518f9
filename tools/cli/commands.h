// The subcommands of `kiln`: each is a name, a usage line, its options and a
// function that runs it and returns the exit status (0 on success). They
// raise UsageError for bad usage (exit 2) and kiln::Error for failures
// (exit 1); tools/kiln.cc reports both on stderr.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "args.h"

namespace kiln::cli {

struct Command {
  std::string name;
  std::string summary;  // one line, for `kiln --help`
  std::string usage;    // "kiln compile MODEL -o OUT.so [options]"
  std::vector<OptionSpec> options;
  int min_positional = 0, max_positional = 0;
  std::function<int(const Args&)> run;
};

Command CompileCommand();    // compile.cc
Command RunCommand();        // run.cc
Command BenchCommand();      // bench.cc
Command InspectCommand();    // inspect.cc
Command PassesCommand();     // passes.cc
Command PipelinesCommand();  // passes.cc

// The options every command that compiles takes: --target, --pipeline.
std::vector<OptionSpec> CompileOptionSpecs();

}  // namespace kiln::cli
