// NumPy's .npy files (format versions 1 to 3): arrays of little-endian
// float32, float64, int32, int64 or bool in C order, read into and written
// from CPU NDArrays. Anything else (big-endian, Fortran order, other dtypes,
// object arrays) and truncated or malformed files are kiln::Error naming the
// file and what is wrong.
#pragma once

#include <string>

#include "kiln/runtime/ndarray.h"

namespace kiln::cli {

runtime::NDArray ReadNpy(const std::string& path);
// The array stored in `bytes`, the contents of a .npy file; `name` is the
// file named in errors.
runtime::NDArray ParseNpy(const std::string& bytes, const std::string& name);

void WriteNpy(const std::string& path, const runtime::NDArray& array);
// The contents of a version 1.0 .npy file holding `array`.
std::string NpyBytes(const runtime::NDArray& array);

}  // namespace kiln::cli
