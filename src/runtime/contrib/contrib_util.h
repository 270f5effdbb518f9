// Shared checks of the library runtime functions (kiln.contrib.*): they are
// called through call_dps_packed with the inputs, then the output last.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "kiln/runtime/any.h"
#include "kiln/runtime/error.h"
#include "kiln/runtime/ndarray.h"

namespace kiln::runtime::contrib {

// Argument i as a compact float32 CPU array of rank >= min_ndim; raises
// kiln::Error naming the function and argument otherwise (DispatchToLibrary
// only sends what passes these checks).
inline NDArray F32Arg(const std::string& fname, const Any* args, int i, int min_ndim = 1) {
  NDArray a = args[i].Cast<NDArray>();
  KILN_CHECK(a.dtype() == DataType::Float(32) && a.device().device_type == kDLCPU && a.IsContiguous() &&
             a.ndim() >= min_ndim)
      << fname << ": argument " << i << " must be a compact float32 CPU array of rank >= " << min_ndim << ", got "
      << a.dtype().str() << " " << ShapeString(a.shape());
  return a;
}

// The product of dims [begin, end) of `shape`.
inline int64_t Prod(const std::vector<int64_t>& shape, size_t begin, size_t end) {
  int64_t p = 1;
  for (size_t i = begin; i < end; ++i) p *= shape[i];
  return p;
}

// The operands of a GEMM call (x, w, [bias], out): out (M, N) = x (..., K) @
// (transpose_w ? w.T : w) [+ bias (N)], all checked, with the sizes.
struct GemmArgs {
  NDArray x, w, out;
  std::optional<NDArray> bias;
  int64_t m = 0, n = 0, k = 0;
};

inline GemmArgs CheckGemmArgs(const std::string& fname, const Any* args, int num_args, bool transpose_w) {
  KILN_CHECK(num_args == 3 || num_args == 4) << fname << ": expects (x, w, [bias], out), got " << num_args << " arguments";
  GemmArgs g{F32Arg(fname, args, 0, 1), F32Arg(fname, args, 1, 2), F32Arg(fname, args, num_args - 1, 1), {}};
  KILN_CHECK(g.w.ndim() == 2) << fname << ": the weight must be 2-D, got " << ShapeString(g.w.shape());
  g.k = g.x.shape().back();
  g.n = transpose_w ? g.w.shape()[0] : g.w.shape()[1];
  g.m = Prod(g.x.shape(), 0, g.x.ndim() - 1);
  KILN_CHECK((transpose_w ? g.w.shape()[1] : g.w.shape()[0]) == g.k && g.out.numel() == g.m * g.n)
      << fname << ": shapes " << ShapeString(g.x.shape()) << ", " << ShapeString(g.w.shape()) << " -> "
      << ShapeString(g.out.shape()) << " do not fit";
  if (num_args == 4) {
    g.bias = F32Arg(fname, args, 2, 1);
    KILN_CHECK(g.bias->numel() == g.n) << fname << ": the bias must have " << g.n << " values, got "
                                       << ShapeString(g.bias->shape());
  }
  return g;
}

}  // namespace kiln::runtime::contrib
