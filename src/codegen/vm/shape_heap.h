// ShapeHeap: the symbolic dimensions of one relax function as slots of the
// VM's shape heap (runtime/vm/builtins.h). It binds dimensions from values
// (match_shape), builds shapes (make_shape) and scalars (heap_load), and
// compiles dimension expressions such as (n + 1) // 2 to shape programs.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "kiln/relax/expr.h"
#include "kiln/runtime/vm/builtins.h"
#include "kiln/runtime/vm/exec_builder.h"

namespace kiln::codegen::vm {

using runtime::vm::ExecBuilder;
using runtime::vm::Operand;

// The tir variables that `e` reads, in order of first appearance.
void CollectDimVars(const tir::PrimExpr& e, std::vector<const tir::VarNode*>* out);

class ShapeHeap {
 public:
  // `vars`: every symbolic variable of the function (each gets a slot);
  // `max_rank`: the most dimensions one shape has (scratch slots for
  // computed dimensions). Emits alloc_shape_heap when there is a variable
  // or `needs_heap` (a match_cast checks constant dimensions through it).
  ShapeHeap(ExecBuilder& b, std::string func_name, const std::vector<const tir::VarNode*>& vars, int64_t max_rank,
            bool needs_heap);

  // The declared range of variables by name (the function's
  // tir_var_lower_bound / tir_var_upper_bound): Match checks a variable
  // against it when it binds it (vm.builtin.check_dim_range).
  void SetBounds(std::map<std::string, int64_t> lower, std::map<std::string, int64_t> upper);

  // Checks `value` (a tensor, shape or int) against `dims` and binds the
  // variables seen for the first time; dimensions that are expressions of
  // unbound variables are not checked. `context` starts its error messages.
  void Match(Operand value, const std::vector<tir::PrimExpr>& dims, const std::string& context);
  // The Shape `dims`: a constant when every dimension is one, else make_shape.
  Operand MakeShape(const std::vector<tir::PrimExpr>& dims, const std::string& what);
  // An int: an immediate when constant, else heap_load of its slot.
  Operand Scalar(const tir::PrimExpr& e, const std::string& what);
  // Whether every variable `e` reads is bound.
  bool Bound(const tir::PrimExpr& e) const;

 private:
  // The slot holding `e` (a bound variable, or an expression computed into
  // scratch slot `scratch`); raises when a variable is unbound.
  int64_t SlotOf(const tir::PrimExpr& e, int64_t scratch, const std::string& what);
  void Compile(const tir::PrimExpr& e, runtime::vm::ShapeProgram* prog, const std::string& what);

  ExecBuilder& b_;
  std::string func_;
  std::unordered_map<const tir::VarNode*, int64_t> slot_;
  std::unordered_map<const tir::VarNode*, bool> bound_;
  std::map<std::string, int64_t> lower_, upper_;
  int64_t first_scratch_ = 0;
  Operand heap_;
};

}  // namespace kiln::codegen::vm
