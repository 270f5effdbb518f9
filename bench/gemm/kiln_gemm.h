// Kiln's float32 GEMM for bench/gemm: the one place the benchmark gets its
// Kiln kernel from. MakeKilnGemm(m, n, k) builds a PrimFunc for
// C[m, n] = A[m, k] x B[k, n] (row-major, C overwritten) and compiles it with
// kiln::codegen::Build. Improve the kernel by changing the schedule in
// MakeKilnGemm in kiln_gemm.cc; the benchmark and its report stay as they are.
#pragma once

#include <cstdint>
#include <string>

#include "kiln/runtime/function.h"
#include "kiln/runtime/module.h"

namespace kiln::bench {

struct KilnGemm {
  runtime::Module module;   // owns the compiled code
  runtime::Function func;   // func(A: float32[m, k], B: float32[k, n], C: float32[m, n])
  std::string description;  // one line: how the kernel computes, for the benchmark's log
  int64_t workspace_bytes;  // temporary memory the kernel allocates per call (packed copies)
};

// The best hand-scheduled Kiln kernel for one shape. Everything a call does
// (packing A and B included) counts in the benchmark's time; nothing is
// pre-packed. Raises kiln::Error when the shape is not positive.
KilnGemm MakeKilnGemm(int64_t m, int64_t n, int64_t k);

}  // namespace kiln::bench
