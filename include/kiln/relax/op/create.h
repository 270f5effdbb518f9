// Constructors of the tensor-creating ops: zeros, ones and full of a shape
// (or like another tensor), arange, and the triangle masks tril and triu.
#pragma once

#include <vector>

#include "kiln/relax/expr.h"

namespace kiln::relax::op {

// `shape` is a shape value (a ShapeExpr, symbolic dims allowed).
Expr zeros(Expr shape, DataType dtype = DataType::Float(32));
Expr ones(Expr shape, DataType dtype = DataType::Float(32));
Expr full(Expr shape, double fill_value, DataType dtype = DataType::Float(32));
Expr zeros(std::vector<tir::PrimExpr> shape, DataType dtype = DataType::Float(32));
Expr ones(std::vector<tir::PrimExpr> shape, DataType dtype = DataType::Float(32));
Expr full(std::vector<tir::PrimExpr> shape, double fill_value, DataType dtype = DataType::Float(32));
// x's shape; dtype void: x's dtype.
Expr zeros_like(Expr x, DataType dtype = {});
Expr ones_like(Expr x, DataType dtype = {});
Expr full_like(Expr x, double fill_value, DataType dtype = {});
// start, start + step, ... below end; dtype void: int64 for integer bounds,
// else float32. Bounds may be symbolic.
Expr arange(tir::PrimExpr start, tir::PrimExpr end, tir::PrimExpr step = 1, DataType dtype = {});
Expr arange(tir::PrimExpr end);
// x with the elements above (tril) or below (triu) the k-th diagonal zeroed.
Expr tril(Expr x, int64_t k = 0);
Expr triu(Expr x, int64_t k = 0);

}  // namespace kiln::relax::op
