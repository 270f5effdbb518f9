// Converters of the ONNX ops that move data or compute shapes: Shape, Size,
// Reshape, Flatten, Transpose, Concat, Split, Slice, Gather, Unsqueeze,
// Squeeze, Expand, ConstantOfShape, Range, Constant, Tile, Trilu, CumSum.
// On known integer elements (shape subgraphs) they compute at import time
// with tir expressions, so symbolic dims flow through Shape -> Gather ->
// Unsqueeze -> Concat -> Reshape without reaching the relax graph.
#include <cstring>
#include <limits>
#include <numeric>

#include "importer.h"
#include "kiln/relax/op/binary.h"
#include "kiln/relax/op/cast.h"
#include "kiln/relax/op/create.h"
#include "kiln/relax/op/cumsum_topk.h"
#include "kiln/relax/op/index.h"
#include "kiln/relax/op/manipulate.h"
#include "kiln/tir/arith/analyzer.h"

namespace kiln::frontend::onnx {

namespace op = relax::op;

bool SameDim(const PrimExpr& a, const PrimExpr& b) {
  if (a.get() == b.get()) return true;
  auto ca = ConstIntValue(a), cb = ConstIntValue(b);
  if (ca && cb) return *ca == *cb;
  tir::arith::Analyzer ana;
  return ana.CanProveEqual(a, b);
}

PrimExpr SimplifyDim(const PrimExpr& e) {
  if (ConstIntValue(e)) return e;
  tir::arith::Analyzer ana;
  return ana.Simplify(e);
}

namespace {

bool IsConst(const PrimExpr& e, int64_t v) {
  auto c = ConstIntValue(e);
  return c && *c == v;
}


}  // namespace

Dims ResolveReshape(NodeContext& ctx, const Dims& in, const Dims& target, bool allow_zero) {
  Dims out = target;
  int hole = -1;
  for (size_t i = 0; i < out.size(); ++i) {
    if (IsConst(out[i], 0) && !allow_zero) {
      if (i >= in.size()) ctx.Fail("the target shape copies dim " + std::to_string(i) + " the input does not have");
      out[i] = in[i];
    } else if (IsConst(out[i], -1)) {
      if (hole >= 0) ctx.Fail("the target shape has two -1");
      hole = static_cast<int>(i);
    }
  }
  if (hole < 0) return out;
  // Cancel equal factors of the input and the other target dims; the rest of
  // the input's is the -1 (constants divided out).
  std::vector<PrimExpr> have = in, want;
  for (size_t i = 0; i < out.size(); ++i) {
    if (static_cast<int>(i) != hole) want.push_back(out[i]);
  }
  int64_t have_c = 1, want_c = 1;
  std::vector<PrimExpr> have_s, want_s;
  for (const PrimExpr& d : have) {
    if (auto c = ConstIntValue(d)) have_c *= *c; else have_s.push_back(d);
  }
  for (const PrimExpr& d : want) {
    if (auto c = ConstIntValue(d)) want_c *= *c; else want_s.push_back(d);
  }
  for (auto it = want_s.begin(); it != want_s.end();) {
    auto m = std::find_if(have_s.begin(), have_s.end(), [&](const PrimExpr& h) { return SameDim(h, *it); });
    if (m != have_s.end()) {
      have_s.erase(m);
      it = want_s.erase(it);
    } else {
      ++it;
    }
  }
  if (want_c == 0) ctx.Fail("cannot infer the -1 of a shape with a 0 dim");
  PrimExpr num = have_c, den = want_c;
  if (want_s.empty() && have_c % want_c == 0) {
    num = have_c / want_c;
    den = 1;
  }
  for (const PrimExpr& s : have_s) num = num * s;
  for (const PrimExpr& s : want_s) den = den * s;
  out[hole] = SimplifyDim(IsConst(den, 1) ? num : tir::floordiv(num, den));
  return out;
}

namespace {

// The list of a known value (a rank-0 value is a list of one).
const Dims& KnownList(NodeContext& ctx, size_t i, const std::string& what) {
  const Value& v = ctx.In(i);
  if (!v.known) ctx.Fail(what + " must be known at import time (a constant or a shape computation)");
  return *v.known;
}

// Whether the elements of input i are known (shape code computes on them).
bool IsKnownOnly(NodeContext& ctx, size_t i) { return ctx.Has(i) && ctx.In(i).known.has_value(); }

// Axes from the attribute (before `input_from`) or the optional input.
std::optional<std::vector<int64_t>> AxesArg(NodeContext& ctx, int64_t input_from, size_t input = 1) {
  if (ctx.opset() < input_from) return ctx.Ints("axes");
  if (!ctx.Has(input)) return std::nullopt;
  return ctx.ConstInts(input, "axes");
}

std::vector<Value> ConvertShape(NodeContext& ctx) {
  Dims dims = ctx.Shape(0);
  int64_t rank = static_cast<int64_t>(dims.size());
  int64_t start = ctx.Int("start", 0), end = ctx.Int("end", rank);
  auto clamp = [rank](int64_t x) { return std::clamp<int64_t>(x < 0 ? x + rank : x, 0, rank); };
  start = clamp(start);
  end = clamp(end);
  Dims out(dims.begin() + start, dims.begin() + std::max(start, end));
  return {KnownInts(out)};
}

std::vector<Value> ConvertSize(NodeContext& ctx) {
  PrimExpr n = 1;
  for (const PrimExpr& d : ctx.Shape(0)) n = n * d;
  return {KnownInts({SimplifyDim(n)}, true)};
}

std::vector<Value> ConvertReshape(NodeContext& ctx) {
  const Dims& target = KnownList(ctx, 1, "the shape");
  bool allow_zero = ctx.Int("allowzero", 0) != 0;
  Dims out = ResolveReshape(ctx, ctx.Shape(0), target, allow_zero);
  if (IsKnownOnly(ctx, 0) && out.size() <= 1) {
    return {KnownInts(*ctx.In(0).known, out.empty(), ctx.In(0).known_dtype)};
  }
  const Value& in = ctx.In(0);
  if (in.reshaped_from.get()) {
    auto t = in.reshaped_from.struct_info().As<relax::TensorStructInfoNode>();
    bool same = t && t->shape && t->shape->size() == out.size();
    for (size_t i = 0; same && i < out.size(); ++i) same = SameDim((*t->shape)[i], out[i]);
    if (same) return {in.reshaped_from};
  }
  Value v = ctx.Emit(op::reshape(ctx.Tensor(0), relax::MakeShapeExpr(out)));
  v.reshaped_from = ctx.Tensor(0);
  return {v};
}

std::vector<Value> ConvertFlatten(NodeContext& ctx) {
  Dims dims = ctx.Shape(0);
  int64_t rank = static_cast<int64_t>(dims.size());
  int64_t axis = ctx.Int("axis", 1);
  if (axis < 0) axis += rank;
  if (axis < 0 || axis > rank) ctx.Fail("axis " + std::to_string(ctx.Int("axis", 1)) + " is out of range");
  PrimExpr a = 1, b = 1;
  for (int64_t i = 0; i < rank; ++i) (i < axis ? a : b) = (i < axis ? a : b) * dims[i];
  return {op::reshape(ctx.Tensor(0), relax::MakeShapeExpr({SimplifyDim(a), SimplifyDim(b)}))};
}

std::vector<Value> ConvertTranspose(NodeContext& ctx) {
  auto perm = ctx.Ints("perm");
  if (perm) {
    for (int64_t& p : *perm) p = ctx.NormAxis(p, ctx.Rank(0));
  }
  return {op::permute_dims(ctx.Tensor(0), perm)};
}

std::vector<Value> ConvertConcat(NodeContext& ctx) {
  bool all_known = true;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) all_known = all_known && IsKnownOnly(ctx, i);
  if (all_known) {
    Dims out;
    for (size_t i = 0; i < ctx.num_inputs(); ++i) {
      const Dims& k = *ctx.In(i).known;
      out.insert(out.end(), k.begin(), k.end());
    }
    return {KnownInts(out, false, ctx.In(0).known_dtype)};
  }
  std::vector<Expr> parts;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    if (ctx.Has(i)) parts.push_back(ctx.Tensor(i));
  }
  int64_t axis = ctx.NormAxis(ctx.Int("axis"), ctx.Rank(0));
  if (parts.size() == 1) return {parts[0]};
  return {op::concat(parts, axis)};
}

