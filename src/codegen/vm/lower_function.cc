// One relax function to bytecode: parameters with their ParamInfo, symbolic
// dimensions bound in the shape heap (shape_heap.h), call_tir as allocation
// plus a destination-passing kernel call, tuples, if/else with jumps,
// match_cast as checks, calls between functions, constants, return.
// call_tir allocates each output on its own (alloc_tensor_simple); after
// CallTIRRewrite and StaticPlanBlockMemory the allocations are explicit ops
// (builtin.alloc_tensor, memory.alloc_storage / alloc_tensor) followed by a
// kernel call, and memory.kill_* clear registers so values are freed before
// the function returns.
#include "lower_function.h"

#include <algorithm>
#include <optional>
#include <unordered_map>

#include "kiln/relax/functor.h"
#include "kiln/relax/struct_info.h"
#include "kiln/relax/var_bounds.h"
#include "kiln/runtime/error.h"
#include "kiln/tir/function.h"
#include "shape_heap.h"

namespace kiln::codegen::vm {
namespace {

using relax::Expr;
using runtime::Any;
using runtime::DataType;
using runtime::vm::ExecBuilder;
using runtime::vm::kVMDevice;
using runtime::vm::ParamInfo;

// What the shape heap of a function needs: its symbolic variables, the
// largest rank, and whether a match_cast may check through it.
class DimScan : public relax::ExprVisitor {
 public:
  std::vector<const tir::VarNode*> vars;
  int64_t max_rank = 0;
  bool has_match_cast = false;

 protected:
  void VisitPrimExpr(const tir::PrimExpr& e) override {
    CollectDimVars(e, &vars);
    max_rank = std::max<int64_t>(max_rank, 1);
  }
  void VisitStructInfo(const ir::StructInfo& sinfo) override {
    if (auto t = sinfo.As<relax::TensorStructInfoNode>(); t && t->shape) {
      max_rank = std::max<int64_t>(max_rank, static_cast<int64_t>(t->shape->size()));
    } else if (auto s = sinfo.As<relax::ShapeStructInfoNode>(); s && s->values) {
      max_rank = std::max<int64_t>(max_rank, static_cast<int64_t>(s->values->size()));
    }
    ExprVisitor::VisitStructInfo(sinfo);
  }
  void VisitExpr_(const relax::ShapeExprNode* op) override {
    max_rank = std::max<int64_t>(max_rank, static_cast<int64_t>(op->values.size()));
    ExprVisitor::VisitExpr_(op);
  }
  void VisitBinding(const relax::Binding& binding) override {
    if (binding.match_cast) has_match_cast = true;
    ExprVisitor::VisitBinding(binding);
  }
};

// Whether checking `sinfo` needs the shape heap (it names a dimension that
// is not a constant).
bool HasSymbolicDims(const ir::StructInfo& sinfo) {
  auto symbolic = [](const std::vector<tir::PrimExpr>& dims) {
    return std::any_of(dims.begin(), dims.end(), [](const tir::PrimExpr& d) { return !d.as<tir::IntImmNode>(); });
  };
  if (auto t = sinfo.As<relax::TensorStructInfoNode>()) return t->shape && symbolic(*t->shape);
  if (auto s = sinfo.As<relax::ShapeStructInfoNode>()) return s->values && symbolic(*s->values);
  if (auto p = sinfo.As<relax::PrimStructInfoNode>())
    return static_cast<bool>(p->value) && !p->value.as<tir::IntImmNode>();
  if (auto tup = sinfo.As<relax::TupleStructInfoNode>()) {
    return std::any_of(tup->fields.begin(), tup->fields.end(), HasSymbolicDims);
  }
  return false;
}

class FunctionLowering : public relax::ExprFunctor<Operand(const Expr&)> {
 public:
  FunctionLowering(ExecBuilder& b, const ir::IRModule& mod, std::string name)
      : b_(b), mod_(mod), name_(std::move(name)) {}

