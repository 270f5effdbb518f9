// The RunCodegen pass: hands the functions a partition tagged "Codegen" to
// the external code generators registered under those names
// (include/kiln/codegen/external.h) and calls what they return instead.
#pragma once

#include "kiln/transform/pass.h"

namespace kiln::transform {

// The module attribute holding the runtime Modules external code generators
// returned (a list); kiln::CompileLowered imports them into the kernel module.
inline constexpr const char* kExternalModsAttr = "external_mods";

// RunCodegen
//   Summary:     the relax functions with attr "Codegen"=<name> are grouped
//                by name; each group, with the "Composite" functions its
//                members call, is handed in one IRModule (each function
//                under its symbol: its global name) to the code generator
//                registered as <name>, which returns a runtime Module
//                defining a function per symbol. Each call of a tagged
//                function becomes call_dps_packed("<symbol>", args) with the
//                call's struct info as output; the tagged functions, and the
//                Composite functions nothing else calls, are removed; the
//                returned modules are appended to the module attribute
//                "external_mods". Raises kiln::Error naming the function and
//                the codegen when no code generator is registered under its
//                name (listing the registered ones), and naming the codegen
//                and symbol when the returned module lacks a function.
//   Runs after:  FuseOpsByPattern(annotate_codegen=true) (or any pass that
//                tags functions); before LegalizeOps, which would otherwise
//                legalize the tagged functions' ops for Kiln's own kernels.
//   Opt level:   0.
//   Options:     none.
Pass RunCodegen();

}  // namespace kiln::transform
