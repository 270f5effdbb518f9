// The shape heap of one relax function: slots for its symbolic dimensions,
// matched from values, loaded into shapes and scalars, and computed with
// shape programs for dimension expressions.
#include "shape_heap.h"

#include <algorithm>
#include <limits>

#include "kiln/runtime/error.h"
#include "kiln/runtime/vm/builtins.h"

namespace kiln::codegen::vm {

using runtime::vm::HeapOp;
using runtime::vm::ShapePattern;
using runtime::vm::ShapeProgram;

void CollectDimVars(const tir::PrimExpr& e, std::vector<const tir::VarNode*>* out) {
  if (!e) return;
  if (const auto* v = e.as<tir::VarNode>()) {
    if (std::find(out->begin(), out->end(), v) == out->end()) out->push_back(v);
  } else if (const auto* bin = e.as<tir::BinaryNode>()) {
    CollectDimVars(bin->a, out);
    CollectDimVars(bin->b, out);
  } else if (const auto* cast = e.as<tir::CastNode>()) {
    CollectDimVars(cast->value, out);
  }
}

namespace {

Operand ShapeConstant(ExecBuilder& b, const std::vector<int64_t>& codes) {
  return b.AddConstant(runtime::Any(codes));
}

}  // namespace

ShapeHeap::ShapeHeap(ExecBuilder& b, std::string func_name, const std::vector<const tir::VarNode*>& vars,
                     int64_t max_rank, bool needs_heap)
    : b_(b), func_(std::move(func_name)) {
  for (const tir::VarNode* v : vars) slot_.emplace(v, static_cast<int64_t>(slot_.size()));
  first_scratch_ = static_cast<int64_t>(slot_.size());
  if (slot_.empty() && !needs_heap) return;
  heap_ = b_.NewRegister();
  b_.EmitCall(b_.Global("vm.builtin.alloc_shape_heap"), {Operand::Imm(first_scratch_ + std::max<int64_t>(max_rank, 1))},
              heap_);
}

void ShapeHeap::SetBounds(std::map<std::string, int64_t> lower, std::map<std::string, int64_t> upper) {
  lower_ = std::move(lower);
  upper_ = std::move(upper);
}

bool ShapeHeap::Bound(const tir::PrimExpr& e) const {
  std::vector<const tir::VarNode*> vars;
  CollectDimVars(e, &vars);
  return std::all_of(vars.begin(), vars.end(), [&](const tir::VarNode* v) { return bound_.count(v) > 0; });
}

void ShapeHeap::Match(Operand value, const std::vector<tir::PrimExpr>& dims, const std::string& context) {
  ShapePattern pattern;
  bool needed = false;  // a pattern of only kAny checks nothing
  int64_t scratch = first_scratch_;
  std::vector<const tir::VarNode*> stored;
  for (const tir::PrimExpr& d : dims) {
    if (const auto* imm = d.as<tir::IntImmNode>()) {
      pattern.Const(imm->value);
      needed = true;
    } else if (const auto* v = d.as<tir::VarNode>()) {
      KILN_ICHECK(slot_.count(v)) << "VM codegen: no heap slot for '" << v->name << "' in " << func_;
      if (bound_.count(v)) {
        pattern.Load(slot_.at(v));
      } else {
        pattern.Store(slot_.at(v));
        bound_[v] = true;
        stored.push_back(v);
      }
      needed = true;
    } else if (Bound(d)) {
      pattern.Load(SlotOf(d, scratch++, context));
      needed = true;
    } else {
      pattern.Any();
    }
  }
  if (!needed) return;
  KILN_ICHECK(heap_.kind == Operand::Kind::kRegister) << "VM codegen: " << func_ << " has no shape heap";
  b_.EmitCall(b_.Global("vm.builtin.match_shape"),
              {value, heap_, ShapeConstant(b_, pattern.codes()), b_.AddConstant(context)});
  for (const tir::VarNode* v : stored) {
    auto lo = lower_.find(v->name), hi = upper_.find(v->name);
    if (lo == lower_.end() && hi == upper_.end()) continue;
    b_.EmitCall(b_.Global("vm.builtin.check_dim_range"),
                {heap_, Operand::Imm(slot_.at(v)), Operand::Imm(lo == lower_.end() ? std::numeric_limits<int64_t>::min() : lo->second),
                 Operand::Imm(hi == upper_.end() ? std::numeric_limits<int64_t>::max() : hi->second),
                 b_.AddConstant(context + ": symbolic dimension '" + v->name + "'")});
  }
}

Operand ShapeHeap::MakeShape(const std::vector<tir::PrimExpr>& dims, const std::string& what) {
  std::vector<int64_t> values;
  for (const tir::PrimExpr& d : dims) {
    if (const auto* imm = d.as<tir::IntImmNode>()) values.push_back(imm->value);
  }
  if (values.size() == dims.size()) return ShapeConstant(b_, values);
  ShapePattern pattern;
  int64_t scratch = first_scratch_;
  for (const tir::PrimExpr& d : dims) {
    if (const auto* imm = d.as<tir::IntImmNode>()) {
      pattern.Const(imm->value);
    } else {
      pattern.Load(SlotOf(d, scratch++, what));
    }
  }
  Operand shape = b_.NewRegister();
  b_.EmitCall(b_.Global("vm.builtin.make_shape"), {heap_, ShapeConstant(b_, pattern.codes())}, shape);
  return shape;
}

Operand ShapeHeap::Scalar(const tir::PrimExpr& e, const std::string& what) {
  if (const auto* imm = e.as<tir::IntImmNode>()) return Operand::Imm(imm->value);
  Operand out = b_.NewRegister();
  b_.EmitCall(b_.Global("vm.builtin.heap_load"), {heap_, Operand::Imm(SlotOf(e, first_scratch_, what))}, out);
  return out;
}

int64_t ShapeHeap::SlotOf(const tir::PrimExpr& e, int64_t scratch, const std::string& what) {
  std::vector<const tir::VarNode*> vars;
  CollectDimVars(e, &vars);
  for (const tir::VarNode* v : vars) {
    KILN_CHECK(bound_.count(v)) << "VM codegen: function '" << func_ << "': " << what << " uses the dimension '"
                                << v->name << "', which no parameter or match_cast defines before it";
  }
  if (const auto* v = e.as<tir::VarNode>()) return slot_.at(v);
  ShapeProgram prog;
  Compile(e, &prog, what);
  prog.Store(scratch);
  b_.EmitCall(b_.Global("vm.builtin.shape_compute"), {heap_, ShapeConstant(b_, prog.codes())});
  return scratch;
}

void ShapeHeap::Compile(const tir::PrimExpr& e, ShapeProgram* prog, const std::string& what) {
  if (const auto* imm = e.as<tir::IntImmNode>()) {
    prog->PushConst(imm->value);
  } else if (const auto* v = e.as<tir::VarNode>()) {
    prog->PushSlot(slot_.at(v));
  } else if (const auto* cast = e.as<tir::CastNode>()) {
    Compile(cast->value, prog, what);
  } else if (const auto* bin = e.as<tir::BinaryNode>()) {
    // Dimensions are non-negative, so truncating and flooring division agree.
    HeapOp op;
    switch (bin->op) {
      case tir::BinaryOp::kAdd: op = HeapOp::kAdd; break;
      case tir::BinaryOp::kSub: op = HeapOp::kSub; break;
      case tir::BinaryOp::kMul: op = HeapOp::kMul; break;
      case tir::BinaryOp::kDiv:
      case tir::BinaryOp::kFloorDiv: op = HeapOp::kFloorDiv; break;
      case tir::BinaryOp::kMod:
      case tir::BinaryOp::kFloorMod: op = HeapOp::kFloorMod; break;
      case tir::BinaryOp::kMin: op = HeapOp::kMin; break;
      case tir::BinaryOp::kMax: op = HeapOp::kMax; break;
      default:
        KILN_THROW() << "VM codegen: function '" << func_ << "': " << what << ": the operator '"
                     << tir::BinaryOpSymbol(bin->op) << "' is not supported in a dimension";
    }
    Compile(bin->a, prog, what);
    Compile(bin->b, prog, what);
    prog->Op(op);
  } else {
    KILN_THROW() << "VM codegen: function '" << func_ << "': " << what
                 << ": a dimension may use only integers, variables, + - * // % min max";
  }
}

}  // namespace kiln::codegen::vm