  void Lower(const relax::Function& func) {
    std::vector<std::pair<std::string, ParamInfo>> params;
    for (const relax::Var& p : func->params) {
      params.emplace_back(p.name(), ParamInfo::Parse(relax::StructInfoString(p.struct_info())));
    }
    b_.BeginFunction(name_, std::move(params));
    DimScan scan;
    scan.VisitExpr(Expr(func));
    heap_.emplace(b_, name_, scan.vars, scan.max_rank, scan.has_match_cast);
    heap_->SetBounds(relax::ReadVarBounds(func, "tir_var_lower_bound", "VM codegen", name_),
                     relax::ReadVarBounds(func, "tir_var_upper_bound", "VM codegen", name_));
    for (size_t i = 0; i < func->params.size(); ++i) {
      const relax::Var& p = func->params[i];
      vars_[p.get()] = b_.Param(static_cast<int64_t>(i));
      // The VM checked kinds, ranks, dtypes and constant dimensions; what is
      // left is binding the symbolic ones.
      if (HasSymbolicDims(p.struct_info())) BindDims(b_.Param(static_cast<int64_t>(i)), p.struct_info(), Context(p, i));
    }
    b_.EmitRet(VisitExpr(func->body));
    b_.EndFunction();
  }

 private:
  // How a run-time check names parameter `p`, as the VM's own argument
  // checks do: "main: argument 'y' (1) must be Tensor((n * 2, 4), float32)".
  std::string Context(const relax::Var& p, size_t index) const {
    return name_ + ": argument '" + p.name() + "' (" + std::to_string(index) + ") must be " +
           relax::StructInfoString(p.struct_info());
  }
  [[noreturn]] void Fail(const std::string& what) const {
    KILN_THROW() << "VM codegen: function '" << name_ << "': " << what;
    __builtin_unreachable();
  }
  Operand Call(const std::string& builtin, std::vector<Operand> args) {
    Operand dst = b_.NewRegister();
    b_.EmitCall(b_.Global(builtin), std::move(args), dst);
    return dst;
  }
  Operand DTypeOrNone(DataType dtype) { return dtype.is_void() ? b_.AddConstant(Any()) : b_.AddConstant(dtype); }

  bool HasUnboundDims(const ir::StructInfo& sinfo) const {
    auto unbound = [&](const std::vector<tir::PrimExpr>& dims) {
      return std::any_of(dims.begin(), dims.end(), [&](const tir::PrimExpr& d) { return !heap_->Bound(d); });
    };
    if (auto t = sinfo.As<relax::TensorStructInfoNode>()) return t->shape && unbound(*t->shape);
    if (auto s = sinfo.As<relax::ShapeStructInfoNode>()) return s->values && unbound(*s->values);
    if (auto p = sinfo.As<relax::PrimStructInfoNode>()) return static_cast<bool>(p->value) && !heap_->Bound(p->value);
    if (auto tup = sinfo.As<relax::TupleStructInfoNode>()) {
      return std::any_of(tup->fields.begin(), tup->fields.end(),
                         [&](const ir::StructInfo& f) { return HasUnboundDims(f); });
    }
    return false;
  }

  // Stores the symbolic dimensions of a value of struct info `sinfo` into the
  // heap (checking those already bound).
  void BindDims(Operand value, const ir::StructInfo& sinfo, const std::string& context) {
    if (auto t = sinfo.As<relax::TensorStructInfoNode>()) {
      if (t->shape) heap_->Match(value, *t->shape, context);
    } else if (auto s = sinfo.As<relax::ShapeStructInfoNode>()) {
      if (s->values) heap_->Match(value, *s->values, context);
    } else if (auto p = sinfo.As<relax::PrimStructInfoNode>()) {
      if (static_cast<bool>(p->value)) heap_->Match(value, {p->value}, context);
    } else if (auto tup = sinfo.As<relax::TupleStructInfoNode>()) {
      for (size_t i = 0; i < tup->fields.size(); ++i) {
        if (!HasSymbolicDims(tup->fields[i])) continue;
        Operand field = Call("vm.builtin.tuple_get_item", {value, Operand::Imm(static_cast<int64_t>(i))});
        BindDims(field, tup->fields[i], context + "[" + std::to_string(i) + "]");
      }
    }
  }

