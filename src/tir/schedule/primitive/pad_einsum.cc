// pad_einsum: rounds the iteration extents of an einsum-like block up to
// multiples of given paddings, so that tiles divide them evenly.
//
//   C[i, j] += A[i, k] * B[k, j]   over 127 x 127 x 127, padded to 128:
//   A_pad[i, k] = k < 127 && i < 127 ? A[i, k] : 0        (block "A_pad")
//   B_pad[k, j] = ...                                       (block "B_pad")
//   C_pad[i, j] += A_pad[i, k] * B_pad[k, j]  over 128^3    (block "C")
//   C[i, j] = C_pad[i, j]  over 127 x 127                  (block "C_crop")
//
// Every access of the block must index with iteration variables or
// constants, one index pattern per buffer. Padded spatial iterations compute
// values that the crop drops. Padded reduction iterations must add nothing:
// the reduction must be a sum whose value is a product with a factor read
// from an input that the padding fills with zeros there.
#include <algorithm>
#include <unordered_map>

#include "../analysis.h"
#include "../analysis_reducer.h"
#include "../primitives.h"
#include "kiln/tir/functor.h"
#include "kiln/tir/intrinsics.h"
#include "kiln/tir/printer.h"
#include "kiln/tir/structural_equal.h"

namespace kiln::tir::schedule {
namespace {

constexpr const char* kPad = "pad_einsum";

// An iteration variable whose extent grows.
struct PaddedIter {
  int64_t extent, padded;
};

// A buffer of the einsum and where the block accesses it.
struct Operand {
  Buffer buffer;
  std::vector<PrimExpr> indices;  // iteration variables or constants
  Buffer padded;                  // empty when no index is padded
};

struct Einsum {
  const BlockNode* block = nullptr;
  std::unordered_map<const VarNode*, const IterVar*> iters;
  std::unordered_map<const VarNode*, PaddedIter> padded;  // by iteration variable
  Operand output;
  std::vector<Operand> inputs;
};

std::string Access(const Buffer& buffer, const std::vector<PrimExpr>& indices) {
  return ToText(BufferLoad(buffer, indices));
}

// ---- Checks -------------------------------------------------------------------

void CheckPadding(const BlockNode* block, const std::vector<int64_t>& padding) {
  KILN_SCHEDULE_CHECK(padding.size() == block->iter_vars.size(), kPad)
      << "block '" << block->name << "' has " << block->iter_vars.size() << " iteration variables but "
      << padding.size() << " paddings were given";
  for (size_t i = 0; i < padding.size(); ++i) {
    KILN_SCHEDULE_CHECK(padding[i] >= 1, kPad)
        << "the padding " << padding[i] << " of iteration variable '" << block->iter_vars[i].var.name()
        << "' of block '" << block->name << "' is not positive";
  }
}

// The iteration variables whose extent is not a multiple of its padding.
std::unordered_map<const VarNode*, PaddedIter> PaddedIters(const BlockNode* block,
                                                           const std::vector<int64_t>& padding) {
  std::unordered_map<const VarNode*, PaddedIter> out;
  for (size_t i = 0; i < padding.size(); ++i) {
    if (padding[i] == 1) continue;
    const IterVar& iv = block->iter_vars[i];
    auto extent = ConstIntValue(iv.dom.extent);
    KILN_SCHEDULE_CHECK(extent, kPad) << "iteration variable '" << iv.var.name() << "' of block '" << block->name
                                      << "' has extent " << ToText(iv.dom.extent)
                                      << ", not a constant; pad_einsum pads constant extents";
    int64_t padded = (*extent + padding[i] - 1) / padding[i] * padding[i];
    if (padded != *extent) out[iv.var.get()] = PaddedIter{*extent, padded};
  }
  return out;
}

// An index of an einsum access: an iteration variable of the block starting
// at 0, or a constant.
void CheckIndex(const Einsum& e, const PrimExpr& index, const std::string& access) {
  if (ConstIntValue(index)) return;
  const auto* v = index.as<VarNode>();
  auto it = v ? e.iters.find(v) : e.iters.end();
  KILN_SCHEDULE_CHECK(it != e.iters.end(), kPad)
      << "block '" << e.block->name << "' accesses '" << access << "', whose index " << ToText(index)
      << " is not an iteration variable or a constant; pad_einsum pads einsum-like blocks only";
  auto min = ConstIntValue(it->second->dom.min);
  KILN_SCHEDULE_CHECK(min && *min == 0, kPad) << "iteration variable '" << v->name << "' of block '" << e.block->name
                                              << "' starts at " << ToText(it->second->dom.min) << ", not 0";
}

// The loads of the block's value, one index pattern per buffer.
void CollectInputs(Einsum& e, const PrimExpr& value) {
  std::vector<const BufferLoadNode*> loads;
  PreOrderVisit(value, [&](const PrimExpr& x) {
    if (const auto* load = x.as<BufferLoadNode>()) loads.push_back(load);
  });
  for (const BufferLoadNode* load : loads) {
    if (load->buffer.get() == e.output.buffer.get()) continue;  // the accumulator (checked by the caller)
    std::string access = Access(load->buffer, load->indices);
    for (const PrimExpr& index : load->indices) CheckIndex(e, index, access);
    auto same = std::find_if(e.inputs.begin(), e.inputs.end(),
                             [&](const Operand& o) { return o.buffer.get() == load->buffer.get(); });
    if (same == e.inputs.end()) {
      e.inputs.push_back(Operand{load->buffer, load->indices, Buffer()});
      continue;
    }
    bool equal = true;
    for (size_t d = 0; d < load->indices.size(); ++d) equal &= StructuralEqual(load->indices[d], same->indices[d]);
    KILN_SCHEDULE_CHECK(equal, kPad) << "block '" << e.block->name << "' reads buffer '" << load->buffer->name
                                     << "' at '" << Access(same->buffer, same->indices) << "' and at '" << access
                                     << "'; pad_einsum needs one index pattern per buffer";
  }
}

// The einsum form of the block: out[spatial vars] = value (or a reduction into it).
Einsum ExtractEinsum(const BlockNode* block, std::unordered_map<const VarNode*, PaddedIter> padded) {
  Einsum e;
  e.block = block;
  e.padded = std::move(padded);
  for (const IterVar& iv : block->iter_vars) e.iters[iv.var.get()] = &iv;
  const auto* store = block->body.as<BufferStoreNode>();
  KILN_SCHEDULE_CHECK(store, kPad) << "the body of block '" << block->name
                                   << "' is not a single store; pad_einsum pads einsum-like blocks only";
  e.output = Operand{store->buffer, store->indices, Buffer()};
  std::string out = Access(store->buffer, store->indices);
  for (const PrimExpr& index : store->indices) {
    CheckIndex(e, index, out);
    const auto* v = index.as<VarNode>();
    KILN_SCHEDULE_CHECK(!v || e.iters.at(v)->kind == IterKind::kSpatial, kPad)
        << "block '" << block->name << "' writes '" << out << "' at its reduction variable '" << v->name << "'";
  }
  PrimExpr value = store->value;
  if (block->init) {
    value = MatchReduction(block, kPad).value;
  } else {
    KILN_SCHEDULE_CHECK(!HasReduceIter(block), kPad)
        << "block '" << block->name << "' has reduction variables but no init (a decomposed reduction); "
        << "pad it before decompose_reduction";
    bool reads_output = false;
    PreOrderVisit(value, [&](const PrimExpr& x) {
      const auto* load = x.as<BufferLoadNode>();
      reads_output |= load && load->buffer.get() == store->buffer.get();
    });
    KILN_SCHEDULE_CHECK(!reads_output, kPad)
        << "block '" << block->name << "' reads its output buffer '" << store->buffer->name << "'";
  }
  CollectInputs(e, value);
  return e;
}

bool IndexedBy(const std::vector<PrimExpr>& indices, const VarNode* v) {
  return std::any_of(indices.begin(), indices.end(), [&](const PrimExpr& i) { return i.get() == v; });
}

// `value` is 0 wherever the padded input read at `v` is: a product with such
// a read (or a cast of one) among its factors.
bool ZeroWhenPadded(const Einsum& e, const PrimExpr& value, const VarNode* v) {
  if (const auto* load = value.as<BufferLoadNode>()) {
    return load->buffer.get() != e.output.buffer.get() && IndexedBy(load->indices, v);
  }
  if (const auto* cast = value.as<CastNode>()) return ZeroWhenPadded(e, cast->value, v);
  const auto* mul = value.as<BinaryNode>();
  return mul && mul->op == BinaryOp::kMul && (ZeroWhenPadded(e, mul->a, v) || ZeroWhenPadded(e, mul->b, v));
}

// Padded spatial variables must index the output (their extra iterations then
// write only what the crop drops); padded reduction variables must add 0.
void CheckPaddedIters(const Einsum& e) {
  for (const IterVar& iv : e.block->iter_vars) {
    if (!e.padded.count(iv.var.get())) continue;
    if (iv.kind == IterKind::kSpatial) {
      KILN_SCHEDULE_CHECK(IndexedBy(e.output.indices, iv.var.get()), kPad)
          << "spatial variable '" << iv.var.name() << "' of block '" << e.block->name << "' does not index its output '"
          << Access(e.output.buffer, e.output.indices) << "'; its padded iterations would overwrite it";
      continue;
    }
    ReductionForm form = MatchReduction(e.block, kPad);
    KILN_SCHEDULE_CHECK(form.kind == ReducerKind::kSum, kPad)
        << "block '" << e.block->name << "' reduces with '" << ReducerName(form.kind)
        << "', whose identity is not 0; pad_einsum pads the reduction variables of sums only";
    KILN_SCHEDULE_CHECK(ZeroWhenPadded(e, form.value, iv.var.get()), kPad)
        << "block '" << e.block->name << "' adds '" << ToText(form.value) << "', which is not a product with a "
        << "factor read at '" << iv.var.name() << "'; its padded reduction steps would not add 0";
  }
}

// The loops to lengthen (by variable), each bound alone to a padded variable.
std::unordered_map<const VarNode*, int64_t> PaddedLoops(const Einsum& e, const std::vector<const ForNode*>& loops) {
  std::unordered_map<const VarNode*, int64_t> out;
  for (const IterVar& iv : e.block->iter_vars) {
    auto it = e.padded.find(iv.var.get());
    if (it == e.padded.end()) continue;
    const auto* lv = iv.binding.as<VarNode>();
    auto loop = std::find_if(loops.begin(), loops.end(), [&](const ForNode* l) { return l->loop_var.get() == lv; });
    bool own =
        loop != loops.end() && ConstIntValue((*loop)->min) == 0 && ConstIntValue((*loop)->extent) == it->second.extent;
    for (const IterVar& other : e.block->iter_vars) {
      bool uses = false;
      PreOrderVisit(other.binding, [&](const PrimExpr& x) { uses |= x.get() == lv; });
      own &= &other == &iv || !uses;
    }
    KILN_SCHEDULE_CHECK(own, kPad) << "iteration variable '" << iv.var.name() << "' of block '" << e.block->name
                                   << "' is bound to " << ToText(iv.binding) << ", not to a loop of its own over [0, "
                                   << it->second.extent << "); pad_einsum pads before loops are split or fused";
    out[lv] = it->second.padded;
  }
  return out;
}

// ---- Rewriting ------------------------------------------------------------------

// The shape of a padded operand: padded extents for iteration variables,
// the buffer's own dimension for constants.
std::vector<PrimExpr> PaddedShape(const Einsum& e, const Operand& o) {
  std::vector<PrimExpr> shape;
  for (size_t d = 0; d < o.indices.size(); ++d) {
    const auto* v = o.indices[d].as<VarNode>();
    if (!v) {
      shape.push_back(o.buffer->shape[d]);
      continue;
    }
    auto it = e.padded.find(v);
    const PrimExpr& extent = e.iters.at(v)->dom.extent;
    shape.push_back(it == e.padded.end() ? extent : IntImm(extent.dtype(), it->second.padded));
  }
  return shape;
}

bool NeedsPadding(const Einsum& e, const Operand& o) {
  return std::any_of(o.indices.begin(), o.indices.end(),
                     [&](const PrimExpr& i) { return e.padded.count(i.as<VarNode>()) > 0; });
}

// A copy block over `extents` (one spatial variable and loop per entry);
// `make` builds its body from the variables.
Stmt CopyNest(const std::string& name, const std::vector<PrimExpr>& extents,
              const std::function<Stmt(const std::vector<Var>&)>& make) {
  std::vector<Var> loops, vars;
  std::vector<IterVar> iters;
  for (size_t d = 0; d < extents.size(); ++d) {
    DataType t = extents[d].dtype();
    loops.push_back(Var("i" + std::to_string(d), t));
    vars.push_back(Var("v_i" + std::to_string(d), t));
    iters.push_back(IterVar{vars.back(), Range{IntImm(t, 0), extents[d]}, IterKind::kSpatial, loops.back()});
  }
  BlockSpec spec{name, iters, {}, {}, Stmt(), make(vars), {}, PrimExpr(), {}, {}};
  AccessRegions regions = InferAccessRegions(spec);
  spec.reads = regions.reads;
  spec.writes = regions.writes;
  Stmt nest = Block(std::move(spec));
  for (size_t d = extents.size(); d-- > 0;) {
    nest = For(loops[d], IntImm(extents[d].dtype(), 0), extents[d], ForKind::kSerial, nest);
  }
  return nest;
}

// X_pad[v] = (v within the original extents) ? X[v] : 0.
Stmt PadCopy(const Einsum& e, const Operand& in, const std::string& name) {
  return CopyNest(name, in.padded->shape, [&](const std::vector<Var>& v) {
    PrimExpr cond;
    for (size_t d = 0; d < v.size(); ++d) {
      auto it = e.padded.find(in.indices[d].as<VarNode>());
      if (it == e.padded.end()) continue;
      PrimExpr c = v[d] < IntImm(v[d].dtype(), it->second.extent);
      cond = cond ? logical_and(cond, c) : c;
    }
    std::vector<PrimExpr> idx(v.begin(), v.end());
    PrimExpr zero = MakeConst(in.buffer->dtype, 0);
    return BufferStore(in.padded, if_then_else(cond, BufferLoad(in.buffer, idx), zero), idx);
  });
}

// Y[v] = Y_pad[v] over the original extents (constant indices stay as they are).
Stmt CropCopy(const Einsum& e, const std::string& name) {
  const Operand& out = e.output;
  std::vector<PrimExpr> extents;
  for (const PrimExpr& index : out.indices) {
    if (const auto* v = index.as<VarNode>()) extents.push_back(e.iters.at(v)->dom.extent);
  }
  return CopyNest(name, extents, [&](const std::vector<Var>& v) {
    std::vector<PrimExpr> idx;
    size_t next = 0;
    for (const PrimExpr& index : out.indices) idx.push_back(index.as<VarNode>() ? PrimExpr(v[next++]) : index);
    return BufferStore(out.buffer, BufferLoad(out.padded, idx), idx);
  });
}

// Reads and writes of the padded buffers instead of the originals.
class BufferSwap : public StmtMutator {
 public:
  explicit BufferSwap(std::unordered_map<const BufferNode*, Buffer> map) : map_(std::move(map)) {}

