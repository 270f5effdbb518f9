// blockize: the subtree rooted at a loop (the loop included) becomes one
// outer block "<inner>_o" placed where the loop was. Each iteration variable
// of the inner block whose binding the loops outside vary gets an outer
// counterpart: its binding `outer * inner_extent + inner + min` (inner from
// the loops inside, dense over [0, inner_extent)) is split, the outer block
// iterates over `outer` and the inner block keeps its iteration variables,
// bound to `min + v_o * inner_extent + inner`. A reduction's init moves to
// the outer block (as a nest over the inner spatial loops) when the outer
// block reduces too; otherwise the whole reduction runs inside one outer
// instance and the init stays where it is.
#include <algorithm>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "../analysis.h"
#include "../analysis_nest.h"
#include "../primitives.h"
#include "kiln/tir/arith/canonical.h"
#include "kiln/tir/functor.h"
#include "kiln/tir/printer.h"

namespace kiln::tir::schedule {
namespace {

constexpr const char* kPrim = "blockize";

using VarSet = std::unordered_set<const VarNode*>;

bool UsesAnyOf(const PrimExpr& e, const VarSet& vars) {
  bool found = false;
  PreOrderVisit(e, [&](const PrimExpr& x) {
    if (const VarNode* v = x.as<VarNode>()) found |= vars.count(v) > 0;
  });
  return found;
}

// The loops from `loop` down to the one block under it; raises unless they
// nest directly around exactly one block.
LoopNest InnerNest(const ForNode* loop) {
  const std::string name = loop->loop_var.name();
  std::vector<const BlockNode*> blocks = ChildBlocks(runtime::GetRef<StmtNode>(loop));
  if (blocks.size() != 1) {
    std::ostringstream os;
    os << "loop '" << name << "' must hold exactly one block, it holds " << blocks.size();
    for (size_t i = 0; i < blocks.size(); ++i) os << (i ? ", '" : " ('") << blocks[i]->name << "'";
    if (!blocks.empty()) os << ")";
    Fail(kPrim, os.str());
  }
  Stmt s = runtime::GetRef<StmtNode>(loop);
  while (const ForNode* f = s.as<ForNode>()) s = f->body;
  KILN_SCHEDULE_CHECK(s.as<BlockNode>(), kPrim)
      << "only loops may lie between loop '" << name << "' and block '" << blocks[0]->name
      << "'; found a statement of kind " << StmtKindName(s.kind());
  return *AsLoopNest(runtime::GetRef<StmtNode>(loop));
}

// How one iteration variable of the inner block divides.
struct Division {
  std::optional<IterVar> outer;  // the outer block's counterpart, if any
  PrimExpr inner_binding;        // the inner block's new binding
};

// Splits bindings into the parts the loops outside `loop` and the loops
// from `loop` down vary.
class BindingDivider {
 public:
  BindingDivider(const std::vector<const ForNode*>& outer, const std::vector<const ForNode*>& inner,
                 const BlockNode* block)
      : inner_loops_(inner), block_(block) {
    for (const ForNode* f : outer) {
      outer_vars_.insert(f->loop_var.get());
      ana_.Bind(f->loop_var, Range{f->min, f->extent});
    }
    for (const ForNode* f : inner) {
      inner_vars_.insert(f->loop_var.get());
      loop_of_[f->loop_var.get()] = f;
    }
    for (const ForNode* f : inner) {
      KILN_SCHEDULE_CHECK(!UsesAnyOf(f->min, outer_vars_) && !UsesAnyOf(f->extent, outer_vars_), kPrim)
          << "the range of loop '" << f->loop_var.name() << "' depends on loops outside loop '" << Head() << "'";
    }
  }

  Division Divide(const IterVar& iv) {
    bool in = UsesAnyOf(iv.binding, inner_vars_), out = UsesAnyOf(iv.binding, outer_vars_);
    if (!out) return {std::nullopt, iv.binding};  // the same in every outer instance
    if (!in) return WholeOuter(iv, iv.binding);
    return Mixed(iv);
  }

 private:
  std::string Head() const { return inner_loops_.front()->loop_var.name(); }
  std::string Where(const IterVar& iv) const {
    return "the binding " + ToText(iv.binding) + " of '" + iv.var.name() + "' in block '" + block_->name + "'";
  }

  // The binding varies with the loops outside only: the outer block takes it.
  Division WholeOuter(const IterVar& iv, const PrimExpr& binding) {
    Var v(iv.var.name() + "_o", iv.var.dtype());
    return {IterVar{v, iv.dom, iv.kind, binding}, v};
  }

