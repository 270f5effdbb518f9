// BlockBuilder: struct-info inference (the Normalizer), flattening to
// A-normal form, block and function scopes, unique names.
#include "kiln/relax/block_builder.h"

#include "kiln/relax/functor.h"
#include "kiln/relax/struct_info_analysis.h"

namespace kiln::relax {

Var WithStructInfo(const Var& var, StructInfo sinfo) {
  return var->is_dataflow ? MakeDataflowVar(var.name(), std::move(sinfo), var->span)
                          : MakeVar(var.name(), std::move(sinfo), var->span);
}

namespace {

template <typename T>
bool Same(const std::vector<T>& a, const std::vector<T>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].get() != b[i].get()) return false;
  }
  return true;
}

// A freshly made node (owned by us alone) with its struct info set.
Expr WithSInfo(Expr fresh, StructInfo sinfo) {
  fresh.get()->struct_info = std::move(sinfo);
  return fresh;
}

bool IsLeaf(const Expr& e) {
  switch (KindOf(e.get())) {
    case ExprKind::kVar:
    case ExprKind::kGlobalVar:
    case ExprKind::kConstant:
    case ExprKind::kShapeExpr:
    case ExprKind::kPrimValue:
    case ExprKind::kStringImm:
    case ExprKind::kExternFunc:
    case ExprKind::kOp: return true;
    default: return false;
  }
}

// Fills struct info bottom-up. A node that has struct info is taken as
// normalized with everything under it, except a Function, whose factory
// sets its struct info before its body is normalized.
class Normalizer : public ExprFunctor<Expr(const Expr&)> {
 public:
  explicit Normalizer(const ir::IRModule& mod) : mod_(mod) {}

  Expr VisitExpr(const Expr& e) override {
    if (e.struct_info() && !e.as<FunctionNode>()) return e;
    return ExprFunctor::VisitExpr(e);
  }

 private:
#define KILN_SELF Expr(runtime::GetRef(op))
  Expr VisitExpr_(const VarNode* op) override {
    KILN_CHECK(op->struct_info) << "relax variable '" << op->name << "' has no struct info";
    return KILN_SELF;
  }
  Expr VisitExpr_(const GlobalVarNode* op) override { return KILN_SELF; }
  Expr VisitExpr_(const OpNode* op) override { return KILN_SELF; }
  Expr VisitExpr_(const ConstantNode* op) override { return MakeConstant(op->data, op->span); }
  Expr VisitExpr_(const ShapeExprNode* op) override { return MakeShapeExpr(op->values, op->span); }
  Expr VisitExpr_(const PrimValueNode* op) override { return MakePrimValue(op->value, op->span); }
  Expr VisitExpr_(const StringImmNode* op) override { return MakeStringImm(op->value, op->span); }
  Expr VisitExpr_(const ExternFuncNode* op) override { return MakeExternFunc(op->global_symbol, op->span); }

  Expr VisitExpr_(const TupleNode* op) override {
    std::vector<Expr> fields;
    std::vector<StructInfo> infos;
    for (const Expr& f : op->fields) {
      fields.push_back(VisitExpr(f));
      infos.push_back(SInfoOf(fields.back()));
    }
    return WithSInfo(MakeTuple(fields, op->span), TupleSInfo(infos));
  }

  Expr VisitExpr_(const TupleGetItemNode* op) override {
    Expr tuple = VisitExpr(op->tuple);
    return WithSInfo(MakeTupleGetItem(tuple, op->index, op->span), ItemSInfo(SInfoOf(tuple), op->index));
  }

  Expr VisitExpr_(const CallNode* op) override {
    std::vector<Expr> args;
    for (const Expr& a : op->args) args.push_back(VisitExpr(a));
    Expr call = MakeCall(VisitExpr(op->op), args, op->attrs, op->sinfo_args, op->span);
    auto* n = static_cast<CallNode*>(call.get());
    return WithSInfo(call, InferCall(n));
  }

  Expr VisitExpr_(const IfNode* op) override {
    Expr cond = VisitExpr(op->condition);
    Expr t = VisitExpr(op->true_branch), f = VisitExpr(op->false_branch);
    CheckCondition(SInfoOf(cond));
    return WithSInfo(MakeIf(cond, t, f, op->span), StructInfoLCA(SInfoOf(t), SInfoOf(f)));
  }

