// te reductions: reduce axes and the reducers (sum, max, min, prod, and
// custom ones). A reduction is the whole value of a compute:
//   auto k = reduce_axis({0, K});
//   compute({M, N}, [&](Var i, Var j) { return sum(A(i, k.var) * B(k.var, j), {k}); });
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "kiln/tir/expr.h"

namespace kiln::tir::te {

// A variable that a reduction runs over, within `dom`.
struct ReduceAxis {
  Var var;
  Range dom;
};
// A fresh axis over `dom`; an integer literal min adopts the extent's dtype.
ReduceAxis reduce_axis(Range dom, std::string name = "k");

// A commutative and associative combination with its identity element:
// combine(identity(t), x) == x for every x of dtype t.
struct Reducer {
  std::function<PrimExpr(PrimExpr acc, PrimExpr x)> combine;
  std::function<PrimExpr(DataType)> identity;
};

// The reduction of `source` over `axes`, starting from `init` (its dtype
// must be the source's) or, when init is empty, from the identity. Only
// valid as the whole body of a compute.
PrimExpr reduce(const Reducer& reducer, PrimExpr source, std::vector<ReduceAxis> axes, PrimExpr init = {});
PrimExpr sum(PrimExpr source, std::vector<ReduceAxis> axes, PrimExpr init = {});
PrimExpr max(PrimExpr source, std::vector<ReduceAxis> axes, PrimExpr init = {});
PrimExpr min(PrimExpr source, std::vector<ReduceAxis> axes, PrimExpr init = {});
PrimExpr prod(PrimExpr source, std::vector<ReduceAxis> axes, PrimExpr init = {});

// The smallest and largest value of a scalar dtype (-inf and +inf for floats).
PrimExpr min_value(DataType dtype);
PrimExpr max_value(DataType dtype);

}  // namespace kiln::tir::te
