// tensorize: replaces what a block computes (the loops inside it around one
// block) by a tensor intrinsic's implementation, after checking that it
// computes what the intrinsic's description computes. Each buffer of the
// description stands for a region of a program buffer (leading dimensions of
// extent 1 may be dropped); the loops must have the same extents and every
// statement and expression must be the same, each access at the same index
// relative to its region's start. The implementation's accesses are then
// moved to those regions, in the program buffers' own layout, and the data
// pointers, offsets and strides it names are bound. Given a loop, tensorize
// blockizes it first; nothing changes when any check fails.
#include <optional>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "../analysis.h"
#include "../analysis_nest.h"
#include "../primitives.h"
#include "kiln/tir/functor.h"
#include "kiln/tir/printer.h"
#include "kiln/tir/schedule/tensor_intrin.h"

namespace kiln::tir::schedule {
namespace {

constexpr const char* kPrim = "tensorize";

using RegionMap = std::unordered_map<const BufferNode*, std::vector<Range>>;

const TensorIntrin& LookUp(const std::string& name) {
  try {
    return TensorIntrin::Get(name);
  } catch (const Error& e) {
    Fail(kPrim, e.message());
  }
}

// The loops and block of an intrinsic's description (a root block without
// iteration variables around them is looked through).
LoopNest DescNest(const PrimFunc& desc) {
  Stmt body = desc->body;
  if (const BlockNode* root = body.as<BlockNode>(); root && root->iter_vars.empty()) body = root->body;
  std::optional<LoopNest> nest = AsLoopNest(body);
  KILN_ICHECK(nest) << "a registered description is loops around one block";
  return *nest;
}

// `body` with a block's iteration variables replaced by their bindings.
Stmt Bound(const BlockNode* block) {
  std::unordered_map<const VarNode*, PrimExpr> bindings;
  for (const IterVar& iv : block->iter_vars) bindings[iv.var.get()] = iv.binding;
  return Substitute(block->body, [&](const Var& v) {
    auto it = bindings.find(v.get());
    return it == bindings.end() ? PrimExpr() : it->second;
  });
}

// Per buffer, the hull of every access of `body` under `loops`.
RegionMap AccessHulls(const std::vector<const ForNode*>& loops, const Stmt& body) {
  BlockSpec spec{"", {}, {}, {}, Stmt(), WrapInLoops(loops, body), {}, PrimExpr(), {}, {}};
  AccessRegions regions = InferAccessRegions(spec);
  RegionMap out;
  arith::Analyzer ana;
  for (const auto* list : {&regions.reads, &regions.writes}) {
    for (const BufferRegion& r : *list) {
      auto it = out.find(r.buffer.get());
      if (it == out.end()) {
        out[r.buffer.get()] = r.region;
      } else {
        it->second = UnionRegion(it->second, r.region, ana);
      }
    }
  }
  return out;
}

std::string RegionText(const Buffer& b, const std::vector<Range>& region) {
  std::string s = b->name + "[";
  for (size_t k = 0; k < region.size(); ++k) {
    s += (k ? ", " : "") + ToText(region[k].min);
    std::optional<int64_t> e = ConstIntValue(region[k].extent);
    if (!e || *e != 1) s += ":+" + ToText(region[k].extent);
  }
  return s + "]";
}

std::string AccessText(const Buffer& b, const std::vector<PrimExpr>& indices) {
  std::string s = b->name + "[";
  for (size_t k = 0; k < indices.size(); ++k) s += (k ? ", " : "") + ToText(indices[k]);
  return s + "]";
}

// Where a buffer of the description lies in a program buffer: the program
// index of dimension k is offset[k] plus the description's index of
// dimension k - lead (the first `lead` dimensions span one element).
struct BufferMatch {
  Buffer program;
  size_t lead = 0;
  std::vector<PrimExpr> offset;
};

// Compares the program's nest (inside `outer`) with the description's.
class Matcher {
 public:
  Matcher(const BlockNode* outer, const LoopNest& prog, const LoopNest& desc)
      : outer_(outer), prog_(prog), desc_(desc) {}

