// What the code generators share about a PrimFunc (codegen_util.h).
#include "codegen_util.h"

#include "kiln/runtime/error.h"
#include "kiln/tir/analysis/verify_bounds.h"
#include "kiln/tir/lower.h"
#include "kiln/tir/functor.h"

namespace kiln::codegen {

using namespace tir;

namespace {

bool Contains(const std::vector<Var>& vars, const runtime::Object* v) {
  for (const Var& u : vars) {
    if (u.get() == v) return true;
  }
  return false;
}

class UsedVarsVisitor : public StmtVisitor {
 public:
  std::vector<Var> vars;

 protected:
  void VisitExpr_(const VarNode* op) override { Add(Var(runtime::GetRef<PrimExprNode>(op))); }
  void VisitBufferUse(const Buffer& buffer) override { Add(buffer->data); }
  void VisitStmt_(const AllocateNode* op) override {
    for (const PrimExpr& d : op->buffer->shape) VisitExpr(d);
    StmtVisitor::VisitStmt_(op);
  }

 private:
  void Add(const Var& v) {
    if (!Contains(vars, v.get())) vars.push_back(v);
  }
};

}  // namespace

std::vector<std::pair<std::string, PrimFunc>> LoweredKernels(const ir::IRModule& mod) {
  std::vector<std::pair<std::string, PrimFunc>> out;
  for (const auto& [gv, func] : mod.functions()) {
    auto prim = func.As<PrimFuncNode>();
    KILN_CHECK(prim) << "build: function '" << gv->name << "' is not a tir PrimFunc; build compiles tir only";
    VerifyBounds(PrimFunc(prim), gv->name);
    out.emplace_back(gv->name, LowerForCodegen(PrimFunc(prim)));
  }
  return out;
}

std::vector<Var> ComputeArgs(const std::string& name, const PrimFunc& func) {
  std::vector<Var> args;
  for (const Var& p : func->params) {
    Buffer b = func->BufferOf(p);
    Var v = b ? b->data : p;
    KILN_CHECK(!Contains(args, v.get())) << name << ": parameter '" << (b ? b->name : p.name())
                                         << "' shares its data with another parameter";
    args.push_back(v);
  }
  for (const auto& [param, b] : func->buffer_map) {
    KILN_CHECK(AsConstInt(b->elem_offset))
        << name << ": buffer '" << b->name << "' has a symbolic elem_offset, which compiled functions do not take";
    for (const auto* dims : {&b->shape, &b->strides}) {
      for (const PrimExpr& d : *dims) {
        PreOrderVisit(d, [&](const PrimExpr& e) {
          if (e.as<VarNode>() && !Contains(args, e.get())) args.push_back(Var(e));
        });
      }
    }
  }
  return args;
}

std::vector<Var> UsedVars(const Stmt& stmt) {
  UsedVarsVisitor used;
  used.VisitStmt(stmt);
  return used.vars;
}

std::vector<Var> VarsOf(const PrimExpr& e) {
  std::vector<Var> vars;
  PreOrderVisit(e, [&](const PrimExpr& x) {
    if (x.as<VarNode>() && !Contains(vars, x.get())) vars.push_back(Var(x));
  });
  return vars;
}

void CheckIntrinsicArity(const std::string& function, const CallNode* op, size_t n) {
  KILN_CHECK(op->args.size() == n) << function << ": intrinsic '" << op->op << "' takes " << n << " argument"
                                   << (n == 1 ? "" : "s") << ", got " << op->args.size();
}

void CheckFloatMathArgs(const std::string& function, const CallNode* op, size_t n) {
  CheckIntrinsicArity(function, op, n);
  for (const PrimExpr& a : op->args) {
    KILN_CHECK(a.dtype().is_float()) << function << ": intrinsic '" << op->op << "' takes float arguments, got "
                                     << a.dtype();
    KILN_CHECK(a.dtype() == op->dtype) << function << ": intrinsic '" << op->op << "' of dtype " << op->dtype
                                       << " called with an argument of dtype " << a.dtype();
  }
}

std::string TupleFormat(size_t n) {
  std::string s = "(";
  for (size_t i = 0; i < n; ++i) s += i ? ", %lld" : "%lld";
  return s + (n == 1 ? ",)" : ")");
}

}  // namespace kiln::codegen
