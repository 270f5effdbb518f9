// layout_transform: the same elements in another arrangement of the primal
// axes, each axis whole or split into an outer part and a block of inner
// indices ("NCHW" <-> "NCHW16c", "OIHW" -> "OIHW16i16o"). Along an axis A of
// extent E blocked by b, element a sits at (a / b, a % b); an extent that is
// not a multiple of its block is an error (no padding). It legalizes to one
// te gather.
#include "kiln/relax/op/layout.h"

#include <algorithm>

#include "infer_util.h"
#include "kiln/tir/arith/analyzer.h"
#include "legalize_util.h"

namespace kiln::relax {
namespace {
using namespace infer;
using tir::PrimExpr;

struct Layouts {
  BlockedLayout src, dst;
};

Layouts ReadLayouts(const CallNode* call) {
  Layouts l{ParseBlockedLayout(StringAttr(call, "src_layout"), OpName(call) + ": src_layout"),
            ParseBlockedLayout(StringAttr(call, "dst_layout"), OpName(call) + ": dst_layout")};
  std::string a = l.src.Primal(), b = l.dst.Primal();
  std::string sa = a, sb = b;
  std::sort(sa.begin(), sa.end());
  std::sort(sb.begin(), sb.end());
  KILN_CHECK(sa == sb) << OpName(call) << ": src_layout \"" << l.src.text << "\" and dst_layout \"" << l.dst.text
                       << "\" have different axes (" << a << " vs " << b << ")";
  return l;
}

bool Divides(int64_t block, const PrimExpr& extent) {
  if (const int64_t* v = tir::AsConstInt(extent)) return *v % block == 0;
  tir::arith::Analyzer analyzer;
  return analyzer.CanProve(tir::floormod(extent, PrimExpr(block)) == PrimExpr(int64_t{0}));
}

// The extent of each primal axis of x, in the order of src's primal letters.
PrimExpr AxisExtent(const CallNode* call, const BlockedLayout& src, const Dims& d, char axis) {
  PrimExpr extent = d[src.Find(axis)];
  if (int64_t b = src.BlockOf(axis)) {
    const PrimExpr& inner = d[src.Find(axis, true)];
    KILN_CHECK(!DimsDiffer(inner, PrimExpr(b)))
        << OpName(call) << ": the block dim of axis " << axis << " in src_layout \"" << src.text << "\" has size "
        << DimString(inner) << ", expected " << b;
    extent = extent * PrimExpr(b);
  }
  return extent;
}

StructInfo InferLayoutTransform(const CallNode* call) {
  CheckNumArgs(call, 1);
  TensorRef x = TensorArg(call, 0);
  Layouts l = ReadLayouts(call);
  CheckRank(call, 0, x, static_cast<int>(l.src.dims.size()));
  int ndim = static_cast<int>(l.dst.dims.size());
  if (!x->shape) return TensorSInfoOfRank(ndim, x->dtype);
  Dims out;
  for (const LayoutDim& d : l.dst.dims) {
    if (d.block != 0) {
      out.push_back(PrimExpr(d.block));
      continue;
    }
    PrimExpr extent = AxisExtent(call, l.src, *x->shape, d.axis);
    int64_t b = l.dst.BlockOf(d.axis);
    if (b == 0 || b == l.src.BlockOf(d.axis)) {
      out.push_back(b == 0 ? extent : (*x->shape)[l.src.Find(d.axis)]);
      continue;
    }
    KILN_CHECK(Divides(b, extent)) << OpName(call) << ": axis " << d.axis << " has extent " << DimString(extent)
                                   << ", not a multiple of its block " << b << " in dst_layout \"" << l.dst.text
                                   << "\"";
    const int64_t* v = tir::AsConstInt(extent);
    out.push_back(v ? PrimExpr(*v / b) : tir::floordiv(extent, PrimExpr(b)));
  }
  return TensorSInfo(out, x->dtype);
}

// out[i] = x[j]: for each axis the index a of the whole axis from i (outer *
// b + inner when blocked), then split by src's block (the same block maps
// outer to outer and inner to inner).
Expr LegalizeLayoutTransform(BlockBuilder& bb, const CallNode* call) {
  Layouts l = ReadLayouts(call);
  Dims shape = OutputShape(call);
  return CallTE(bb, call, "layout_transform", [&](const std::vector<tir::te::Tensor>& in) {
    return tir::te::compute(
        shape,
        [&](const std::vector<tir::Var>& i) {
          Dims j(l.src.dims.size());
          for (const LayoutDim& d : l.src.dims) {
            if (d.block != 0) continue;
            int so = l.src.Find(d.axis), si = l.src.Find(d.axis, true);
            int dout = l.dst.Find(d.axis), din = l.dst.Find(d.axis, true);
            int64_t sb = l.src.BlockOf(d.axis), db = l.dst.BlockOf(d.axis);
            if (sb == db) {
              j[so] = i[dout];
              if (si >= 0) j[si] = i[din];
              continue;
            }
            PrimExpr a = db ? i[dout] * PrimExpr(db) + i[din] : PrimExpr(i[dout]);
            j[so] = sb ? tir::floordiv(a, PrimExpr(sb)) : a;
            if (si >= 0) j[si] = tir::floormod(a, PrimExpr(sb));
          }
          return in[0][j];
        },
        "layout_transform");
  });
}

[[maybe_unused]] const bool kRegistered = [] {
  RegisterOp("relax.layout_transform")
      .Describe("the same tensor in another layout, axes whole or blocked (NCHW <-> NCHW16c)")
      .Args({"x"})
      .Attr("src_layout", AttrKind::kString, {}, "the layout of x, e.g. \"NCHW\"")
      .Attr("dst_layout", AttrKind::kString, {}, "the layout of the result, e.g. \"NCHW16c\"")
      .Pattern(OpPattern::kInjective)
      .InferStructInfo(InferLayoutTransform)
      .Legalize(LegalizeLayoutTransform);
  return true;
}();
}  // namespace

namespace op {
Expr layout_transform(Expr x, std::string src_layout, std::string dst_layout) {
  return MakeOpCall("relax.layout_transform", {std::move(x)},
                    {{"src_layout", std::move(src_layout)}, {"dst_layout", std::move(dst_layout)}});
}
}  // namespace op

}  // namespace kiln::relax
