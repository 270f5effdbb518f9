// External code generators ("bring your own codegen"): a relax function
// tagged with the attribute "Codegen"=<name> (FuseOpsByPattern with
// annotate_codegen makes them) is handed by the RunCodegen pass to the code
// generator registered under <name>, which returns a runtime Module. The VM
// then calls that module's functions like kernels; kiln::CompileLowered
// imports the modules into the kernel module.
//
//   codegen::RegisterExternalCodegen("mylib", [](const ir::IRModule& funcs) {
//     return MyLibModule(funcs);  // one function per tagged function's symbol
//   });
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "kiln/ir/module.h"
#include "kiln/runtime/module.h"

namespace kiln::codegen {

// An external code generator. `funcs` holds the relax functions tagged
// "Codegen"=<its name>, each under its symbol (the global name the graph
// called it by), and the "Composite" functions they call, under their
// names. The returned module must define a function per symbol in the
// destination-passing convention of call_dps_packed: the tagged function's
// inputs (NDArrays, in parameter order), then its outputs (NDArrays
// allocated by the caller, one per tensor of its result), nothing returned.
using ExternalCodegen = std::function<runtime::Module(const ir::IRModule& funcs)>;

// Registers `fn` under `name` (the word before the first '.' of a
// FuseOpsByPattern pattern name). Raises kiln::Error when the name is taken
// and `override_existing` is false, or when it is empty.
void RegisterExternalCodegen(const std::string& name, ExternalCodegen fn, bool override_existing = false);
// The code generator registered as `name`, or nullopt.
std::optional<ExternalCodegen> FindExternalCodegen(const std::string& name);
// Removes `name`; returns whether it was registered.
bool RemoveExternalCodegen(const std::string& name);
// The registered names, sorted.
std::vector<std::string> ListExternalCodegens();

// A runtime Module of kind "functions" whose functions are `functions` (C++
// or wrapped Python callables, called in process). Such a module cannot be
// exported to a shared library.
runtime::Module MakeFunctionModule(std::map<std::string, runtime::Function> functions);

// Why `module` (an external module, with its imports) cannot be written into
// a shared library, or nullopt when it can (a module of kind "c").
std::optional<std::string> WhyNotExportable(const runtime::Module& module);

// For ExportLibrary: appends to `inputs` (suffix, contents) the object code
// of each module `kernels` imports (compiled with `cc`). Raises kiln::Error
// naming the external module and why when one cannot be exported.
void AppendImportedObjects(const runtime::Module& kernels, const std::string& cc,
                           std::vector<std::pair<std::string, std::string>>* inputs);

}  // namespace kiln::codegen
