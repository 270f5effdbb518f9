// VectorizeLoops: a vectorized loop of constant extent becomes vector code.
// The loop variable v becomes Ramp(min, 1, lanes); each expression is
// rewritten bottom-up into a scalar (loop invariant) or a vector of lanes,
// with index arithmetic kept in ramp form:
//   ramp(b, s) + broadcast(x) -> ramp(b + x, s)      ramp(b, s) * broadcast(x) -> ramp(b * x, s * x)
//   ramp(b1, s1) + ramp(b2, s2) -> ramp(b1 + b2, s1 + s2)   broadcast(x) op broadcast(y) -> broadcast(x op y)
// so that C_local[i, j] = C_local[i, j] + A[i, k] * B[k, j] over j becomes
// C_local[i, ramp] = C_local[i, ramp] + broadcast(A[i, k]) * B[k, ramp].
// When the body cannot become vector code safely, the loop stays as it is:
// a serial loop that the code generator marks with LLVM's vectorize hint.
#include <unordered_map>
#include <unordered_set>

#include "kiln/runtime/error.h"
#include "kiln/tir/arith/analyzer.h"
#include "kiln/tir/arith/expr_order.h"
#include "kiln/tir/functor.h"
#include "kiln/tir/lower.h"
#include "rewrite.h"

namespace kiln::tir {
namespace {

constexpr int64_t kMaxLanes = 64;

// Why a loop stays serial; caught by the pass, which keeps the loop.
struct CannotVectorize {
  std::string why;
};

// Intrinsics that apply lane by lane and have no side effects.
bool IsElementwise(const std::string& op) {
  static const std::unordered_set<std::string> ops = {"exp",  "exp2",  "log",     "log2",  "sqrt",  "fabs", "floor",
                                                      "ceil", "trunc", "round",   "sin",   "cos",   "pow",  "fma",
                                                      "tanh", "erf",   "sigmoid", "rsqrt", "likely"};
  return ops.count(op) != 0;
}

int Lanes(const PrimExpr& e) {
  return e.dtype().lanes();
}

PrimExpr Widen(const PrimExpr& e, int lanes) {
  if (Lanes(e) == lanes) return e;
  KILN_ICHECK(Lanes(e) == 1) << "widening a vector of " << Lanes(e) << " lanes to " << lanes;
  return Broadcast(e, lanes);
}

// a op b for operands that are scalars or vectors of `lanes`, in ramp form
// where the rules of the file comment apply.
PrimExpr VectorBinary(BinaryOp op, const PrimExpr& a, const PrimExpr& b, int lanes) {
  const RampNode *ra = a.as<RampNode>(), *rb = b.as<RampNode>();
  // A scalar operand acts as a broadcast.
  PrimExpr sa = Lanes(a) == 1 ? a : (a.as<BroadcastNode>() ? a.as<BroadcastNode>()->value : PrimExpr());
  PrimExpr sb = Lanes(b) == 1 ? b : (b.as<BroadcastNode>() ? b.as<BroadcastNode>()->value : PrimExpr());
  if (sa && sb) return Broadcast(Binary(op, sa, sb), lanes);
  switch (op) {
    case BinaryOp::kAdd:
      if (ra && sb) return Ramp(ra->base + sb, ra->stride, lanes);
      if (sa && rb) return Ramp(sa + rb->base, rb->stride, lanes);
      if (ra && rb) return Ramp(ra->base + rb->base, ra->stride + rb->stride, lanes);
      break;
    case BinaryOp::kSub:
      if (ra && sb) return Ramp(ra->base - sb, ra->stride, lanes);
      if (sa && rb) return Ramp(sa - rb->base, IntImm(rb->stride.dtype(), 0) - rb->stride, lanes);
      if (ra && rb) return Ramp(ra->base - rb->base, ra->stride - rb->stride, lanes);
      break;
    case BinaryOp::kMul:
      if (ra && sb) return Ramp(ra->base * sb, ra->stride * sb, lanes);
      if (sa && rb) return Ramp(sa * rb->base, sa * rb->stride, lanes);
      break;
    default: break;
  }
  return Binary(op, Widen(a, lanes), Widen(b, lanes));
}

// Rewrites the body of one loop over `var` as vector code of `lanes` lanes.
// Throws CannotVectorize for what it cannot do safely.
class Vectorizer : public StmtMutator {
 public:
  Vectorizer(arith::Analyzer& analyzer, const Var& var, const PrimExpr& min, int lanes)
      : analyzer_(analyzer), var_(var), ramp_(Ramp(min, IntImm(min.dtype(), 1), lanes)) {}

