// IndexMap: a function from indices to indices, (i, j) -> (j // 16, i, j % 16),
// the layout change that transform_layout applies to a buffer. It prints as
// "lambda i, j: (j // 16, i, j % 16)" and parses back from that text.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "kiln/tir/expr.h"

namespace kiln::tir {

struct IndexMap {
  std::vector<Var> src;
  std::vector<PrimExpr> dst;

  // A map of `ndim` fresh int64 variables named i0, i1, ... (or `names`).
  static IndexMap FromFunc(size_t ndim, const std::function<std::vector<PrimExpr>(const std::vector<Var>&)>& f,
                           const std::vector<std::string>& names = {});
  // "lambda i, j: (j // 16, i, j % 16)"; raises kiln::Error with the column.
  static IndexMap FromText(const std::string& text);
  std::string ToText() const;

  // dst with src replaced by `indices` (one per src variable), simplified.
  std::vector<PrimExpr> Map(const std::vector<PrimExpr>& indices) const;
  // The shape of the image of a buffer of `shape`: per output dimension the
  // extent of its range while the inputs range over the shape. Raises when a
  // range cannot be bounded.
  std::vector<PrimExpr> MapShape(const std::vector<PrimExpr>& shape) const;
};

}  // namespace kiln::tir
