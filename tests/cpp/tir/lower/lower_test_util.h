// Helpers for the lowering tests: comparing with the expected program, loop
// rewrites that stand in for the schedule (set a loop's kind, split a loop),
// and a tiled matmul with a cache_write accumulator, the block program a
// schedule makes for GEMM.
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "kiln/tir/functor.h"
#include "kiln/tir/printer.h"
#include "kiln/tir/structural_equal.h"

// Expects `a` structurally equal to the expected `b` (functions, statements
// or expressions); else the first difference and both, printed.
#define EXPECT_STRUCT_EQ(a, b)                                                               \
  do {                                                                                       \
    std::optional<std::string> mismatch = FindMismatch(a, b);                                \
    EXPECT_FALSE(mismatch) << *mismatch << "\n" << ToText(a) << "\nexpected\n" << ToText(b); \
  } while (0)

namespace kiln::tir::testing {

// Rewrites the loops of a function whose variable has a given name.
class LoopRewriter : public StmtMutator {
 public:
  using Rewrite = std::function<Stmt(const ForNode*, Stmt body)>;
  LoopRewriter(std::string name, Rewrite rewrite) : name_(std::move(name)), rewrite_(std::move(rewrite)) {}

  PrimFunc Run(const PrimFunc& f) {
    Stmt body = VisitStmt(f->body);
    return MakePrimFunc(f->params, f->buffer_map, body, f->attrs, f->span);
  }

 protected:
  Stmt VisitStmt_(const ForNode* op) override {
    Stmt body = VisitStmt(op->body);
    if (op->loop_var.name() != name_) {
      return For(op->loop_var, op->min, op->extent, op->for_kind, body, op->thread_tag, op->annotations, op->span);
    }
    return rewrite_(op, body);
  }

