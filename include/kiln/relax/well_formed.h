// The well-formedness checker for a whole module, relax and tir functions:
// the list of problems found, and a form that raises them as one error.
#pragma once

#include <string>
#include <vector>

#include "kiln/ir/module.h"

namespace kiln::relax {

struct WellFormedProblem {
  std::string function;  // the function's name in the module
  std::string node;      // what is wrong, e.g. "variable 'lv'", "buffer 'B'"
  ir::Span span;         // where, when the node came from text
  std::string message;   // the whole sentence, naming the node
  // "in function 'main' (3:7): variable 'x' is used but not defined"
  std::string str() const;
};

// Every problem found, in module order; empty when the module is well formed.
// relax: every variable defined once and used in scope (dataflow variables
// only inside their block), each binding's struct info a base of its value's
// (or of its match_cast's), every GlobalVar a function of the module. tir:
// every variable used inside the scope that defines it (parameters, buffer
// shapes in the buffer_map, loops, lets, block iteration variables), every
// buffer used inside the scope that declares it (the buffer_map, an Allocate,
// a block's alloc_buffers) or that defines its data variable.
std::vector<WellFormedProblem> CheckWellFormed(const ir::IRModule& mod);

// Raises kiln::Error listing every problem; `context` (e.g. "after pass
// 'Fuse'") goes into the first line.
void VerifyWellFormed(const ir::IRModule& mod, const std::string& context = "");

}  // namespace kiln::relax
