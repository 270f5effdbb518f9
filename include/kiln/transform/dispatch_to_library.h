// The DispatchToLibrary pass: matmul, linear and conv2d (with their bias and
// activation epilogues where the library has them) sent to OpenBLAS or
// oneDNN through call_dps_packed; everything else stays with Kiln's kernels.
#pragma once

#include <string>
#include <vector>

#include "kiln/transform/fuse_ops_by_pattern.h"

namespace kiln::transform {

// DispatchToLibrary
//   Summary:     FuseOpsByPattern with the patterns of each library in
//                `libraries` (in order of preference) and annotate_codegen,
//                then each call of a "Codegen" function becomes
//                call_dps_packed of the library's runtime function on the
//                composite's inputs, and the functions go. The patterns:
//                  onednn   "dnnl.matmul"  matmul(a, b) [+ bias] [relu | gelu]
//                           "dnnl.linear"  linear(x, w[, bias]) [relu | gelu]
//                           "dnnl.conv2d"  conv2d(data, weight) [+ bias] [relu | gelu]
//                  openblas "openblas.matmul"  matmul(a, b) [+ bias]
//                           "openblas.linear"  linear(x, w[, bias])
//                A match whose dtype, shape or layout the library does not
//                take (not float32, b not 2-D, grouped or blocked
//                convolution, a bias that is not per output channel) is left
//                as it was, for LegalizeOps: never an error. A library whose
//                runtime functions are not in this build (Kiln built without
//                it) dispatches nothing.
//   Runs after:  Normalize; before ConvertConvLayout and LegalizeOps.
//   Opt level:   0.
//   Options:     libraries: "onednn" (or "dnnl"), "openblas"; raises
//                kiln::Error naming an unknown one.
Pass DispatchToLibrary(std::vector<std::string> libraries);

// The patterns DispatchToLibrary uses for `library` (FuseOpsByPattern
// takes them); raises kiln::Error naming an unknown library.
std::vector<FusionPattern> LibraryPatterns(const std::string& library);

// Whether the runtime functions of `library` are registered in this process.
bool LibraryAvailable(const std::string& library);

}  // namespace kiln::transform