  Stmt Run(const Stmt& body) {
    Stmt out = VisitStmt(body);
    CheckDependences();
    return out;
  }

 protected:
  // ---- expressions ----
  PrimExpr VisitExpr_(const VarNode* op) override {
    if (op == var_.get()) return ramp_;
    auto it = lets_.find(op);
    return it != lets_.end() ? it->second : PrimExpr(runtime::GetRef<PrimExprNode>(op));
  }

  PrimExpr VisitExpr_(const BinaryNode* op) override {
    PrimExpr a = VisitExpr(op->a), b = VisitExpr(op->b);
    if (a.get() == op->a.get() && b.get() == op->b.get()) return runtime::GetRef<PrimExprNode>(op);
    int lanes = std::max(Lanes(a), Lanes(b));
    return lanes == 1 ? Binary(op->op, a, b, op->span) : VectorBinary(op->op, a, b, lanes);
  }

  PrimExpr VisitExpr_(const NotNode* op) override { return Not(VisitExpr(op->a), op->span); }

  PrimExpr VisitExpr_(const CastNode* op) override {
    PrimExpr v = VisitExpr(op->value);
    if (const BroadcastNode* b = v.as<BroadcastNode>()) return Broadcast(Cast(op->dtype, b->value), b->lanes);
    return Cast(op->dtype.with_lanes(Lanes(v)), v, op->span);
  }

  PrimExpr VisitExpr_(const SelectNode* op) override {
    PrimExpr c = VisitExpr(op->condition), t = VisitExpr(op->true_value), f = VisitExpr(op->false_value);
    int lanes = std::max({Lanes(c), Lanes(t), Lanes(f)});
    if (lanes == 1) return Select(c, t, f, op->span);
    return Select(Widen(c, lanes), Widen(t, lanes), Widen(f, lanes), op->span);
  }

  PrimExpr VisitExpr_(const BufferLoadNode* op) override {
    uses_.push_back({op->buffer, {}, false});
    size_t slot = uses_.size() - 1;
    std::vector<PrimExpr> indices;
    for (const PrimExpr& i : op->indices) indices.push_back(VisitExpr(i));
    uses_[slot].indices = indices;
    return BufferLoad(op->buffer, indices, op->span);
  }

  PrimExpr VisitExpr_(const CallNode* op) override {
    std::vector<PrimExpr> args;
    int lanes = 1;
    for (const PrimExpr& a : op->args) {
      args.push_back(VisitExpr(a));
      lanes = std::max(lanes, Lanes(args.back()));
    }
    if (op->op == "if_then_else" && args.size() == 3) {
      // Only the branch taken runs; as a select both do, so both must be safe.
      if (Lanes(args[0]) == 1) {
        int l = std::max(Lanes(args[1]), Lanes(args[2]));
        if (l == 1) return Call(op->dtype, op->op, args, op->span);
        return Call(op->dtype.with_lanes(l), op->op, {args[0], Widen(args[1], l), Widen(args[2], l)}, op->span);
      }
      RequireSafe(op->args[1], "if_then_else");
      RequireSafe(op->args[2], "if_then_else");
      return Select(args[0], Widen(args[1], lanes), Widen(args[2], lanes), op->span);
    }
    if (!IsElementwise(op->op)) throw CannotVectorize{"call of '" + op->op + "', which has no vector form"};
    if (lanes == 1) return Call(op->dtype, op->op, args, op->span);
    for (PrimExpr& a : args) a = Widen(a, lanes);
    return Call(op->dtype.with_lanes(lanes), op->op, args, op->span);
  }

  PrimExpr VisitExpr_(const RampNode*) override { throw CannotVectorize{"the body is vector code already"}; }
  PrimExpr VisitExpr_(const BroadcastNode*) override { throw CannotVectorize{"the body is vector code already"}; }

  PrimExpr VisitExpr_(const LetNode* op) override {
    PrimExpr value = VisitExpr(op->value);
    Var v = Rebind(op->var, value);
    if (value.dtype().lanes() == 1) analyzer_.Bind(op->var, op->value);
    return Let(v, value, VisitExpr(op->body), op->span);
  }

  // ---- statements ----
  Stmt VisitStmt_(const BufferStoreNode* op) override {
    PrimExpr value = VisitExpr(op->value);
    std::vector<PrimExpr> indices;
    int lanes = 1;
    for (const PrimExpr& i : op->indices) {
      indices.push_back(VisitExpr(i));
      lanes = std::max(lanes, Lanes(indices.back()));
    }
    if (lanes == 1) throw CannotVectorize{"a store to '" + op->buffer->name + "' at an index the loop does not vary"};
    uses_.push_back({op->buffer, indices, true});
    return BufferStore(op->buffer, Widen(value, lanes), indices, op->span);
  }