std::vector<Value> ConvertSplit(NodeContext& ctx) {
  Dims dims = ctx.Shape(0);
  int64_t axis = ctx.NormAxis(ctx.Int("axis", 0), static_cast<int64_t>(dims.size()));
  std::optional<std::vector<int64_t>> sizes =
      ctx.opset() < 13 ? ctx.Ints("split") : (ctx.Has(1) ? std::optional(ctx.ConstInts(1, "split")) : std::nullopt);
  int64_t n = ctx.opset() >= 18 && ctx.HasAttr("num_outputs") ? ctx.Int("num_outputs") : ctx.node().output_size();
  Expr parts;
  if (sizes) {
    std::vector<int64_t> indices;
    int64_t at = 0;
    for (size_t i = 0; i + 1 < sizes->size(); ++i) indices.push_back(at += (*sizes)[i]);
    parts = ctx.Emit(op::split_at(ctx.Tensor(0), indices, axis));
    n = static_cast<int64_t>(sizes->size());
  } else {
    auto d = ConstIntValue(dims[axis]);
    if (d && *d % n != 0) {
      // Opset 18: the last part is smaller (ceil-sized parts).
      int64_t part = (*d + n - 1) / n;
      std::vector<int64_t> indices;
      for (int64_t i = 1; i < n; ++i) indices.push_back(std::min(*d, i * part));
      parts = ctx.Emit(op::split_at(ctx.Tensor(0), indices, axis));
    } else {
      parts = ctx.Emit(op::split(ctx.Tensor(0), n, axis));
    }
  }
  std::vector<Value> outs;
  for (int64_t i = 0; i < n; ++i) outs.push_back(relax::MakeTupleGetItem(parts, static_cast<int>(i)));
  return outs;
}

