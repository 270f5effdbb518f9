// Constructor of einsum: a sum of products described by subscripts such as
// "ij,jk->ik" (matmul), "bij,bjk->bik", "ij->ji", "i,j->ij" or "ij->".
#pragma once

#include <string>
#include <vector>

#include "kiln/relax/expr.h"

namespace kiln::relax::op {

// NumPy's einsum: letters name axes, "..." stands for broadcast leading axes;
// without "->" the output is "..." and the letters used once, sorted.
Expr einsum(std::vector<Expr> operands, std::string subscripts);

}  // namespace kiln::relax::op
