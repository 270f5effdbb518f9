// Shape-manipulating ops: the data is moved, never computed on. reshape
// infers a -1 by matching the symbolic factors of the element counts, so
// (n, 12, 64) -> (n, -1) gives (n, 768); slicing follows Python's rules.
#include "kiln/relax/op/manipulate.h"

#include <algorithm>

#include "infer_util.h"
#include "kiln/relax/legalize.h"
#include "kiln/tir/intrinsics.h"
#include "legalize_util.h"

namespace kiln::relax {
namespace {
using namespace infer;
using tir::PrimExpr;

// ---- reshape ----

// A product of dims as a constant times symbolic factors.
struct Factors {
  int64_t constant = 1;
  std::vector<PrimExpr> symbols;
};

void AddFactors(const PrimExpr& dim, Factors* f) {
  if (const int64_t* v = tir::AsConstInt(dim)) {
    f->constant *= *v;
  } else if (const tir::BinaryNode* mul = dim.as<tir::BinaryNode>(); mul && mul->op == tir::BinaryOp::kMul) {
    AddFactors(mul->a, f);
    AddFactors(mul->b, f);
  } else {
    f->symbols.push_back(dim);
  }
}

// The element counts of `a` and `b` as factors, less the symbols they share.
std::pair<Factors, Factors> CountFactors(const Dims& a, const Dims& b) {
  Factors fa, fb;
  for (const PrimExpr& d : a) AddFactors(d, &fa);
  for (const PrimExpr& d : b) AddFactors(d, &fb);
  for (auto it = fa.symbols.begin(); it != fa.symbols.end();) {
    auto same = [&](const PrimExpr& s) { return DimsEqual(s, *it); };
    auto match = std::find_if(fb.symbols.begin(), fb.symbols.end(), same);
    if (match == fb.symbols.end()) {
      ++it;
    } else {
      fb.symbols.erase(match);
      it = fa.symbols.erase(it);
    }
  }
  return {fa, fb};
}

// The -1 at `hole` of a reshape of `in` into `target`: the quotient of the
// element counts, symbolic factors matched where possible.
PrimExpr InferredDim(const CallNode* call, const Dims& in, const Dims& target, size_t hole) {
  Dims known = target;
  known.erase(known.begin() + hole);
  auto [have, want] = CountFactors(in, known);
  KILN_CHECK(want.constant != 0) << OpName(call) << ": cannot infer the -1 of " << ShapeString(target)
                                 << " when another dim is 0";
  if (want.symbols.empty() && have.constant % want.constant == 0) {
    PrimExpr out;
    for (const PrimExpr& s : have.symbols) out = out ? out * s : s;
    PrimExpr c = have.constant / want.constant;
    return out ? out * c : c;
  }
  KILN_CHECK(!have.symbols.empty() || !want.symbols.empty())
      << OpName(call) << ": cannot reshape " << ShapeString(in) << " into " << ShapeString(target) << ": "
      << have.constant << " elements are not a multiple of " << want.constant;
  return tir::floordiv(Product(in), Product(known));
}

// Raises when the element counts are provably different.
void CheckSameCount(const CallNode* call, const Dims& in, const Dims& target) {
  auto [have, want] = CountFactors(in, target);
  KILN_CHECK(!have.symbols.empty() || !want.symbols.empty() || have.constant == want.constant)
      << OpName(call) << ": cannot reshape " << ShapeString(in) << " (" << have.constant << " elements) into "
      << ShapeString(target) << " (" << want.constant << " elements)";
}

// The target of a reshape: dims when known, the index of a -1, and the rank.
struct ReshapeTarget {
  std::optional<Dims> dims;
  int ndim = -1;
  std::optional<size_t> hole;
};

ReshapeTarget ReadReshapeTarget(const CallNode* call) {
  CheckNumArgs(call, 1, 2);
  std::optional<std::vector<int64_t>> newshape = OptionalIntListAttr(call, "newshape");
  ReshapeTarget t;
  if (call->args.size() == 2) {
    KILN_CHECK(!newshape) << OpName(call) << ": give the new shape as the argument 'shape' or the attribute "
                          << "'newshape', not both";
    Ref<ShapeStructInfoNode> shape = ShapeArg(call, 1);
    t.dims = shape->values;
    t.ndim = shape->ndim;
    return t;
  }
  KILN_CHECK(newshape) << OpName(call) << ": needs the new shape, as the argument 'shape' or the attribute 'newshape'";
  t.dims = Dims();
  for (size_t i = 0; i < newshape->size(); ++i) {
    int64_t v = (*newshape)[i];
    KILN_CHECK(v >= -1) << OpName(call) << ": newshape has " << v << " at axis " << i;
    KILN_CHECK(v != -1 || !t.hole) << OpName(call) << ": newshape may hold one -1, not two";
    if (v == -1) t.hole = i;
    t.dims->push_back(v);
  }
  t.ndim = static_cast<int>(newshape->size());
  return t;
}

StructInfo InferReshape(const CallNode* call) {
  ReshapeTarget target = ReadReshapeTarget(call);
  TensorRef data = TensorArg(call, 0);
  if (!target.dims || (target.hole && !data->shape)) return TensorSInfoOfRank(target.ndim, data->dtype);
  Dims out = *target.dims;
  if (target.hole) {
    out[*target.hole] = InferredDim(call, *data->shape, out, *target.hole);
  } else if (data->shape) {
    CheckSameCount(call, *data->shape, out);
  }
  return TensorSInfo(out, data->dtype);
}

// ---- permute_dims, expand_dims, squeeze, flatten ----

StructInfo InferPermuteDims(const CallNode* call) {
  CheckNumArgs(call, 1);
  TensorRef data = TensorArg(call, 0);
  std::optional<std::vector<int64_t>> axes = OptionalIntListAttr(call, "axes");
  if (data->ndim < 0) return TensorSInfoOfRank(axes ? static_cast<int>(axes->size()) : -1, data->dtype);
  std::vector<int> perm;
  if (axes) {
    KILN_CHECK(static_cast<int>(axes->size()) == data->ndim)
        << OpName(call) << ": axes has " << axes->size() << " entries for a tensor of rank " << data->ndim;
    perm = NormalizeAxes(call, *axes, data->ndim);
  } else {
    for (int i = data->ndim - 1; i >= 0; --i) perm.push_back(i);
  }
  if (!data->shape) return TensorSInfoOfRank(data->ndim, data->dtype);
  Dims out;
  for (int a : perm) out.push_back((*data->shape)[a]);
  return TensorSInfo(out, data->dtype);
}

StructInfo InferExpandDims(const CallNode* call) {
  CheckNumArgs(call, 1);
  TensorRef data = TensorArg(call, 0);
  std::vector<int64_t> axes = IntListAttr(call, "axis");
  if (data->ndim < 0) return TensorSInfoOfRank(-1, data->dtype);
  int ndim = data->ndim + static_cast<int>(axes.size());
  std::vector<int> inserted = NormalizeAxes(call, axes, ndim);
  if (!data->shape) return TensorSInfoOfRank(ndim, data->dtype);
  Dims out;
  size_t next = 0;
  for (int i = 0; i < ndim; ++i) {
    bool is_new = std::find(inserted.begin(), inserted.end(), i) != inserted.end();
    out.push_back(is_new ? PrimExpr(int64_t{1}) : (*data->shape)[next++]);
  }
  return TensorSInfo(out, data->dtype);
}

StructInfo InferSqueeze(const CallNode* call) {
  CheckNumArgs(call, 1);
  TensorRef data = TensorArg(call, 0);
  std::optional<std::vector<int64_t>> axes = OptionalIntListAttr(call, "axis");
  if (data->ndim < 0) return TensorSInfoOfRank(-1, data->dtype);
  std::vector<int> removed = axes ? NormalizeAxes(call, *axes, data->ndim) : std::vector<int>();
  if (!data->shape) {
    // Without axes, which dims are 1 is unknown.
    return TensorSInfoOfRank(axes ? data->ndim - static_cast<int>(removed.size()) : -1, data->dtype);
  }
  const Dims& in = *data->shape;
  Dims out;
  for (int i = 0; i < data->ndim; ++i) {
    if (!axes) {
      if (!tir::AsConstInt(in[i])) return TensorSInfoOfRank(-1, data->dtype);  // a symbolic dim may be 1
      if (!IsConstDim(in[i], 1)) out.push_back(in[i]);
    } else if (std::find(removed.begin(), removed.end(), i) == removed.end()) {
      out.push_back(in[i]);
    } else {
      KILN_CHECK(!DimsDiffer(in[i], int64_t{1}))
          << OpName(call) << ": axis " << i << " has size " << DimString(in[i]) << ", not 1";
    }
  }
  return TensorSInfo(out, data->dtype);
}

StructInfo InferFlatten(const CallNode* call) {
  CheckNumArgs(call, 1);
  TensorRef data = TensorArg(call, 0);
  if (data->ndim < 0) return TensorSInfoOfRank(-1, data->dtype);
  if (data->ndim == 0) return TensorSInfo({int64_t{1}}, data->dtype);
  int start = NormalizeAxis(call, IntAttr(call, "start_dim"), data->ndim);
  int end = NormalizeAxis(call, IntAttr(call, "end_dim"), data->ndim);
  KILN_CHECK(start <= end) << OpName(call) << ": start_dim " << start << " comes after end_dim " << end;
  if (!data->shape) return TensorSInfoOfRank(data->ndim - (end - start), data->dtype);
  const Dims& in = *data->shape;
  Dims out(in.begin(), in.begin() + start);
  out.push_back(start == end ? in[start] : Product(in, start, end + 1));
  out.insert(out.end(), in.begin() + end + 1, in.end());
  return TensorSInfo(out, data->dtype);
}

// ---- concat, split, strided_slice ----

StructInfo InferConcat(const CallNode* call) {
  CheckNumArgs(call, 1);
  std::vector<TensorRef> ts = TensorTupleArg(call, 0);
  KILN_CHECK(!ts.empty()) << OpName(call) << ": needs at least one tensor";
  DataType dtype = SameDtype(call, ts);
  int ndim = -1;
  bool shapes_known = true;
  for (size_t i = 0; i < ts.size(); ++i) {
    KILN_CHECK(ndim < 0 || ts[i]->ndim < 0 || ts[i]->ndim == ndim)
        << OpName(call) << ": tensor " << i << " has rank " << ts[i]->ndim << " but an earlier one has " << ndim;
    if (ts[i]->ndim >= 0) ndim = ts[i]->ndim;
    shapes_known = shapes_known && ts[i]->shape.has_value();
  }
  if (ndim < 0) return TensorSInfoOfRank(-1, dtype);
  int axis = NormalizeAxis(call, IntAttr(call, "axis"), ndim);
  if (!shapes_known) return TensorSInfoOfRank(ndim, dtype);
  Dims out = *ts[0]->shape;
  for (size_t i = 1; i < ts.size(); ++i) {
    const Dims& d = *ts[i]->shape;
    for (int k = 0; k < ndim; ++k) {
      if (k == axis) {
        out[k] = out[k] + d[k];
        continue;
      }
      KILN_CHECK(!DimsDiffer(out[k], d[k])) << OpName(call) << ": tensor " << i << " has " << DimString(d[k])
                                            << " at axis " << k << " but tensor 0 has " << DimString(out[k]);
      if (tir::AsConstInt(d[k])) out[k] = d[k];
    }
  }
  return TensorSInfo(out, dtype);
}

// The sizes of the parts of a dim split by `sections` or at `indices`.
Dims SplitSizes(const CallNode* call, const PrimExpr& dim, std::optional<int64_t> sections,
                const std::vector<int64_t>& indices) {
  const int64_t* d = tir::AsConstInt(dim);
  if (sections) {
    KILN_CHECK(!d || *d % *sections == 0)
        << OpName(call) << ": an axis of size " << *d << " does not split into " << *sections << " equal sections";
    return Dims(*sections, d ? PrimExpr(*d / *sections) : tir::floordiv(dim, PrimExpr(*sections)));
  }
  Dims sizes;
  int64_t start = 0;
  for (int64_t index : indices) {
    sizes.push_back(d ? std::max<int64_t>(0, std::min(index, *d) - std::min(start, *d)) : index - start);
    start = index;
  }
  sizes.push_back(d ? PrimExpr(std::max<int64_t>(0, *d - start)) : AddConst(dim, -start));
  return sizes;
}

StructInfo InferSplit(const CallNode* call) {
  CheckNumArgs(call, 1);
  TensorRef data = TensorArg(call, 0);
  std::optional<int64_t> sections = OptionalIntAttr(call, "sections");
  std::optional<std::vector<int64_t>> indices = OptionalIntListAttr(call, "indices");
  KILN_CHECK(sections.has_value() != indices.has_value())
      << OpName(call) << ": give exactly one of the attributes 'sections' and 'indices'";
  KILN_CHECK(!sections || *sections >= 1) << OpName(call) << ": sections must be positive, got " << *sections;
  for (size_t i = 0; indices && i < indices->size(); ++i) {
    KILN_CHECK((*indices)[i] >= (i ? (*indices)[i - 1] : 0))
        << OpName(call) << ": indices must be non-negative and non-decreasing, got " << (*indices)[i] << " at " << i;
  }
  size_t parts = sections ? static_cast<size_t>(*sections) : indices->size() + 1;
  if (!data->shape) {
    if (data->ndim >= 0) NormalizeAxis(call, IntAttr(call, "axis"), data->ndim);
    return TupleSInfo(std::vector<StructInfo>(parts, TensorSInfoOfRank(data->ndim, data->dtype)));
  }
  int axis = NormalizeAxis(call, IntAttr(call, "axis"), data->ndim);
  std::vector<StructInfo> fields;
  for (const PrimExpr& size :
       SplitSizes(call, (*data->shape)[axis], sections, indices.value_or(std::vector<int64_t>()))) {
    Dims part = *data->shape;
    part[axis] = size;
    fields.push_back(TensorSInfo(part, data->dtype));
  }
  return TupleSInfo(fields);
}

// Indices at or beyond this magnitude mean "past the end" of any axis.
constexpr int64_t kEndOfAxis = int64_t{1} << 31;

// Python's slice length for a dim of known size.
int64_t SliceLength(int64_t dim, int64_t begin, int64_t end, int64_t stride) {
  int64_t lo = stride > 0 ? 0 : -1, hi = stride > 0 ? dim : dim - 1;
  auto clamp = [&](int64_t v) { return std::clamp(v < 0 ? v + dim : v, lo, hi); };
  int64_t b = clamp(begin), e = clamp(end);
  if (stride > 0) return e > b ? (e - b + stride - 1) / stride : 0;
  return b > e ? (b - e - stride - 1) / -stride : 0;
}

// An index into a symbolic dim: negative counts from the end, huge is the end
// (or, going backwards, before the start); others are taken as in bounds.
PrimExpr SymbolicIndex(const PrimExpr& dim, int64_t v, int64_t stride) {
  if (v >= kEndOfAxis) return stride > 0 ? dim : AddConst(dim, -1);
  if (v <= -kEndOfAxis) return stride > 0 ? PrimExpr(int64_t{0}) : PrimExpr(int64_t{-1});
  return v < 0 ? AddConst(dim, v) : PrimExpr(v);
}

PrimExpr SliceDim(const PrimExpr& dim, int64_t begin, int64_t end, int64_t stride) {
  if (const int64_t* d = tir::AsConstInt(dim)) return SliceLength(*d, begin, end, stride);
  PrimExpr b = SymbolicIndex(dim, begin, stride), e = SymbolicIndex(dim, end, stride);
  auto minus = [](const PrimExpr& x, const PrimExpr& y) {
    const int64_t* c = tir::AsConstInt(y);
    return c ? AddConst(x, -*c) : x - y;
  };
  PrimExpr span = stride > 0 ? minus(e, b) : minus(b, e);
  int64_t step = stride > 0 ? stride : -stride;
  return step == 1 ? span : tir::floordiv(AddConst(span, step - 1), PrimExpr(step));
}

StructInfo InferStridedSlice(const CallNode* call) {
  CheckNumArgs(call, 1);
  TensorRef data = TensorArg(call, 0);
  std::vector<int64_t> axes = IntListAttr(call, "axes"), begin = IntListAttr(call, "begin"),
                       end = IntListAttr(call, "end");
  std::vector<int64_t> strides = OptionalIntListAttr(call, "strides").value_or(std::vector<int64_t>(axes.size(), 1));
  KILN_CHECK(begin.size() == axes.size() && end.size() == axes.size() && strides.size() == axes.size())
      << OpName(call) << ": axes, begin, end and strides need one entry each, got " << axes.size() << ", "
      << begin.size() << ", " << end.size() << " and " << strides.size();
  for (int64_t s : strides) KILN_CHECK(s != 0) << OpName(call) << ": a stride is 0";
  if (data->ndim < 0) return data;
  std::vector<int> normalized = NormalizeAxes(call, axes, data->ndim);
  if (!data->shape) return data;
  Dims out = *data->shape;
  for (size_t i = 0; i < normalized.size(); ++i) {
    out[normalized[i]] = SliceDim(out[normalized[i]], begin[i], end[i], strides[i]);
  }
  return TensorSInfo(out, data->dtype);
}

// ---- broadcast_to, tile, repeat ----

StructInfo InferBroadcastTo(const CallNode* call) {
  CheckNumArgs(call, 2);
  TensorRef data = TensorArg(call, 0);
  Ref<ShapeStructInfoNode> shape = ShapeArg(call, 1);
  KILN_CHECK(data->ndim < 0 || shape->ndim < 0 || data->ndim <= shape->ndim)
      << OpName(call) << ": cannot broadcast a tensor of rank " << data->ndim << " to rank " << shape->ndim;
  if (!shape->values) return TensorSInfoOfRank(shape->ndim, data->dtype);
  const Dims& target = *shape->values;
  for (size_t k = 0; data->shape && k < data->shape->size(); ++k) {
    const PrimExpr& from = (*data->shape)[data->shape->size() - 1 - k];
    const PrimExpr& to = target[target.size() - 1 - k];
    KILN_CHECK(IsConstDim(from, 1) || !DimsDiffer(from, to))
        << OpName(call) << ": cannot broadcast " << ShapeString(*data->shape) << " to " << ShapeString(target) << ": "
        << DimString(from) << " vs " << DimString(to) << " at axis " << target.size() - 1 - k << " of the result";
  }
  return TensorSInfo(target, data->dtype);
}

StructInfo InferTile(const CallNode* call) {
  CheckNumArgs(call, 1);
  TensorRef data = TensorArg(call, 0);
  std::vector<int64_t> reps = IntListAttr(call, "repeats");
  for (int64_t r : reps) KILN_CHECK(r >= 0) << OpName(call) << ": repeats must not be negative, got " << r;
  if (data->ndim < 0) return TensorSInfoOfRank(-1, data->dtype);
  int ndim = std::max(data->ndim, static_cast<int>(reps.size()));
  if (!data->shape) return TensorSInfoOfRank(ndim, data->dtype);
  Dims in(ndim - data->ndim, PrimExpr(int64_t{1}));
  in.insert(in.end(), data->shape->begin(), data->shape->end());
  reps.insert(reps.begin(), ndim - reps.size(), 1);
  Dims out;
  for (int i = 0; i < ndim; ++i) out.push_back(in[i] * PrimExpr(reps[i]));
  return TensorSInfo(out, data->dtype);
}

StructInfo InferRepeat(const CallNode* call) {
  CheckNumArgs(call, 1);
  TensorRef data = TensorArg(call, 0);
  int64_t repeats = IntAttr(call, "repeats");
  KILN_CHECK(repeats >= 0) << OpName(call) << ": repeats must not be negative, got " << repeats;
  std::optional<int64_t> axis = OptionalIntAttr(call, "axis");
  if (!axis) {
    if (!data->shape) return TensorSInfoOfRank(1, data->dtype);
    return TensorSInfo({Product(*data->shape) * PrimExpr(repeats)}, data->dtype);
  }
  if (data->ndim < 0) return data;
  int a = NormalizeAxis(call, *axis, data->ndim);
  if (!data->shape) return data;
  Dims out = *data->shape;
  out[a] = out[a] * PrimExpr(repeats);
  return TensorSInfo(out, data->dtype);
}

// ---- legalization ----
//
// Every op here is one te compute that reads each output element from one
// input element (concat picks its input with if_then_else, so that only the
// chosen input is read). Index maps use floordiv/floormod, so symbolic dims
// stay symbolic.

using tir::Var;
using tir::te::Tensor;

// A compute over `shape` reading `in` at index_map(output index).
Tensor Gather(const Dims& shape, const Tensor& in, const std::function<Dims(const std::vector<Var>&)>& index_map,
              const std::string& name) {
  return tir::te::compute(
      shape, [&](const std::vector<Var>& i) { return in[index_map(i)]; }, name);
}

// The row-major offset of `idx` in `shape`.
PrimExpr FlatIndex(const std::vector<Var>& idx, const Dims& shape) {
  if (idx.empty()) return int64_t{0};
  PrimExpr flat = idx[0];
  for (size_t d = 1; d < shape.size(); ++d) flat = flat * shape[d] + idx[d];
  return flat;
}

bool HasZeroDim(const Dims& shape) {
  return std::any_of(shape.begin(), shape.end(), [](const PrimExpr& d) { return IsConstDim(d, 0); });
}

// An empty result (a 0 dim) reads nothing: its compute stores zeros, so index
// maps need not divide by the 0.
Tensor EmptyCompute(const Dims& shape, DataType dtype, const std::string& name) {
  return tir::te::compute(
      shape, [&](const std::vector<Var>&) { return tir::MakeConst(dtype, 0); }, name);
}

// out[i] = data[unflatten(flatten(i, out shape), data shape)], the target
// shape from the call's struct info. Trailing dims the shapes share map
// one to one and stay out of the offset.
Expr LegalizeReshape(BlockBuilder& bb, const CallNode* call) {
  Dims out = OutputShape(call);
  return CallTEOn(bb, call, "reshape", {call->args[0]}, [&](const std::vector<Tensor>& in) {
    const Dims& shape = in[0].shape();
    if (HasZeroDim(out)) return EmptyCompute(out, in[0].dtype(), "reshape");
    size_t same = 0;
    while (same < shape.size() && same < out.size() &&
           DimsEqual(shape[shape.size() - 1 - same], out[out.size() - 1 - same])) {
      ++same;
    }
    Dims in_lead(shape.begin(), shape.end() - same), out_lead(out.begin(), out.end() - same);
    return Gather(
        out, in[0],
        [&](const std::vector<Var>& i) {
          Dims j = UnflatIndex(FlatIndex(std::vector<Var>(i.begin(), i.end() - same), out_lead), in_lead);
          j.insert(j.end(), i.end() - same, i.end());
          return j;
        },
        "reshape");
  });
}

// out[i] = data[j] with j[perm[k]] = i[k].
Expr LegalizePermuteDims(BlockBuilder& bb, const CallNode* call) {
  Dims out = OutputShape(call);
  std::optional<std::vector<int64_t>> axes = OptionalIntListAttr(call, "axes");
  int ndim = static_cast<int>(out.size());
  std::vector<int> perm;
  if (axes) {
    perm = NormalizeAxes(call, *axes, ndim);
  } else {
    for (int d = ndim - 1; d >= 0; --d) perm.push_back(d);
  }
  return CallTE(bb, call, "permute_dims", [&](const std::vector<Tensor>& in) {
    return Gather(
        out, in[0],
        [&](const std::vector<Var>& i) {
          Dims j(ndim);
          for (int k = 0; k < ndim; ++k) j[perm[k]] = i[k];
          return j;
        },
        "permute_dims");
  });
}

// out[i] = data[i without the inserted axes].
Expr LegalizeExpandDims(BlockBuilder& bb, const CallNode* call) {
  Dims out = OutputShape(call);
  std::vector<int> inserted = NormalizeAxes(call, IntListAttr(call, "axis"), static_cast<int>(out.size()));
  return CallTE(bb, call, "expand_dims", [&](const std::vector<Tensor>& in) {
    return Gather(
        out, in[0],
        [&](const std::vector<Var>& i) {
          Dims j;
          for (size_t k = 0; k < i.size(); ++k) {
            if (std::find(inserted.begin(), inserted.end(), static_cast<int>(k)) == inserted.end()) j.push_back(i[k]);
          }
          return j;
        },
        "expand_dims");
  });
}

// out[i] = data[i with 0 at the removed axes].
Expr LegalizeSqueeze(BlockBuilder& bb, const CallNode* call) {
  Dims out = OutputShape(call);
  std::optional<std::vector<int64_t>> axes = OptionalIntListAttr(call, "axis");
  return CallTE(bb, call, "squeeze", [&](const std::vector<Tensor>& in) {
    const Dims& shape = in[0].shape();
    std::vector<bool> removed(shape.size(), false);
    if (axes) {
      for (int a : NormalizeAxes(call, *axes, static_cast<int>(shape.size()))) removed[a] = true;
    } else {
      for (size_t d = 0; d < shape.size(); ++d) removed[d] = IsConstDim(shape[d], 1);
    }
    return Gather(
        out, in[0],
        [&](const std::vector<Var>& i) {
          Dims j;
          for (size_t d = 0, k = 0; d < shape.size(); ++d)
            j.push_back(removed[d] ? PrimExpr(int64_t{0}) : PrimExpr(i[k++]));
          return j;
        },
        "squeeze");
  });
}

// out[..., m, ...] = data[..., unflatten(m, dims start..end), ...].
Expr LegalizeFlatten(BlockBuilder& bb, const CallNode* call) {
  Dims out = OutputShape(call);
  return CallTE(bb, call, "flatten", [&](const std::vector<Tensor>& in) {
    const Dims& shape = in[0].shape();
    if (shape.empty())
      return Gather(
          out, in[0], [](const std::vector<Var>&) { return Dims(); }, "flatten");
    int ndim = static_cast<int>(shape.size());
    int start = NormalizeAxis(call, IntAttr(call, "start_dim"), ndim);
    int end = NormalizeAxis(call, IntAttr(call, "end_dim"), ndim);
    if (HasZeroDim(out)) return EmptyCompute(out, in[0].dtype(), "flatten");
    return Gather(
        out, in[0],
        [&](const std::vector<Var>& i) {
          Dims j(i.begin(), i.begin() + start);
          Dims merged = UnflatIndex(i[start], Dims(shape.begin() + start, shape.begin() + end + 1));
          j.insert(j.end(), merged.begin(), merged.end());
          j.insert(j.end(), i.begin() + start + 1, i.end());
          return j;
        },
        "flatten");
  });
}

// i with `delta` subtracted at `axis`.
Dims ShiftAt(const std::vector<Var>& i, int axis, const PrimExpr& delta) {
  Dims j(i.begin(), i.end());
  j[axis] = j[axis] - delta;
  return j;
}

// out[..., m, ...] = tensor t[..., m - offset_t, ...] for the t with
// offset_t <= m < offset_t + size_t, chosen by nested if_then_else.
Expr LegalizeConcat(BlockBuilder& bb, const CallNode* call) {
  Dims out = OutputShape(call);
  int axis = NormalizeAxis(call, IntAttr(call, "axis"), static_cast<int>(out.size()));
  return CallTEOn(bb, call, "concat", TupleFields(bb, call, 0), [&](const std::vector<Tensor>& in) {
    Dims offsets{PrimExpr(int64_t{0})};
    for (const Tensor& t : in) offsets.push_back(offsets.back() + t.shape()[axis]);
    return tir::te::compute(
        out,
        [&](const std::vector<Var>& i) {
          PrimExpr value = in.back()[ShiftAt(i, axis, offsets[in.size() - 1])];
          for (size_t k = in.size() - 1; k-- > 0;) {
            value = tir::if_then_else(i[axis] < offsets[k + 1], in[k][ShiftAt(i, axis, offsets[k])], value);
          }
          return value;
        },
        "concat");
  });
}

// Part k of a split reads data at its index plus the sizes of parts 0..k-1
// along the axis; the parts' shapes come from the call's struct info.
Expr LegalizeSplit(BlockBuilder& bb, const CallNode* call) {
  std::vector<Dims> parts = OutputShapes(call);
  return CallTE(bb, OpName(call), "split", {call->args[0]}, [&](const std::vector<Tensor>& in) {
    int axis = NormalizeAxis(call, IntAttr(call, "axis"), static_cast<int>(in[0].ndim()));
    std::vector<Tensor> outs;
    PrimExpr offset = int64_t{0};
    for (const Dims& part : parts) {
      auto index_map = [&](const std::vector<Var>& i) {
        Dims j(i.begin(), i.end());
        j[axis] = j[axis] + offset;
        return j;
      };
      outs.push_back(Gather(part, in[0], index_map, "split"));
      offset = offset + part[axis];
    }
    return outs;
  });
}

// Where a slice starts on a dim: Python's clamping when the dim is known,
// else as inference assumes (SymbolicIndex).
PrimExpr SliceBegin(const PrimExpr& dim, int64_t begin, int64_t stride) {
  const int64_t* d = tir::AsConstInt(dim);
  if (!d) return SymbolicIndex(dim, begin, stride);
  int64_t b = begin < 0 ? begin + *d : begin;
  return stride > 0 ? std::clamp<int64_t>(b, 0, *d) : std::clamp<int64_t>(b, -1, *d - 1);
}

// out[..., m, ...] = data[..., begin + m * stride, ...] on each sliced axis.
Expr LegalizeStridedSlice(BlockBuilder& bb, const CallNode* call) {
  Dims out = OutputShape(call);
  std::vector<int64_t> axes = IntListAttr(call, "axes"), begin = IntListAttr(call, "begin");
  std::vector<int64_t> strides = OptionalIntListAttr(call, "strides").value_or(std::vector<int64_t>(axes.size(), 1));
  return CallTE(bb, call, "strided_slice", [&](const std::vector<Tensor>& in) {
    std::vector<int> normalized = NormalizeAxes(call, axes, static_cast<int>(in[0].ndim()));
    return Gather(
        out, in[0],
        [&](const std::vector<Var>& i) {
          Dims j(i.begin(), i.end());
          for (size_t k = 0; k < normalized.size(); ++k) {
            int a = normalized[k];
            const PrimExpr& dim = in[0].shape()[a];
            j[a] = SliceBegin(dim, begin[k], strides[k]) + i[a] * PrimExpr(strides[k]);
            // On a symbolic dim, inference assumed the bounds in range (see
            // SymbolicIndex); clamp so that a dim too short still reads inside.
            if (!tir::AsConstInt(dim)) j[a] = ClampIndex(j[a], dim);
          }
          return j;
        },
        "strided_slice");
  });
}

Expr LegalizeBroadcastTo(BlockBuilder& bb, const CallNode* call) {
  Dims out = OutputShape(call);
  return CallTEOn(bb, call, "broadcast_to", {call->args[0]}, [&](const std::vector<Tensor>& in) {
    return Gather(
        out, in[0], [&](const std::vector<Var>& i) { return BroadcastIndices(i, in[0]); }, "broadcast_to");
  });
}

// out[i] = data[i mod data's dims], the dims right-aligned.
Expr LegalizeTile(BlockBuilder& bb, const CallNode* call) {
  Dims out = OutputShape(call);
  return CallTE(bb, call, "tile", [&](const std::vector<Tensor>& in) {
    const Dims& shape = in[0].shape();
    if (HasZeroDim(out)) return EmptyCompute(out, in[0].dtype(), "tile");
    return Gather(
        out, in[0],
        [&](const std::vector<Var>& i) {
          size_t lead = i.size() - shape.size();
          Dims j;
          for (size_t d = 0; d < shape.size(); ++d) {
            const PrimExpr& o = i[lead + d];
            if (IsConstDim(shape[d], 1)) {
              j.push_back(int64_t{0});
            } else {
              j.push_back(DimsEqual(shape[d], out[lead + d]) ? o : tir::floormod(o, shape[d]));
            }
          }
          return j;
        },
        "tile");
  });
}

// out[..., m, ...] = data[..., m // repeats, ...]; without an axis, the
// flattened data at m // repeats.
Expr LegalizeRepeat(BlockBuilder& bb, const CallNode* call) {
  Dims out = OutputShape(call);
  int64_t repeats = IntAttr(call, "repeats");
  std::optional<int64_t> axis = OptionalIntAttr(call, "axis");
  return CallTE(bb, call, "repeat", [&](const std::vector<Tensor>& in) {
    if (repeats == 0 || HasZeroDim(out)) return EmptyCompute(out, in[0].dtype(), "repeat");
    const Dims& shape = in[0].shape();
    return Gather(
        out, in[0],
        [&](const std::vector<Var>& i) {
          if (!axis) return UnflatIndex(tir::floordiv(i[0], PrimExpr(repeats)), shape);
          int a = NormalizeAxis(call, *axis, static_cast<int>(shape.size()));
          Dims j(i.begin(), i.end());
          j[a] = tir::floordiv(i[a], PrimExpr(repeats));
          return j;
        },
        "repeat");
  });
}

// ---- registration ----

OpRegistration RegisterInjective(const std::string& name, const std::string& doc, std::vector<std::string> args,
                                 FInferStructInfo infer) {
  return RegisterOp(name)
      .Describe(doc)
      .Args(std::move(args))
      .Pattern(OpPattern::kInjective)
      .InferStructInfo(std::move(infer));
}

[[maybe_unused]] const bool kRegistered = [] {
  RegisterInjective("relax.reshape", "the same elements in a new shape", {"data", "shape"}, InferReshape)
      .Legalize(LegalizeReshape)
      .Args({"data", "shape"}, false, 1)  // the shape argument or the newshape attribute
      .Attr("newshape", AttrKind::kOptionalIntList, {}, "the new shape as constants (one may be -1)");
  RegisterInjective("relax.permute_dims", "transposes the axes", {"data"}, InferPermuteDims)
      .Legalize(LegalizePermuteDims)
      .Attr("axes", AttrKind::kOptionalIntList, {}, "the permutation; none reverses the axes");
  RegisterInjective("relax.concat", "joins tensors along an axis", {"tensors"}, InferConcat)
      .Legalize(LegalizeConcat)
      .Attr("axis", AttrKind::kInt, 0, "the axis to join along");
  RegisterInjective("relax.split", "splits a tensor along an axis into a tuple", {"data"}, InferSplit)
      .Legalize(LegalizeSplit)
      .Attr("sections", AttrKind::kOptionalInt, {}, "the number of equal parts")
      .Attr("indices", AttrKind::kOptionalIntList, {}, "the indices to split at")
      .Attr("axis", AttrKind::kInt, 0, "the axis to split");
  RegisterInjective("relax.strided_slice", "Python slicing on some axes", {"data"}, InferStridedSlice)
      .Legalize(LegalizeStridedSlice)
      .Attr("axes", AttrKind::kIntList, {}, "the sliced axes")
      .Attr("begin", AttrKind::kIntList, {}, "first index on each axis (negative: from the end)")
      .Attr("end", AttrKind::kIntList, {}, "end index on each axis, excluded (negative: from the end)")
      .Attr("strides", AttrKind::kOptionalIntList, {}, "step on each axis; none: 1");
  RegisterInjective("relax.expand_dims", "inserts axes of size 1", {"data"}, InferExpandDims)
      .Legalize(LegalizeExpandDims)
      .Attr("axis", AttrKind::kIntList, {}, "positions of the new axes in the result");
  RegisterInjective("relax.squeeze", "removes axes of size 1", {"data"}, InferSqueeze)
      .Legalize(LegalizeSqueeze)
      .Attr("axis", AttrKind::kOptionalIntList, {}, "axes to remove; none: all of size 1");
  RegisterInjective("relax.flatten", "merges a range of axes into one", {"data"}, InferFlatten)
      .Legalize(LegalizeFlatten)
      .Attr("start_dim", AttrKind::kInt, 0, "first merged axis")
      .Attr("end_dim", AttrKind::kInt, -1, "last merged axis (included)");
  RegisterInjective("relax.broadcast_to", "broadcasts to a shape", {"data", "shape"}, InferBroadcastTo)
      .Legalize(LegalizeBroadcastTo)
      .Pattern(OpPattern::kBroadcast);
  RegisterInjective("relax.tile", "repeats the whole tensor along each axis", {"data"}, InferTile)
      .Legalize(LegalizeTile)
      .Attr("repeats", AttrKind::kIntList, {}, "copies along each axis, right-aligned");
  RegisterInjective("relax.repeat", "repeats each element along an axis", {"data"}, InferRepeat)
      .Legalize(LegalizeRepeat)
      .Attr("repeats", AttrKind::kInt, {}, "copies of each element")
      .Attr("axis", AttrKind::kOptionalInt, {}, "the axis; none: the flattened tensor");
  return true;
}();
}  // namespace

namespace op {
Expr reshape(Expr data, Expr shape) {
  return MakeOpCall("relax.reshape", {std::move(data), std::move(shape)});
}
Expr reshape(Expr data, std::vector<int64_t> newshape) {
  return MakeOpCall("relax.reshape", {std::move(data)}, {{"newshape", IntListAny(newshape)}});
}
Expr permute_dims(Expr data, std::optional<std::vector<int64_t>> axes) {
  return MakeOpCall("relax.permute_dims", {std::move(data)}, {{"axes", OptionalIntListAny(axes)}});
}
Expr concat(std::vector<Expr> tensors, int64_t axis) {
  return MakeOpCall("relax.concat", {MakeTuple(std::move(tensors))}, {{"axis", axis}});
}
Expr split(Expr data, int64_t sections, int64_t axis) {
  return MakeOpCall("relax.split", {std::move(data)}, {{"sections", sections}, {"axis", axis}});
}
Expr split_at(Expr data, std::vector<int64_t> indices, int64_t axis) {
  return MakeOpCall("relax.split", {std::move(data)}, {{"indices", IntListAny(indices)}, {"axis", axis}});
}
Expr strided_slice(Expr data, std::vector<int64_t> axes, std::vector<int64_t> begin, std::vector<int64_t> end,
                   std::optional<std::vector<int64_t>> strides) {
  return MakeOpCall("relax.strided_slice", {std::move(data)},
                    {{"axes", IntListAny(axes)},
                     {"begin", IntListAny(begin)},
                     {"end", IntListAny(end)},
                     {"strides", OptionalIntListAny(strides)}});
}
Expr expand_dims(Expr data, std::vector<int64_t> axis) {
  return MakeOpCall("relax.expand_dims", {std::move(data)}, {{"axis", IntListAny(axis)}});
}
Expr squeeze(Expr data, std::optional<std::vector<int64_t>> axis) {
  return MakeOpCall("relax.squeeze", {std::move(data)}, {{"axis", OptionalIntListAny(axis)}});
}
Expr flatten(Expr data, int64_t start_dim, int64_t end_dim) {
  return MakeOpCall("relax.flatten", {std::move(data)}, {{"start_dim", start_dim}, {"end_dim", end_dim}});
}
Expr broadcast_to(Expr data, Expr shape) {
  return MakeOpCall("relax.broadcast_to", {std::move(data), std::move(shape)});
}
Expr broadcast_to(Expr data, std::vector<tir::PrimExpr> shape) {
  return broadcast_to(std::move(data), MakeShapeExpr(std::move(shape)));
}
Expr tile(Expr data, std::vector<int64_t> repeats) {
  return MakeOpCall("relax.tile", {std::move(data)}, {{"repeats", IntListAny(repeats)}});
}
Expr repeat(Expr data, int64_t repeats, std::optional<int64_t> axis) {
  return MakeOpCall("relax.repeat", {std::move(data)}, {{"repeats", repeats}, {"axis", OptionalIntAny(axis)}});
}
}  // namespace op

}  // namespace kiln::relax
