// The device-only side of the `cuda` target: what a module built for it
// (kind "cuda") tells about its kernels. Build(mod, "cuda -arch=sm_80") turns
// each PrimFunc into one PTX `.entry` kernel of the same name and no host
// code; the module holds the PTX (GetSource("ptx")), the NVVM IR
// (GetSource("ll")) and the launch configuration of every kernel.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "kiln/runtime/module.h"
#include "kiln/tir/expr.h"

namespace kiln::codegen {

// How to launch one kernel: grid dims (the extents of the loops bound to
// blockIdx.x/y/z) and block dims (threadIdx.x/y/z), 1 where no loop is bound.
// Extents are expressions of the kernel's scalar parameters (shape variables
// such as `n`), constants when the shapes are static.
struct KernelLaunch {
  std::string name;
  std::array<tir::PrimExpr, 3> grid;
  std::array<tir::PrimExpr, 3> block;
};

// The launch configuration of each kernel of a module built for `cuda`, in
// the module's function order. Raises kiln::Error for a module of another kind.
std::vector<KernelLaunch> CUDALaunchConfig(const runtime::Module& module);

}  // namespace kiln::codegen
