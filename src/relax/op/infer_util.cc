// Shared pieces of struct-info inference: argument and attribute access with
// named errors, symbolic dimension reasoning, axes, layouts and windows.
#include "infer_util.h"

#include <algorithm>
#include <cctype>

#include "kiln/runtime/error.h"
#include "kiln/tir/arith/analyzer.h"
#include "kiln/tir/printer.h"

namespace kiln::relax::infer {

using runtime::Any;
using tir::PrimExpr;

// ---- building calls ----

Expr MakeOpCall(const std::string& name, std::vector<Expr> args, Attrs attrs, std::vector<StructInfo> sinfo_args) {
  return MakeCall(GetOp(name), std::move(args), std::move(attrs), std::move(sinfo_args));
}

Any IntListAny(const std::vector<int64_t>& values) {
  std::vector<Any> items(values.begin(), values.end());
  return Any(std::move(items));
}

Any OptionalIntListAny(const std::optional<std::vector<int64_t>>& values) {
  return values ? IntListAny(*values) : Any();
}

Any OptionalIntAny(std::optional<int64_t> value) {
  return value ? Any(*value) : Any();
}

Any OptionalDtypeAny(DataType dtype) {
  return Any(dtype.is_void() ? std::string() : dtype.str());
}

// ---- arguments ----

const OpNode* CalledOp(const CallNode* call) {
  const OpNode* op = call->op.as<OpNode>();
  KILN_ICHECK(op != nullptr) << "struct-info inference of an op ran on a call of something else";
  return op;
}

const std::string& OpName(const CallNode* call) {
  return CalledOp(call)->name;
}

std::string ArgName(const CallNode* call, size_t i) {
  const std::vector<std::string>& names = CalledOp(call)->arg_names;
  if (i < names.size()) return names[i];
  return "#" + std::to_string(i);
}

void CheckNumArgs(const CallNode* call, size_t min, size_t max) {
  size_t n = call->args.size();
  if (n >= min && n <= max) return;
  std::string names;
  for (const std::string& a : CalledOp(call)->arg_names) names += (names.empty() ? "" : ", ") + a;
  std::string count = min == max ? std::to_string(min) : std::to_string(min) + " to " + std::to_string(max);
  KILN_THROW() << OpName(call) << " takes " << count << " arguments (" << names << "), got " << n;
}

void CheckNumArgs(const CallNode* call, size_t n) {
  CheckNumArgs(call, n, n);
}

namespace {
StructInfo SInfoOf(const Expr& e) {
  if (e.struct_info()) return e.struct_info();
  const TupleNode* tuple = e.as<TupleNode>();
  if (tuple == nullptr) return StructInfo();
  std::vector<StructInfo> fields;
  for (const Expr& f : tuple->fields) {
    StructInfo s = SInfoOf(f);
    if (!s) return StructInfo();
    fields.push_back(s);
  }
  return TupleSInfo(std::move(fields));
}
}  // namespace

StructInfo ArgSInfo(const CallNode* call, size_t i) {
  KILN_ICHECK(i < call->args.size()) << OpName(call) << " has no argument " << i;
  StructInfo s = SInfoOf(call->args[i]);
  KILN_CHECK(s) << OpName(call) << ": argument '" << ArgName(call, i)
                << "' has no struct info (normalize the expression first)";
  return s;
}

std::string SInfoKind(const StructInfo& sinfo) {
  if (sinfo->IsInstance<TensorStructInfoNode>()) return "a tensor";
  if (sinfo->IsInstance<TupleStructInfoNode>()) return "a tuple";
  if (sinfo->IsInstance<ShapeStructInfoNode>()) return "a shape";
  if (sinfo->IsInstance<PrimStructInfoNode>()) return "a scalar";
  if (sinfo->IsInstance<FuncStructInfoNode>()) return "a function";
  return "an object";
}

TensorRef TensorArg(const CallNode* call, size_t i) {
  StructInfo s = ArgSInfo(call, i);
  TensorRef t = s.As<TensorStructInfoNode>();
  KILN_CHECK(t) << OpName(call) << ": argument '" << ArgName(call, i) << "' must be a tensor, got " << SInfoKind(s);
  return t;
}

void CheckRank(const CallNode* call, size_t i, const TensorRef& t, int ndim) {
  KILN_CHECK(t->ndim < 0 || t->ndim == ndim)
      << OpName(call) << ": argument '" << ArgName(call, i) << "' must have rank " << ndim << ", got rank " << t->ndim;
}

std::vector<TensorRef> TensorTupleArg(const CallNode* call, size_t i) {
  StructInfo s = ArgSInfo(call, i);
  Ref<TupleStructInfoNode> tuple = s.As<TupleStructInfoNode>();
  KILN_CHECK(tuple) << OpName(call) << ": argument '" << ArgName(call, i) << "' must be a tuple of tensors, got "
                    << SInfoKind(s);
  std::vector<TensorRef> out;
  for (size_t k = 0; k < tuple->fields.size(); ++k) {
    TensorRef t = tuple->fields[k].As<TensorStructInfoNode>();
    KILN_CHECK(t) << OpName(call) << ": field " << k << " of argument '" << ArgName(call, i)
                  << "' must be a tensor, got " << SInfoKind(tuple->fields[k]);
    out.push_back(t);
  }
  return out;
}

Ref<ShapeStructInfoNode> ShapeArg(const CallNode* call, size_t i) {
  StructInfo s = ArgSInfo(call, i);
  Ref<ShapeStructInfoNode> shape = s.As<ShapeStructInfoNode>();
  KILN_CHECK(shape) << OpName(call) << ": argument '" << ArgName(call, i) << "' must be a shape, got " << SInfoKind(s);
  return shape;
}

// ---- attributes ----

Any AttrValue(const CallNode* call, const std::string& name) {
  if (std::optional<Any> v = call->attrs.Find(name)) return *v;
  const OpAttrSpec* spec = CalledOp(call)->FindAttr(name);
  KILN_ICHECK(spec != nullptr) << OpName(call) << " reads undeclared attribute " << name;
  bool optional = spec->kind == AttrKind::kOptionalInt || spec->kind == AttrKind::kOptionalIntList;
  KILN_CHECK(!spec->default_value.is_none() || optional) << OpName(call) << ": missing attribute '" << name << "'";
  return spec->default_value;
}

namespace {
template <typename T>
T CastAttr(const CallNode* call, const std::string& name, const Any& v) {
  try {
    return v.Cast<T>();
  } catch (const Error& e) {
    KILN_THROW() << OpName(call) << ": attribute '" << name << "': " << e.message();
  }
}

std::vector<int64_t> CastIntList(const CallNode* call, const std::string& name, const Any& v) {
  std::vector<int64_t> out;
  for (const Any& item : CastAttr<std::vector<Any>>(call, name, v)) {
    KILN_CHECK(item.kind() == Any::Kind::kInt) << OpName(call) << ": attribute '" << name
                                               << "' must be a list of ints, got an item of kind " << item.TypeName();
    out.push_back(item.AsInt());
  }
  return out;
}
}  // namespace

int64_t IntAttr(const CallNode* call, const std::string& name) {
  return CastAttr<int64_t>(call, name, AttrValue(call, name));
}
double FloatAttr(const CallNode* call, const std::string& name) {
  return CastAttr<double>(call, name, AttrValue(call, name));
}
bool BoolAttr(const CallNode* call, const std::string& name) {
  return CastAttr<bool>(call, name, AttrValue(call, name));
}
std::string StringAttr(const CallNode* call, const std::string& name) {
  return CastAttr<std::string>(call, name, AttrValue(call, name));
}
DataType DtypeAttr(const CallNode* call, const std::string& name) {
  return CastAttr<DataType>(call, name, AttrValue(call, name));
}

DataType OptionalDtypeAttr(const CallNode* call, const std::string& name) {
  std::string text = StringAttr(call, name);
  if (text.empty()) return DataType();
  try {
    return DataType::Parse(text);
  } catch (const Error& e) {
    KILN_THROW() << OpName(call) << ": attribute '" << name << "': " << e.message();
  }
}

std::vector<int64_t> IntListAttr(const CallNode* call, const std::string& name) {
  return CastIntList(call, name, AttrValue(call, name));
}

std::optional<int64_t> OptionalIntAttr(const CallNode* call, const std::string& name) {
  Any v = AttrValue(call, name);
  if (v.is_none()) return std::nullopt;
  return CastAttr<int64_t>(call, name, v);
}

std::optional<std::vector<int64_t>> OptionalIntListAttr(const CallNode* call, const std::string& name) {
  Any v = AttrValue(call, name);
  if (v.is_none()) return std::nullopt;
  return CastIntList(call, name, v);
}

std::string ChoiceAttr(const CallNode* call, const std::string& name, const std::vector<std::string>& choices) {
  std::string value = StringAttr(call, name);
  if (std::find(choices.begin(), choices.end(), value) != choices.end()) return value;
  std::string list;
  for (const std::string& c : choices) list += (list.empty() ? "\"" : ", \"") + c + "\"";
  KILN_THROW() << OpName(call) << ": attribute '" << name << "' must be one of " << list << "; got \"" << value << "\"";
}

// ---- dtypes ----

namespace {
void RequireDtype(const CallNode* call, size_t i, const TensorRef& t, bool ok, const char* what) {
  KILN_CHECK(t->dtype.is_void() || ok) << OpName(call) << ": argument '" << ArgName(call, i) << "' must have " << what
                                       << " dtype, got " << t->dtype;
}
}  // namespace

void RequireFloat(const CallNode* call, size_t i, const TensorRef& t) {
  RequireDtype(call, i, t, t->dtype.is_float(), "a float");
}
void RequireInt(const CallNode* call, size_t i, const TensorRef& t) {
  RequireDtype(call, i, t, t->dtype.is_int() || t->dtype.is_uint(), "an integer");
}
void RequireBool(const CallNode* call, size_t i, const TensorRef& t) {
  RequireDtype(call, i, t, t->dtype.is_bool(), "a bool");
}

DataType SameDtype(const CallNode* call, const std::vector<TensorRef>& ts) {
  DataType common;
  for (const TensorRef& t : ts) {
    if (t->dtype.is_void()) return DataType();
  }
  for (const TensorRef& t : ts) {
    KILN_CHECK(common.is_void() || common == t->dtype)
        << OpName(call) << ": dtypes " << common << " and " << t->dtype << " differ";
    common = t->dtype;
  }
  return common;
}

DataType OutDtype(const CallNode* call, const std::vector<TensorRef>& ts) {
  DataType common = SameDtype(call, ts);
  DataType out = OptionalDtypeAttr(call, "out_dtype");
  return out.is_void() ? common : out;
}

// ---- tensors and dimensions ----

StructInfo MakeTensor(const std::optional<Dims>& shape, int ndim, DataType dtype) {
  if (shape) return TensorSInfo(*shape, dtype);
  return TensorSInfoOfRank(ndim, dtype);
}

StructInfo WithDtype(const TensorRef& t, DataType dtype) {
  return MakeTensor(t->shape, t->ndim, dtype);
}

std::string DimString(const PrimExpr& dim) {
  return tir::ToText(dim);
}

std::string ShapeString(const Dims& shape) {
  std::string out = "(";
  for (size_t i = 0; i < shape.size(); ++i) out += (i ? ", " : "") + DimString(shape[i]);
  return out + (shape.size() == 1 ? ",)" : ")");
}

namespace {
// The same expression object, or equal constants: no analysis needed.
bool Trivially(const PrimExpr& a, const PrimExpr& b, bool* equal) {
  const int64_t* x = tir::AsConstInt(a);
  const int64_t* y = tir::AsConstInt(b);
  if (a.get() == b.get() || (x && y)) {
    *equal = a.get() == b.get() || *x == *y;
    return true;
  }
  return false;
}

PrimExpr AsInt64(const PrimExpr& e) {
  return e.dtype() == DataType::Int(64) ? e : tir::Cast(DataType::Int(64), e);
}
}  // namespace

bool DimsEqual(const PrimExpr& a, const PrimExpr& b) {
  bool equal = false;
  if (Trivially(a, b, &equal)) return equal;
  tir::arith::Analyzer analyzer;
  return analyzer.CanProveEqual(AsInt64(a), AsInt64(b));
}

bool DimsDiffer(const PrimExpr& a, const PrimExpr& b) {
  bool equal = false;
  if (Trivially(a, b, &equal)) return !equal;
  tir::arith::Analyzer analyzer;
  return analyzer.CanProve(AsInt64(a) != AsInt64(b));
}

bool IsConstDim(const PrimExpr& dim, int64_t value) {
  const int64_t* v = tir::AsConstInt(dim);
  return v && *v == value;
}

PrimExpr Product(const Dims& dims, size_t begin, size_t end) {
  PrimExpr out = int64_t{1};
  for (size_t i = begin; i < end; ++i) out = out * AsInt64(dims[i]);
  return out;
}

PrimExpr Product(const Dims& dims) {
  return Product(dims, 0, dims.size());
}

PrimExpr AddConst(const PrimExpr& x, int64_t c) {
  if (c >= 0) return x + PrimExpr(c);
  return x - PrimExpr(-c);
}

namespace {
PrimExpr BroadcastDim(const CallNode* call, const Dims& a, const Dims& b, size_t i, size_t j) {
  const PrimExpr& x = a[i];
  const PrimExpr& y = b[j];
  if (DimsEqual(x, y) || IsConstDim(y, 1)) return x;
  if (IsConstDim(x, 1)) return y;
  // Only two different constants (neither 1) are sure not to broadcast: a
  // symbolic dim may turn out to be 1.
  KILN_CHECK(!tir::AsConstInt(x) || !tir::AsConstInt(y) || !DimsDiffer(x, y))
      << OpName(call) << ": shapes " << ShapeString(a) << " and " << ShapeString(b)
      << " do not broadcast: " << DimString(x) << " at axis " << i << " vs " << DimString(y) << " at axis " << j;
  return tir::AsConstInt(y) ? y : x;
}
}  // namespace

Dims BroadcastShapes(const CallNode* call, const Dims& a, const Dims& b) {
  size_t n = std::max(a.size(), b.size());
  Dims out(n);
  for (size_t k = 0; k < n; ++k) {  // k counts from the right
    size_t o = n - 1 - k;
    if (k >= a.size()) {
      out[o] = b[b.size() - 1 - k];
    } else if (k >= b.size()) {
      out[o] = a[a.size() - 1 - k];
    } else {
      out[o] = BroadcastDim(call, a, b, a.size() - 1 - k, b.size() - 1 - k);
    }
  }
  return out;
}

StructInfo BroadcastTensors(const CallNode* call, const std::vector<TensorRef>& ts, DataType dtype) {
  int ndim = 0;
  bool shapes_known = true;
  for (const TensorRef& t : ts) {
    if (t->ndim < 0) return TensorSInfoOfRank(-1, dtype);
    ndim = std::max(ndim, t->ndim);
    shapes_known = shapes_known && t->shape.has_value();
  }
  if (!shapes_known) return TensorSInfoOfRank(ndim, dtype);
  Dims out = *ts[0]->shape;
  for (size_t i = 1; i < ts.size(); ++i) out = BroadcastShapes(call, out, *ts[i]->shape);
  return TensorSInfo(out, dtype);
}

// ---- axes ----

int NormalizeAxis(const CallNode* call, int64_t axis, int ndim) {
  KILN_CHECK(axis >= -ndim && axis < ndim) << OpName(call) << ": axis " << axis << " is out of range for rank " << ndim
                                           << " (expected " << -ndim << " <= axis < " << ndim << ")";
  return static_cast<int>(axis < 0 ? axis + ndim : axis);
}

std::vector<int> NormalizeAxes(const CallNode* call, const std::vector<int64_t>& axes, int ndim) {
  std::vector<int> out;
  for (int64_t a : axes) {
    int axis = NormalizeAxis(call, a, ndim);
    KILN_CHECK(std::find(out.begin(), out.end(), axis) == out.end())
        << OpName(call) << ": axis " << axis << " appears more than once";
    out.push_back(axis);
  }
  return out;
}

// ---- windows ----

Layout LayoutAttr(const CallNode* call, const std::string& name, char outer, char inner,
                  const std::string& spatial_letters) {
  Layout layout;
  layout.text = StringAttr(call, name);
  std::string letters = std::string{outer, inner} + spatial_letters;
  std::string sorted_text = layout.text, sorted_letters = letters;
  std::sort(sorted_text.begin(), sorted_text.end());
  std::sort(sorted_letters.begin(), sorted_letters.end());
  KILN_CHECK(sorted_text == sorted_letters)
      << OpName(call) << ": " << name << " \"" << layout.text << "\" is not an arrangement of the letters " << letters;
  layout.outer = static_cast<int>(layout.text.find(outer));
  layout.inner = static_cast<int>(layout.text.find(inner));
  for (char c : spatial_letters) layout.spatial.push_back(static_cast<int>(layout.text.find(c)));
  return layout;
}

int BlockedLayout::Find(char axis, bool block) const {
  for (size_t i = 0; i < dims.size(); ++i) {
    if (dims[i].axis == axis && (dims[i].block != 0) == block) return static_cast<int>(i);
  }
  return -1;
}

int64_t BlockedLayout::BlockOf(char axis) const {
  int i = Find(axis, true);
  return i < 0 ? 0 : dims[i].block;
}

std::string BlockedLayout::Primal() const {
  std::string out;
  for (const LayoutDim& d : dims) {
    if (d.block == 0) out += d.axis;
  }
  return out;
}

BlockedLayout ParseBlockedLayout(const std::string& text, const std::string& what) {
  BlockedLayout layout{text, {}};
  auto fail = [&](const std::string& why) { KILN_THROW() << what << " \"" << text << "\": " << why; };
  for (size_t i = 0; i < text.size();) {
    char c = text[i];
    if (std::isupper(static_cast<unsigned char>(c))) {
      if (layout.Find(c) >= 0) fail(std::string("axis ") + c + " appears twice");
      layout.dims.push_back({c, 0});
      ++i;
      continue;
    }
    if (!std::isdigit(static_cast<unsigned char>(c))) {
      fail(std::string("expected an upper-case axis or a block size, got '") + c + "'");
    }
    int64_t block = 0;
    for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i) {
      if (block > (int64_t{1} << 40)) fail("the block size is too large");
      block = block * 10 + (text[i] - '0');
    }
    if (i == text.size() || !std::islower(static_cast<unsigned char>(text[i]))) {
      fail("a block size must be followed by a lower-case axis");
    }
    char axis = static_cast<char>(std::toupper(static_cast<unsigned char>(text[i++])));
    if (block < 1) fail(std::string("the block of axis ") + axis + " must be positive");
    if (layout.Find(axis, true) >= 0) fail(std::string("axis ") + axis + " is blocked twice");
    layout.dims.push_back({axis, block});
  }
  if (layout.dims.empty()) fail("the layout is empty");
  for (const LayoutDim& d : layout.dims) {
    if (d.block != 0 && layout.Find(d.axis) < 0) {
      fail(std::string("the block of axis ") + d.axis + " needs the axis " + d.axis + " too");
    }
  }
  return layout;
}