  // nullopt when both compute the same, else what differs.
  std::optional<std::string> Run() {
    for (const IterVar& iv : outer_->iter_vars) ana_.Bind(iv.var, iv.dom);
    if (!Loops()) return mismatch_;
    if (prog_.block->predicate) {
      return "block '" + prog_.block->name + "' runs under the condition " + ToText(prog_.block->predicate) +
             ", the description's block under none";
    }
    Stmt pbody = Bound(prog_.block), dbody = Bound(desc_.block);
    pregion_ = AccessHulls(prog_.loops, pbody);
    dregion_ = AccessHulls(desc_.loops, dbody);
    if (!Stmts(pbody, dbody)) return mismatch_;
    return std::nullopt;
  }

  // By the description's buffers.
  const std::unordered_map<const BufferNode*, BufferMatch>& matches() const { return matches_; }
  arith::Analyzer& analyzer() { return ana_; }

 private:
  bool Differ(const std::string& detail) {
    if (!mismatch_) mismatch_ = detail;
    return false;
  }

  bool Loops() {
    if (prog_.loops.size() != desc_.loops.size()) {
      return Differ("block '" + prog_.block->name + "' runs under " + std::to_string(prog_.loops.size()) +
                    " loop(s) inside block '" + outer_->name + "', the description's block under " +
                    std::to_string(desc_.loops.size()));
    }
    for (size_t k = 0; k < prog_.loops.size(); ++k) {
      const ForNode* p = prog_.loops[k];
      const ForNode* d = desc_.loops[k];
      ana_.Bind(p->loop_var, Range{p->min, p->extent});
      std::string head = "loop '" + p->loop_var.name() + "' ";
      std::string theirs = ", the description's loop '" + d->loop_var.name() + "' ";
      if (!ana_.CanProveEqual(p->extent, Mapped(d->extent))) {
        return Differ(head + "has extent " + ToText(p->extent) + theirs + ToText(d->extent));
      }
      if (!ana_.CanProveEqual(p->min, Mapped(d->min))) {
        return Differ(head + "starts at " + ToText(p->min) + theirs + "at " + ToText(d->min));
      }
      loop_map_[d->loop_var.get()] = p->loop_var;
    }
    return true;
  }

  // A description expression in the program's loop variables.
  PrimExpr Mapped(const PrimExpr& e) {
    return Substitute(e, [&](const Var& v) {
      auto it = loop_map_.find(v.get());
      return it == loop_map_.end() ? PrimExpr() : it->second;
    });
  }

  bool Stmts(const Stmt& p, const Stmt& d) {
    if (p.kind() != d.kind()) {
      return Differ(std::string("the block has a ") + StmtKindName(p.kind()) +
                    " statement where the description has a " + StmtKindName(d.kind()) + ": " + ToText(p) + " vs " +
                    ToText(d));
    }
    switch (p.kind()) {
      case StmtKind::kBufferStore: {
        const auto* a = p.as<BufferStoreNode>();
        const auto* b = d.as<BufferStoreNode>();
        return Access(a->buffer, a->indices, b->buffer, b->indices) && Exprs(a->value, b->value);
      }
      case StmtKind::kSeq: {
        const auto& a = p.as<SeqNode>()->seq;
        const auto& b = d.as<SeqNode>()->seq;
        if (a.size() != b.size())
          return Differ("the block runs " + std::to_string(a.size()) + " statements in sequence, the description " +
                        std::to_string(b.size()));
        for (size_t i = 0; i < a.size(); ++i) {
          if (!Stmts(a[i], b[i])) return false;
        }
        return true;
      }
      case StmtKind::kEvaluate: return Exprs(p.as<EvaluateNode>()->value, d.as<EvaluateNode>()->value);
      case StmtKind::kIfThenElse: {
        const auto* a = p.as<IfThenElseNode>();
        const auto* b = d.as<IfThenElseNode>();
        if (!a->else_case != !b->else_case)
          return Differ("the if statements differ: " + ToText(p) + " vs " + ToText(d));
        return Exprs(a->condition, b->condition) && Stmts(a->then_case, b->then_case) &&
               (!a->else_case || Stmts(a->else_case, b->else_case));
      }
      default:
        return Differ(std::string("tensorize compares stores, sequences, ifs and evaluations, not a ") +
                      StmtKindName(p.kind()) + " statement");
    }
  }

