// cache_read and cache_write: stage a buffer through a copy in another
// storage scope. cache_read adds a block that copies a buffer X into a new
// buffer X_<scope>, and the readers after the copy read X_<scope> instead;
// cache_write makes a block write X_<scope> and adds a block right after its
// loop nest that copies X_<scope> back into X. Both copies are plain
// spatial blocks over X's whole shape, and X_<scope> is allocated by the
// block around (the scope: the root block of a te function); compute_at /
// reverse_compute_at then move a copy next to its users, and buffer
// compaction shrinks X_<scope> to what one iteration touches.
#include <optional>
#include <unordered_set>

#include "../analysis.h"
#include "../analysis_buffer.h"
#include "../primitives.h"
#include "kiln/tir/functor.h"
#include "kiln/tir/printer.h"

namespace kiln::tir::schedule {
namespace {

// The statements directly in a scope block's body: its Seq's elements, or
// the body alone.
std::vector<Stmt> Items(const BlockNode* scope) {
  if (const SeqNode* seq = scope->body.as<SeqNode>()) return seq->seq;
  return {scope->body};
}

// The index of the item that holds `block` (at any depth).
size_t ItemOf(const std::vector<Stmt>& items, const BlockNode* block) {
  for (size_t i = 0; i < items.size(); ++i) {
    for (const BlockNode* b : AllBlocks(items[i])) {
      if (b == block) return i;
    }
  }
  KILN_ICHECK(false) << "block '" << block->name << "' is not in the body of its scope";
  return 0;
}

// The name of the last block in `stmt` writing `buffer`, or "a statement".
std::string LastWriterName(const Stmt& stmt, const Buffer& buffer) {
  std::string name;
  for (const BlockNode* b : AllBlocks(stmt)) {
    if (WritesBuffer(b, buffer)) name = "block '" + b->name + "'";
  }
  return name.empty() ? "a statement" : name;
}

// The block `loc` is in, where the new buffer is allocated.
const BlockNode* ScopeOf(const Located& loc, const char* primitive) {
  const BlockNode* scope = loc.scope();
  KILN_SCHEDULE_CHECK(scope, primitive) << "block '" << loc.block()->name
                                        << "' has no enclosing block to allocate the cache in";
  return scope;
}

// The copy touches `buffer` at the scope's level, and the other accesses must
// all be visible: it is a parameter or allocated at the scope or above it,
// and never used through its raw data pointer.
void CheckTrackable(const ScheduleState& s, const Located& loc, const BlockNode* scope, const Buffer& buffer,
                    const char* primitive) {
  PrimFunc f = s.Func(loc.func);
  KILN_SCHEDULE_CHECK(!UsesDataPointer(f->body, buffer), primitive)
      << "buffer '" << buffer->name << "' is used through its data pointer in function '" << loc.func
      << "'; its accesses cannot all be redirected";
  BufferDef def = FindBufferDef(f, buffer);
  if (def.is_param) return;
  for (const Stmt& st : loc.path) {
    if (st.get() == def.block) return;
    if (st.get() == scope) break;
  }
  Fail(primitive,
       "buffer '" + buffer->name + "' is not allocated at or above the block around '" + loc.block()->name + "'");
}

// "A_shared", made unique among the function's buffers.
std::string CacheName(const PrimFunc& f, const Buffer& buffer, const std::string& scope) {
  std::string base = buffer->name + "_" + scope, name = base;
  for (int i = 1; FindBuffer(f, name); ++i) name = base + "_" + std::to_string(i);
  return name;
}

// for ax0, ax1, ... over the shape: block `name` { dst[v0, v1, ...] = src[v0, v1, ...] }.
Stmt CopyNest(const std::string& name, const Buffer& src, const Buffer& dst) {
  const std::vector<PrimExpr>& shape = src->shape;
  BlockSpec spec;
  spec.name = name;
  std::vector<Var> loops;
  std::vector<PrimExpr> index;
  std::vector<Range> region;
  for (size_t d = 0; d < shape.size(); ++d) {
    DataType t = shape[d].dtype();
    Var loop("ax" + std::to_string(d), t), v("v" + std::to_string(d), t);
    loops.push_back(loop);
    spec.iter_vars.push_back(IterVar{v, Range{IntImm(t, 0), shape[d]}, IterKind::kSpatial, loop});
    index.push_back(v);
    region.push_back(Range{v, IntImm(t, 1)});
  }
  spec.reads = {BufferRegion{src, region}};
  spec.writes = {BufferRegion{dst, region}};
  spec.body = BufferStore(dst, BufferLoad(src, index), index);
  Stmt s = Block(std::move(spec));
  for (size_t d = shape.size(); d-- > 0;) {
    s = For(loops[d], IntImm(shape[d].dtype(), 0), shape[d], ForKind::kSerial, s);
  }
  return s;
}

// The scope block with `body` as its statements and `cache` allocated.
Stmt WithCache(const BlockNode* scope, std::vector<Stmt> body, const Buffer& cache) {
  BlockSpec spec = SpecOf(scope);
  spec.body = Seq(std::move(body));
  spec.alloc_buffers.push_back(cache);
  return Block(std::move(spec));
}

// ---- cache_write's preconditions ----

// The indices of every load and store of one buffer (nested blocks included).
class AccessIndices : public StmtVisitor {
 public:
  explicit AccessIndices(const Buffer& buffer) : buffer_(buffer) {}
  std::vector<std::vector<PrimExpr>> loads, stores;

