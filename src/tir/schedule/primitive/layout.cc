// transform_layout: stores a buffer in the layout an IndexMap gives, e.g.
// (k, n) -> (n // 16, k, n % 16) to pack a weight in panels of 16 columns.
// The buffer gets the mapped shape, every load and store of it in the
// function maps its indices, and every block region of it is mapped (the
// hull of the image). The map must be one-to-one onto the new shape: the
// element counts must be provably equal (no padding), every index must be
// used, and for constant shapes of moderate size every point is checked.
//
// When the buffer is a parameter, the PrimFunc's signature changes: callers
// then pass the array already in the new layout (a packed weight is laid
// out once, ahead of time).
#include <unordered_map>
#include <unordered_set>

#include "../analysis.h"
#include "../analysis_buffer.h"
#include "../primitives.h"
#include "kiln/tir/functor.h"
#include "kiln/tir/printer.h"

namespace kiln::tir::schedule {
namespace {

constexpr const char* kPrim = "transform_layout";
// Constant shapes up to this many elements are checked point by point.
constexpr int64_t kMaxCheckedElements = int64_t{1} << 20;

std::string ShapeText(const std::vector<PrimExpr>& shape) {
  std::string out;
  for (const PrimExpr& d : shape) out += (out.empty() ? "" : ", ") + ToText(d);
  return "(" + out + ")";
}

// The value of an integer index expression at a point, or nullopt for a
// form it does not know (the point-by-point check is then skipped).
std::optional<int64_t> Eval(const PrimExpr& e, const std::unordered_map<const VarNode*, int64_t>& at) {
  if (const int64_t* c = AsConstInt(e)) return *c;
  if (const VarNode* v = e.as<VarNode>()) {
    auto it = at.find(v);
    return it == at.end() ? std::nullopt : std::optional<int64_t>(it->second);
  }
  if (const CastNode* c = e.as<CastNode>()) return c->dtype.is_int() ? Eval(c->value, at) : std::nullopt;
  const BinaryNode* b = e.as<BinaryNode>();
  if (!b) return std::nullopt;
  std::optional<int64_t> x = Eval(b->a, at), y = Eval(b->b, at);
  if (!x || !y) return std::nullopt;
  switch (b->op) {
    case BinaryOp::kAdd: return *x + *y;
    case BinaryOp::kSub: return *x - *y;
    case BinaryOp::kMul: return *x * *y;
    case BinaryOp::kMin: return std::min(*x, *y);
    case BinaryOp::kMax: return std::max(*x, *y);
    default: break;
  }
  if (*y == 0) return std::nullopt;
  switch (b->op) {
    case BinaryOp::kDiv: return *x / *y;
    case BinaryOp::kMod: return *x % *y;
    case BinaryOp::kFloorDiv: return *x / *y - ((*x % *y != 0) && ((*x < 0) != (*y < 0)));
    case BinaryOp::kFloorMod: {
      int64_t m = *x % *y;
      return m != 0 && ((m < 0) != (*y < 0)) ? m + *y : m;
    }
    default: return std::nullopt;
  }
}

// Checks every point of a constant `shape`: its image lies in `new_shape` and
// no two points share one. Skipped for large or symbolic shapes and forms
// Eval does not know.
void CheckPointByPoint(const IndexMap& map, const std::vector<PrimExpr>& shape,
                       const std::vector<PrimExpr>& new_shape) {
  std::vector<int64_t> dims, new_dims;
  int64_t count = 1;
  for (const PrimExpr& d : shape) {
    auto v = ConstIntValue(d);
    if (!v) return;
    dims.push_back(*v);
    count *= *v;
  }
  for (const PrimExpr& d : new_shape) {
    auto v = ConstIntValue(d);
    if (!v) return;
    new_dims.push_back(*v);
  }
  if (count == 0 || count > kMaxCheckedElements) return;
  std::vector<bool> seen(count, false);
  std::vector<int64_t> point(dims.size(), 0);
  std::unordered_map<const VarNode*, int64_t> at;
  for (int64_t n = 0; n < count; ++n) {
    for (size_t d = 0; d < dims.size(); ++d) at[map.src[d].get()] = point[d];
    int64_t flat = 0;
    for (size_t k = 0; k < map.dst.size(); ++k) {
      std::optional<int64_t> v = Eval(map.dst[k], at);
      if (!v) return;
      KILN_ICHECK(*v >= 0 && *v < new_dims[k]) << "index map " << map.ToText() << " leaves the shape MapShape gave";
      flat = flat * new_dims[k] + *v;
    }
    if (seen[flat]) {
      std::string p;
      for (int64_t x : point) p += (p.empty() ? "" : ", ") + std::to_string(x);
      Fail(kPrim, "the index map " + map.ToText() + " is not one-to-one: (" + p + ") goes where another index goes");
    }
    seen[flat] = true;
    for (size_t d = dims.size(); d-- > 0 && ++point[d] == dims[d];) point[d] = 0;
  }
}

// The map's outputs use its indices and nothing else (other variables would
// not survive the trace's text), and use every one of them.
void CheckVariables(const IndexMap& map) {
  for (const PrimExpr& e : map.dst) {
    PreOrderVisit(e, [&](const PrimExpr& x) {
      const VarNode* v = x.as<VarNode>();
      if (!v) return;
      for (const Var& s : map.src) {
        if (s.get() == v) return;
      }
      Fail(kPrim, "the index map " + map.ToText() + " uses '" + v->name + "', which is not one of its indices");
    });
  }
  for (const Var& v : map.src) {
    bool used = false;
    for (const PrimExpr& e : map.dst) PreOrderVisit(e, [&](const PrimExpr& x) { used |= x.get() == v.get(); });
    KILN_SCHEDULE_CHECK(used, kPrim) << "the index map " << map.ToText() << " drops the index '" << v.name()
                                     << "'; it must be one-to-one";
  }
}

PrimExpr ElementCount(const std::vector<PrimExpr>& shape) {
  PrimExpr n = IntImm(DataType::Int(64), 1);
  for (const PrimExpr& d : shape) n = n * (d.dtype() == DataType::Int(64) ? d : Cast(DataType::Int(64), d));
  return n;
}

// The shape of the transformed buffer, after checking the map is one-to-one
// onto it.
std::vector<PrimExpr> CheckedNewShape(const IndexMap& map, const Buffer& buffer) {
  KILN_SCHEDULE_CHECK(map.src.size() == buffer->shape.size(), kPrim)
      << "the index map " << map.ToText() << " takes " << map.src.size()
      << (map.src.size() == 1 ? " index" : " indices") << "; buffer '" << buffer->name << "' has "
      << buffer->shape.size() << " dimensions";
  CheckVariables(map);
  std::vector<PrimExpr> shape;
  try {
    shape = map.MapShape(buffer->shape);
  } catch (const Error& e) {
    Fail(kPrim, e.message());
  }
  arith::Analyzer ana;
  PrimExpr before = ElementCount(buffer->shape), after = ElementCount(shape);
  KILN_SCHEDULE_CHECK(ana.CanProveEqual(before, after), kPrim)
      << "the index map " << map.ToText() << " maps buffer '" << buffer->name << "' of shape "
      << ShapeText(buffer->shape) << " to shape " << ShapeText(shape) << ", whose element count "
      << ToText(ana.Simplify(after)) << " is not provably " << ToText(ana.Simplify(before))
      << " (padding is not supported)";
  CheckPointByPoint(map, buffer->shape, shape);
  return shape;
}

// The hull of a region's image: each dimension of extent other than 1
// becomes min + t with t ranging over the extent.
std::vector<Range> MapRegion(const IndexMap& map, const Buffer& to, const std::vector<Range>& region) {
  std::vector<PrimExpr> points;
  std::vector<std::pair<Var, Range>> dom;
  for (size_t d = 0; d < region.size(); ++d) {
    const Range& r = region[d];
    auto extent = ConstIntValue(r.extent);
    if (extent && *extent == 1) {
      points.push_back(r.min);
      continue;
    }
    Var t("t" + std::to_string(d), r.min.dtype());
    dom.push_back({t, Range{IntImm(r.extent.dtype(), 0), r.extent}});
    points.push_back(r.min + t);
  }
  std::vector<Range> out;
  for (const PrimExpr& p : map.Map(points)) out.push_back(Range{p, IntImm(p.dtype(), 1)});
  if (dom.empty()) return out;
  arith::Analyzer ana;
  return RelaxRegion(to, out, dom, ana);
}

}  // namespace

void TransformLayout(ScheduleState& s, const BlockRef& ref, int buffer_index, bool is_write,
                     const IndexMap& index_map) {
  Located loc = s.Find(ref, kPrim);
  Buffer x = BufferAt(loc.block(), is_write, buffer_index, "buffer_index", kPrim);
  PrimFunc f = s.Func(ref.func);
  KILN_SCHEDULE_CHECK(x->strides.empty(), kPrim)
      << "buffer '" << x->name << "' has explicit strides; transform its layout before storage_align";
  KILN_SCHEDULE_CHECK(!UsesDataPointer(f->body, x), kPrim)
      << "buffer '" << x->name << "' is used through its data pointer; its layout cannot change";
  BufferDef def = FindBufferDef(f, x);
  KILN_SCHEDULE_CHECK(def.is_param || def.block, kPrim)
      << "buffer '" << x->name << "' is not allocated in function '" << ref.func << "'";
  std::vector<PrimExpr> shape = CheckedNewShape(index_map, x);
  Buffer y = EditBuffer(x, [&](BufferNode& n) { n.shape = shape; });
  BufferReplacement r{x, y, [&](const std::vector<PrimExpr>& i) { return index_map.Map(i); },
                      [&](const std::vector<Range>& region) { return MapRegion(index_map, y, region); }};
  Stmt body = ReplaceBuffer(f->body, r);
  std::vector<std::pair<Var, Buffer>> buffer_map = f->buffer_map;
  for (auto& [param, buffer] : buffer_map) {
    if (buffer.get() == x.get()) buffer = y;
  }
  s.SetFunc(ref.func, MakePrimFunc(f->params, buffer_map, body, f->attrs, f->span));
}

}  // namespace kiln::tir::schedule