  Expr VisitExpr_(const SeqExprNode* op) override {
    std::vector<BindingBlock> blocks = op->blocks;
    for (BindingBlock& block : blocks) {
      for (Binding& b : block.bindings) {
        KILN_CHECK(b.var.struct_info()) << "the binding of '" << b.var.name()
                                        << "' has no struct info: emit it through a BlockBuilder or run Normalize";
        b.value = VisitExpr(b.value);
      }
    }
    Expr body = VisitExpr(op->body);
    return WithSInfo(MakeSeqExpr(std::move(blocks), body, op->span), SInfoOf(body));
  }

  Expr VisitExpr_(const FunctionNode* op) override {
    Expr body = VisitExpr(op->body);
    if (body.get() == op->body.get()) return KILN_SELF;
    return MakeFunction(op->params, body, op->ret_struct_info, op->is_pure, op->attrs, op->span);
  }
#undef KILN_SELF

  // The struct info of a normalized expression; functions of the module
  // give theirs to the GlobalVars that name them.
  StructInfo SInfoOf(const Expr& e) const {
    if (e.struct_info()) return e.struct_info();
    if (auto gv = e.as<GlobalVarNode>()) {
      ir::BaseFunc f = mod_.Lookup(runtime::GetRef(gv));
      KILN_CHECK(f) << "'" << gv->name << "' is not a function of the module";
      return f->struct_info ? f->struct_info : OpaqueFuncSInfo(ObjectSInfo());
    }
    return ObjectSInfo();  // an Op used as a value
  }

  static StructInfo ItemSInfo(const StructInfo& tuple, int index) {
    if (tuple.As<ObjectStructInfoNode>()) return tuple;
    auto t = tuple.As<TupleStructInfoNode>();
    KILN_CHECK(t) << "tuple item " << index << " of a value that is not a tuple: " << StructInfoString(tuple);
    KILN_CHECK(static_cast<size_t>(index) < t->fields.size())
        << "tuple index " << index << " is out of range for a tuple of " << t->fields.size() << " fields";
    return t->fields[index];
  }

  static void CheckCondition(const StructInfo& s) {
    auto prim = s.As<PrimStructInfoNode>();
    auto tensor = s.As<TensorStructInfoNode>();
    DataType dtype = prim ? prim->dtype : tensor ? tensor->dtype : DataType::Int(32);
    KILN_CHECK((prim || (tensor && tensor->ndim <= 0)) && (dtype.is_bool() || dtype.is_void()))
        << "the condition of an if must be a bool scalar, not " << StructInfoString(s);
  }

  StructInfo InferCall(CallNode* call) const {
    if (auto op = call->op.as<OpNode>()) return InferOpCall(op, call);
    if (call->op.as<ExternFuncNode>()) {
      KILN_CHECK(call->sinfo_args.size() <= 1) << "a call of an extern function takes at most one sinfo_arg (its "
                                                  "result), got "
                                               << call->sinfo_args.size();
      return call->sinfo_args.empty() ? ObjectSInfo() : call->sinfo_args[0];
    }
    StructInfo callee = SInfoOf(call->op);
    auto f = callee.As<FuncStructInfoNode>();
    KILN_CHECK(f) << "call of a value that is not a function: " << StructInfoString(callee);
    if (f->params) {
      KILN_CHECK(f->params->size() == call->args.size())
          << "call of " << CalleeName(call->op) << " with " << call->args.size() << " arguments; it takes "
          << f->params->size();
    }
    return CallReturnSInfo(f.get(), call->args);
  }

  static StructInfo InferOpCall(const OpNode* op, CallNode* call) {
    CheckOpArity(op, call->args.size());
    call->attrs = CheckOpAttrs(op, call->attrs);
    KILN_CHECK(op->infer_struct_info) << op->name << " has no struct info inference";
    StructInfo s = op->infer_struct_info(call);
    KILN_ICHECK(s) << op->name << " inferred no struct info";
    return s;
  }

  static std::string CalleeName(const Expr& callee) {
    if (auto gv = callee.as<GlobalVarNode>()) return "'" + gv->name + "'";
    if (auto v = callee.as<VarNode>()) return "'" + v->name + "'";
    return "a function";
  }

