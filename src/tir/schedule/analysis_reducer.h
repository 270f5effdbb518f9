// Recognising a block as a commutative reduction (for rfactor and
// pad_einsum): its init stores the reducer's identity and its body is
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
  PrimExpr identity;              // the init value, the reducer's identity
};

// "sum", "prod", "min", "max".
const char* ReducerName(ReducerKind kind);
// combine(acc, x) for the reducer, as the node te writes (acc + x, max(acc, x), ...).
PrimExpr Combine(ReducerKind kind, PrimExpr acc, PrimExpr x);
// The reduction `block` computes; raises kiln::Error "<primitive>: ..."
// naming the block and what does not fit when it is not one.
ReductionForm MatchReduction(const BlockNode* block, const char* primitive);

}  // namespace kiln::tir::schedule