  bool Exprs(const PrimExpr& p, const PrimExpr& d) {
    auto differ = [&] { return Differ("the expressions differ: " + ToText(p) + " vs " + ToText(d)); };
    if (p.dtype() != d.dtype()) {
      return Differ("the dtypes differ: " + p.dtype().str() + " (" + ToText(p) + ") vs " + d.dtype().str() + " (" +
                    ToText(d) + ")");
    }
    if (p.kind() != d.kind()) return differ();
    switch (p.kind()) {
      case ExprKind::kIntImm: return p.as<IntImmNode>()->value == d.as<IntImmNode>()->value || differ();
      case ExprKind::kFloatImm: return p.as<FloatImmNode>()->value == d.as<FloatImmNode>()->value || differ();
      case ExprKind::kStringImm: return p.as<StringImmNode>()->value == d.as<StringImmNode>()->value || differ();
      case ExprKind::kVar: return p.get() == Mapped(d).get() || differ();
      case ExprKind::kBinary: {
        const auto* a = p.as<BinaryNode>();
        const auto* b = d.as<BinaryNode>();
        return (a->op == b->op || differ()) && Exprs(a->a, b->a) && Exprs(a->b, b->b);
      }
      case ExprKind::kNot: return Exprs(p.as<NotNode>()->a, d.as<NotNode>()->a);
      case ExprKind::kCast: return Exprs(p.as<CastNode>()->value, d.as<CastNode>()->value);
      case ExprKind::kSelect: {
        const auto* a = p.as<SelectNode>();
        const auto* b = d.as<SelectNode>();
        return Exprs(a->condition, b->condition) && Exprs(a->true_value, b->true_value) &&
               Exprs(a->false_value, b->false_value);
      }
      case ExprKind::kBufferLoad: {
        const auto* a = p.as<BufferLoadNode>();
        const auto* b = d.as<BufferLoadNode>();
        return Access(a->buffer, a->indices, b->buffer, b->indices);
      }
      case ExprKind::kCall: {
        const auto* a = p.as<CallNode>();
        const auto* b = d.as<CallNode>();
        if (a->op != b->op || a->args.size() != b->args.size()) return differ();
        for (size_t i = 0; i < a->args.size(); ++i) {
          if (!Exprs(a->args[i], b->args[i])) return false;
        }
        return true;
      }
      case ExprKind::kRamp: {
        const auto* a = p.as<RampNode>();
        const auto* b = d.as<RampNode>();
        return (a->lanes == b->lanes || differ()) && Exprs(a->base, b->base) && Exprs(a->stride, b->stride);
      }
      case ExprKind::kBroadcast: {
        const auto* a = p.as<BroadcastNode>();
        const auto* b = d.as<BroadcastNode>();
        return (a->lanes == b->lanes || differ()) && Exprs(a->value, b->value);
      }
      case ExprKind::kLet: return Differ("tensorize does not compare let expressions: " + ToText(p));
    }
    return differ();
  }

  // An access of program buffer pb and one of description buffer db: the
  // same buffer pairing as before, and the same indices relative to the
  // regions' starts.
  bool Access(const Buffer& pb, const std::vector<PrimExpr>& pi, const Buffer& db, const std::vector<PrimExpr>& di) {
    const BufferMatch* m = Pair(pb, db);
    if (!m) return false;
    for (size_t k = 0; k < di.size(); ++k) {
      const PrimExpr& p = pi[m->lead + k];
      PrimExpr d = Mapped(di[k]);
      if (d.dtype() != p.dtype()) d = Cast(p.dtype(), d);
      if (ana_.CanProveEqual(p, m->offset[m->lead + k] + d)) continue;
      const std::vector<Range>& pr = pregion_.at(pb.get());
      const std::vector<Range>& dr = dregion_.at(db.get());
      return Differ("the access " + AccessText(pb, pi) + " does not match the description's " + AccessText(db, di) +
                    ": relative to the regions' starts, index " + std::to_string(m->lead + k) + " is " +
                    ToText(ana_.Simplify(p - pr[m->lead + k].min)) + " vs " + ToText(ana_.Simplify(di[k] - dr[k].min)));
    }
    return true;
  }