  Stmt VisitStmt_(const IfThenElseNode* op) override {
    PrimExpr cond = VisitExpr(op->condition);
    if (Lanes(cond) == 1) {
      arith::Analyzer::ConstraintScope scope(&analyzer_, op->condition);
      Stmt t = VisitStmt(op->then_case);
      Stmt e = op->else_case ? VisitStmt(op->else_case) : Stmt();
      return IfThenElse(cond, t, e, op->span);
    }
    return GuardedStore(op);
  }

  Stmt VisitStmt_(const ForNode* op) override {
    if (op->for_kind == ForKind::kParallel || op->for_kind == ForKind::kThreadBinding) {
      throw CannotVectorize{"an inner parallel or thread-bound loop"};
    }
    PrimExpr min = VisitExpr(op->min), extent = VisitExpr(op->extent);
    if (Lanes(min) > 1 || Lanes(extent) > 1) throw CannotVectorize{"an inner loop whose range depends on the variable"};
    analyzer_.Bind(op->loop_var, Range{op->min, op->extent});
    return For(op->loop_var, min, extent, op->for_kind, VisitStmt(op->body), op->thread_tag, op->annotations, op->span);
  }

  Stmt VisitStmt_(const LetStmtNode* op) override {
    PrimExpr value = VisitExpr(op->value);
    Var v = Rebind(op->var, value);
    if (value.dtype().lanes() == 1) analyzer_.Bind(op->var, op->value);
    return LetStmt(v, value, VisitStmt(op->body), op->span);
  }

  // A view whose layout is the same for every lane.
  Stmt VisitStmt_(const DeclBufferNode* op) override {
    const BufferNode* b = op->buffer.get();
    std::vector<PrimExpr> fields = b->shape;
    fields.insert(fields.end(), b->strides.begin(), b->strides.end());
    fields.push_back(b->elem_offset);
    for (const PrimExpr& e : fields) {
      if (e && Lanes(VisitExpr(e)) > 1) throw CannotVectorize{"a view '" + b->name + "' that moves with the variable"};
    }
    return DeclBuffer(op->buffer, VisitStmt(op->body), op->span);
  }

  Stmt VisitStmt_(const WhileNode*) override { throw CannotVectorize{"a while loop"}; }
  Stmt VisitStmt_(const AllocateNode*) override { throw CannotVectorize{"an allocation per iteration"}; }
  Stmt VisitStmt_(const BlockNode*) override { throw CannotVectorize{"a block (run LowerBlocks first)"}; }

 private:
  struct Use {
    Buffer buffer;
    std::vector<PrimExpr> indices;  // vectorized
    bool store;
  };

  // A let variable whose value became a vector becomes a vector variable.
  Var Rebind(const Var& var, const PrimExpr& value) {
    if (value.dtype() == var.dtype()) return var;
    Var v(var.name(), value.dtype(), var->span);
    lets_[var.get()] = v;
    return v;
  }

  // `if (c) B[i] = x else B[i] = y` -> B[i] = select(c, x, y), and
  // `if (c) L[i] = x` -> L[i] = select(c, x, L[i]) for a local buffer L
  // (another thread never sees its lanes being rewritten with their own
  // values). Every load the select evaluates that the loop would have
  // skipped must stay inside its buffer.
  Stmt GuardedStore(const IfThenElseNode* op) {
    const BufferStoreNode* then_store = op->then_case.as<BufferStoreNode>();
    const BufferStoreNode* else_store = op->else_case ? op->else_case.as<BufferStoreNode>() : nullptr;
    if (!then_store || (op->else_case && !else_store)) {
      throw CannotVectorize{"an if that depends on the variable around more than one store"};
    }
    PrimExpr otherwise;
    if (else_store) {
      bool same_place = else_store->buffer.get() == then_store->buffer.get();
      for (size_t i = 0; same_place && i < then_store->indices.size(); ++i) {
        same_place = arith::ExprDeepEqual(then_store->indices[i], else_store->indices[i]);
      }
      if (!same_place) throw CannotVectorize{"an if that depends on the variable stores to different places"};
      RequireSafe(else_store->value, "an if");
      otherwise = else_store->value;
    } else {
      if (then_store->buffer->scope != "local") {
        throw CannotVectorize{"an if that depends on the variable guards a store to non-local '" +
                              then_store->buffer->name + "'"};
      }
      PrimExpr old = BufferLoad(then_store->buffer, then_store->indices);
      RequireSafe(old, "an if");
      otherwise = old;
    }
    RequireSafe(then_store->value, "an if");
    Stmt store = BufferStore(then_store->buffer, Select(op->condition, then_store->value, otherwise),
                             then_store->indices, then_store->span);
    return VisitStmt(store);
  }

