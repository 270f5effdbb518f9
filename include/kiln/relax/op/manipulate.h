// Constructors of the shape-manipulating ops: reshape, permute_dims,
// concat, split, strided_slice, expand_dims, squeeze, flatten,
// broadcast_to, tile and repeat. Each returns an un-normalized Call.
#pragma once

#include <optional>
#include <vector>

#include "kiln/relax/expr.h"

namespace kiln::relax::op {

// The new shape as a shape value (symbolic dims allowed).
Expr reshape(Expr data, Expr shape);
// The new shape as constants; one entry may be -1 (inferred).
Expr reshape(Expr data, std::vector<int64_t> newshape);
// axes: a permutation of the dims; none reverses them.
Expr permute_dims(Expr data, std::optional<std::vector<int64_t>> axes = std::nullopt);
// Joins tensors (equal but for `axis`) along `axis`.
Expr concat(std::vector<Expr> tensors, int64_t axis = 0);
// `sections` equal parts along `axis`; the result is a tuple.
Expr split(Expr data, int64_t sections, int64_t axis = 0);
// Parts [0, i0), [i0, i1), ..., [ik, end) along `axis`; the result is a tuple.
Expr split_at(Expr data, std::vector<int64_t> indices, int64_t axis = 0);
// Python slicing data[begin:end:stride] on each of `axes`; negative indices
// count from the end; strides none: 1.
Expr strided_slice(Expr data, std::vector<int64_t> axes, std::vector<int64_t> begin, std::vector<int64_t> end,
                   std::optional<std::vector<int64_t>> strides = std::nullopt);
// New axes of size 1 at the given positions of the result.
Expr expand_dims(Expr data, std::vector<int64_t> axis);
// Removes the given axes of size 1 (none: every axis of size 1).
Expr squeeze(Expr data, std::optional<std::vector<int64_t>> axis = std::nullopt);
// Merges dims start_dim..end_dim (inclusive) into one.
Expr flatten(Expr data, int64_t start_dim = 0, int64_t end_dim = -1);
Expr broadcast_to(Expr data, Expr shape);
Expr broadcast_to(Expr data, std::vector<tir::PrimExpr> shape);
// NumPy tile: repeats the whole tensor along each axis.
Expr tile(Expr data, std::vector<int64_t> repeats);
// Repeats each element `repeats` times along `axis` (none: the flattened tensor).
Expr repeat(Expr data, int64_t repeats, std::optional<int64_t> axis = std::nullopt);

}  // namespace kiln::relax::op
