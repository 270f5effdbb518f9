// The struct-info algebra: IsBaseOf, the least common ancestor, and maps over
// the tir expressions inside struct info.
#include "kiln/relax/struct_info_analysis.h"

#include "kiln/runtime/error.h"
#include "kiln/tir/arith/expr_order.h"

namespace kiln::relax {

namespace {
using Dims = std::optional<std::vector<tir::PrimExpr>>;

bool SameExprs(const std::vector<tir::PrimExpr>& a, const std::vector<tir::PrimExpr>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!tir::arith::ExprDeepEqual(a[i], b[i])) return false;
  }
  return true;
}
bool DTypeCovers(DataType base, DataType derived) {
  return base.is_void() || base == derived;
}
bool RankCovers(int base, int derived) {
  return base == -1 || base == derived;
}
bool DimsCover(const Dims& base, const Dims& derived) {
  return !base || (derived && SameExprs(*base, *derived));
}

bool FuncIsBaseOf(const FuncStructInfoNode* b, const FuncStructInfoNode* d) {
  if ((b->is_pure && !d->is_pure) || !IsBaseOf(b->ret, d->ret)) return false;
  if (!b->params) return true;
  if (!d->params || d->params->size() != b->params->size()) return false;
  for (size_t i = 0; i < b->params->size(); ++i) {
    if (!IsBaseOf((*d->params)[i], (*b->params)[i])) return false;  // parameters are contravariant
  }
  return true;
}

bool TupleIsBaseOf(const TupleStructInfoNode* b, const TupleStructInfoNode* d) {
  if (b->fields.size() != d->fields.size()) return false;
  for (size_t i = 0; i < b->fields.size(); ++i) {
    if (!IsBaseOf(b->fields[i], d->fields[i])) return false;
  }
  return true;
}
}  // namespace

bool IsBaseOf(const StructInfo& base, const StructInfo& derived) {
  KILN_ICHECK(base && derived) << "IsBaseOf of undefined struct info";
  if (base.As<ObjectStructInfoNode>()) return true;
  if (auto b = base.As<PrimStructInfoNode>()) {
    auto d = derived.As<PrimStructInfoNode>();
    return d && DTypeCovers(b->dtype, d->dtype) &&
           (!b->value || (d->value && tir::arith::ExprDeepEqual(b->value, d->value)));
  }
  if (auto b = base.As<ShapeStructInfoNode>()) {
    auto d = derived.As<ShapeStructInfoNode>();
    return d && RankCovers(b->ndim, d->ndim) && DimsCover(b->values, d->values);
  }
  if (auto b = base.As<TensorStructInfoNode>()) {
    auto d = derived.As<TensorStructInfoNode>();
    return d && DTypeCovers(b->dtype, d->dtype) && RankCovers(b->ndim, d->ndim) && DimsCover(b->shape, d->shape);
  }
  if (auto b = base.As<TupleStructInfoNode>()) {
    auto d = derived.As<TupleStructInfoNode>();
    return d && TupleIsBaseOf(b.get(), d.get());
  }
  if (auto b = base.As<FuncStructInfoNode>()) {
    auto d = derived.As<FuncStructInfoNode>();
    return d && FuncIsBaseOf(b.get(), d.get());
  }
  KILN_ICHECK(false) << "unknown struct info kind " << base->type_key();
  return false;
}

bool StructInfoEqual(const StructInfo& a, const StructInfo& b) {
  return a.get() == b.get() || (IsBaseOf(a, b) && IsBaseOf(b, a));
}

namespace {
StructInfo TensorLCA(const TensorStructInfoNode* a, const TensorStructInfoNode* b) {
  DataType dtype = a->dtype == b->dtype ? a->dtype : DataType();
  if (a->shape && b->shape && SameExprs(*a->shape, *b->shape)) return TensorSInfo(*a->shape, dtype);
  return TensorSInfoOfRank(a->ndim == b->ndim ? a->ndim : -1, dtype);
}

StructInfo TupleLCA(const TupleStructInfoNode* a, const TupleStructInfoNode* b) {
  if (a->fields.size() != b->fields.size()) return ObjectSInfo();
  std::vector<StructInfo> fields;
  for (size_t i = 0; i < a->fields.size(); ++i) fields.push_back(StructInfoLCA(a->fields[i], b->fields[i]));
  return TupleSInfo(std::move(fields));
}

bool SameParams(const FuncStructInfoNode* a, const FuncStructInfoNode* b) {
  if (!a->params || !b->params || a->params->size() != b->params->size()) return false;
  for (size_t i = 0; i < a->params->size(); ++i) {
    if (!StructInfoEqual((*a->params)[i], (*b->params)[i])) return false;
  }
  return true;
}

StructInfo FuncLCA(const FuncStructInfoNode* a, const FuncStructInfoNode* b) {
  StructInfo ret = StructInfoLCA(a->ret, b->ret);
  bool pure = a->is_pure && b->is_pure;
  return SameParams(a, b) ? FuncSInfo(*a->params, ret, pure) : OpaqueFuncSInfo(ret, pure);
}
}  // namespace

