// StructuralHasher: a hash of tir that agrees with StructuralComparator. It
// visits fields in the comparator's order; definitions hash by the order in
// which they are defined, free variables by name, never by address.
#include <bit>
#include <cstring>

#include "kiln/tir/structural_equal.h"

namespace kiln::tir {

namespace {
using runtime::Any;

// Tags keep apart nodes of different kinds whose fields hash alike.
enum Tag : uint64_t { kNull = 0x9a3c5e71, kExpr, kStmt, kDef, kUse, kFreeVar, kAttrs, kArray, kObject };

// The finalizer of splitmix64: every input bit affects every output bit.
uint64_t Mix(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Eight bytes per step, so that large constants hash quickly.
uint64_t HashBytes(const std::vector<uint8_t>& bytes) {
  uint64_t h = bytes.size();
  size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    uint64_t word;
    std::memcpy(&word, bytes.data() + i, 8);
    h = std::rotl(h ^ word, 29) * 0x9e3779b97f4a7c15ULL;
  }
  for (; i < bytes.size(); ++i) h = std::rotl(h ^ bytes[i], 29) * 0x9e3779b97f4a7c15ULL;
  return Mix(h);
}

template <typename T>
const T* AsObj(const runtime::ObjectRef& r) {
  return r->IsInstance<T>() ? static_cast<const T*>(r.get()) : nullptr;
}
}  // namespace

uint64_t StructuralHasher::Combine(uint64_t seed, uint64_t value) {
  return Mix(seed ^ (Mix(value) + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2)));
}

uint64_t StructuralHasher::HashString(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a
  for (char c : s) h = (h ^ static_cast<uint8_t>(c)) * 0x100000001b3ULL;
  return Mix(h);
}

uint64_t StructuralHasher::HashDType(DataType t) {
  return (static_cast<uint64_t>(t.code()) << 32) | (static_cast<uint64_t>(t.bits()) << 16) | t.lanes();
}

// ---- definitions and uses ----

uint64_t StructuralHasher::Define(const runtime::Object* def) {
  uint64_t index = next_index_++;
  index_[def] = index;
  return Combine(kDef, index);
}

std::optional<uint64_t> StructuralHasher::Lookup(const runtime::Object* use) const {
  auto it = index_.find(use);
  if (it == index_.end()) return std::nullopt;
  return Combine(kUse, it->second);
}

uint64_t StructuralHasher::DefineVar(const Var& v) {
  return Combine(Combine(HashDType(v.dtype()), v->is_size_var), Define(v.get()));
}

void StructuralHasher::ClearBindings() {
  index_.clear();
  next_index_ = 0;
}

uint64_t StructuralHasher::HashSymbolic(const PrimExpr& e) {
  if (defining_ && e.as<VarNode>() && !index_.count(e.get())) return DefineVar(Var(e));
  return HashExpr(e);
}

// ---- expressions ----

uint64_t StructuralHasher::HashExpr(const PrimExpr& e) {
  if (!e) return kNull;
  uint64_t h = Combine(Combine(kExpr, static_cast<uint64_t>(e.kind())), HashDType(e.dtype()));
  return Combine(h, VisitExpr(e));
}

uint64_t StructuralHasher::HashExprs(uint64_t seed, const std::vector<PrimExpr>& exprs) {
  seed = Combine(seed, exprs.size());
  for (const PrimExpr& e : exprs) seed = Combine(seed, HashExpr(e));
  return seed;
}

uint64_t StructuralHasher::VisitExpr_(const IntImmNode* e) {
  return static_cast<uint64_t>(e->value);
}
uint64_t StructuralHasher::VisitExpr_(const FloatImmNode* e) {
  return std::bit_cast<uint64_t>(e->value);
}
uint64_t StructuralHasher::VisitExpr_(const StringImmNode* e) {
  return HashString(e->value);
}
uint64_t StructuralHasher::VisitExpr_(const VarNode* e) {
  if (std::optional<uint64_t> use = Lookup(e)) return *use;
  if (map_free_vars_) return DefineVar(Var(runtime::GetRef<PrimExprNode>(e)));
  return Combine(kFreeVar, HashString(e->name));
}
uint64_t StructuralHasher::VisitExpr_(const BinaryNode* e) {
  uint64_t h = Combine(static_cast<uint64_t>(e->op), HashExpr(e->a));
  return Combine(h, HashExpr(e->b));
}
uint64_t StructuralHasher::VisitExpr_(const NotNode* e) {
  return HashExpr(e->a);
}
uint64_t StructuralHasher::VisitExpr_(const CastNode* e) {
  return HashExpr(e->value);
}
uint64_t StructuralHasher::VisitExpr_(const SelectNode* e) {
  uint64_t h = Combine(HashExpr(e->condition), HashExpr(e->true_value));
  return Combine(h, HashExpr(e->false_value));
}
uint64_t StructuralHasher::VisitExpr_(const BufferLoadNode* e) {
  return HashExprs(HashBufferUse(e->buffer), e->indices);
}
uint64_t StructuralHasher::VisitExpr_(const CallNode* e) {
  return HashExprs(HashString(e->op), e->args);
}
uint64_t StructuralHasher::VisitExpr_(const RampNode* e) {
  return Combine(HashExpr(e->base), HashExpr(e->stride));
}
uint64_t StructuralHasher::VisitExpr_(const BroadcastNode* e) {
  return HashExpr(e->value);
}
uint64_t StructuralHasher::VisitExpr_(const LetNode* e) {
  uint64_t h = HashExpr(e->value);
  h = Combine(h, DefineVar(e->var));
  return Combine(h, HashExpr(e->body));
}