// Python-style slice bounds of one axis of length `dim` (constant).
int64_t ClampIndex(int64_t i, int64_t dim, int64_t step) {
  if (i < 0) i += dim;
  return step > 0 ? std::clamp<int64_t>(i, 0, dim) : std::clamp<int64_t>(i, -1, dim - 1);
}

std::vector<Value> ConvertSlice(NodeContext& ctx) {
  std::optional<Dims> starts, ends;
  std::vector<int64_t> axes, steps;
  int64_t rank = ctx.Rank(0);
  if (ctx.opset() < 10) {
    ctx.Fail("opset below 10 is not supported");
  }
  starts = KnownList(ctx, 1, "starts");
  ends = KnownList(ctx, 2, "ends");
  if (ctx.Has(3)) {
    axes = ctx.ConstInts(3, "axes");
  } else {
    axes.resize(starts->size());
    std::iota(axes.begin(), axes.end(), 0);
  }
  steps = ctx.Has(4) ? ctx.ConstInts(4, "steps") : std::vector<int64_t>(axes.size(), 1);
  if (starts->size() != axes.size() || ends->size() != axes.size() || steps.size() != axes.size()) {
    ctx.Fail("starts, ends, axes and steps need one entry each");
  }
  for (int64_t& a : axes) a = ctx.NormAxis(a, rank);

  // Known 1-D data with constant bounds: slice the elements.
  if (IsKnownOnly(ctx, 0) && rank == 1 && ConstIntValue((*starts)[0]) && ConstIntValue((*ends)[0])) {
    const Dims& data = *ctx.In(0).known;
    int64_t n = static_cast<int64_t>(data.size()), step = steps[0];
    if (step == 0) ctx.Fail("a step is 0");
    int64_t b = ClampIndex(*ConstIntValue((*starts)[0]), n, step), e = ClampIndex(*ConstIntValue((*ends)[0]), n, step);
    Dims out;
    for (int64_t i = b; step > 0 ? i < e : i > e; i += step) out.push_back(data[i]);
    return {KnownInts(out, false, ctx.In(0).known_dtype)};
  }

  Expr x = ctx.Tensor(0);
  Dims dims = ctx.Shape(0);
  std::vector<int64_t> c_axes, c_begin, c_end, c_steps;
  for (size_t i = 0; i < axes.size(); ++i) {
    auto b = ConstIntValue((*starts)[i]), e = ConstIntValue((*ends)[i]);
    if (steps[i] == 0) ctx.Fail("a step is 0");
    if (b && e) {
      c_axes.push_back(axes[i]);
      c_begin.push_back(*b);
      c_end.push_back(*e);
      c_steps.push_back(steps[i]);
      continue;
    }
    // A symbolic bound (x[:, :seq]): gather the indices, assumed in range.
    if (steps[i] != 1) ctx.Fail("a symbolic slice bound needs step 1");
    PrimExpr begin = (*starts)[i], end = (*ends)[i];
    if (b && *b < 0) begin = SimplifyDim(dims[axes[i]] + *b);
    if (e && *e < 0) end = SimplifyDim(dims[axes[i]] + *e);
    if (e && *e >= std::numeric_limits<int32_t>::max()) end = dims[axes[i]];
    Expr idx = ctx.Emit(op::arange(begin, end, 1, DataType::Int(64)));
    x = ctx.Emit(op::take(x, idx, axes[i]));
  }
  if (c_axes.empty()) return {x};
  return {op::strided_slice(x, c_axes, c_begin, c_end, c_steps)};
}