  // binding = P + Q with Q = sum c * (l - min_l) over the loops inside,
  // dense over [0, inner_extent), and P = min + outer * inner_extent.
  Division Mixed(const IterVar& iv) {
    DataType t = iv.binding.dtype();
    struct Term {
      const ForNode* loop;
      int64_t coeff;
    };
    std::vector<Term> terms;
    arith::SumForm form = arith::ToSumForm(iv.binding);
    for (const arith::Monomial& m : form.terms()) {
      bool uses_inner = false;
      for (const PrimExpr& a : m.atoms) uses_inner |= UsesAnyOf(a, inner_vars_);
      if (!uses_inner) continue;
      const VarNode* v = m.atoms.size() == 1 ? m.atoms[0].as<VarNode>() : nullptr;
      if (!v || !inner_vars_.count(v)) {
        Fail(kPrim, Where(iv) + " is not affine in the loops from '" + Head() +
                        "' down, so it cannot be split into a part outside the block and a part inside");
      }
      terms.push_back({loop_of_.at(v), m.coeff});
    }
    std::sort(terms.begin(), terms.end(), [](const Term& a, const Term& b) { return a.coeff < b.coeff; });
    PrimExpr inner = IntImm(t, 0), inner_extent = IntImm(t, 1);
    int64_t expect = 1;
    for (size_t k = 0; k < terms.size(); ++k) {
      const ForNode* f = terms[k].loop;
      std::optional<int64_t> extent = ConstIntValue(f->extent);
      if (extent && *extent == 1) continue;
      if (terms[k].coeff != expect || (!extent && k + 1 < terms.size())) {
        Fail(kPrim, Where(iv) + " does not run densely over the loops from '" + Head() + "' down (loop '" +
                        f->loop_var.name() + "' has coefficient " + std::to_string(terms[k].coeff) +
                        (terms[k].coeff != expect ? ", not " + std::to_string(expect) : "") + ")");
      }
      inner = inner + IntImm(t, terms[k].coeff) * (f->loop_var - f->min);
      inner_extent = inner_extent * f->extent;
      if (extent) expect *= *extent;
    }
    PrimExpr outer = ana_.Simplify(Substitute(iv.binding, [&](const Var& v) -> PrimExpr {
      auto it = loop_of_.find(v.get());
      return it == loop_of_.end() ? PrimExpr() : it->second->min;
    }));
    inner = ana_.Simplify(inner);
    if (is_one(inner_extent)) return WholeOuter(iv, outer);
    return Divided(iv, outer, inner, ana_.Simplify(inner_extent));
  }

  Division Divided(const IterVar& iv, const PrimExpr& outer, const PrimExpr& inner, const PrimExpr& ie) {
    const PrimExpr& m = iv.dom.min;
    const PrimExpr& e = iv.dom.extent;
    KILN_SCHEDULE_CHECK(ana_.CanProve(floormod(e, ie) == IntImm(e.dtype(), 0)), kPrim)
        << "the extent " << ToText(e) << " of '" << iv.var.name() << "' in block '" << block_->name
        << "' is not a multiple of " << ToText(ie) << ", what the loops from '" << Head() << "' down cover";
    PrimExpr base = ana_.Simplify(outer - m);
    KILN_SCHEDULE_CHECK(ana_.CanProve(floormod(base, ie) == IntImm(base.dtype(), 0)), kPrim)
        << Where(iv) << " has a part outside loop '" << Head() << "' (" << ToText(outer)
        << ") that does not step in multiples of " << ToText(ie) << ", what the loops from '" << Head()
        << "' down cover";
    PrimExpr outer_extent = ana_.Simplify(floordiv(e, ie));
    if (is_one(outer_extent) && ana_.CanProve(base == IntImm(base.dtype(), 0)))
      return {std::nullopt, ana_.Simplify(m + inner)};
    Var v(iv.var.name() + "_o", iv.var.dtype());
    IterVar o{v, Range{IntImm(e.dtype(), 0), outer_extent}, iv.kind, ana_.Simplify(floordiv(base, ie))};
    return {o, ana_.Simplify(m + v * ie + inner)};
  }

  static bool is_one(const PrimExpr& e) {
    std::optional<int64_t> c = ConstIntValue(e);
    return c && *c == 1;
  }

  const std::vector<const ForNode*>& inner_loops_;
  const BlockNode* block_;
  VarSet outer_vars_, inner_vars_;
  std::unordered_map<const VarNode*, const ForNode*> loop_of_;
  arith::Analyzer ana_;
};

}  // namespace

BlockRef Blockize(ScheduleState& s, const LoopRef& loop_ref) {
  Located loc = s.Find(loop_ref, kPrim);
  LoopNest nest = InnerNest(loc.loop());
  const BlockNode* block = nest.block;
  VarSet inner_vars;
  for (const ForNode* f : nest.loops) inner_vars.insert(f->loop_var.get());

  // The iteration variables, divided.
  BindingDivider divider(loc.loops(), nest.loops, block);
  BlockSpec inner = SpecOf(block);
  BlockSpec outer{
      s.UniqueBlockName(loc.func, block->name + "_o"), {}, {}, {}, Stmt(), Stmt(), {}, PrimExpr(), {}, block->span};
  bool outer_reduces = false;
  for (IterVar& iv : inner.iter_vars) {
    Division d = divider.Divide(iv);
    iv.binding = d.inner_binding;
    if (!d.outer) continue;
    outer_reduces |= d.outer->kind == IterKind::kReduce;
    outer.iter_vars.push_back(*d.outer);
  }
  // Conditions on the loops outside only go to the outer block.
  if (block->predicate) {
    std::vector<PrimExpr> conds, in, out;
    Conjuncts(block->predicate, conds);
    for (const PrimExpr& c : conds) (UsesAnyOf(c, inner_vars) ? in : out).push_back(c);
    inner.predicate = AndAll(in);
    outer.predicate = AndAll(out);
  }
  // The init runs once per outer reduction step when the outer block
  // reduces; else the whole reduction runs in one outer instance.
  if (block->init && outer_reduces) {
    BlockSpec rebound = inner;  // the init, with the new bindings
    Stmt with_init = Block(rebound);
    outer.init =
        InitNest(with_init.as<BlockNode>(), nest.loops, s.UniqueBlockName(loc.func, block->name + "_init"), kPrim);
    inner.init = Stmt();
  }
  outer.body = WrapInLoops(nest.loops, Block(inner));
  AccessRegions regions = InferAccessRegions(outer);
  outer.reads = regions.reads;
  outer.writes = regions.writes;
  std::string name = outer.name;
  s.Replace(loc.func, {{loc.stmt().get(), Block(std::move(outer))}});
  return BlockRef{loc.func, name};
}

}  // namespace kiln::tir::schedule
