// The VM codegen driver: declares every relax function of the module (so
// they may call each other in any order), lowers each (lower_function.h) and
// finishes the executable.
#include "kiln/codegen/vm_codegen.h"

#include "kiln/relax/expr.h"
#include "kiln/runtime/function.h"
#include "kiln/runtime/vm/exec_builder.h"
#include "lower_function.h"

namespace kiln::codegen {

runtime::vm::Executable VMCodegen(const ir::IRModule& mod) {
  runtime::vm::ExecBuilder b;
  for (const auto& [gv, func] : mod.functions()) {
    if (func.As<relax::FunctionNode>()) b.DeclareFunction(gv->name);
  }
  for (const auto& [gv, func] : mod.functions()) {
    if (auto f = func.As<relax::FunctionNode>()) vm::LowerFunction(b, mod, gv->name, relax::Function(f));
  }
  return b.Finish();
}

KILN_REGISTER_FUNCTION("codegen.vm_codegen",
                       [](runtime::Ref<ir::IRModuleNode> mod) { return VMCodegen(ir::IRModule(mod)); });

}  // namespace kiln::codegen
