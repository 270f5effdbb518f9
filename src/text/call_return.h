// The struct info a call of a function returns, in the caller's terms: the
// callee's symbolic variables are bound by matching its parameters' struct
// info against the arguments', and those left unbound are erased (a shape
// that names one becomes unknown, keeping its rank).
#pragma once

#include "kiln/relax/struct_info.h"

namespace kiln::text {

// f(a: Tensor((k,), float32)) -> Tensor((k, k), float32) called on a
// Tensor((4,), float32) returns Tensor((4, 4), float32).
ir::StructInfo CallReturn(const relax::FuncStructInfoNode* callee, const std::vector<relax::Expr>& args);

}  // namespace kiln::text