  // Throws unless every load in the scalar expression `e` provably stays
  // inside its buffer's shape for every iteration of the loops around.
  void RequireSafe(const PrimExpr& e, const char* what) {
    PreOrderVisit(e, [&](const PrimExpr& x) {
      const BufferLoadNode* load = x.as<BufferLoadNode>();
      if (!load) return;
      for (size_t d = 0; d < load->indices.size(); ++d) {
        const PrimExpr& i = load->indices[d];
        PrimExpr dim = load->buffer->shape[d];
        if (dim.dtype() != i.dtype()) dim = Cast(i.dtype(), dim);
        if (!analyzer_.CanProve(logical_and(i >= IntImm(i.dtype(), 0), i < dim))) {
          throw CannotVectorize{std::string(what) + " whose branches read '" + load->buffer->name +
                                "' where it may be out of bounds"};
        }
      }
    });
  }

  // Lanes of one iteration must not touch what another lane's iteration
  // does: every access of a buffer the loop stores to is at the same
  // indices, and those are distinct per lane (a ramp with a nonzero stride).
  void CheckDependences() const {
    std::unordered_map<const VarNode*, const Use*> stored;
    for (const Use& u : uses_) {
      if (!u.store) continue;
      bool distinct = false;
      for (const PrimExpr& i : u.indices) {
        const RampNode* r = i.as<RampNode>();
        std::optional<int64_t> stride = r ? ConstIntValue(r->stride) : std::nullopt;
        distinct = distinct || (stride && *stride != 0);
      }
      if (!distinct) throw CannotVectorize{"lanes of a store to '" + u.buffer->name + "' may collide"};
      stored.emplace(u.buffer->data.get(), &u);
    }
    for (const Use& u : uses_) {
      auto it = stored.find(u.buffer->data.get());
      if (it == stored.end()) continue;
      const Use& s = *it->second;
      bool same = s.buffer.get() == u.buffer.get() && s.indices.size() == u.indices.size();
      for (size_t i = 0; same && i < u.indices.size(); ++i) same = arith::ExprDeepEqual(s.indices[i], u.indices[i]);
      if (!same) throw CannotVectorize{"'" + u.buffer->name + "' is stored and accessed at different indices"};
    }
  }

  arith::Analyzer& analyzer_;
  Var var_;
  PrimExpr ramp_;
  std::unordered_map<const VarNode*, PrimExpr> lets_;
  std::vector<Use> uses_;
};

bool HasInnerLoop(const Stmt& body) {
  struct Finder : StmtVisitor {
    bool found = false;
    void VisitStmt_(const ForNode*) override { found = true; }
    void VisitStmt_(const WhileNode*) override { found = true; }
  } finder;
  finder.VisitStmt(body);
  return finder.found;
}

class LoopVectorizer : public StmtMutator {
 protected:
  Stmt VisitStmt_(const ForNode* op) override {
    analyzer_.Bind(op->loop_var, Range{op->min, op->extent});
    Stmt s = StmtMutator::VisitStmt_(op);  // inner loops first
    const ForNode* loop = s.as<ForNode>();
    std::optional<int64_t> extent = ConstIntValue(loop->extent);
    if (loop->for_kind != ForKind::kVectorized || !extent || *extent < 1 || *extent > kMaxLanes) return s;
    if (*extent == 1) {
      return Substitute(loop->body,
                        [&](const Var& v) { return v.get() == loop->loop_var.get() ? loop->min : PrimExpr(); });
    }
    try {
      return Vectorizer(analyzer_, loop->loop_var, loop->min, static_cast<int>(*extent)).Run(loop->body);
    } catch (const CannotVectorize&) {
      // Fallback: the loop stays serial. An innermost loop keeps its kind,
      // so that the code generator asks LLVM's loop vectorizer to try; the
      // vectorizer takes innermost loops only, so a loop around others
      // becomes a plain serial loop (the hint would only earn a warning).
      if (!HasInnerLoop(loop->body)) return s;
      return For(loop->loop_var, loop->min, loop->extent, ForKind::kSerial, loop->body, "", loop->annotations,
                 loop->span);
    }
  }

 private:
  arith::Analyzer analyzer_;
};

}  // namespace

PrimFunc VectorizeLoops(const PrimFunc& func) {
  return RewriteBody(func, LoopVectorizer());
}

}  // namespace kiln::tir