 protected:
  Buffer VisitBufferUse(const Buffer& buffer) override {
    auto it = map_.find(buffer.get());
    return it == map_.end() ? buffer : it->second;
  }

 private:
  std::unordered_map<const BufferNode*, Buffer> map_;
};

Stmt PaddedBlock(const Einsum& e, const std::unordered_map<const BufferNode*, Buffer>& swap) {
  BlockSpec spec = SpecOf(e.block);
  for (IterVar& iv : spec.iter_vars) {
    auto it = e.padded.find(iv.var.get());
    if (it != e.padded.end()) iv.dom.extent = IntImm(iv.dom.extent.dtype(), it->second.padded);
  }
  BufferSwap mutator(swap);
  spec.body = mutator.VisitStmt(spec.body);
  if (spec.init) spec.init = mutator.VisitStmt(spec.init);
  AccessRegions regions = InferAccessRegions(spec);
  spec.reads = regions.reads;
  spec.writes = regions.writes;
  return Block(std::move(spec));
}

// The loop nest from path[i] down with the padded loops lengthened and the block replaced.
Stmt RebuildNest(const Located& bloc, size_t i, const std::unordered_map<const VarNode*, int64_t>& loops,
                 const Stmt& block) {
  if (i + 1 == bloc.path.size()) return block;
  const ForNode* f = bloc.path[i].as<ForNode>();
  KILN_ICHECK(f) << "pad_einsum: a non-loop statement between the loops";
  Stmt body = RebuildNest(bloc, i + 1, loops, block);
  auto it = loops.find(f->loop_var.get());
  PrimExpr extent = it == loops.end() ? f->extent : IntImm(f->extent.dtype(), it->second);
  return For(f->loop_var, f->min, extent, f->for_kind, body, f->thread_tag, f->annotations, f->span);
}

// The outermost statement of the block's nest: its outermost loop (or the
// block itself), which must hold only loops down to the block.
size_t NestRoot(const Located& bloc) {
  std::vector<const ForNode*> loops = bloc.loops();
  if (loops.empty()) return bloc.path.size() - 1;
  size_t root = 0;
  while (bloc.path[root].get() != loops[0]) ++root;
  const std::string& outer = loops[0]->loop_var.name();
  for (size_t i = root; i + 1 < bloc.path.size(); ++i) {
    KILN_SCHEDULE_CHECK(bloc.path[i].kind() == StmtKind::kFor, kPad)
        << "loop '" << outer << "' around block '" << bloc.block()->name
        << "' holds other statements; pad_einsum needs the block alone in its loop nest";
  }
  return root;
}

}  // namespace

void PadEinsum(ScheduleState& s, const BlockRef& block, const std::vector<int64_t>& padding) {
  Located bloc = s.Find(block, kPad);
  const BlockNode* b = bloc.block();
  CheckPadding(b, padding);
  std::unordered_map<const VarNode*, PaddedIter> padded = PaddedIters(b, padding);
  if (padded.empty()) return;
  const BlockNode* scope = bloc.scope();
  KILN_SCHEDULE_CHECK(scope, kPad) << "block '" << b->name << "' is not inside a block";
  Einsum e = ExtractEinsum(b, std::move(padded));
  CheckPaddedIters(e);
  std::unordered_map<const VarNode*, int64_t> loops = PaddedLoops(e, bloc.loops());
  size_t root = NestRoot(bloc);

  PrimFunc func = s.Func(block.func);
  std::unordered_map<const BufferNode*, Buffer> swap;
  std::vector<Buffer> allocs;
  auto pad = [&](Operand& o) {
    auto taken = [&](const std::string& n) {
      return FindBuffer(func, n) ||
             std::any_of(allocs.begin(), allocs.end(), [&](const Buffer& a) { return a->name == n; });
    };
    std::string name = o.buffer->name + "_pad";
    for (int i = 1; taken(name); ++i) name = o.buffer->name + "_pad_" + std::to_string(i);
    o.padded = DeclBuffer(name, PaddedShape(e, o), o.buffer->dtype, o.buffer->scope);
    swap[o.buffer.get()] = o.padded;
    allocs.push_back(o.padded);
  };
  std::vector<Stmt> seq;
  for (Operand& in : e.inputs) {
    if (!NeedsPadding(e, in)) continue;
    pad(in);
    seq.push_back(PadCopy(e, in, s.UniqueBlockName(block.func, in.padded->name)));
  }
  bool crop = NeedsPadding(e, e.output);
  if (crop) pad(e.output);
  seq.push_back(RebuildNest(bloc, root, loops, PaddedBlock(e, swap)));
  if (crop) seq.push_back(CropCopy(e, s.UniqueBlockName(block.func, e.output.buffer->name + "_crop")));
  std::string scope_name = scope->name;
  s.Replace(block.func, {{bloc.path[root].get(), Seq(std::move(seq))}});
  const BlockNode* new_scope = s.Find(BlockRef{block.func, scope_name}, kPad).block();
  BlockSpec spec = SpecOf(new_scope);
  spec.alloc_buffers.insert(spec.alloc_buffers.end(), allocs.begin(), allocs.end());
  s.Replace(block.func, {{new_scope, Block(std::move(spec))}});
}

}  // namespace kiln::tir::schedule