std::vector<Value> ConvertGather(NodeContext& ctx) {
  int64_t rank = ctx.Rank(0);
  int64_t axis = ctx.NormAxis(ctx.Int("axis", 0), rank);
  // Known 1-D data, known indices: pick the elements.
  if (IsKnownOnly(ctx, 0) && rank == 1 && IsKnownOnly(ctx, 1)) {
    const Dims& data = *ctx.In(0).known;
    Dims out;
    bool ok = true;
    for (const PrimExpr& i : *ctx.In(1).known) {
      auto c = ConstIntValue(i);
      int64_t n = static_cast<int64_t>(data.size());
      if (!c || *c < -n || *c >= n) {
        ok = false;
        break;
      }
      out.push_back(data[*c < 0 ? *c + n : *c]);
    }
    if (ok) return {KnownInts(out, ctx.In(1).known_is_scalar, ctx.In(0).known_dtype)};
  }
  Expr indices;
  // Constant negative indices count from the end of a constant dim.
  const Value& iv = ctx.In(1);
  if (iv.known) {
    auto dim = ConstIntValue(ctx.Shape(0)[axis]);
    bool neg = false;
    for (const PrimExpr& i : *iv.known) neg = neg || (ConstIntValue(i) && *ConstIntValue(i) < 0);
    if (neg) {
      if (!dim) ctx.Fail("negative indices into a symbolic dim are not supported");
      Dims fixed;
      for (const PrimExpr& i : *iv.known) {
        auto c = ConstIntValue(i);
        fixed.push_back(c && *c < 0 ? PrimExpr(*c + *dim) : i);
      }
      Value v = KnownInts(fixed, iv.known_is_scalar, iv.known_dtype);
      return {op::take(ctx.Tensor(0), ctx.AsTensor(v), axis)};
    }
  }
  indices = ctx.Tensor(1);
  return {op::take(ctx.Tensor(0), indices, axis)};
}

std::vector<Value> ConvertGatherElements(NodeContext& ctx) {
  int64_t axis = ctx.NormAxis(ctx.Int("axis", 0), ctx.Rank(0));
  return {op::gather_elements(ctx.Tensor(0), ctx.Tensor(1), axis)};
}

// GatherND (batch_dims 0): the first K dims of the data, K the last dim of
// the indices, flattened into one; the indices combined into flat ones
// (sum of index * stride) pick rows of it with take.
std::vector<Value> ConvertGatherND(NodeContext& ctx) {
  if (ctx.Int("batch_dims", 0) != 0) ctx.Fail("batch_dims other than 0 are not supported");
  Dims data = ctx.Shape(0), ind = ctx.Shape(1);
  if (ind.empty()) ctx.Fail("the indices must have rank 1 or more");
  auto k = ConstIntValue(ind.back());
  if (!k || *k < 1 || *k > static_cast<int64_t>(data.size())) ctx.Fail("the last dim of the indices must be constant");
  Expr indices = ctx.Tensor(1);
  int64_t last = static_cast<int64_t>(ind.size()) - 1;
  auto component = [&](int64_t j) -> Expr {
    Expr part = ctx.Emit(op::squeeze(ctx.Emit(op::strided_slice(indices, {last}, {j}, {j + 1})), std::vector<int64_t>{last}));
    if (ctx.Dtype(1) != DataType::Int(64)) part = ctx.Emit(op::astype(part, DataType::Int(64)));
    return part;
  };
  if (*k == 1) return {op::take(ctx.Tensor(0), component(0), 0)};
  if (*k == 2 && data.size() == 2) {
    // data[i0, i1]: rows by take, then one element of each by gather_elements
    // (no flattened dims, which symbolic shapes keep as products).
    Expr rows = ctx.Emit(op::take(ctx.Tensor(0), component(0), 0));
    Expr col = ctx.Emit(op::expand_dims(component(1), {last}));
    Expr picked = ctx.Emit(op::gather_elements(rows, col, last));
    return {op::squeeze(picked, std::vector<int64_t>{last})};
  }
  Expr flat;
  PrimExpr stride = 1;
  for (int64_t j = *k - 1; j >= 0; --j) {
    Expr part = component(j);
    if (!IsConst(stride, 1)) part = ctx.Emit(op::multiply(part, ctx.AsTensor(KnownInts({SimplifyDim(stride)}, true))));
    flat = flat.get() ? ctx.Emit(op::add(flat, part)) : part;
    stride = stride * data[j];
  }
  Dims rows = {SimplifyDim(stride)};
  rows.insert(rows.end(), data.begin() + *k, data.end());
  Expr table = ctx.Emit(op::reshape(ctx.Tensor(0), relax::MakeShapeExpr(rows)));
  return {op::take(table, flat, 0)};
}