  // The pairing of pb with db, made on their first access.
  const BufferMatch* Pair(const Buffer& pb, const Buffer& db) {
    auto it = matches_.find(db.get());
    if (it != matches_.end()) {
      if (it->second.program.get() == pb.get()) return &it->second;
      Differ("the description's buffer '" + db->name + "' would stand for both '" + it->second.program->name +
             "' and '" + pb->name + "'");
      return nullptr;
    }
    for (const auto& [d, match] : matches_) {
      if (match.program.get() == pb.get()) {
        Differ("buffer '" + pb->name + "' would stand for both the description's '" + d->name + "' and '" + db->name +
               "'");
        return nullptr;
      }
    }
    if (pb->dtype != db->dtype) {
      Differ("buffer '" + pb->name + "' holds " + pb->dtype.str() + ", the description's '" + db->name + "' " +
             db->dtype.str());
      return nullptr;
    }
    const std::vector<Range>& pr = pregion_.at(pb.get());
    const std::vector<Range>& dr = dregion_.at(db.get());
    if (pr.size() < dr.size()) {
      Differ("buffer '" + pb->name + "' has " + std::to_string(pr.size()) +
             " dimension(s), fewer than the description's '" + db->name + "' (" + std::to_string(dr.size()) + ")");
      return nullptr;
    }
    BufferMatch m{pb, pr.size() - dr.size(), {}};
    for (size_t k = 0; k < pr.size(); ++k) {
      if (k < m.lead && !ana_.CanProveEqual(pr[k].extent, 1)) {
        Differ("the block accesses " + RegionText(pb, pr) + ", more than one element in dimension " +
               std::to_string(k) + ", where the description's '" + db->name + "' has " + std::to_string(dr.size()) +
               " dimension(s)");
        return nullptr;
      }
      m.offset.push_back(k < m.lead ? pr[k].min : ana_.Simplify(pr[k].min - Mapped(dr[k - m.lead].min)));
    }
    return &(matches_[db.get()] = std::move(m));
  }

  const BlockNode* outer_;
  const LoopNest& prog_;
  const LoopNest& desc_;
  arith::Analyzer ana_;
  std::unordered_map<const VarNode*, PrimExpr> loop_map_;
  RegionMap pregion_, dregion_;
  std::unordered_map<const BufferNode*, BufferMatch> matches_;
  std::optional<std::string> mismatch_;
};

// The strides of a buffer, row-major from its shape when it has none.
std::vector<PrimExpr> StridesOf(const Buffer& b) {
  if (!b->strides.empty()) return b->strides;
  std::vector<PrimExpr> out(b->shape.size());
  PrimExpr s = IntImm(b->shape.empty() ? DataType::Int(64) : b->shape.back().dtype(), 1);
  for (size_t k = b->shape.size(); k-- > 0;) {
    out[k] = s;
    s = s * b->shape[k];
  }
  return out;
}

// Adds a scalar offset to a (possibly vector) index.
PrimExpr Shift(const PrimExpr& index, PrimExpr offset, arith::Analyzer& ana) {
  DataType t = index.dtype().element_of();
  if (offset.dtype() != t) offset = Cast(t, offset);
  if (std::optional<int64_t> c = ConstIntValue(offset); c && *c == 0) return index;
  if (const RampNode* r = index.as<RampNode>()) return Ramp(ana.Simplify(r->base + offset), r->stride, r->lanes);
  if (index.dtype().lanes() == 1) return ana.Simplify(index + offset);
  return index + Broadcast(offset, index.dtype().lanes());
}

// The implementation's body moved to the matched regions: accesses of its
// parameter buffers become accesses of the program buffers, the variables
// its buffers declare (data, elem_offset, strides) are bound, and the loops,
// lets and allocations it defines get fresh variables and buffers (each
// tensorized site has its own).
class ImplRewriter : public StmtMutator {
 public:
  ImplRewriter(std::unordered_map<const BufferNode*, const BufferMatch*> buffers,
               std::unordered_map<const VarNode*, PrimExpr> vars, arith::Analyzer& ana)
      : buffers_(std::move(buffers)), vars_(std::move(vars)), ana_(ana) {}