  // match_cast: the kind, rank and dtype checks, then the dimensions.
  void MatchCast(Operand value, const ir::StructInfo& sinfo, const std::string& context) {
    if (auto t = sinfo.As<relax::TensorStructInfoNode>()) {
      b_.EmitCall(b_.Global("vm.builtin.check_tensor_info"),
                  {value, Operand::Imm(t->ndim), DTypeOrNone(t->dtype), b_.AddConstant(context)});
      if (t->shape) heap_->Match(value, *t->shape, context);
    } else if (auto s = sinfo.As<relax::ShapeStructInfoNode>()) {
      b_.EmitCall(b_.Global("vm.builtin.check_shape_info"), {value, Operand::Imm(s->ndim), b_.AddConstant(context)});
      if (s->values) heap_->Match(value, *s->values, context);
    } else if (auto p = sinfo.As<relax::PrimStructInfoNode>()) {
      b_.EmitCall(b_.Global("vm.builtin.check_prim_info"), {value, DTypeOrNone(p->dtype), b_.AddConstant(context)});
      if (static_cast<bool>(p->value)) heap_->Match(value, {p->value}, context);
    } else if (auto tup = sinfo.As<relax::TupleStructInfoNode>()) {
      int64_t n = static_cast<int64_t>(tup->fields.size());
      b_.EmitCall(b_.Global("vm.builtin.check_tuple_info"), {value, Operand::Imm(n), b_.AddConstant(context)});
      for (int64_t i = 0; i < n; ++i) {
        Operand field = Call("vm.builtin.tuple_get_item", {value, Operand::Imm(i)});
        MatchCast(field, tup->fields[i], context + "[" + std::to_string(i) + "]");
      }
    }
  }

  // A fresh tensor of struct info `sinfo` (shape and dtype known).
  Operand AllocTensor(const ir::StructInfo& sinfo, const std::string& what) {
    auto t = sinfo.As<relax::TensorStructInfoNode>();
    if (!t || !t->shape || t->dtype.is_void()) {
      Fail(what + ": the output must be a tensor of known shape and dtype, got " + relax::StructInfoString(sinfo));
    }
    Operand shape = heap_->MakeShape(*t->shape, what);
    return Call("vm.builtin.alloc_tensor_simple",
                {shape, b_.AddConstant(t->dtype), Operand::DeviceOf(runtime::vm::kVMDevice)});
  }

  // call_tir(f, (args...), out_sinfo[, tir_vars]) and call_dps_packed: the
  // outputs are allocated, then f(args..., outputs..., tir_vars...).
  Operand LowerDpsCall(const relax::CallNode* call, const std::string& op_name) {
    std::string what = op_name;
    int64_t callee = -1;
    if (const auto* gv = call->args[0].as<ir::GlobalVarNode>()) {
      what += " of '" + gv->name + "'";
      callee = b_.Kernel(gv->name);
    } else if (const auto* ext = call->args[0].as<relax::ExternFuncNode>()) {
      what += " of '" + ext->global_symbol + "'";
      callee = b_.Global(ext->global_symbol);
    } else {
      Fail(op_name + ": the callee must be a GlobalVar or an ExternFunc");
    }
    const auto* tuple = call->args[1].as<relax::TupleNode>();
    if (!tuple) Fail(what + ": the arguments must be a tuple expression");
    std::vector<Operand> args;
    for (const Expr& a : tuple->fields) args.push_back(VisitExpr(a));
    const ir::StructInfo& out = call->sinfo_args.at(0);
    auto out_tuple = out.As<relax::TupleStructInfoNode>();
    std::vector<ir::StructInfo> fields = out_tuple ? out_tuple->fields : std::vector<ir::StructInfo>{out};
    std::vector<Operand> outs;
    for (const ir::StructInfo& f : fields) outs.push_back(AllocTensor(f, what));
    args.insert(args.end(), outs.begin(), outs.end());
    if (call->args.size() == 3) {
      const auto* tir_vars = call->args[2].as<relax::ShapeExprNode>();
      if (!tir_vars) Fail(what + ": tir_vars must be a shape expression");
      for (const tir::PrimExpr& v : tir_vars->values) args.push_back(heap_->Scalar(v, what));
    }
    b_.EmitCall(callee, std::move(args));
    return out_tuple ? Call("vm.builtin.make_tuple", outs) : outs[0];
  }

