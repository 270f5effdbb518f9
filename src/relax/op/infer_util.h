// Shared pieces of the op library's struct-info inference: a call's arguments
// and attributes read with errors naming the op and argument, symbolic dims
// (equality, broadcasting, products, window sizes), axes and layouts.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "kiln/relax/op.h"

namespace kiln::relax::infer {

using Dims = std::vector<tir::PrimExpr>;
using TensorRef = Ref<TensorStructInfoNode>;

// ---- building calls (for the convenience constructors) ----

// An un-normalized call of the registered op `name`.
Expr MakeOpCall(const std::string& name, std::vector<Expr> args, Attrs attrs = {},
                std::vector<StructInfo> sinfo_args = {});
runtime::Any IntListAny(const std::vector<int64_t>& values);
runtime::Any OptionalIntListAny(const std::optional<std::vector<int64_t>>& values);
runtime::Any OptionalIntAny(std::optional<int64_t> value);
// The value of an optional-dtype attribute: "" when `dtype` is void.
runtime::Any OptionalDtypeAny(DataType dtype);

// ---- arguments ----

const OpNode* CalledOp(const CallNode* call);
const std::string& OpName(const CallNode* call);
std::string ArgName(const CallNode* call, size_t i);
// Raises "relax.add takes 2 arguments (a, b), got 3" outside [min, max].
void CheckNumArgs(const CallNode* call, size_t min, size_t max);
void CheckNumArgs(const CallNode* call, size_t n);
// The struct info of argument i; a Tuple expression not yet normalized gets
// the tuple of its fields' struct info.
StructInfo ArgSInfo(const CallNode* call, size_t i);
// Argument i as a tensor, or a kiln::Error naming the op and argument.
TensorRef TensorArg(const CallNode* call, size_t i);
// Argument i as a tuple of tensors (concat, einsum).
std::vector<TensorRef> TensorTupleArg(const CallNode* call, size_t i);
// Argument i as a shape value (a ShapeExpr or a shape-typed variable).
Ref<ShapeStructInfoNode> ShapeArg(const CallNode* call, size_t i);
// Raises "relax.conv2d: argument 'data' must have rank 4, got rank 3"; an
// unknown rank passes.
void CheckRank(const CallNode* call, size_t i, const TensorRef& t, int ndim);
// "a tensor", "a tuple", ... for messages.
std::string SInfoKind(const StructInfo& sinfo);

// ---- attributes (the call's value, else the op's declared default) ----

runtime::Any AttrValue(const CallNode* call, const std::string& name);
int64_t IntAttr(const CallNode* call, const std::string& name);
double FloatAttr(const CallNode* call, const std::string& name);
bool BoolAttr(const CallNode* call, const std::string& name);
std::string StringAttr(const CallNode* call, const std::string& name);
DataType DtypeAttr(const CallNode* call, const std::string& name);
// A dtype given as text; "" is void (unset).
DataType OptionalDtypeAttr(const CallNode* call, const std::string& name);
std::vector<int64_t> IntListAttr(const CallNode* call, const std::string& name);
std::optional<int64_t> OptionalIntAttr(const CallNode* call, const std::string& name);
std::optional<std::vector<int64_t>> OptionalIntListAttr(const CallNode* call, const std::string& name);
// Raises unless the string attribute is one of `choices`; returns it.
std::string ChoiceAttr(const CallNode* call, const std::string& name, const std::vector<std::string>& choices);

// ---- dtypes ----

// Raises "relax.exp: argument 'x' must have a float dtype, got int32"; void passes.
void RequireFloat(const CallNode* call, size_t i, const TensorRef& t);
void RequireInt(const CallNode* call, size_t i, const TensorRef& t);
void RequireBool(const CallNode* call, size_t i, const TensorRef& t);
// The common dtype of tensors that must agree ("relax.add: dtypes float32 and
// float16 differ"); void when any is unknown.
DataType SameDtype(const CallNode* call, const std::vector<TensorRef>& ts);
// The attribute 'out_dtype' when set, else the tensors' common dtype (they
// must agree either way).
DataType OutDtype(const CallNode* call, const std::vector<TensorRef>& ts);

// ---- tensors and dimensions ----

// A tensor of `shape` when known, else of rank `ndim` (-1: unknown).
StructInfo MakeTensor(const std::optional<Dims>& shape, int ndim, DataType dtype);
// `t` with another dtype.
StructInfo WithDtype(const TensorRef& t, DataType dtype);
// A dim or a shape in the text format, for messages: "n + 1", "(n, 784)", "(768,)".
std::string DimString(const tir::PrimExpr& dim);
std::string ShapeString(const Dims& shape);
// Two dims are equal when the symbolic analyzer proves it (the same tir
// Var, equal constants, n * 2 and n + n, ...); false means "not shown".
bool DimsEqual(const tir::PrimExpr& a, const tir::PrimExpr& b);
// Provably different (4 and 5, n and n + 1); shape errors need this.
bool DimsDiffer(const tir::PrimExpr& a, const tir::PrimExpr& b);
bool IsConstDim(const tir::PrimExpr& dim, int64_t value);
// The product of dims [begin, end) (1 when empty).
tir::PrimExpr Product(const Dims& dims, size_t begin, size_t end);
tir::PrimExpr Product(const Dims& dims);
// x + c, folding c into a constant x and writing x - |c| for negative c.
tir::PrimExpr AddConst(const tir::PrimExpr& x, int64_t c);

// NumPy broadcasting of two shapes, right-aligned. 1 with d gives d; two
// dims that cannot be shown equal give the constant one when one is
// constant, else the first (the run-time shape check verifies it).
Dims BroadcastShapes(const CallNode* call, const Dims& a, const Dims& b);
// The broadcast of several tensors with `dtype`; unknown ranks and shapes
// propagate.
StructInfo BroadcastTensors(const CallNode* call, const std::vector<TensorRef>& ts, DataType dtype);

// ---- axes ----

// `axis` (may be negative) as an index into `ndim` dims, or an error naming
// the op.
int NormalizeAxis(const CallNode* call, int64_t axis, int ndim);
// Several axes, each in range and none twice, in the order given.
std::vector<int> NormalizeAxes(const CallNode* call, const std::vector<int64_t>& axes, int ndim);

// ---- windows: convolutions and pooling ----

// Where the batch (or out-channel), channel (or in-channel) and spatial
// axes sit in a layout such as "NCHW" or "OIHW".
struct Layout {
  std::string text;
  int outer = -1;            // N, or O for kernels
  int inner = -1;            // C, or I for kernels
  std::vector<int> spatial;  // in the order of `spatial_letters`
};
// Parses the layout attribute `name`; it must be a permutation of `outer`,
// `inner` and `spatial_letters` ("HW").
Layout LayoutAttr(const CallNode* call, const std::string& name, char outer, char inner,
                  const std::string& spatial_letters);
// A layout string with blocked axes ("NCHW16c", "OIHW16i16o"): upper-case
// letters are primal axes, each at most once; a number then a lower-case
// letter is a block of that axis (its inner indices), at most one per axis,
// and the axis itself must appear too. "NCHW16c" is [N, C / 16, H, W, 16].
struct LayoutDim {
  char axis = 0;      // the primal axis, upper case, for both kinds
  int64_t block = 0;  // 0: the primal axis (its outer part when blocked); else the block size
};
struct BlockedLayout {
  std::string text;
  std::vector<LayoutDim> dims;
  // The position of the primal dim (block false) or the block dim of
  // `axis`; -1 when absent.
  int Find(char axis, bool block = false) const;
  // The block size of `axis`; 0 when it is not blocked.
  int64_t BlockOf(char axis) const;
  // The primal letters in order ("NCHW" for "NCHW16c").
  std::string Primal() const;
};
// Parses `text`; raises kiln::Error starting with `what` (such as
// "relax.layout_transform: src_layout") when it is malformed.
BlockedLayout ParseBlockedLayout(const std::string& text, const std::string& what);
// Whether a layout string has block dims (holds a digit).
bool HasBlocks(const std::string& text);
// A per-spatial-axis attribute (strides, dilation): 1 value for all or n.
std::vector<int64_t> SpatialAttr(const CallNode* call, const std::string& name, size_t n);
// Padding of 1 value (all sides), n values (each axis, both sides) or 2n
// (all begins, then all ends); returns begin[0..n) then end[0..n).
std::vector<int64_t> PaddingAttr(const CallNode* call, size_t n);
// Output length of a sliding window: floor((in + pad - d*(k-1) - 1) / s) + 1,
// rounding up with ceil_mode (a window must start inside input or left
// padding). Raises when a constant result is not positive.
tir::PrimExpr WindowOutDim(const CallNode* call, const tir::PrimExpr& in, const tir::PrimExpr& window, int64_t stride,
                           int64_t dilation, int64_t pad_begin, int64_t pad_end, bool ceil_mode = false);

}  // namespace kiln::relax::infer
