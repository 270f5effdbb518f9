// Tensor intrinsics: a computation (the description, a PrimFunc of one
// block) and a faster way to compute it (the implementation, a PrimFunc with
// the same parameters: vector code, a call to a micro-kernel, an instruction).
// Schedule::Tensorize replaces a matching loop nest by the implementation.
//
//   TensorIntrin::Register("dot_16x16", desc, impl);
//
// The description is loops around one block (optionally inside a root block
// without iteration variables) that describes an update: no init, no
// predicate. Each of its buffers stands for a region of a program buffer; the
// program's buffer may have more dimensions, leading ones of extent 1 (a
// description's C[16] matches a row C[i, j0*16 : +16]). The implementation
// reads and writes the same parameters at the description's indices;
// tensorize moves each access to the program buffer at the region's offset,
// in the program buffer's own layout. An implementation that uses a buffer's
// data pointer (for a call_extern) declares the buffer's elem_offset as a
// variable, bound to the region's offset in elements, and may declare its
// strides as variables too, bound to the program buffer's strides; strides it
// fixes (or leaves compact) must be the program buffer's.
#pragma once

#include <string>
#include <vector>

#include "kiln/tir/function.h"

namespace kiln::tir {

struct TensorIntrin {
  PrimFunc desc;
  PrimFunc impl;

  // Checks that desc and impl have matching parameters (same count, dtypes
  // and shapes), that desc has the shape described above and accesses each
  // of its buffers, and that impl has no blocks with iteration variables;
  // raises kiln::Error otherwise, or when `name` is taken and override is
  // false.
  static void Register(const std::string& name, PrimFunc desc, PrimFunc impl, bool override = false);
  // Raises kiln::Error with the closest registered name when absent.
  static const TensorIntrin& Get(const std::string& name);
  static std::vector<std::string> ListNames();
};

// Registers the x86 (AVX-512) intrinsics once; later calls do nothing.
//  - "x86.fma_f32x16": C[j] += A[0] * B[j] for j in [0, 16), float32 (a row
//    of a GEMM micro-kernel: the reduction over a unit k); one 16-lane
//    multiply-add, which LLVM emits as a zmm FMA on AVX-512.
//  - "x86.dot_f32x16": C[0] += A[k] * B[k] summed over k in [0, 16), float32
//    (a dot product, e.g. a row of A times a column of a transposed B); one
//    16-lane product and a tree sum, which rounds differently from the
//    sequential sum it replaces.
void RegisterX86Intrinsics();

}  // namespace kiln::tir