 protected:
  PrimExpr VisitExpr_(const VarNode* op) override {
    auto it = vars_.find(op);
    return it == vars_.end() ? PrimExpr(runtime::GetRef<PrimExprNode>(op)) : it->second;
  }
  PrimExpr VisitExpr_(const BufferLoadNode* op) override {
    auto it = buffers_.find(op->buffer.get());
    if (it == buffers_.end()) return StmtMutator::VisitExpr_(op);
    return BufferLoad(it->second->program, Indices(*it->second, op->indices), op->span);
  }
  Stmt VisitStmt_(const BufferStoreNode* op) override {
    auto it = buffers_.find(op->buffer.get());
    if (it == buffers_.end()) return StmtMutator::VisitStmt_(op);
    return BufferStore(it->second->program, VisitExpr(op->value), Indices(*it->second, op->indices), op->span);
  }
  Stmt VisitStmt_(const ForNode* op) override {
    Var v(op->loop_var.name(), op->loop_var.dtype());
    PrimExpr min = VisitExpr(op->min), extent = VisitExpr(op->extent);
    vars_[op->loop_var.get()] = v;
    return For(v, min, extent, op->for_kind, VisitStmt(op->body), op->thread_tag, op->annotations, op->span);
  }
  Stmt VisitStmt_(const LetStmtNode* op) override {
    Var v(op->var.name(), op->var.dtype());
    PrimExpr value = VisitExpr(op->value);
    vars_[op->var.get()] = v;
    return LetStmt(v, value, VisitStmt(op->body), op->span);
  }
  Stmt VisitStmt_(const AllocateNode* op) override {
    const Buffer& b = op->buffer;
    Buffer fresh = DeclBuffer(b->name, b->shape, b->dtype, b->scope, b->strides, b->elem_offset, b->span);
    locals_[b.get()] = fresh;
    vars_[b->data.get()] = fresh->data;
    return Allocate(fresh, VisitStmt(op->body), op->span);
  }
  Buffer VisitBufferUse(const Buffer& buffer) override {
    auto it = locals_.find(buffer.get());
    return it == locals_.end() ? buffer : it->second;
  }
  PrimExpr VisitExpr_(const LetNode* op) override {
    Var v(op->var.name(), op->var.dtype());
    PrimExpr value = VisitExpr(op->value);
    vars_[op->var.get()] = v;
    return Let(v, value, VisitExpr(op->body), op->span);
  }

 private:
  std::vector<PrimExpr> Indices(const BufferMatch& m, const std::vector<PrimExpr>& indices) {
    std::vector<PrimExpr> out(m.offset.begin(), m.offset.begin() + m.lead);
    for (size_t k = 0; k < indices.size(); ++k) out.push_back(Shift(VisitExpr(indices[k]), m.offset[m.lead + k], ana_));
    return out;
  }