StructInfo StructInfoLCA(const StructInfo& a, const StructInfo& b) {
  if (IsBaseOf(a, b)) return a;
  if (IsBaseOf(b, a)) return b;
  if (auto x = a.As<TensorStructInfoNode>(), y = b.As<TensorStructInfoNode>(); x && y)
    return TensorLCA(x.get(), y.get());
  if (auto x = a.As<PrimStructInfoNode>(), y = b.As<PrimStructInfoNode>(); x && y) {
    return PrimSInfo(x->dtype == y->dtype ? x->dtype : DataType());
  }
  if (auto x = a.As<ShapeStructInfoNode>(), y = b.As<ShapeStructInfoNode>(); x && y) {
    return ShapeSInfoOfRank(x->ndim == y->ndim ? x->ndim : -1);
  }
  if (auto x = a.As<TupleStructInfoNode>(), y = b.As<TupleStructInfoNode>(); x && y) return TupleLCA(x.get(), y.get());
  if (auto x = a.As<FuncStructInfoNode>(), y = b.As<FuncStructInfoNode>(); x && y) return FuncLCA(x.get(), y.get());
  return ObjectSInfo();
}

namespace {
using ExprMap = std::function<tir::PrimExpr(const tir::PrimExpr&)>;

// Maps `in` into `out`; true when some expression changed.
bool MapExprs(const std::vector<tir::PrimExpr>& in, const ExprMap& f, std::vector<tir::PrimExpr>* out) {
  bool changed = false;
  for (const tir::PrimExpr& e : in) {
    out->push_back(f(e));
    changed |= out->back().get() != e.get();
  }
  return changed;
}

bool MapInfos(const std::vector<StructInfo>& in, const ExprMap& f, std::vector<StructInfo>* out) {
  bool changed = false;
  for (const StructInfo& s : in) {
    out->push_back(MapStructInfoExprs(s, f));
    changed |= out->back().get() != s.get();
  }
  return changed;
}

StructInfo WithSpan(StructInfo s, const ir::Span& span) {
  s->span = span;
  return s;
}

StructInfo MapFunc(const StructInfo& sinfo, const FuncStructInfoNode* n, const ExprMap& f) {
  StructInfo ret = MapStructInfoExprs(n->ret, f);
  std::vector<StructInfo> params;
  bool changed = (n->params && MapInfos(*n->params, f, &params)) || ret.get() != n->ret.get();
  if (!changed) return sinfo;
  return n->params ? FuncSInfo(params, ret, n->is_pure) : OpaqueFuncSInfo(ret, n->is_pure);
}

StructInfo MapKind(const StructInfo& sinfo, const ExprMap& f) {
  std::vector<tir::PrimExpr> exprs;
  std::vector<StructInfo> infos;
  if (auto n = sinfo.As<PrimStructInfoNode>()) {
    tir::PrimExpr v = n->value ? f(n->value) : n->value;
    return v.get() == n->value.get() ? sinfo : PrimSInfo(n->dtype, v);
  }
  if (auto n = sinfo.As<ShapeStructInfoNode>()) {
    return n->values && MapExprs(*n->values, f, &exprs) ? ShapeSInfo(exprs) : sinfo;
  }
  if (auto n = sinfo.As<TensorStructInfoNode>()) {
    return n->shape && MapExprs(*n->shape, f, &exprs) ? TensorSInfo(exprs, n->dtype) : sinfo;
  }
  if (auto n = sinfo.As<TupleStructInfoNode>()) return MapInfos(n->fields, f, &infos) ? TupleSInfo(infos) : sinfo;
  if (auto n = sinfo.As<FuncStructInfoNode>()) return MapFunc(sinfo, n.get(), f);
  return sinfo;
}
}  // namespace

StructInfo MapStructInfoExprs(const StructInfo& sinfo, const ExprMap& f) {
  if (!sinfo) return sinfo;
  StructInfo out = MapKind(sinfo, f);
  return out.get() == sinfo.get() ? out : WithSpan(out, sinfo->span);
}

void VisitStructInfoExprs(const StructInfo& sinfo, const std::function<void(const tir::PrimExpr&)>& f) {
  MapStructInfoExprs(sinfo, [&f](const tir::PrimExpr& e) {
    f(e);
    return e;
  });
}

}  // namespace kiln::relax