  const ir::IRModule& mod_;
};

// Calls f on each variable a scope defines (parameters and bindings).
class VarDefs : public ExprVisitor {
 public:
  explicit VarDefs(std::function<void(const Var&)> f) : f_(std::move(f)) {}

 protected:
  void VisitVarDef(const Var& var) override { f_(var); }

 private:
  std::function<void(const Var&)> f_;
};

}  // namespace

// ---- the module ----

ir::GlobalVar BlockBuilder::AddFunction(const ir::BaseFunc& func, const std::string& name_hint) {
  KILN_CHECK(func) << "AddFunction of an undefined function";
  std::string name = name_hint;
  for (int i = 1; mod_.Contains(name); ++i) name = name_hint + std::to_string(i);
  ir::GlobalVar gv = ir::MakeGlobalVar(name);
  gv->struct_info = func->struct_info;
  mod_ = mod_.Add(gv, func);
  return gv;
}

void BlockBuilder::UpdateFunction(const ir::GlobalVar& gv, const ir::BaseFunc& func) {
  mod_ = mod_.Update(gv, func);
}

// ---- functions ----

void BlockBuilder::BeginFunction(const std::string& name, std::vector<Var> params, Attrs attrs, bool is_pure) {
  KILN_CHECK(!function_) << "BeginFunction(\"" << name << "\") inside function '" << function_->name
                         << "': functions do not nest";
  KILN_CHECK(blocks_.empty()) << "BeginFunction(\"" << name << "\") inside an open block";
  names_.clear();
  for (const Var& p : params) UniqueName(p.name());
  function_ = FunctionFrame{name, std::move(params), std::move(attrs), is_pure, {}};
}

ir::GlobalVar BlockBuilder::EndFunction(const Expr& output, StructInfo ret) {
  KILN_CHECK(function_) << "EndFunction without BeginFunction";
  CloseImplicitBlock();
  KILN_CHECK(blocks_.empty()) << "EndFunction of '" << function_->name << "' with a block still open";
  BeginBindingBlock();
  Expr out = NormalizeArgument(output);
  EndBindingBlock();
  PostOrderVisit(out, [&](const Expr& e) {
    auto v = e.as<VarNode>();
    KILN_CHECK(!v || !v->is_dataflow) << "the output of function '" << function_->name << "' uses dataflow variable '"
                                      << v->name << "': bind it with EmitOutput";
  });
  FunctionFrame f = std::move(*function_);
  function_.reset();
  Expr body = Normalize(MakeSeqExpr(std::move(f.blocks), out));
  return AddFunction(MakeFunction(f.params, body, std::move(ret), f.is_pure, f.attrs), f.name);
}

// ---- blocks ----

void BlockBuilder::BeginBlock(bool dataflow) {
  CloseImplicitBlock();
  blocks_.push_back({BindingBlock{{}, dataflow}, false});
}

BindingBlock BlockBuilder::EndBlock(bool dataflow) {
  const char* kind = dataflow ? "EndDataflowBlock" : "EndBindingBlock";
  KILN_CHECK(!blocks_.empty()) << kind << " with no block open";
  KILN_CHECK(blocks_.back().block.is_dataflow == dataflow)
      << kind << " closes a " << (dataflow ? "binding" : "dataflow") << " block";
  BindingBlock block = std::move(blocks_.back().block);
  blocks_.pop_back();
  if (function_ && blocks_.empty() && !block.bindings.empty()) function_->blocks.push_back(block);
  return block;
}

void BlockBuilder::CloseImplicitBlock() {
  if (!blocks_.empty() && blocks_.back().implicit) EndBlock(false);
}

BlockBuilder::BlockFrame& BlockBuilder::CurrentBlock() {
  if (blocks_.empty()) {
    KILN_CHECK(function_) << "emitting with no block open: call BeginBindingBlock or BeginDataflowBlock first";
    blocks_.push_back({BindingBlock{}, true});
  }
  return blocks_.back();
}

// ---- emission ----

Var BlockBuilder::Emit(const Expr& value, const std::string& name_hint) {
  return EmitNew(value, name_hint, false);
}