std::vector<Value> ConvertUnsqueeze(NodeContext& ctx) {
  auto axes = AxesArg(ctx, 13);
  if (!axes) ctx.Fail("axes are required");
  int64_t out_rank = ctx.Rank(0) + static_cast<int64_t>(axes->size());
  for (int64_t& a : *axes) a = ctx.NormAxis(a, out_rank);
  std::sort(axes->begin(), axes->end());
  if (IsKnownOnly(ctx, 0) && out_rank <= 1) {
    return {KnownInts(*ctx.In(0).known, false, ctx.In(0).known_dtype)};
  }
  return {op::expand_dims(ctx.Tensor(0), *axes)};
}

std::vector<Value> ConvertSqueeze(NodeContext& ctx) {
  auto axes = AxesArg(ctx, 13);
  int64_t rank = ctx.Rank(0);
  if (axes) {
    for (int64_t& a : *axes) a = ctx.NormAxis(a, rank);
  }
  if (IsKnownOnly(ctx, 0) && rank == 1 && ctx.In(0).known->size() == 1) {
    return {KnownInts(*ctx.In(0).known, true, ctx.In(0).known_dtype)};
  }
  return {op::squeeze(ctx.Tensor(0), axes)};
}

std::vector<Value> ConvertExpand(NodeContext& ctx) {
  const Dims& target = KnownList(ctx, 1, "the shape");
  Dims in = ctx.Shape(0);
  size_t rank = std::max(in.size(), target.size());
  Dims out(rank);
  for (size_t k = 0; k < rank; ++k) {
    size_t oi = rank - 1 - k;
    bool has_in = k < in.size(), has_t = k < target.size();
    PrimExpr a = has_in ? in[in.size() - 1 - k] : PrimExpr(1);
    PrimExpr b = has_t ? target[target.size() - 1 - k] : PrimExpr(1);
    out[oi] = IsConst(b, 1) ? a : b;
  }
  bool same = out.size() == in.size();
  for (size_t i = 0; same && i < out.size(); ++i) same = out[i].get() == in[i].get();
  if (same) return {ctx.Tensor(0)};
  return {op::broadcast_to(ctx.Tensor(0), out)};
}

// Whether a known value of `dims` elements is small enough to keep as data.
bool SmallConstant(const Dims& dims, int64_t* count) {
  int64_t n = 1;
  for (const PrimExpr& d : dims) {
    auto c = ConstIntValue(d);
    if (!c) return false;
    n *= *c;
  }
  *count = n;
  return n <= 64;
}

std::vector<Value> ConvertConstantOfShape(NodeContext& ctx) {
  const Dims& shape = KnownList(ctx, 0, "the shape");
  DataType dtype = DataType::Float(32);
  double value = 0;
  if (const auto* a = ctx.FindAttr("value")) {
    NDArray c = TensorToArray(a->t(), "");
    if (c.numel() != 1) ctx.Fail("the value must hold one element");
    dtype = c.dtype();
    Value cv = ConstantValue(c);
    if (cv.known) {
      value = static_cast<double>(*ConstIntValue((*cv.known)[0]));
    } else if (dtype == DataType::Float(32)) {
      value = *static_cast<const float*>(c.data());
    } else if (dtype == DataType::Float(64)) {
      value = *static_cast<const double*>(c.data());
    } else {
      ctx.Fail("a value of dtype " + dtype.str() + " is not supported");
    }
  }
  int64_t count = 0;
  if ((dtype.is_int() || dtype.is_uint()) && shape.size() <= 1 && SmallConstant(shape, &count)) {
    Dims elems(count, PrimExpr(static_cast<int64_t>(value)));
    return {KnownInts(elems, false, dtype)};
  }
  return {op::full(shape, value, dtype)};
}

