// set_scope and storage_align: change how a buffer that a block allocates is
// stored, not what it holds. set_scope moves it to another storage scope;
// storage_align pads the stride of one dimension so that it is `offset`
// modulo `factor` (rows that start on aligned addresses, or shared memory
// without bank conflicts), the strides of the outer dimensions following.
// Both replace the buffer everywhere in the function by the changed copy,
// which keeps the data variable, shape and dtype.
#include "../analysis_buffer.h"
#include "../primitives.h"
#include "kiln/tir/printer.h"

namespace kiln::tir::schedule {
namespace {

// The `write_index`-th buffer `block` writes, which a block must allocate
// (a parameter's layout and scope belong to the caller).
Buffer AllocatedWrite(const ScheduleState& s, const Located& loc, int write_index, const char* primitive) {
  Buffer x = BufferAt(loc.block(), true, write_index, "write_index", primitive);
  BufferDef def = FindBufferDef(s.Func(loc.func), x);
  KILN_SCHEDULE_CHECK(!def.is_param, primitive) << "buffer '" << x->name << "' is a parameter of function '" << loc.func
                                                << "'; " << primitive << " changes only buffers that a block allocates";
  KILN_SCHEDULE_CHECK(def.block, primitive)
      << "buffer '" << x->name << "' is not allocated in function '" << loc.func << "'";
  return x;
}

// Replaces `from` by `to` in the whole function body.
void ReplaceEverywhere(ScheduleState& s, const std::string& func, const Buffer& from, const Buffer& to) {
  PrimFunc f = s.Func(func);
  s.Replace(func, {{f->body.get(), ReplaceBuffer(f->body, {from, to, {}, {}})}});
}

// The strides of `buffer` as constants: its explicit ones, or row-major.
std::vector<int64_t> ConstStrides(const Buffer& buffer, const std::vector<int64_t>& shape) {
  std::vector<int64_t> strides(shape.size());
  for (size_t d = shape.size(); d-- > 0;) {
    if (!buffer->strides.empty()) {
      auto v = ConstIntValue(buffer->strides[d]);
      KILN_SCHEDULE_CHECK(v, "storage_align") << "buffer '" << buffer->name << "' has a symbolic stride at axis " << d;
      strides[d] = *v;
    } else {
      strides[d] = d + 1 == shape.size() ? 1 : strides[d + 1] * shape[d + 1];
    }
  }
  return strides;
}

// The constant dimensions of `buffer`; raises on a symbolic one.
std::vector<int64_t> ConstShape(const Buffer& buffer) {
  std::vector<int64_t> shape;
  for (const PrimExpr& d : buffer->shape) {
    auto v = ConstIntValue(d);
    if (!v) {
      std::string text;
      for (const PrimExpr& e : buffer->shape) text += (text.empty() ? "" : ", ") + ToText(e);
      Fail("storage_align", "buffer '" + buffer->name + "' has the symbolic shape (" + text +
                                "); storage_align needs constant dimensions");
    }
    shape.push_back(*v);
  }
  return shape;
}

// TVM's rule, innermost first: stride = product so far, padded at `axis`
// until stride % factor == offset; the dimensions inside `axis` keep their
// strides (an earlier alignment of them stays), those outside follow
// compactly, so they must not be aligned already.
std::vector<int64_t> AlignedStrides(const Buffer& buffer, int axis, int64_t factor, int64_t offset) {
  std::vector<int64_t> shape = ConstShape(buffer);
  std::vector<int64_t> old = ConstStrides(buffer, shape);
  size_t n = shape.size();
  for (size_t d = 0; d + 1 < n; ++d) {
    KILN_SCHEDULE_CHECK(old[d] >= old[d + 1] * shape[d + 1], "storage_align")
        << "buffer '" << buffer->name << "' has strides that are not row-major";
    KILN_SCHEDULE_CHECK(d >= static_cast<size_t>(axis) || old[d] == old[d + 1] * shape[d + 1], "storage_align")
        << "buffer '" << buffer->name << "' is already aligned at axis " << d << ", outside axis " << axis
        << "; align the inner axes first";
  }
  std::vector<int64_t> out = old;
  int64_t stride = static_cast<size_t>(axis) + 1 == n ? 1 : old[axis + 1] * shape[axis + 1];
  stride += (factor + offset - stride % factor) % factor;
  for (int d = axis; d >= 0; --d) {
    out[d] = stride;
    stride *= shape[d];
  }
  return out;
}

}  // namespace

void SetScope(ScheduleState& s, const BlockRef& ref, int write_index, const std::string& scope) {
  Located loc = s.Find(ref, "set_scope");
  Buffer x = AllocatedWrite(s, loc, write_index, "set_scope");
  CheckStorageScope(scope, "set_scope");
  if (x->scope == scope) return;
  ReplaceEverywhere(s, ref.func, x, EditBuffer(x, [&](BufferNode& n) { n.scope = scope; }));
}

void StorageAlign(ScheduleState& s, const BlockRef& ref, int write_index, int axis, int factor, int offset) {
  const char* kPrim = "storage_align";
  Located loc = s.Find(ref, kPrim);
  Buffer x = AllocatedWrite(s, loc, write_index, kPrim);
  int ndim = static_cast<int>(x->shape.size());
  KILN_SCHEDULE_CHECK(axis >= 0 && axis < ndim, kPrim) << "axis " << axis << " is out of range for buffer '" << x->name
                                                       << "' of " << ndim << " dimension" << (ndim == 1 ? "" : "s");
  KILN_SCHEDULE_CHECK(factor > 0, kPrim) << "factor must be positive, not " << factor;
  KILN_SCHEDULE_CHECK(offset >= 0 && offset < factor, kPrim)
      << "offset must be in [0, factor), not " << offset << " with factor " << factor;
  KILN_SCHEDULE_CHECK(!UsesDataPointer(s.Func(ref.func)->body, x), kPrim)
      << "buffer '" << x->name << "' is used through its data pointer; its layout cannot change";
  std::vector<int64_t> strides = AlignedStrides(x, axis, factor, offset);
  // Already so: explicit strides equal to these, or compact ones when these are compact.
  if (strides == ConstStrides(x, ConstShape(x))) return;
  std::vector<PrimExpr> exprs;
  for (size_t d = 0; d < strides.size(); ++d) exprs.push_back(IntImm(x->shape[d].dtype(), strides[d]));
  ReplaceEverywhere(s, ref.func, x, EditBuffer(x, [&](BufferNode& n) { n.strides = exprs; }));
}

}  // namespace kiln::tir::schedule
