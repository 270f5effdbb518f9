// ParamChecker: checks the arguments of a call from outside against a VM
// function's parameter infos before it runs. Symbolic dimensions bind at
// their first use (parameters in order, tuples depth first) and are checked
// at every other; tensors must be compact (the kernels read them row-major).
// Errors name the function, the argument and the expected struct info.
// Internal header of the VM.
#pragma once

#include <string>
#include <vector>

#include "kiln/runtime/vm/executable.h"

namespace kiln::runtime::vm {

class ParamChecker {
 public:
  explicit ParamChecker(const VMFunction& func);
  // Raises kiln::Error on the first mismatch. Not reentrant (scratch state);
  // it calls nothing that could come back.
  void Check(const Any* args, int num_args);

 private:
  // A ParamInfo with its symbolic names turned into slot indices.
  struct Node {
    const ParamInfo* info = nullptr;
    std::vector<int> slots;  // per dim: the slot of a kVar, else -1
    std::vector<Node> fields;
  };
  Node Compile(const ParamInfo& info, int arg);
  void CheckValue(const Node& node, const Any& value, int arg);
  void CheckDims(const Node& node, const int64_t* dims, int ndim, const Any& value, int arg, bool is_value);
  std::string ParamName(int arg) const;
  [[noreturn]] void Fail(const Node& node, const Any& value, int arg, const std::string& reason) const;

  const VMFunction* func_;
  std::vector<Node> params_;
  std::vector<std::string> slot_names_;
  // Per slot: where it binds, "argument 'x' (0)" or "argument 't' (2) field
  // 1" (first uses are known before any call: the order of the checks).
  std::vector<std::string> slot_binders_;
  std::vector<int64_t> values_;
  std::vector<bool> bound_;
  std::vector<int> path_;  // tuple fields from the argument to the value being checked
};

// A value described the way struct info reads: "Tensor((2, 3), float32)",
// "Shape((2, 3))", "int 5", "str \"abc\"", "Tuple(...)".
std::string DescribeValue(const Any& value);

}  // namespace kiln::runtime::vm
