// Recognising a block as a commutative reduction (for rfactor and
// pad_einsum): its init stores the reducer's identity (or, where the caller
// allows it, any value that does not read the accumulator) and its body is
// out[idx] = combine(out[idx], value) with combine one of +, *, min, max.
#pragma once

#include <string>
#include <vector>

#include "kiln/tir/stmt.h"

namespace kiln::tir::schedule {

enum class ReducerKind { kSum, kProd, kMin, kMax };

struct ReductionForm {
  ReducerKind kind;
  Buffer buffer;                  // the accumulator
  std::vector<PrimExpr> indices;  // where the block accumulates
  PrimExpr value;                 // what each step combines in
  PrimExpr identity;              // the reducer's identity
  PrimExpr init;                  // the init value: the identity unless any_init
};

// "sum", "prod", "min", "max".
const char* ReducerName(ReducerKind kind);
// combine(acc, x) for the reducer, as the node te writes (acc + x, max(acc, x), ...).
PrimExpr Combine(ReducerKind kind, PrimExpr acc, PrimExpr x);
// The reduction `block` computes; raises kiln::Error "<primitive>: ..."
// naming the block and what does not fit when it is not one. With
// `any_init` the init may store any value that does not read the
// accumulator's buffer (linear's bias).
ReductionForm MatchReduction(const BlockNode* block, const char* primitive, bool any_init = false);

}  // namespace kiln::tir::schedule