Var BlockBuilder::EmitOutput(const Expr& value, const std::string& name_hint) {
  KILN_CHECK(InDataflowBlock()) << "EmitOutput outside a dataflow block";
  return EmitNew(value, name_hint, true);
}

Var BlockBuilder::EmitNew(const Expr& value, const std::string& name_hint, bool output) {
  CurrentBlock();
  Expr v = NormalizeBindingValue(value);
  bool dataflow = InDataflowBlock() && !output;
  std::string name = UniqueName(name_hint.empty() ? (dataflow ? "lv" : "gv") : name_hint);
  Var var = dataflow ? MakeDataflowVar(name, v.struct_info()) : MakeVar(name, v.struct_info());
  CurrentBlock().block.bindings.push_back({var, v, {}});
  return var;
}

Var BlockBuilder::EmitMatchCast(const Expr& value, const StructInfo& sinfo, const std::string& name_hint) {
  KILN_CHECK(sinfo) << "match_cast needs the struct info to match";
  CurrentBlock();
  Expr v = NormalizeBindingValue(value);
  bool dataflow = InDataflowBlock();
  std::string name = UniqueName(name_hint.empty() ? (dataflow ? "lv" : "gv") : name_hint);
  Var var = dataflow ? MakeDataflowVar(name, sinfo) : MakeVar(name, sinfo);
  CurrentBlock().block.bindings.push_back({var, v, sinfo});
  return var;
}

Var BlockBuilder::EmitBinding(const Binding& binding) {
  KILN_CHECK(binding.var && binding.value) << "EmitBinding of an incomplete binding";
  KILN_CHECK(!binding.var->is_dataflow || InDataflowBlock())
      << "dataflow variable '" << binding.var.name() << "' bound outside a dataflow block";
  CurrentBlock();
  Expr v = NormalizeBindingValue(binding.value);
  Var var = binding.var;
  if (!var.struct_info()) var = WithStructInfo(var, binding.match_cast ? binding.match_cast : v.struct_info());
  names_.try_emplace(var.name(), 1);
  CurrentBlock().block.bindings.push_back({var, v, binding.match_cast});
  return var;
}

// ---- normalization ----

Expr BlockBuilder::Normalize(const Expr& expr) {
  return Normalizer(mod_).VisitExpr(expr);
}

Expr BlockBuilder::NormalizeArgument(const Expr& expr) {
  if (auto t = expr.as<TupleNode>()) {
    std::vector<Expr> fields;
    for (const Expr& f : t->fields) fields.push_back(NormalizeArgument(f));
    return Normalize(Same(fields, t->fields) ? expr : MakeTuple(fields, t->span));
  }
  return IsLeaf(expr) ? Normalize(expr) : Expr(Emit(expr));
}

Expr BlockBuilder::NormalizeBindingValue(const Expr& value) {
  if (auto c = value.as<CallNode>()) {
    Expr callee = NormalizeArgument(c->op);
    std::vector<Expr> args;
    for (const Expr& a : c->args) args.push_back(NormalizeArgument(a));
    if (callee.get() == c->op.get() && Same(args, c->args)) return Normalize(value);
    return Normalize(MakeCall(callee, args, c->attrs, c->sinfo_args, c->span));
  }
  if (auto g = value.as<TupleGetItemNode>()) {
    Expr tuple = NormalizeArgument(g->tuple);
    return Normalize(tuple.get() == g->tuple.get() ? value : MakeTupleGetItem(tuple, g->index, g->span));
  }
  if (auto i = value.as<IfNode>()) {
    Expr cond = NormalizeArgument(i->condition);
    return Normalize(cond.get() == i->condition.get() ? value : MakeIf(cond, i->true_branch, i->false_branch, i->span));
  }
  if (value.as<TupleNode>()) return NormalizeArgument(value);
  return Normalize(value);
}

std::string BlockBuilder::UniqueName(const std::string& hint) {
  if (names_.try_emplace(hint, 1).second) return hint;
  int& next = names_[hint];
  while (true) {
    std::string name = hint + std::to_string(next++);
    if (names_.try_emplace(name, 1).second) return name;
  }
}

void BlockBuilder::ReserveNames(const Expr& scope) {
  VarDefs([this](const Var& v) { names_.try_emplace(v.name(), 1); }).VisitExpr(scope);
}

}  // namespace kiln::relax
