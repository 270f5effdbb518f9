// Constructors of the destination-passing calls: call_tir (a tir function of
// the module), call_tir_inplace (outputs written over some arguments) and
// call_dps_packed (a runtime function by name), each with declared outputs.
#pragma once

#include <string>
#include <vector>

#include "kiln/relax/struct_info.h"

namespace kiln::relax::op {

// out_sinfo: a tensor or a tuple of tensors. tir_vars: an optional shape
// value of extra symbolic arguments.
Expr call_tir(ir::GlobalVar func, std::vector<Expr> args, StructInfo out_sinfo, Expr tir_vars = {});
// inplace_indices[i]: the argument output i is written over, or -1 for a
// fresh output.
Expr call_tir_inplace(ir::GlobalVar func, std::vector<Expr> args, std::vector<int64_t> inplace_indices,
                      StructInfo out_sinfo, Expr tir_vars = {});
Expr call_dps_packed(std::string func, std::vector<Expr> args, StructInfo out_sinfo);

}  // namespace kiln::relax::op