 protected:
  void VisitExpr_(const BufferLoadNode* op) override {
    if (op->buffer.get() == buffer_.get()) loads.push_back(op->indices);
    StmtVisitor::VisitExpr_(op);
  }
  void VisitStmt_(const BufferStoreNode* op) override {
    if (op->buffer.get() == buffer_.get()) stores.push_back(op->indices);
    StmtVisitor::VisitStmt_(op);
  }

 private:
  const Buffer& buffer_;
};

// The block reads what it writes only as a reduction's update: it has an
// init, and each load of the buffer is at an element the block stores.
void CheckReadsOnlyItsUpdate(const BlockNode* block, const Buffer& buffer) {
  AccessIndices acc(buffer);
  acc.VisitStmt(runtime::GetRef<StmtNode>(block));
  if (acc.loads.empty()) return;
  KILN_SCHEDULE_CHECK(block->init, "cache_write")
      << "block '" << block->name << "' reads buffer '" << buffer->name
      << "' as well as writing it, and is not a reduction; the cache would not hold what it reads";
  arith::Analyzer ana;
  for (const std::vector<PrimExpr>& load : acc.loads) {
    bool updates = false;
    for (const std::vector<PrimExpr>& store : acc.stores) {
      bool same = store.size() == load.size();
      for (size_t d = 0; same && d < load.size(); ++d) same = ana.CanProveEqual(load[d], store[d]);
      updates |= same;
    }
    if (updates) continue;
    std::string at;
    for (size_t d = 0; d < load.size(); ++d) at += (d ? ", " : "") + ToText(load[d]);
    Fail("cache_write", "block '" + block->name + "' reads buffer '" + buffer->name + "' at [" + at +
                            "], which is not an element it updates");
  }
}

// No other block of the scope writes the buffer, and none in the block's own
// loop nest reads it (it would run before the copy back).
void CheckSoleAccess(const std::vector<Stmt>& items, size_t at, const BlockNode* block, const Buffer& buffer) {
  for (size_t i = 0; i < items.size(); ++i) {
    if (i == at || !StoresOrWrites(items[i], buffer)) continue;
    Fail("cache_write", "buffer '" + buffer->name + "' is also written by " + LastWriterName(items[i], buffer) +
                            "; block '" + block->name + "' must be its only writer in the scope");
  }
  std::unordered_set<const BlockNode*> inside;
  for (const BlockNode* b : AllBlocks(runtime::GetRef<StmtNode>(block))) inside.insert(b);
  for (const BlockNode* b : AllBlocks(items[at])) {
    if (inside.count(b)) continue;
    KILN_SCHEDULE_CHECK(!WritesBuffer(b, buffer), "cache_write")
        << "buffer '" << buffer->name << "' is also written by block '" << b->name << "'; block '" << block->name
        << "' must be its only writer in the scope";
    KILN_SCHEDULE_CHECK(!ReadsBuffer(b, buffer), "cache_write")
        << "block '" << b->name << "' reads buffer '" << buffer->name << "' inside the loop nest of block '"
        << block->name << "', before the copy back would run";
  }
}

// The block writes every element of the buffer over the loops between it
// and its scope (the copy back covers the whole buffer).
void CheckCoversBuffer(const Located& loc, const Buffer& buffer) {
  const BlockNode* block = loc.block();
  std::vector<std::pair<Var, Range>> dom;
  for (const ForNode* l : loc.loops()) dom.push_back({l->loop_var, Range{l->min, l->extent}});
  auto bind = [&](const PrimExpr& e) {
    return Substitute(e, [&](const Var& v) -> PrimExpr {
      for (const IterVar& iv : block->iter_vars) {
        if (iv.var.get() == v.get()) return iv.binding;
      }
      return PrimExpr();
    });
  };
  arith::Analyzer ana;
  for (const BufferRegion& w : block->writes) {
    if (w.buffer.get() != buffer.get()) continue;
    std::vector<Range> region;
    for (const Range& r : w.region) region.push_back(Range{bind(r.min), bind(r.extent)});
    std::vector<Range> relaxed = RelaxRegion(buffer, region, dom, ana);
    for (size_t d = 0; d < relaxed.size(); ++d) {
      const Range& r = relaxed[d];
      PrimExpr zero = IntImm(r.min.dtype(), 0);
      if (ana.CanProve(r.min <= zero) && ana.CanProve(r.min + r.extent >= buffer->shape[d])) continue;
      Fail("cache_write", "block '" + block->name + "' may not write all of buffer '" + buffer->name + "' (axis " +
                              std::to_string(d) + ": [" + ToText(r.min) + ", " +
                              ToText(ana.Simplify(r.min + r.extent)) + ") of " + ToText(buffer->shape[d]) +
                              "); the copy back covers the whole buffer");
    }
  }
}

}  // namespace

BlockRef CacheRead(ScheduleState& s, const BlockRef& ref, int read_index, const std::string& scope) {
  const char* kPrim = "cache_read";
  Located loc = s.Find(ref, kPrim);
  const BlockNode* block = loc.block();
  Buffer x = BufferAt(block, false, read_index, "read_index", kPrim);
  CheckStorageScope(scope, kPrim);
  KILN_SCHEDULE_CHECK(!WritesBuffer(block, x), kPrim) << "block '" << block->name << "' also writes buffer '" << x->name
                                                      << "'; a buffer that a block updates is staged with cache_write";
  const BlockNode* scope_block = ScopeOf(loc, kPrim);
  CheckTrackable(s, loc, scope_block, x, kPrim);

  // The copy goes right after the last item writing X, else before the
  // first item reading it; the items from there on read the copy.
  std::vector<Stmt> items = Items(scope_block);
  size_t at = ItemOf(items, block);
  std::optional<size_t> last_writer;
  for (size_t i = 0; i < items.size(); ++i) {
    if (StoresOrWrites(items[i], x)) last_writer = i;
  }
  size_t pos = 0;
  if (last_writer) {
    std::string writer = LastWriterName(items[*last_writer], x);
    KILN_SCHEDULE_CHECK(at != *last_writer, kPrim)
        << "block '" << block->name << "' shares a loop nest with " << writer << ", the last writer of buffer '"
        << x->name << "'; the copy cannot go between them";
    KILN_SCHEDULE_CHECK(at > *last_writer, kPrim) << writer << " writes buffer '" << x->name << "' after block '"
                                                  << block->name << "' reads it; the copy goes after the last writer";
    pos = *last_writer + 1;
  } else {
    while (!LoadsOrReads(items[pos], x)) ++pos;
  }

  PrimFunc f = s.Func(ref.func);
  Buffer cache = DeclBuffer(CacheName(f, x, scope), x->shape, x->dtype, scope);
  std::string name = s.UniqueBlockName(ref.func, cache->name);
  std::vector<Stmt> body(items.begin(), items.begin() + static_cast<std::ptrdiff_t>(pos));
  body.push_back(CopyNest(name, x, cache));
  for (size_t i = pos; i < items.size(); ++i) body.push_back(ReplaceBuffer(items[i], {x, cache, {}, {}}));
  s.Replace(ref.func, {{scope_block, WithCache(scope_block, std::move(body), cache)}});
  return {ref.func, name};
}

BlockRef CacheWrite(ScheduleState& s, const BlockRef& ref, int write_index, const std::string& scope) {
  const char* kPrim = "cache_write";
  Located loc = s.Find(ref, kPrim);
  const BlockNode* block = loc.block();
  Buffer x = BufferAt(block, true, write_index, "write_index", kPrim);
  CheckStorageScope(scope, kPrim);
  const BlockNode* scope_block = ScopeOf(loc, kPrim);
  CheckTrackable(s, loc, scope_block, x, kPrim);
  CheckReadsOnlyItsUpdate(block, x);
  std::vector<Stmt> items = Items(scope_block);
  size_t at = ItemOf(items, block);
  CheckSoleAccess(items, at, block, x);
  CheckCoversBuffer(loc, x);

  PrimFunc f = s.Func(ref.func);
  Buffer cache = DeclBuffer(CacheName(f, x, scope), x->shape, x->dtype, scope);
  std::string name = s.UniqueBlockName(ref.func, cache->name);
  std::vector<Stmt> body;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i != at) {
      body.push_back(items[i]);
      continue;
    }
    body.push_back(ReplaceBuffer(items[i], {x, cache, {}, {}}));
    body.push_back(CopyNest(name, cache, x));
  }
  s.Replace(ref.func, {{scope_block, WithCache(scope_block, std::move(body), cache)}});
  return {ref.func, name};
}

}  // namespace kiln::tir::schedule