 private:
  std::string name_;
  Rewrite rewrite_;
};

// f with the loops over `name` of kind `kind`.
inline PrimFunc WithLoopKind(const PrimFunc& f, const std::string& name, ForKind kind) {
  return LoopRewriter(name,
                      [&](const ForNode* op, Stmt body) {
                        return For(op->loop_var, op->min, op->extent, kind, body, "", op->annotations, op->span);
                      })
      .Run(f);
}

// f with the loop over `name` split into `outer` (ceildiv(extent, factor)
// iterations) and `inner` (factor, of kind `inner_kind`): the variable
// becomes outer * factor + inner. When factor may not divide the extent, the
// body is guarded by outer * factor + inner < extent: the block's predicate
// when the body is a block, else an if.
inline PrimFunc SplitLoop(const PrimFunc& f, const std::string& name, int64_t factor, ForKind inner_kind,
                          ForKind outer_kind = ForKind::kSerial) {
  return LoopRewriter(name,
                      [&](const ForNode* op, Stmt body) -> Stmt {
                        DataType t = op->loop_var.dtype();
                        Var outer(name + "_o", t), inner(name + "_i", t);
                        PrimExpr value = outer * IntImm(t, factor) + inner;
                        body = Substitute(
                            body, [&](const Var& v) { return v.get() == op->loop_var.get() ? value : PrimExpr(); });
                        std::optional<int64_t> extent = ConstIntValue(op->extent);
                        if (!extent || *extent % factor != 0) {
                          PrimExpr guard = value < op->extent;
                          if (const BlockNode* b = body.as<BlockNode>()) {
                            BlockSpec spec{b->name, b->iter_vars,     b->reads, b->writes,      b->init,
                                           b->body, b->alloc_buffers, guard,    b->annotations, b->span};
                            body = Block(std::move(spec));
                          } else {
                            body = IfThenElse(guard, body);
                          }
                        }
                        PrimExpr outer_extent = floordiv(op->extent + IntImm(t, factor - 1), IntImm(t, factor));
                        return For(outer, IntImm(t, 0), outer_extent, outer_kind,
                                   For(inner, IntImm(t, 0), IntImm(t, factor), inner_kind, body));
                      })
      .Run(f);
}

// The loops of a tiled matmul C[m, n] = sum_k A[m, k] * B[k, n], as a
// schedule with cache_write makes it: an accumulator C_local allocated at
// the root with C's shape, tiles of tm x tn over i0, j0, and inside
//   for k: for i1 (ki): for j1 (kj): C_local[vi, vj] += A[vi, vk] * B[vk, vj]   (init 0)
//   for i1 (ki): for j1 (kj): C[vi, vj] = C_local[vi, vj]
// tm and tn must divide m and n.
struct TiledMatmul {
  Buffer a, b, c, c_local;
  Var i0, j0, k, i1, j1, w1, w2;  // w1, w2: the write-back's inner loops
  PrimFunc func;
};

inline TiledMatmul MakeTiledMatmul(PrimExpr m, PrimExpr n, PrimExpr kk, int64_t tm, int64_t tn,
                                   ForKind inner_i = ForKind::kSerial, ForKind inner_j = ForKind::kSerial,
                                   ForKind outer_i = ForKind::kSerial) {
  TiledMatmul g;
  g.a = DeclBuffer("A", {m, kk});
  g.b = DeclBuffer("B", {kk, n});
  g.c = DeclBuffer("C", {m, n});
  g.c_local = DeclBuffer("C_local", {m, n}, DataType::Float(32), "local");
  g.i0 = Var("i0"), g.j0 = Var("j0"), g.k = Var("k"), g.i1 = Var("i1"), g.j1 = Var("j1");
  g.w1 = Var("w1"), g.w2 = Var("w2");
  Var vi("vi"), vj("vj"), vk("vk"), wi("wi"), wj("wj");

  BlockSpec update;
  update.name = "C_local";
  update.iter_vars = {{vi, {0, m}, IterKind::kSpatial, g.i0 * tm + g.i1},
                      {vj, {0, n}, IterKind::kSpatial, g.j0 * tn + g.j1},
                      {vk, {0, kk}, IterKind::kReduce, g.k}};
  update.reads = {{g.a, {{vi, 1}, {vk, 1}}}, {g.b, {{vk, 1}, {vj, 1}}}};
  update.writes = {{g.c_local, {{vi, 1}, {vj, 1}}}};
  update.init = BufferStore(g.c_local, 0.0, {vi, vj});
  update.body = BufferStore(
      g.c_local, BufferLoad(g.c_local, {vi, vj}) + BufferLoad(g.a, {vi, vk}) * BufferLoad(g.b, {vk, vj}), {vi, vj});
  Stmt compute =
      For(g.k, 0, kk, ForKind::kSerial, For(g.i1, 0, tm, inner_i, For(g.j1, 0, tn, inner_j, Block(std::move(update)))));

  BlockSpec store;
  store.name = "C";
  store.iter_vars = {{wi, {0, m}, IterKind::kSpatial, g.i0 * tm + g.w1},
                     {wj, {0, n}, IterKind::kSpatial, g.j0 * tn + g.w2}};
  store.reads = {{g.c_local, {{wi, 1}, {wj, 1}}}};
  store.writes = {{g.c, {{wi, 1}, {wj, 1}}}};
  store.body = BufferStore(g.c, BufferLoad(g.c_local, {wi, wj}), {wi, wj});
  Stmt write_back = For(g.w1, 0, tm, inner_i, For(g.w2, 0, tn, inner_j, Block(std::move(store))));

  Stmt tiles = For(g.i0, 0, floordiv(m, tm), outer_i,
                   For(g.j0, 0, floordiv(n, tn), ForKind::kSerial, Seq({compute, write_back})));
  BlockSpec root;
  root.name = "root";
  root.alloc_buffers = {g.c_local};
  root.body = tiles;
  g.func = MakePrimFunc({g.a, g.b, g.c}, Block(std::move(root)));
  return g;
}

}  // namespace kiln::tir::testing