// ---- buffers ----

uint64_t StructuralHasher::HashDeclaredBuffer(const Buffer& b) {
  uint64_t h = HashBufferFields(b, /*declare=*/true);
  return Combine(h, Define(b.get()));
}

uint64_t StructuralHasher::HashBufferUse(const Buffer& b) {
  if (std::optional<uint64_t> use = Lookup(b.get())) return *use;
  uint64_t h = HashBufferFields(b, /*declare=*/false);
  return Combine(h, Define(b.get()));
}

uint64_t StructuralHasher::HashBufferFields(const Buffer& b, bool declare) {
  uint64_t h = declare ? DefineVar(b->data) : HashExpr(b->data);
  h = Combine(h, HashDType(b->dtype));
  h = Combine(h, b->shape.size());
  for (const PrimExpr& d : b->shape) h = Combine(h, HashSymbolic(d));
  h = Combine(h, b->strides.size());
  for (const PrimExpr& s : b->strides) h = Combine(h, HashSymbolic(s));
  h = Combine(h, HashSymbolic(b->elem_offset));
  h = Combine(h, HashString(b->scope));
  return Combine(h, static_cast<uint64_t>(b->align));
}

uint64_t StructuralHasher::HashRegion(const BufferRegion& r) {
  uint64_t h = Combine(HashBufferUse(r.buffer), r.region.size());
  for (const Range& range : r.region) h = Combine(Combine(h, HashExpr(range.min)), HashExpr(range.extent));
  return h;
}

// ---- statements ----

uint64_t StructuralHasher::HashStmt(const Stmt& s) {
  if (!s) return kNull;
  return Combine(Combine(kStmt, static_cast<uint64_t>(s.kind())), VisitStmt(s));
}

uint64_t StructuralHasher::VisitStmt_(const BufferStoreNode* s) {
  uint64_t h = Combine(HashBufferUse(s->buffer), HashExpr(s->value));
  return HashExprs(h, s->indices);
}
uint64_t StructuralHasher::VisitStmt_(const ForNode* s) {
  uint64_t h = Combine(static_cast<uint64_t>(s->for_kind), HashString(s->thread_tag));
  h = Combine(Combine(h, HashExpr(s->min)), HashExpr(s->extent));
  h = Combine(h, DefineVar(s->loop_var));
  h = Combine(h, HashAttrs(s->annotations));
  return Combine(h, HashStmt(s->body));
}
uint64_t StructuralHasher::VisitStmt_(const WhileNode* s) {
  return Combine(HashExpr(s->condition), HashStmt(s->body));
}
uint64_t StructuralHasher::VisitStmt_(const SeqNode* s) {
  uint64_t h = s->seq.size();
  for (const Stmt& child : s->seq) h = Combine(h, HashStmt(child));
  return h;
}
uint64_t StructuralHasher::VisitStmt_(const IfThenElseNode* s) {
  uint64_t h = Combine(HashExpr(s->condition), HashStmt(s->then_case));
  return Combine(h, HashStmt(s->else_case));
}
uint64_t StructuralHasher::VisitStmt_(const LetStmtNode* s) {
  uint64_t h = HashExpr(s->value);
  h = Combine(h, DefineVar(s->var));
  return Combine(h, HashStmt(s->body));
}
uint64_t StructuralHasher::VisitStmt_(const AllocateNode* s) {
  uint64_t h = HashDeclaredBuffer(s->buffer);
  return Combine(h, HashStmt(s->body));
}
uint64_t StructuralHasher::VisitStmt_(const DeclBufferNode* s) {
  uint64_t h = HashBufferFields(s->buffer, /*declare=*/false);
  h = Combine(h, Define(s->buffer.get()));
  return Combine(h, HashStmt(s->body));
}
uint64_t StructuralHasher::VisitStmt_(const EvaluateNode* s) {
  return HashExpr(s->value);
}
uint64_t StructuralHasher::VisitStmt_(const BlockNode* s) {
  uint64_t h = Combine(HashString(s->name), s->iter_vars.size());
  for (const IterVar& iv : s->iter_vars) {
    h = Combine(h, static_cast<uint64_t>(iv.kind));
    h = Combine(Combine(h, HashExpr(iv.dom.min)), HashExpr(iv.dom.extent));
    h = Combine(h, HashExpr(iv.binding));
    h = Combine(h, DefineVar(iv.var));
  }
  h = Combine(h, s->alloc_buffers.size());
  for (const Buffer& b : s->alloc_buffers) h = Combine(h, HashDeclaredBuffer(b));
  for (const auto* regions : {&s->reads, &s->writes}) {
    h = Combine(h, regions->size());
    for (const BufferRegion& r : *regions) h = Combine(h, HashRegion(r));
  }
  h = Combine(h, HashExpr(s->predicate));
  h = Combine(h, HashStmt(s->init));
  h = Combine(h, HashStmt(s->body));
  return Combine(h, HashAttrs(s->annotations));
}