std::vector<Value> ConvertRange(NodeContext& ctx) {
  DataType dtype = ctx.Dtype(0);
  if (dtype.is_int()) {
    const Dims& s = KnownList(ctx, 0, "start");
    const Dims& l = KnownList(ctx, 1, "limit");
    const Dims& d = KnownList(ctx, 2, "delta");
    auto cs = ConstIntValue(s[0]), cl = ConstIntValue(l[0]), cd = ConstIntValue(d[0]);
    if (cs && cl && cd && *cd != 0) {
      int64_t n = std::max<int64_t>(0, (*cl - *cs + *cd + (*cd > 0 ? -1 : 1)) / *cd);
      if (n <= 64) {
        Dims out;
        for (int64_t i = 0; i < n; ++i) out.push_back(*cs + i * *cd);
        return {KnownInts(out, false, dtype)};
      }
    }
    return {op::arange(s[0], l[0], d[0], dtype)};
  }
  auto s = ctx.ConstScalar(0), l = ctx.ConstScalar(1), d = ctx.ConstScalar(2);
  if (!s || !l || !d) ctx.Fail("a float range needs constant start, limit and delta");
  return {op::arange(PrimExpr(*s), PrimExpr(*l), PrimExpr(*d), dtype)};
}

std::vector<Value> ConvertConstant(NodeContext& ctx) {
  const auto& attrs = ctx.node().attribute();
  if (attrs.size() != 1) ctx.Fail("needs exactly one attribute (value, value_float, ...)");
  const auto& a = attrs.Get(0);
  auto scalar = [](DataType dt, const void* data, std::vector<int64_t> shape) {
    NDArray arr = NDArray::Empty(shape, dt, runtime::Device::CPU());
    arr.CopyFromBytes(data, arr.nbytes());
    return arr;
  };
  if (a.name() == "value") return {ConstantValue(TensorToArray(a.t(), ""))};
  if (a.name() == "value_float") {
    float f = a.f();
    return {ConstantValue(scalar(DataType::Float(32), &f, {}))};
  }
  if (a.name() == "value_int") {
    int64_t i = a.i();
    return {ConstantValue(scalar(DataType::Int(64), &i, {}))};
  }
  if (a.name() == "value_floats") {
    std::vector<float> f(a.floats().begin(), a.floats().end());
    return {ConstantValue(scalar(DataType::Float(32), f.data(), {static_cast<int64_t>(f.size())}))};
  }
  if (a.name() == "value_ints") {
    std::vector<int64_t> i(a.ints().begin(), a.ints().end());
    return {ConstantValue(scalar(DataType::Int(64), i.data(), {static_cast<int64_t>(i.size())}))};
  }
  ctx.Fail("the attribute '" + a.name() + "' is not supported");
}

std::vector<Value> ConvertTile(NodeContext& ctx) {
  return {op::tile(ctx.Tensor(0), ctx.ConstInts(1, "repeats"))};
}

std::vector<Value> ConvertTrilu(NodeContext& ctx) {
  int64_t k = ctx.Has(1) ? ctx.ConstInts(1, "k").at(0) : 0;
  bool upper = ctx.Int("upper", 1) != 0;
  return {upper ? op::triu(ctx.Tensor(0), k) : op::tril(ctx.Tensor(0), k)};
}

std::vector<Value> ConvertCumSum(NodeContext& ctx) {
  if (ctx.Int("reverse", 0) != 0) ctx.Fail("reverse=1 is not supported");
  int64_t axis = ctx.NormAxis(ctx.ConstInts(1, "axis").at(0), ctx.Rank(0));
  return {op::cumsum(ctx.Tensor(0), axis, DataType(), ctx.Int("exclusive", 0) != 0)};
}

}  // namespace

void AddShapeConverters(ConverterTable& t) {
  t["Shape"] = ConvertShape;
  t["Size"] = ConvertSize;
  t["Reshape"] = ConvertReshape;
  t["Flatten"] = ConvertFlatten;
  t["Transpose"] = ConvertTranspose;
  t["Concat"] = ConvertConcat;
  t["Split"] = ConvertSplit;
  t["Slice"] = ConvertSlice;
  t["Gather"] = ConvertGather;
  t["GatherElements"] = ConvertGatherElements;
  t["GatherND"] = ConvertGatherND;
  t["Unsqueeze"] = ConvertUnsqueeze;
  t["Squeeze"] = ConvertSqueeze;
  t["Expand"] = ConvertExpand;
  t["ConstantOfShape"] = ConvertConstantOfShape;
  t["Range"] = ConvertRange;
  t["Constant"] = ConvertConstant;
  t["Tile"] = ConvertTile;
  t["Trilu"] = ConvertTrilu;
  t["CumSum"] = ConvertCumSum;
}

}  // namespace kiln::frontend::onnx
