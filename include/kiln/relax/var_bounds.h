// The declared ranges of a relax function's symbolic variables: the function
// attributes "tir_var_lower_bound" and "tir_var_upper_bound", each a list of
// ["var name", bound] pairs (kiln.frontend.Dim, torch.export ranges). The
// memory planner sizes storage from the upper bounds; the VM checks every
// bounded variable when it binds it from an argument.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "kiln/relax/expr.h"

namespace kiln::relax {

// The bounds in attribute `attr` of `func`, by variable name. Raises
// kiln::Error naming `who`, `func_name` and the attribute when it is not a
// list of [name, non-negative int] pairs. Empty when the attribute is absent.
std::map<std::string, int64_t> ReadVarBounds(const Function& func, const std::string& attr, const std::string& who,
                                             const std::string& func_name);

}  // namespace kiln::relax
