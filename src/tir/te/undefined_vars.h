// The last check of create_prim_func: every variable the function uses is
// defined, by a loop, a block, a let, a parameter buffer's shape or a scalar.
#pragma once

#include <unordered_set>
#include <vector>

#include "kiln/tir/stmt.h"

namespace kiln::tir::te {

// Raises kiln::Error naming the first variable that `root` (or the shape of
// a buffer it allocates or of a parameter) uses without a definition. A
// whole dimension of a `params` buffer defines its variable. Uses of
// `reduce_vars`, the reduce axes, are reported as used outside a reduction.
void CheckNoUndefinedVars(const Stmt& root, const std::vector<Buffer>& params, const std::vector<Var>& scalars,
                          const std::unordered_set<const VarNode*>& reduce_vars);

}  // namespace kiln::tir::te
