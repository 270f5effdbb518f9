// Shared checks of the library runtime functions (kiln.contrib.*): they are
// called through call_dps_packed with the inputs, then the output last.
#pragma once

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

}  // namespace kiln::runtime::contrib
