// Tensor-creating ops. zeros/ones/full take their shape as a shape value so
// that symbolic dims flow through; the *_like forms take another tensor's
// shape; arange's length is computed from its (possibly symbolic) bounds.
// They legalize to computes over the result's shape that read no tensor (a
// symbolic dim reaches the PrimFunc as a scalar argument); tril and triu
// select between x and 0.
#include "kiln/relax/op/create.h"

#include <cmath>

#include "infer_util.h"
#include "kiln/tir/functor.h"
#include "legalize_util.h"

namespace kiln::relax {
namespace {
using namespace infer;
using tir::PrimExpr;

StructInfo InferFull(const CallNode* call) {
  CheckNumArgs(call, 1);
  Ref<ShapeStructInfoNode> shape = ShapeArg(call, 0);
  return MakeTensor(shape->values, shape->ndim, DtypeAttr(call, "dtype"));
}

StructInfo InferFullLike(const CallNode* call) {
  CheckNumArgs(call, 1);
  TensorRef x = TensorArg(call, 0);
  DataType dtype = OptionalDtypeAttr(call, "dtype");
  return WithDtype(x, dtype.is_void() ? x->dtype : dtype);
}

Ref<PrimStructInfoNode> ScalarArg(const CallNode* call, size_t i) {
  StructInfo s = ArgSInfo(call, i);
  Ref<PrimStructInfoNode> p = s.As<PrimStructInfoNode>();
  KILN_CHECK(p) << OpName(call) << ": argument '" << ArgName(call, i) << "' must be a scalar, got " << SInfoKind(s);
  return p;
}

// The number of elements of arange, or an empty PrimExpr when not known.
PrimExpr ArangeLength(const CallNode* call, const PrimExpr& start, const PrimExpr& end, const PrimExpr& step) {
  const int64_t* s = tir::AsConstInt(step);
  const tir::FloatImmNode* fs = step.as<tir::FloatImmNode>();
  KILN_CHECK(!(s && *s == 0) && !(fs && fs->value == 0)) << OpName(call) << ": step must not be 0";
  auto as_double = [](const PrimExpr& e) -> std::optional<double> {
    if (const int64_t* v = tir::AsConstInt(e)) return static_cast<double>(*v);
    if (const tir::FloatImmNode* f = e.as<tir::FloatImmNode>()) return f->value;
    return std::nullopt;
  };
  auto b = as_double(start), e = as_double(end), st = as_double(step);
  if (b && e && st) return static_cast<int64_t>(std::max(0.0, std::ceil((*e - *b) / *st)));
  bool ints = start.dtype().is_int() && end.dtype().is_int() && start.dtype() == end.dtype();
  if (!ints || !s || *s < 0) return PrimExpr();
  PrimExpr span = tir::AsConstInt(start) ? AddConst(end, -*tir::AsConstInt(start)) : end - start;
  return *s == 1 ? span : tir::floordiv(AddConst(span, *s - 1), PrimExpr(*s));
}

StructInfo InferArange(const CallNode* call) {
  CheckNumArgs(call, 3);
  std::vector<Ref<PrimStructInfoNode>> bounds;
  bool all_int = true;
  for (size_t i = 0; i < 3; ++i) {
    bounds.push_back(ScalarArg(call, i));
    all_int = all_int && bounds.back()->dtype.is_int();
  }
  DataType dtype = OptionalDtypeAttr(call, "dtype");
  if (dtype.is_void()) dtype = all_int ? DataType::Int(64) : DataType::Float(32);
  if (!bounds[0]->value || !bounds[1]->value || !bounds[2]->value) return TensorSInfoOfRank(1, dtype);
  PrimExpr length = ArangeLength(call, bounds[0]->value, bounds[1]->value, bounds[2]->value);
  return length ? TensorSInfo({length}, dtype) : TensorSInfoOfRank(1, dtype);
}

StructInfo InferTriangle(const CallNode* call) {
  CheckNumArgs(call, 1);
  TensorRef x = TensorArg(call, 0);
  KILN_CHECK(x->ndim < 0 || x->ndim >= 2)
      << OpName(call) << ": argument 'x' must have rank 2 or more, got rank " << x->ndim;
  IntAttr(call, "k");
  return x;
}

// ---- legalization ----

// `value` as a constant of `dtype`: truncated for integers, `value != 0`
// for bool (as NumPy's full does).
PrimExpr FillConst(DataType dtype, double value) {
  return dtype.is_bool() ? tir::Bool(value != 0) : tir::MakeConst(dtype, value);
}

// out[i...] = f(i...) over the result's shape, reading no tensor.
Expr LegalizeCreate(BlockBuilder& bb, const CallNode* call, const std::string& name_hint, const tir::te::FCompute& f) {
  std::vector<PrimExpr> shape = OutputShape(call);
  return CallTEOn(bb, call, name_hint, {},
                  [&](const std::vector<tir::te::Tensor>&) { return tir::te::compute(shape, f, name_hint); });
}

// zeros, ones, full and their *_like forms: every element is one constant.
FLegalize LegalizeFill(std::string name_hint, std::optional<double> fill) {
  return [name_hint, fill](BlockBuilder& bb, const CallNode* call) {
    PrimExpr value = FillConst(OutputDType(call), fill ? *fill : FloatAttr(call, "fill_value"));
    return LegalizeCreate(bb, call, name_hint, [&](const std::vector<tir::Var>&) { return value; });
  };
}

// Raises unless every variable of `e` is one the PrimFunc gets (a variable
// of the result's shape).
void CheckBoundVars(const CallNode* call, const PrimExpr& e, const std::vector<PrimExpr>& shape) {
  tir::PreOrderVisit(e, [&](const PrimExpr& x) {
    const auto* v = x.as<tir::VarNode>();
    if (!v) return;
    bool found = false;
    for (const PrimExpr& d : shape) tir::PreOrderVisit(d, [&](const PrimExpr& y) { found |= y.get() == v; });
    KILN_CHECK(found) << OpName(call) << ": cannot legalize a bound (" << DimString(e)
                      << ") whose variables do not appear in the result's length " << DimString(shape[0]);
  });
}

// arange: out[i] = start + i * step, in int64 when the bounds and the result
// are integers, else in float64, then cast to the result's dtype.
Expr LegalizeArange(BlockBuilder& bb, const CallNode* call) {
  std::vector<PrimExpr> shape = OutputShape(call);
  DataType dtype = OutputDType(call);
  PrimExpr start = ScalarArg(call, 0)->value, step = ScalarArg(call, 2)->value;
  KILN_ICHECK(start && step) << OpName(call) << ": a known length needs known bounds";
  CheckBoundVars(call, start, shape);
  CheckBoundVars(call, step, shape);
  bool ints = dtype.is_int() && start.dtype().is_int() && step.dtype().is_int();
  DataType work = ints ? DataType::Int(64) : DataType::Float(64);
  return LegalizeCreate(bb, call, "arange", [&](const std::vector<tir::Var>& i) {
    return CastTo(dtype, CastTo(work, start) + CastTo(work, i[0]) * CastTo(work, step));
  });
}

// tril keeps x[..., i, j] where j - i <= k, triu where j - i >= k; other
// elements are 0.
FLegalize LegalizeTriangle(std::string name_hint, bool lower) {
  return [name_hint, lower](BlockBuilder& bb, const CallNode* call) {
    int64_t k = IntAttr(call, "k");
    return CallTE(bb, call, name_hint, [&](const std::vector<tir::te::Tensor>& in) {
      const tir::te::Tensor& x = in[0];
      return tir::te::compute(
          x.shape(),
          [&](const std::vector<tir::Var>& i) {
            PrimExpr row = i[i.size() - 2], col = i.back();
            PrimExpr diag = col - row;
            PrimExpr kk = tir::IntImm(diag.dtype(), k);
            PrimExpr keep = lower ? diag <= kk : diag >= kk;
            return tir::Select(keep, x[i], tir::MakeConst(x.dtype(), 0));
          },
          name_hint);
    });
  };
}

// ---- registration ----

// `fill` is the value of every element, or none to read 'fill_value'.
void RegisterFull(const std::string& name, const std::string& doc, std::optional<double> fill) {
  OpRegistration reg = RegisterOp(name).Describe(doc).Args({"shape"});
  if (!fill) reg.Attr("fill_value", AttrKind::kFloat, {}, "the value of every element");
  reg.Attr("dtype", AttrKind::kDataType, DataType::Float(32), "dtype of the result")
      .Pattern(OpPattern::kInjective)
      .InferStructInfo(InferFull)
      .Legalize(LegalizeFill(KernelName(name), fill));
}

void RegisterFullLike(const std::string& name, const std::string& doc, std::optional<double> fill) {
  OpRegistration reg = RegisterOp(name).Describe(doc).Args({"x"});
  if (!fill) reg.Attr("fill_value", AttrKind::kFloat, {}, "the value of every element");
  reg.Attr("dtype", AttrKind::kString, "", "dtype of the result (\"\": x's dtype)")
      .Pattern(OpPattern::kElementwise)
      .InferStructInfo(InferFullLike)
      .Legalize(LegalizeFill(KernelName(name), fill));
}

void RegisterTriangle(const std::string& name, const std::string& doc, bool lower) {
  RegisterOp(name)
      .Describe(doc)
      .Args({"x"})
      .Attr("k", AttrKind::kInt, 0, "the diagonal: 0 main, positive above, negative below")
      .Pattern(OpPattern::kInjective)
      .InferStructInfo(InferTriangle)
      .Legalize(LegalizeTriangle(KernelName(name), lower));
}

[[maybe_unused]] const bool kRegistered = [] {
  RegisterFull("relax.zeros", "a tensor of zeros", 0.0);
  RegisterFull("relax.ones", "a tensor of ones", 1.0);
  RegisterFull("relax.full", "a tensor filled with one value", std::nullopt);
  RegisterFullLike("relax.zeros_like", "zeros of x's shape", 0.0);
  RegisterFullLike("relax.ones_like", "ones of x's shape", 1.0);
  RegisterFullLike("relax.full_like", "one value in x's shape", std::nullopt);
  RegisterOp("relax.arange")
      .Describe("start, start + step, ... below end")
      .Args({"start", "end", "step"})
      .Attr("dtype", AttrKind::kString, "", "dtype of the result (\"\": int64 for integer bounds, else float32)")
      .Pattern(OpPattern::kInjective)
      .InferStructInfo(InferArange)
      .Legalize(LegalizeArange);
  RegisterTriangle("relax.tril", "zeroes the elements above the k-th diagonal", true);
  RegisterTriangle("relax.triu", "zeroes the elements below the k-th diagonal", false);
  return true;
}();
}  // namespace

namespace op {
Expr zeros(Expr shape, DataType dtype) {
  return MakeOpCall("relax.zeros", {std::move(shape)}, {{"dtype", dtype}});
}
Expr ones(Expr shape, DataType dtype) {
  return MakeOpCall("relax.ones", {std::move(shape)}, {{"dtype", dtype}});
}
Expr full(Expr shape, double fill_value, DataType dtype) {
  return MakeOpCall("relax.full", {std::move(shape)}, {{"fill_value", fill_value}, {"dtype", dtype}});
}
Expr zeros(std::vector<tir::PrimExpr> shape, DataType dtype) {
  return zeros(MakeShapeExpr(std::move(shape)), dtype);
}
Expr ones(std::vector<tir::PrimExpr> shape, DataType dtype) {
  return ones(MakeShapeExpr(std::move(shape)), dtype);
}
Expr full(std::vector<tir::PrimExpr> shape, double fill_value, DataType dtype) {
  return full(MakeShapeExpr(std::move(shape)), fill_value, dtype);
}
Expr zeros_like(Expr x, DataType dtype) {
  return MakeOpCall("relax.zeros_like", {std::move(x)}, {{"dtype", OptionalDtypeAny(dtype)}});
}
Expr ones_like(Expr x, DataType dtype) {
  return MakeOpCall("relax.ones_like", {std::move(x)}, {{"dtype", OptionalDtypeAny(dtype)}});
}
Expr full_like(Expr x, double fill_value, DataType dtype) {
  return MakeOpCall("relax.full_like", {std::move(x)},
                    {{"fill_value", fill_value}, {"dtype", OptionalDtypeAny(dtype)}});
}
Expr arange(tir::PrimExpr start, tir::PrimExpr end, tir::PrimExpr step, DataType dtype) {
  return MakeOpCall("relax.arange", {MakePrimValue(start), MakePrimValue(end), MakePrimValue(step)},
                    {{"dtype", OptionalDtypeAny(dtype)}});
}
Expr arange(tir::PrimExpr end) {
  return arange(int64_t{0}, std::move(end));
}
Expr tril(Expr x, int64_t k) {
  return MakeOpCall("relax.tril", {std::move(x)}, {{"k", k}});
}
Expr triu(Expr x, int64_t k) {
  return MakeOpCall("relax.triu", {std::move(x)}, {{"k", k}});
}
}  // namespace op

}  // namespace kiln::relax