  std::unordered_map<const BufferNode*, const BufferMatch*> buffers_;
  std::unordered_map<const VarNode*, PrimExpr> vars_;
  std::unordered_map<const BufferNode*, Buffer> locals_;  // allocations, renewed
  arith::Analyzer& ana_;
};

bool UsesVar(const Stmt& s, const Var& v) {
  bool found = false;
  PreOrderVisit(s, [&](const PrimExpr& e) { found |= e.get() == v.get(); });
  return found;
}

// Binds what the implementation's buffer `impl` declares (data, elem_offset
// and stride variables) for the program region `m` stands for; when the
// implementation uses the data pointer, the strides it assumes must be the
// program buffer's.
void BindBufferVars(const Buffer& impl, const BufferMatch& m, const Stmt& body, const std::string& intrin,
                    arith::Analyzer& ana, std::unordered_map<const VarNode*, PrimExpr>& vars) {
  const Buffer& p = m.program;
  std::vector<PrimExpr> pstrides = StridesOf(p), istrides = StridesOf(impl);
  bool pointer_used = UsesVar(body, impl->data);
  for (size_t k = 0; k < istrides.size(); ++k) {
    const PrimExpr& ps = pstrides[m.lead + k];
    if (const VarNode* v = istrides[k].as<VarNode>()) {
      vars[v] = ps;
    } else if (pointer_used && !ana.CanProveEqual(istrides[k], ps)) {
      std::ostringstream os;
      os << "the implementation of '" << intrin << "' uses the data pointer of '" << impl->name << "' with stride "
         << ToText(istrides[k]) << " in dimension " << k << ", but the region it stands for, "
         << "in '" << p->name << "', has stride " << ToText(ps) << " there: the region is not contiguous as the "
         << "implementation needs";
      Fail(kPrim, os.str());
    }
  }
  vars[impl->data.get()] = p->data;
  if (const VarNode* v = impl->elem_offset.as<VarNode>()) {
    PrimExpr offset = p->elem_offset ? p->elem_offset : IntImm(DataType::Int(64), 0);
    for (size_t k = 0; k < m.offset.size(); ++k) offset = offset + m.offset[k] * pstrides[k];
    vars[v] = ana.Simplify(offset);
  }
}

// The implementation's body, without a root block (its buffers allocated).
Stmt ImplBody(const PrimFunc& impl) {
  Stmt body = impl->body;
  const BlockNode* root = body.as<BlockNode>();
  if (!root || !root->iter_vars.empty()) return body;
  body = root->body;
  for (auto it = root->alloc_buffers.rbegin(); it != root->alloc_buffers.rend(); ++it) body = Allocate(*it, body);
  return body;
}

Stmt Instantiate(const TensorIntrin& ti, const std::string& intrin, const Matcher& matcher, arith::Analyzer& ana) {
  Stmt body = ImplBody(ti.impl);
  std::unordered_map<const BufferNode*, const BufferMatch*> buffers;
  std::unordered_map<const VarNode*, PrimExpr> vars;
  for (size_t i = 0; i < ti.impl->buffer_map.size(); ++i) {
    const Buffer& ib = ti.impl->buffer_map[i].second;
    const Buffer& db = ti.desc->buffer_map[i].second;
    auto it = matcher.matches().find(db.get());
    // Register checks that the description accesses each of its buffers.
    KILN_ICHECK(it != matcher.matches().end()) << "'" << intrin << "' never accesses '" << db->name << "'";
    buffers[ib.get()] = &it->second;
    BindBufferVars(ib, it->second, body, intrin, ana, vars);
  }
  return ImplRewriter(std::move(buffers), std::move(vars), ana).VisitStmt(body);
}

}  // namespace

void Tensorize(ScheduleState& s, const BlockRef& block_ref, const std::string& intrin) {
  const TensorIntrin& ti = LookUp(intrin);
  Located loc = s.Find(block_ref, kPrim);
  const BlockNode* outer = loc.block();
  std::optional<LoopNest> prog = AsLoopNest(outer->body);
  KILN_SCHEDULE_CHECK(prog, kPrim) << "block '" << outer->name
                                   << "' must hold loops around one block to be tensorized (tensorize a loop, or "
                                      "blockize one first)";
  LoopNest desc = DescNest(ti.desc);
  KILN_SCHEDULE_CHECK(!prog->block->init || !HasReduceIter(outer), kPrim)
      << "block '" << prog->block->name << "' keeps its init inside block '" << outer->name
      << "', which reduces too; blockize the loop again to move the init out";
  Matcher matcher(outer, *prog, desc);
  if (std::optional<std::string> diff = matcher.Run()) {
    Fail(kPrim, "block '" + prog->block->name + "' in '" + outer->name + "' does not compute what '" + intrin +
                    "' describes: " + *diff);
  }
  Stmt body = Instantiate(ti, intrin, matcher, matcher.analyzer());
  // A reduction that starts inside: its init runs before the intrinsic.
  if (prog->block->init) {
    std::string name = s.UniqueBlockName(loc.func, prog->block->name + "_init");
    body = Seq({InitNest(prog->block, prog->loops, name, kPrim), body});
  }
  BlockSpec spec = SpecOf(outer);
  spec.body = body;
  s.Replace(loc.func, {{outer, Block(std::move(spec))}});
}

void Tensorize(ScheduleState& s, const LoopRef& loop, const std::string& intrin) {
  LookUp(intrin);
  s.Find(loop, kPrim);
  ScheduleState trial = s;  // left as it was when a check fails
  BlockRef outer;
  try {
    outer = Blockize(trial, loop);
  } catch (const InternalError&) {
    throw;
  } catch (const Error& e) {
    Fail(kPrim, e.message());
  }
  Tensorize(trial, outer, intrin);
  s = std::move(trial);
}

}  // namespace kiln::tir::schedule
