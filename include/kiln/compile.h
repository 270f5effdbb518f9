// kiln::Compile: from a graph to something that runs. An IRModule of relax
// functions (registered ops, symbolic shapes) goes through a pipeline of
// passes ("default" unless told otherwise: include/kiln/transform/pipeline.h),
// then its tir kernels are compiled with codegen::Build and its relax
// functions lowered to VM bytecode (codegen/vm_codegen.h). The result runs on
// a runtime::vm::VirtualMachine and exports as one shared library.
//
//   CompiledModule c = kiln::Compile(kiln::Parse(text), "llvm");
//   runtime::vm::VirtualMachine vm(c->exec, c->kernels, runtime::Device::CPU());
//   c->ExportLibrary("model.so");  // VirtualMachine::FromLibrary(Module::Load("model.so"), device)
#pragma once

#include <string>

#include "kiln/codegen/target.h"
#include "kiln/ir/module.h"
#include "kiln/runtime/module.h"
#include "kiln/runtime/vm/executable.h"
#include "kiln/transform/pass.h"

namespace kiln {

class CompiledModuleObj : public runtime::Object {
 public:
  KILN_OBJECT_TYPE(CompiledModuleObj, runtime::Object, "CompiledModule")
  runtime::vm::Executable exec;  // the relax functions as bytecode
  runtime::Module kernels;       // the compiled tir functions; undefined when there are none
  codegen::Target target;
  ir::IRModule lowered;  // the module the executable and kernels were made from

  // Writes one shared library with the kernels and the executable's bytes
  // (runtime/vm/deploy.h), linked by the C compiler `cc`; it loads with
  // Module::Load and VirtualMachine::FromLibrary in a process that has only
  // libkiln_runtime. Raises kiln::Error naming the path and the command when
  // compiling or linking fails.
  void ExportLibrary(const std::string& path, const std::string& cc = "cc") const;
};
using CompiledModule = runtime::Ref<CompiledModuleObj>;

// Runs `pipeline` on `mod` (an empty one: the "default" pipeline for the
// target), then CompileLowered. Raises kiln::Error naming the pass, function
// or op that cannot be compiled.
CompiledModule Compile(const ir::IRModule& mod, const codegen::Target& target, const transform::Pass& pipeline = {});
CompiledModule Compile(const ir::IRModule& mod, const std::string& target = "llvm",
                       const transform::Pass& pipeline = {});

// Codegen alone, for a module a pipeline has lowered: builds its PrimFuncs for
// `target` and its relax functions into VM bytecode. Op calls left in the
// module are an error that names them ("run LegalizeOps first").
CompiledModule CompileLowered(const ir::IRModule& lowered, const codegen::Target& target);

}  // namespace kiln