bool HasBlocks(const std::string& text) {
  return std::any_of(text.begin(), text.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

std::vector<int64_t> SpatialAttr(const CallNode* call, const std::string& name, size_t n) {
  std::vector<int64_t> v = IntListAttr(call, name);
  if (v.size() == 1) v.assign(n, v[0]);
  KILN_CHECK(v.size() == n) << OpName(call) << ": attribute '" << name << "' needs 1 or " << n << " values, got "
                            << v.size();
  for (int64_t x : v) KILN_CHECK(x >= 1) << OpName(call) << ": attribute '" << name << "' must be positive, got " << x;
  return v;
}

std::vector<int64_t> PaddingAttr(const CallNode* call, size_t n) {
  std::vector<int64_t> p = IntListAttr(call, "padding");
  if (p.size() == 1) p.assign(2 * n, p[0]);
  if (p.size() == n) p.insert(p.end(), p.begin(), p.end());
  std::string counts = n == 1 ? "1 or 2" : "1, " + std::to_string(n) + " or " + std::to_string(2 * n);
  KILN_CHECK(p.size() == 2 * n) << OpName(call) << ": attribute 'padding' needs " << counts << " values, got "
                                << p.size();
  for (int64_t x : p) KILN_CHECK(x >= 0) << OpName(call) << ": attribute 'padding' must not be negative, got " << x;
  return p;
}

PrimExpr WindowOutDim(const CallNode* call, const PrimExpr& in, const PrimExpr& window, int64_t stride,
                      int64_t dilation, int64_t pad_begin, int64_t pad_end, bool ceil_mode) {
  // floor((in + pad - extent) / s) + 1 == floor((in + pad - extent + s [+ s - 1]) / s)
  PrimExpr extent = PrimExpr(dilation) * (window - 1) + 1;
  int64_t rounding = ceil_mode ? stride - 1 : 0;
  PrimExpr numer;
  if (const int64_t* e = tir::AsConstInt(extent)) {
    numer = AddConst(in, pad_begin + pad_end - *e + stride + rounding);
  } else {
    numer = AddConst(in, pad_begin + pad_end + stride + rounding) - extent;
  }
  PrimExpr out = tir::floordiv(numer, PrimExpr(stride));
  if (ceil_mode) {
    // The last window must start inside the input or the left padding.
    PrimExpr starts_outside = (out - 1) * PrimExpr(stride) >= AddConst(in, pad_begin);
    if (!tir::AsConstInt(starts_outside)) {
      out = tir::Select(starts_outside, out - 1, out);
    } else if (IsConstDim(starts_outside, 1)) {
      out = out - 1;
    }
  }
  if (const int64_t* v = tir::AsConstInt(out)) {
    KILN_CHECK(*v > 0) << OpName(call) << ": the output would have " << *v << " elements along an axis of size "
                       << DimString(in) << " (window " << DimString(window) << ", dilation " << dilation << ", stride "
                       << stride << ", padding " << pad_begin << "+" << pad_end << ")";
  }
  return out;
}

}  // namespace kiln::relax::infer
