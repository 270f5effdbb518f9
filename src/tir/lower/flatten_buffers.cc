// FlattenBuffers: multi-dimensional buffer accesses become one-dimensional
// accesses of flat buffers over the same data variables (Allocate and
// DeclBuffer declare the flat buffers); a ramp in one dimension stays a ramp
// of the flat index.
#include <unordered_map>

#include "kiln/runtime/error.h"
#include "kiln/tir/functor.h"
#include "kiln/tir/lower.h"
#include "rewrite.h"

namespace kiln::tir {
namespace {

// `e` with scalar element type `t` (immediates are rebuilt, not cast).
PrimExpr ToType(const PrimExpr& e, DataType t) {
  if (e.dtype().element_of() == t) return e;
  if (const int64_t* v = AsConstInt(e)) return IntImm(t, *v);
  return Cast(t.with_lanes(e.dtype().lanes()), e);
}

// The scalar type of the flat index: the indices' type when everything
// agrees, else int64.
DataType IndexType(const Buffer& b, const std::vector<PrimExpr>& indices) {
  DataType t = indices.empty() ? DataType::Int(64) : indices[0].dtype().element_of();
  auto agrees = [&](const std::vector<PrimExpr>& es) {
    for (const PrimExpr& e : es) {
      if (e.dtype().element_of() != t && !AsConstInt(e)) return false;
    }
    return true;
  };
  return agrees(indices) && agrees(b->shape) && agrees(b->strides) ? t : DataType::Int(64);
}

std::vector<PrimExpr> Strides(const Buffer& b, DataType t) {
  if (!b->strides.empty()) {
    std::vector<PrimExpr> s;
    for (const PrimExpr& e : b->strides) s.push_back(ToType(e, t));
    return s;
  }
  std::vector<PrimExpr> s(b->shape.size());
  PrimExpr acc = IntImm(t, 1);
  for (size_t i = b->shape.size(); i-- > 0;) {
    s[i] = acc;
    acc = acc * ToType(b->shape[i], t);
  }
  return s;
}

// Sum of index * stride, kept in the form Ramp(scalar, stride, lanes) +
// other vector terms so that contiguous vector accesses stay recognisable.
class FlatIndexBuilder {
 public:
  explicit FlatIndexBuilder(DataType t) : t_(t), scalar_(IntImm(t, 0)) {}

  void Add(const PrimExpr& index, const PrimExpr& stride) {
    if (const RampNode* r = index.as<RampNode>()) {
      scalar_ = scalar_ + ToType(r->base, t_) * stride;
      AddLanes(r->lanes);
      PrimExpr s = ToType(r->stride, t_) * stride;
      ramp_stride_ = ramp_stride_ ? ramp_stride_ + s : s;
    } else if (const BroadcastNode* b = index.as<BroadcastNode>()) {
      scalar_ = scalar_ + ToType(b->value, t_) * stride;
      AddLanes(b->lanes);
    } else if (index.dtype().lanes() > 1) {
      AddLanes(index.dtype().lanes());
      PrimExpr term = ToType(index, t_) * Broadcast(stride, lanes_);
      vector_ = vector_ ? vector_ + term : term;
    } else {
      scalar_ = scalar_ + ToType(index, t_) * stride;
    }
  }

  PrimExpr Build() const {
    if (lanes_ == 1) return scalar_;
    PrimExpr base = ramp_stride_ ? Ramp(scalar_, ramp_stride_, lanes_) : Broadcast(scalar_, lanes_);
    return vector_ ? base + vector_ : base;
  }

 private:
  void AddLanes(int lanes) {
    KILN_CHECK(lanes_ == 1 || lanes_ == lanes)
        << "FlattenBuffers: indices of one access have different lanes (" << lanes_ << " and " << lanes << ")";
    lanes_ = lanes;
  }

  DataType t_;
  PrimExpr scalar_, ramp_stride_, vector_;
  int lanes_ = 1;
};

class Flattener : public StmtMutator {
 protected:
  PrimExpr VisitExpr_(const BufferLoadNode* op) override {
    if (IsFlat(op->buffer)) return StmtMutator::VisitExpr_(op);
    std::vector<PrimExpr> indices;
    for (const PrimExpr& i : op->indices) indices.push_back(VisitExpr(i));
    return BufferLoad(Flat(op->buffer), {FlatIndex(op->buffer, indices)}, op->span);
  }

  Stmt VisitStmt_(const BufferStoreNode* op) override {
    if (IsFlat(op->buffer)) return StmtMutator::VisitStmt_(op);
    PrimExpr value = VisitExpr(op->value);
    std::vector<PrimExpr> indices;
    for (const PrimExpr& i : op->indices) indices.push_back(VisitExpr(i));
    return BufferStore(Flat(op->buffer), value, {FlatIndex(op->buffer, indices)}, op->span);
  }

  Stmt VisitStmt_(const AllocateNode* op) override {
    if (IsFlat(op->buffer)) return StmtMutator::VisitStmt_(op);
    return Allocate(Flat(op->buffer), VisitStmt(op->body), op->span);
  }

  // A view flattens like any buffer: its accesses index its data variable
  // at the view's elem_offset and strides.
  Stmt VisitStmt_(const DeclBufferNode* op) override {
    if (IsFlat(op->buffer)) return StmtMutator::VisitStmt_(op);
    return DeclBuffer(Flat(op->buffer), VisitStmt(op->body), op->span);
  }

  Stmt VisitStmt_(const BlockNode* op) override {
    KILN_THROW() << "FlattenBuffers: block '" << op->name << "' must be lowered first (LowerBlocks)";
  }

 private:
  // Already one-dimensional, compact and at offset 0: nothing to do.
  static bool IsFlat(const Buffer& b) {
    const int64_t* offset = AsConstInt(b->elem_offset);
    return b->shape.size() == 1 && b->strides.empty() && offset && *offset == 0;
  }

  // The flat view of `b`: same data variable, dtype, scope and alignment.
  Buffer Flat(const Buffer& b) {
    auto it = flat_.find(b.get());
    if (it != flat_.end()) return it->second;
    DataType t = IndexType(b, {});
    PrimExpr size = IntImm(t, 1);
    if (b->strides.empty()) {
      for (const PrimExpr& d : b->shape) size = size * ToType(d, t);
    } else if (!b->shape.empty()) {
      size = ToType(b->shape[0], t) * ToType(b->strides[0], t);
    }
    auto n = runtime::MakeObject<BufferNode>();
    n->name = b->name;
    n->data = b->data;
    n->dtype = b->dtype;
    n->shape = {size};
    n->elem_offset = IntImm(t, 0);
    n->scope = b->scope;
    n->align = b->align;
    n->span = b->span;
    Buffer flat(n);
    flat_.emplace(b.get(), flat);
    return flat;
  }

  static PrimExpr FlatIndex(const Buffer& b, const std::vector<PrimExpr>& indices) {
    DataType t = IndexType(b, indices);
    std::vector<PrimExpr> strides = Strides(b, t);
    FlatIndexBuilder flat(t);
    flat.Add(ToType(b->elem_offset, t), IntImm(t, 1));
    for (size_t i = 0; i < indices.size(); ++i) flat.Add(indices[i], strides[i]);
    return flat.Build();
  }

  std::unordered_map<const BufferNode*, Buffer> flat_;
};

}  // namespace

PrimFunc FlattenBuffers(const PrimFunc& func) {
  return RewriteBody(func, Flattener());
}

}  // namespace kiln::tir
