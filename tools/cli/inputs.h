// The arguments of a VM function from the command line: arrays read from
// .npy files (`--input name=file.npy`) and, where allowed, random arrays
// made from the parameter's struct info, whose symbolic dimensions come from
// the given arrays or from `--shape name=1x3x224x224`.
#pragma once

#include <string>
#include <vector>

#include "kiln/runtime/any.h"
#include "kiln/runtime/vm/executable.h"

namespace kiln::cli {

struct InputOptions {
  std::vector<std::string> inputs;  // "name=file.npy"
  std::vector<std::string> shapes;  // "name=1x3x224x224"
  bool random_rest = false;         // make random arrays for parameters with no --input
  uint64_t seed = 0;
};

struct Arguments {
  std::vector<runtime::Any> values;  // one per parameter, in order
  std::vector<std::string> notes;    // one per parameter: "x: Tensor((1, 784), float32) from x.npy"
};

// Raises kiln::Error naming the parameter (or the flag) when an input names
// no parameter, a parameter has no input and cannot be made, or a shape does
// not fit the parameter. A malformed flag is a UsageError.
Arguments MakeArguments(const runtime::vm::VMFunction& fn, const InputOptions& options);

// "1x3x224x224" -> {1, 3, 224, 224}; a UsageError names `flag` when malformed.
std::vector<int64_t> ParseDims(const std::string& text, const std::string& flag);

}  // namespace kiln::cli
