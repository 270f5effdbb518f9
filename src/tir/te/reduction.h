// How a te reduction travels inside a PrimExpr: a Call to "te.reduce" whose
// arguments hold the combiner (as an expression of two variables), the
// source, the starting value and the axes. It never leaves te: compute
// checks it and create_prim_func turns it into a block.
#pragma once

#include <optional>
#include <vector>

#include "kiln/tir/te/reduce.h"

namespace kiln::tir::te {

struct Reduction {
  Var acc, x;         // the combiner's operands
  PrimExpr combined;  // combine(acc, x)
  PrimExpr source;
  PrimExpr init;  // the starting value: the given init, or the identity
  std::vector<ReduceAxis> axes;

  // combine(lhs, rhs), substituting the operands.
  PrimExpr Combine(const PrimExpr& lhs, const PrimExpr& rhs) const;
};

constexpr const char* kReduceOp = "te.reduce";

PrimExpr EncodeReduction(const Reduction& r);
// The reduction `e` encodes, or nullopt when e is not a reduction.
std::optional<Reduction> DecodeReduction(const PrimExpr& e);

}  // namespace kiln::tir::te