// ---- functions ----

uint64_t StructuralHasher::HashFunc(const PrimFunc& f) {
  KILN_ICHECK(f) << "hashing an empty PrimFunc";
  uint64_t h = f->params.size();
  for (const Var& p : f->params) h = Combine(h, DefineVar(p));
  h = Combine(h, f->buffer_map.size());
  for (const auto& [param, buffer] : f->buffer_map) {
    DefiningScope defining(this);
    h = Combine(h, HashExpr(param));
    h = Combine(h, HashDeclaredBuffer(buffer));
  }
  h = Combine(h, HashStmt(f->body));
  return Combine(h, HashAttrs(f->attrs));
}

// ---- values ----

uint64_t StructuralHasher::HashAttrs(const ir::Attrs& attrs) {
  uint64_t h = Combine(kAttrs, attrs.size());
  for (const auto& [key, value] : attrs.items()) h = Combine(Combine(h, HashString(key)), HashAny(value));
  return h;
}

uint64_t StructuralHasher::HashAny(const Any& v) {
  uint64_t h = static_cast<uint64_t>(v.kind());
  switch (v.kind()) {
    case Any::Kind::kNone: return h;
    case Any::Kind::kBool:
    case Any::Kind::kInt: return Combine(h, static_cast<uint64_t>(v.AsInt()));
    case Any::Kind::kFloat: return Combine(h, std::bit_cast<uint64_t>(v.AsFloat()));
    case Any::Kind::kDataType: return Combine(h, HashDType(v.AsDataType()));
    case Any::Kind::kDevice: return Combine(h, HashString(v.AsDevice().str()));
    case Any::Kind::kObject: return Combine(h, HashAnyObject(v.AsObject()));
  }
  return h;
}

uint64_t StructuralHasher::HashAnyObject(const runtime::ObjectRef& obj) {
  if (const auto* s = AsObj<runtime::StrObj>(obj)) return HashString(s->value);
  if (const auto* s = AsObj<runtime::ShapeObj>(obj)) {
    uint64_t h = s->dims.size();
    for (int64_t d : s->dims) h = Combine(h, static_cast<uint64_t>(d));
    return h;
  }
  if (const auto* a = AsObj<runtime::ArrayObj>(obj)) {
    uint64_t h = Combine(kArray, a->items.size());
    for (const Any& item : a->items) h = Combine(h, HashAny(item));
    return h;
  }
  if (obj->IsInstance<runtime::NDArrayObj>()) return HashArray(runtime::NDArray(obj.As<runtime::NDArrayObj>()));
  return HashObject(obj);
}

uint64_t StructuralHasher::HashObject(const runtime::ObjectRef& obj) {
  if (obj->IsInstance<PrimExprNode>()) return HashExpr(obj.As<PrimExprNode>());
  if (obj->IsInstance<StmtNode>()) return HashStmt(obj.As<StmtNode>());
  if (obj->IsInstance<BufferNode>()) return HashBufferUse(Buffer(obj.As<BufferNode>()));
  if (obj->IsInstance<PrimFuncNode>()) return HashFunc(PrimFunc(obj.As<PrimFuncNode>()));
  return Combine(kObject, HashString(obj->type_key()));  // compared by identity
}

uint64_t StructuralHasher::HashArray(const runtime::NDArray& array) {
  uint64_t h = Combine(HashDType(array.dtype()), array.shape().size());
  for (int64_t d : array.shape()) h = Combine(h, static_cast<uint64_t>(d));
  return Combine(h, HashBytes(detail::HostBytes(array)));
}

// ---- the public face ----

size_t StructuralHash(const PrimExpr& e, bool map_free_vars) {
  return StructuralHasher(map_free_vars).HashExpr(e);
}
size_t StructuralHash(const Stmt& s, bool map_free_vars) {
  return StructuralHasher(map_free_vars).HashStmt(s);
}
size_t StructuralHash(const Buffer& b, bool map_free_vars) {
  return StructuralHasher(map_free_vars).HashDeclaredBuffer(b);
}
size_t StructuralHash(const PrimFunc& f, bool map_free_vars) {
  return StructuralHasher(map_free_vars).HashFunc(f);
}

}  // namespace kiln::tir
