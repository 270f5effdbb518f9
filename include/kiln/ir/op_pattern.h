// OpPattern: how a computation's output elements depend on its inputs. The
// op registry declares it per relax op; tir::AnalyzeOpPattern reads it off
// a kernel; fusion (transform/fuse_ops.h) decides what to merge by it.
#pragma once

#include <cstdint>

namespace kiln::ir {

enum class OpPattern : uint8_t {
  kElementwise,      // out[i] = f(in[i])
  kBroadcast,        // elementwise with broadcasting inputs
  kInjective,        // each output element reads input elements by an index map (reshape, transpose, ...)
  kReduction,        // reduces along axes (sum, max, ...)
  kOutEWiseFusable,  // complex ops whose output can take elementwise epilogues (matmul, conv)
  kOpaque,           // nothing can be fused across it
};
const char* OpPatternName(OpPattern p);

}  // namespace kiln::ir
