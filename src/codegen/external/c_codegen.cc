// The external code generator "c": each function tagged Codegen="c" becomes
// one C function of the same name (a tir PrimFunc in destination-passing
// form, written by the c target), compiled by the system C compiler on first
// use or into the library ExportLibrary writes.
//
//   relax function (a Composite's ops) --LegalizeOps--> call_tir kernels
//     --FuseTIR (the function as one "Primitive" group)--> one PrimFunc
//     --DefaultSchedule--> codegen::Build(..., "c")
#include "kiln/codegen/build.h"
#include "kiln/codegen/external.h"
#include "kiln/relax/expr.h"
#include "kiln/relax/functor.h"
#include "kiln/relax/struct_info.h"
#include "kiln/runtime/error.h"
#include "kiln/tir/function.h"
#include "kiln/transform/default_schedule.h"
#include "kiln/transform/fuse_tir.h"
#include "kiln/transform/legalize_ops.h"

namespace kiln::codegen {
namespace {

using relax::Expr;
using relax::Function;

// The single binding of `f`'s body when it is `v = @callee(params...)` and
// `f` returns v: the callee's name; "" otherwise.
std::string ForwardedCallee(const relax::FunctionNode* f) {
  const auto* seq = f->body.as<relax::SeqExprNode>();
  if (!seq || seq->blocks.size() != 1 || seq->blocks[0].bindings.size() != 1) return "";
  const relax::Binding& b = seq->blocks[0].bindings[0];
  const auto* call = b.value.as<relax::CallNode>();
  const auto* gv = call ? call->op.as<ir::GlobalVarNode>() : nullptr;
  if (!gv || b.match_cast || seq->body.get() != b.var.get() || call->args.size() != f->params.size()) return "";
  for (size_t i = 0; i < f->params.size(); ++i) {
    if (call->args[i].get() != f->params[i].get()) return "";
  }
  return gv->name;
}

// What to compile for the tagged function `name`: the Composite function it
// forwards to (what FuseOpsByPattern makes), or itself when it calls no
// other function; marked "Primitive" for FuseTIR.
Function Kernel(const ir::IRModule& funcs, const std::string& name, const relax::FunctionNode* f) {
  Function body(runtime::GetRef(f));
  if (std::string callee = ForwardedCallee(f); !callee.empty()) {
    auto composite = funcs.Lookup(callee).As<relax::FunctionNode>();
    KILN_CHECK(composite) << "c codegen: function '" << name << "' calls '" << callee << "', not a relax function";
    body = Function(composite);
  }
  relax::PostOrderVisit(body->body, [&](const Expr& e) {
    const auto* gv = e.as<ir::GlobalVarNode>();
    KILN_CHECK(!gv) << "c codegen: function '" << name << "' calls '" << gv->name
                    << "'; the c codegen compiles a body of ops, or one call of a Composite function with the "
                       "function's parameters";
  });
  return relax::MakeFunction(body->params, body->body, body->ret_struct_info, body->is_pure,
                             ir::Attrs{{"Primitive", int64_t{1}}}, body->span);
}

// Each tagged function's PrimFunc must take its inputs then its outputs.
void CheckDestinationPassing(const std::string& name, const Function& relax_func, const tir::PrimFunc& prim) {
  size_t outputs = 1;
  if (auto tuple = relax_func->ret_struct_info.As<relax::TupleStructInfoNode>()) outputs = tuple->fields.size();
  KILN_CHECK(prim->params.size() == relax_func->params.size() + outputs)
      << "c codegen: function '" << name << "' needs symbolic values no input shape defines (its kernel takes "
      << prim->params.size() << " parameters for " << relax_func->params.size() << " inputs and " << outputs
      << " outputs); give its inputs shapes that define every dimension";
}

runtime::Module CCodegen(const ir::IRModule& funcs) {
  std::vector<std::pair<ir::GlobalVar, ir::BaseFunc>> kernels;
  std::vector<std::pair<std::string, Function>> tagged;
  for (const auto& [gv, func] : funcs.functions()) {
    auto f = func.As<relax::FunctionNode>();
    if (!f || f->attrs.Get<std::string>("Codegen", "") != "c") continue;
    Function k = Kernel(funcs, gv->name, f.get());
    tagged.emplace_back(gv->name, k);
    kernels.emplace_back(ir::MakeGlobalVar(gv->name), ir::BaseFunc(k));
  }
  ir::IRModule mod = transform::LegalizeOps("c")(ir::IRModule(std::move(kernels)));
  mod = transform::FuseTIR()(mod);
  mod = transform::DefaultSchedule()(mod);
  std::vector<std::pair<ir::GlobalVar, ir::BaseFunc>> prims;
  for (const auto& [name, relax_func] : tagged) {
    auto prim = mod.Lookup(name).As<tir::PrimFuncNode>();
    KILN_ICHECK(prim) << "c codegen: FuseTIR made no tir function for '" << name << "'";
    CheckDestinationPassing(name, relax_func, tir::PrimFunc(prim));
    prims.emplace_back(ir::MakeGlobalVar(name), ir::BaseFunc(prim));
  }
  return Build(ir::IRModule(std::move(prims)), "c");
}

[[maybe_unused]] const bool kRegistered = (RegisterExternalCodegen("c", CCodegen), true);

}  // namespace
}  // namespace kiln::codegen