  // The allocation ops of memory planning (relax/op/memory.h).
  Operand LowerMemoryOp(const relax::CallNode* call, const std::string& op_name) {
    auto device = [&](const char* attr) {
      int64_t index = call->attrs.Get<int64_t>(attr, 0);
      if (index != 0)
        Fail(op_name + ": only device index 0 (the VM's device) is supported, got " + std::to_string(index));
      return Operand::DeviceOf(kVMDevice);
    };
    auto shape_arg = [&](size_t i) -> const std::vector<tir::PrimExpr>& {
      const auto* shape = call->args.at(i).as<relax::ShapeExprNode>();
      if (!shape) Fail(op_name + ": the shape must be a shape expression");
      return shape->values;
    };
    auto dtype = [&] { return b_.AddConstant(call->attrs.Get<DataType>("dtype", DataType())); };
    if (op_name == "relax.builtin.alloc_tensor") {
      Operand shape = heap_->MakeShape(shape_arg(0), op_name);
      return Call("vm.builtin.alloc_tensor_simple", {shape, dtype(), device("runtime_device_index")});
    }
    if (op_name == "relax.memory.alloc_storage") {
      Operand size = heap_->Scalar(shape_arg(0).at(0), op_name);
      return Call("vm.builtin.alloc_storage",
                  {size, device("virtual_device_index"), Operand::Imm(static_cast<int64_t>(runtime::kAllocAlignment))});
    }
    if (op_name == "relax.memory.alloc_tensor") {
      Operand storage = VisitExpr(call->args.at(0));
      Operand shape = heap_->MakeShape(shape_arg(1), op_name);
      return Call("vm.builtin.alloc_tensor",
                  {storage, Operand::Imm(call->attrs.Get<int64_t>("offset", 0)), shape, dtype()});
    }
    if (op_name == "relax.memory.kill_storage" || op_name == "relax.memory.kill_tensor") {
      // Clearing the register drops the frame's reference: the memory goes
      // back once nothing else holds it.
      Operand value = VisitExpr(call->args.at(0));
      if (value.kind == Operand::Kind::kRegister) b_.EmitCall(b_.Global("vm.builtin.null_value"), {}, value);
      return b_.AddConstant(Any());
    }
    Fail("the op '" + op_name + "' has no VM lowering");
  }

  std::vector<Operand> VisitArgs(const std::vector<Expr>& args) {
    std::vector<Operand> out;
    for (const Expr& a : args) out.push_back(VisitExpr(a));
    return out;
  }

  // ---- expressions ----

  Operand VisitExpr_(const relax::VarNode* op) override {
    auto it = vars_.find(op);
    if (it == vars_.end()) Fail("the variable '" + op->name + "' is used before it is bound");
    // Normalization may give a use struct info with dimensions of its own
    // (the result of a call of a function with symbolic parameters); the
    // value defines them.
    if (HasUnboundDims(op->struct_info)) BindDims(it->second, op->struct_info, name_ + ": '" + op->name + "'");
    return it->second;
  }
  Operand VisitExpr_(const relax::ConstantNode* op) override { return b_.AddConstant(op->data); }
  Operand VisitExpr_(const relax::TupleNode* op) override {
    return Call("vm.builtin.make_tuple", VisitArgs(op->fields));
  }
  Operand VisitExpr_(const relax::TupleGetItemNode* op) override {
    return Call("vm.builtin.tuple_get_item", {VisitExpr(op->tuple), Operand::Imm(op->index)});
  }
  Operand VisitExpr_(const relax::ShapeExprNode* op) override { return heap_->MakeShape(op->values, "a shape"); }
  Operand VisitExpr_(const relax::PrimValueNode* op) override {
    if (const auto* f = op->value.as<tir::FloatImmNode>()) return b_.AddConstant(f->value);
    if (op->value.dtype().is_bool()) {
      if (const auto* i = op->value.as<tir::IntImmNode>()) return b_.AddConstant(i->value != 0);
    }
    if (!op->value.dtype().is_int())
      Fail("a prim value of dtype " + op->value.dtype().str() + " that is not a constant");
    return heap_->Scalar(op->value, "a prim value");
  }
  Operand VisitExpr_(const relax::StringImmNode* op) override { return b_.AddConstant(op->value); }
  Operand VisitExpr_(const relax::ExternFuncNode* op) override { return Operand::Func(b_.Global(op->global_symbol)); }
  Operand VisitExpr_(const ir::GlobalVarNode* op) override {
    return Operand::Func(IsRelaxFunction(op) ? b_.DeclareFunction(op->name) : b_.Kernel(op->name));
  }
  Operand VisitExpr_(const relax::OpNode* op) override {
    Fail("the op '" + op->name + "' is used as a value; only calls of ops can be lowered");
  }
  Operand VisitExpr_(const relax::FunctionNode*) override {
    Fail("nested functions (closures) are not supported by the VM codegen yet");
  }

