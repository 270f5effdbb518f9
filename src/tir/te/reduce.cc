// te reductions: reduce axes, the built-in reducers, and the encoding of a
// reduction as a "te.reduce" call (reduction.h).
#include <cmath>

#include "kiln/runtime/error.h"
#include "kiln/tir/arith/int_math.h"
#include "kiln/tir/functor.h"
#include "reduction.h"

namespace kiln::tir::te {

namespace {
constexpr size_t kFixedArgs = 5;  // acc, x, combined, source, init; then (var, min, extent) per axis

void CheckAxes(const std::vector<ReduceAxis>& axes) {
  KILN_CHECK(!axes.empty()) << "reduction: no reduce axes given";
  for (size_t i = 0; i < axes.size(); ++i) {
    KILN_CHECK(axes[i].var && axes[i].dom.min && axes[i].dom.extent) << "reduction: reduce axis " << i << " is empty";
    for (size_t j = 0; j < i; ++j) {
      KILN_CHECK(axes[j].var.get() != axes[i].var.get())
          << "reduction: reduce axis '" << axes[i].var.name() << "' is given twice";
    }
  }
}
}  // namespace

ReduceAxis reduce_axis(Range dom, std::string name) {
  KILN_CHECK(dom.min && dom.extent) << "reduce axis '" << name << "': the domain is undefined";
  DataType t = dom.extent.dtype();
  KILN_CHECK(t.is_int() && t.lanes() == 1) << "reduce axis '" << name << "': the extent must be an integer, not " << t;
  if (const int64_t* v = AsConstInt(dom.min)) dom.min = IntImm(t, *v);
  KILN_CHECK(dom.min.dtype() == t) << "reduce axis '" << name << "': min of dtype " << dom.min.dtype()
                                   << " and extent of dtype " << t << " (mixed dtypes; cast one)";
  if (const int64_t* e = AsConstInt(dom.extent)) {
    KILN_CHECK(*e >= 0) << "reduce axis '" << name << "': negative extent " << *e;
  }
  return {Var(std::move(name), t), std::move(dom)};
}

PrimExpr reduce(const Reducer& reducer, PrimExpr source, std::vector<ReduceAxis> axes, PrimExpr init) {
  KILN_CHECK(reducer.combine && reducer.identity) << "reduction: the reducer needs a combiner and an identity";
  KILN_CHECK(source) << "reduction: the source is undefined";
  CheckAxes(axes);
  DataType t = source.dtype();
  KILN_CHECK(t.lanes() == 1) << "reduction: the source must be a scalar, not " << t;
  KILN_CHECK(!init || init.dtype() == t) << "reduction: init of dtype " << init.dtype() << " for a source of dtype "
                                         << t << " (mixed dtypes; cast one)";
  Reduction r;
  r.acc = Var("acc", t);
  r.x = Var("x", t);
  r.combined = reducer.combine(r.acc, r.x);
  PrimExpr identity = reducer.identity(t);
  KILN_CHECK(r.combined && r.combined.dtype() == t) << "reduction: the combiner must return a " << t;
  KILN_CHECK(identity && identity.dtype() == t) << "reduction: the identity must be a " << t;
  r.source = std::move(source);
  r.init = init ? std::move(init) : identity;
  r.axes = std::move(axes);
  return EncodeReduction(r);
}

PrimExpr sum(PrimExpr source, std::vector<ReduceAxis> axes, PrimExpr init) {
  Reducer r{[](PrimExpr a, PrimExpr b) { return a + b; }, [](DataType t) { return MakeConst(t, 0); }};
  return reduce(r, std::move(source), std::move(axes), std::move(init));
}
PrimExpr max(PrimExpr source, std::vector<ReduceAxis> axes, PrimExpr init) {
  Reducer r{[](PrimExpr a, PrimExpr b) { return tir::max(a, b); }, min_value};
  return reduce(r, std::move(source), std::move(axes), std::move(init));
}
PrimExpr min(PrimExpr source, std::vector<ReduceAxis> axes, PrimExpr init) {
  Reducer r{[](PrimExpr a, PrimExpr b) { return tir::min(a, b); }, max_value};
  return reduce(r, std::move(source), std::move(axes), std::move(init));
}
PrimExpr prod(PrimExpr source, std::vector<ReduceAxis> axes, PrimExpr init) {
  Reducer r{[](PrimExpr a, PrimExpr b) { return a * b; }, [](DataType t) { return MakeConst(t, 1); }};
  return reduce(r, std::move(source), std::move(axes), std::move(init));
}

PrimExpr min_value(DataType t) {
  KILN_CHECK(t.lanes() == 1 && !t.is_handle()) << "min_value: no smallest value of dtype " << t;
  if (t.is_float()) return FloatImm(t, -INFINITY);
  return IntImm(t, arith::DTypeMin(t));
}
PrimExpr max_value(DataType t) {
  KILN_CHECK(t.lanes() == 1 && !t.is_handle()) << "max_value: no largest value of dtype " << t;
  if (t.is_float()) return FloatImm(t, INFINITY);
  return IntImm(t, arith::DTypeMax(t));
}

PrimExpr Reduction::Combine(const PrimExpr& lhs, const PrimExpr& rhs) const {
  return Substitute(combined, [&](const Var& v) {
    if (v.get() == acc.get()) return lhs;
    return v.get() == x.get() ? rhs : PrimExpr();
  });
}

PrimExpr EncodeReduction(const Reduction& r) {
  const PrimExpr &acc = r.acc, &x = r.x;
  std::vector<PrimExpr> args{acc, x, r.combined, r.source, r.init};
  for (const ReduceAxis& a : r.axes) {
    const PrimExpr& var = a.var;
    args.insert(args.end(), {var, a.dom.min, a.dom.extent});
  }
  return Call(r.source.dtype(), kReduceOp, std::move(args));
}

std::optional<Reduction> DecodeReduction(const PrimExpr& e) {
  const CallNode* call = e.as<CallNode>();
  if (!call || call->op != kReduceOp) return std::nullopt;
  const std::vector<PrimExpr>& a = call->args;
  KILN_ICHECK(a.size() > kFixedArgs && (a.size() - kFixedArgs) % 3 == 0) << "malformed te.reduce";
  Reduction r{Var(a[0]), Var(a[1]), a[2], a[3], a[4], {}};
  for (size_t i = kFixedArgs; i < a.size(); i += 3) r.axes.push_back({Var(a[i]), {a[i + 1], a[i + 2]}});
  return r;
}

}  // namespace kiln::tir::te
