// The struct-info algebra: which struct info is more general than which
// (IsBaseOf), the most specific info that covers two others (StructInfoLCA),
// and walking the tir expressions (symbolic shapes, values) inside one.
#pragma once

#include <functional>

#include "kiln/relax/struct_info.h"

namespace kiln::relax {

// True when every value described by `derived` is also described by `base`:
// Object is a base of all; Tensor[?, float32] is a base of Tensor[(n, 4),
// float32]; an unknown dtype or rank is a base of a known one. Dimensions
// compare as expressions (same tree, same tir Vars), not by proof.
bool IsBaseOf(const StructInfo& base, const StructInfo& derived);

// Both are bases of each other: they describe the same values.
bool StructInfoEqual(const StructInfo& a, const StructInfo& b);

// The least common ancestor: the most specific struct info that is a base of
// both `a` and `b` (what an If of the two branches produces).
StructInfo StructInfoLCA(const StructInfo& a, const StructInfo& b);

// `sinfo` with every tir expression in it (shape dimensions, prim values)
// replaced by f(expr); the same object when f changes nothing.
StructInfo MapStructInfoExprs(const StructInfo& sinfo, const std::function<tir::PrimExpr(const tir::PrimExpr&)>& f);

// Calls f on every tir expression in `sinfo`.
void VisitStructInfoExprs(const StructInfo& sinfo, const std::function<void(const tir::PrimExpr&)>& f);

// The struct info a call of a function returns, in the caller's terms: the
// callee's symbolic variables are bound by matching its parameters' struct
// info against the arguments', and those left unbound are erased (a shape
// that names one becomes unknown, keeping its rank). f(a: Tensor((k,),
// float32)) -> Tensor((k, k), float32) called on a Tensor((4,), float32)
// returns Tensor((4, 4), float32).
StructInfo CallReturnSInfo(const FuncStructInfoNode* callee, const std::vector<Expr>& args);

}  // namespace kiln::relax