  Operand VisitExpr_(const relax::CallNode* call) override {
    if (const auto* op = call->op.as<relax::OpNode>()) {
      if (op->name == "relax.call_tir" || op->name == "relax.call_dps_packed") return LowerDpsCall(call, op->name);
      if (op->name.rfind("relax.builtin.", 0) == 0 || op->name.rfind("relax.memory.", 0) == 0) {
        return LowerMemoryOp(call, op->name);
      }
      Fail("the op '" + op->name + "' has no VM lowering" +
           (op->name == "relax.call_tir_inplace" ? std::string(" yet") : std::string("; run LegalizeOps first")));
    }
    if (const auto* gv = call->op.as<ir::GlobalVarNode>()) {
      if (!IsRelaxFunction(gv)) {
        // A destination-passing kernel call made explicit (CallTIRRewrite):
        // inputs, outputs and scalars in order; its result is None.
        b_.EmitCall(b_.Kernel(gv->name), VisitArgs(call->args));
        return b_.AddConstant(Any());
      }
      return CallFunction(b_.DeclareFunction(gv->name), VisitArgs(call->args));
    }
    if (const auto* ext = call->op.as<relax::ExternFuncNode>()) {
      return CallFunction(b_.Global(ext->global_symbol), VisitArgs(call->args));
    }
    std::vector<Operand> args = {VisitExpr(call->op)};
    for (const Operand& a : VisitArgs(call->args)) args.push_back(a);
    return Call("vm.builtin.invoke", std::move(args));
  }
  Operand CallFunction(int64_t func, std::vector<Operand> args) {
    Operand dst = b_.NewRegister();
    b_.EmitCall(func, std::move(args), dst);
    return dst;
  }

  Operand VisitExpr_(const relax::IfNode* op) override {
    Operand cond = VisitExpr(op->condition);
    ExecBuilder::Label else_label = b_.NewLabel(), join = b_.NewLabel();
    Operand result = b_.NewRegister();
    b_.EmitIf(cond, else_label);
    b_.EmitCall(b_.Global("vm.builtin.copy"), {VisitExpr(op->true_branch)}, result);
    b_.EmitGoto(join);
    b_.BindLabel(else_label);
    b_.EmitCall(b_.Global("vm.builtin.copy"), {VisitExpr(op->false_branch)}, result);
    b_.BindLabel(join);
    return result;
  }

  Operand VisitExpr_(const relax::SeqExprNode* op) override {
    for (const relax::BindingBlock& block : op->blocks) {
      for (const relax::Binding& binding : block.bindings) {
        Operand value = VisitExpr(binding.value);
        if (binding.match_cast) {
          MatchCast(value, binding.match_cast, name_ + ": match_cast of '" + binding.var.name() + "'");
        } else if (HasUnboundDims(binding.var.struct_info())) {
          // A value whose struct info names dimensions not bound yet (the
          // result of a call, say) defines them.
          BindDims(value, binding.var.struct_info(), name_ + ": '" + binding.var.name() + "'");
        }
        vars_[binding.var.get()] = value;
      }
    }
    return VisitExpr(op->body);
  }

  bool IsRelaxFunction(const ir::GlobalVarNode* gv) const {
    ir::BaseFunc f = mod_.Lookup(gv->name);
    if (!f) Fail("it calls '" + gv->name + "', which is not a function of the module");
    return static_cast<bool>(f.As<relax::FunctionNode>());
  }

  ExecBuilder& b_;
  const ir::IRModule& mod_;
  std::string name_;
  std::optional<ShapeHeap> heap_;
  std::unordered_map<const relax::VarNode*, Operand> vars_;
};

}  // namespace

void LowerFunction(ExecBuilder& b, const ir::IRModule& mod, const std::string& name, const relax::Function& func) {
  FunctionLowering(b, mod, name).Lower(func);
}

}  // namespace kiln::codegen::vm
