// Loop nests around one block: taking them apart, rebuilding them, and the
// init of a reduction block as a nest of its own.
#include "analysis_nest.h"

#include <unordered_map>
#include <unordered_set>

#include "analysis.h"
#include "kiln/tir/functor.h"
#include "state.h"

namespace kiln::tir::schedule {

std::optional<LoopNest> AsLoopNest(const Stmt& stmt) {
  LoopNest nest;
  Stmt s = stmt;
  while (const ForNode* f = s.as<ForNode>()) {
    nest.loops.push_back(f);
    s = f->body;
  }
  nest.block = s.as<BlockNode>();
  if (!nest.block) return std::nullopt;
  return nest;
}

Stmt WrapInLoops(const std::vector<const ForNode*>& loops, Stmt body) {
  for (auto it = loops.rbegin(); it != loops.rend(); ++it) body = WithBody(*it, std::move(body));
  return body;
}

Stmt InitNest(const BlockNode* block, const std::vector<const ForNode*>& loops, const std::string& name,
              const char* primitive) {
  KILN_ICHECK(block->init) << "block '" << block->name << "' has no init";
  std::unordered_set<const VarNode*> reduce_vars;
  for (const IterVar& iv : block->iter_vars) {
    if (iv.kind == IterKind::kReduce) reduce_vars.insert(iv.var.get());
  }
  PreOrderVisit(block->init, [&](const PrimExpr& e) {
    const VarNode* v = e.as<VarNode>();
    if (v && reduce_vars.count(v)) {
      Fail(primitive, "the init of block '" + block->name + "' uses its reduce variable '" + v->name +
                          "', so it cannot run once before the reduction");
    }
  });
  // Which loops the init needs: those its spatial bindings or predicate use.
  std::unordered_set<const VarNode*> used;
  auto note_uses = [&](const PrimExpr& e) {
    PreOrderVisit(e, [&](const PrimExpr& x) {
      if (const VarNode* v = x.as<VarNode>()) used.insert(v);
    });
  };
  for (const IterVar& iv : block->iter_vars) {
    if (iv.kind == IterKind::kSpatial) note_uses(iv.binding);
  }
  if (block->predicate) note_uses(block->predicate);
  // Fresh copies of the used loops, and of the spatial iteration variables.
  std::unordered_map<const VarNode*, PrimExpr> fresh;
  auto sub = [&](const PrimExpr& e) {
    return Substitute(e, [&](const Var& v) {
      auto it = fresh.find(v.get());
      return it == fresh.end() ? PrimExpr() : it->second;
    });
  };
  std::vector<Stmt> copies;  // loops without bodies yet, outermost first
  for (const ForNode* f : loops) {
    if (!used.count(f->loop_var.get())) continue;
    Var v(f->loop_var.name(), f->loop_var.dtype());
    copies.push_back(For(v, sub(f->min), sub(f->extent), f->for_kind, Evaluate(0), f->thread_tag, f->annotations));
    fresh[f->loop_var.get()] = v;
  }
  BlockSpec init{name, {}, {}, {}, Stmt(), Stmt(), {}, PrimExpr(), {}, {}};
  std::unordered_map<const VarNode*, PrimExpr> iter_map;
  for (const IterVar& iv : block->iter_vars) {
    if (iv.kind != IterKind::kSpatial) continue;
    Var v(iv.var.name(), iv.var.dtype());
    init.iter_vars.push_back({v, iv.dom, IterKind::kSpatial, sub(iv.binding)});
    iter_map[iv.var.get()] = v;
  }
  init.body = Substitute(block->init, [&](const Var& v) {
    auto it = iter_map.find(v.get());
    return it == iter_map.end() ? PrimExpr() : it->second;
  });
  if (block->predicate) init.predicate = sub(block->predicate);
  AccessRegions regions = InferAccessRegions(init);
  init.reads = regions.reads;
  init.writes = regions.writes;
  Stmt body = Block(std::move(init));
  for (auto it = copies.rbegin(); it != copies.rend(); ++it) body = WithBody(it->as<ForNode>(), body);
  return body;
}

}  // namespace kiln::tir::schedule
