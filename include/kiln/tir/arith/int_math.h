// Integer helpers shared by arith: the tir division semantics on int64
// values, overflow-checked arithmetic, and the value range of a dtype.
// Every function is small and total (no undefined behaviour).
#pragma once

#include <cstdint>
#include <limits>
#include <numeric>
#include <optional>

#include "kiln/runtime/data_type.h"
#include "kiln/tir/expr.h"

namespace kiln::tir::arith {

// Floor division and its remainder (rounding toward negative infinity).
// The caller guarantees b != 0 and not (a == INT64_MIN && b == -1).
inline int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}
inline int64_t FloorMod(int64_t a, int64_t b) {
  int64_t r = a % b;
  return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r;
}

// Overflow-checked int64 arithmetic: nullopt when the result does not fit.
inline std::optional<int64_t> CheckedAdd(int64_t a, int64_t b) {
  int64_t r;
  return __builtin_add_overflow(a, b, &r) ? std::nullopt : std::optional<int64_t>(r);
}
inline std::optional<int64_t> CheckedSub(int64_t a, int64_t b) {
  int64_t r;
  return __builtin_sub_overflow(a, b, &r) ? std::nullopt : std::optional<int64_t>(r);
}
inline std::optional<int64_t> CheckedMul(int64_t a, int64_t b) {
  int64_t r;
  return __builtin_mul_overflow(a, b, &r) ? std::nullopt : std::optional<int64_t>(r);
}

// |v| without overflow, and the greatest common divisor of |a| and |b|
// (gcd(0, 0) == 0).
inline uint64_t Magnitude(int64_t v) {
  return v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
}
inline int64_t Gcd(int64_t a, int64_t b) {
  return static_cast<int64_t>(std::gcd(Magnitude(a), Magnitude(b)));
}

// The smallest and largest value of an integer or bool dtype, clamped to
// int64 (uint64's top half is out of reach).
inline int64_t DTypeMin(runtime::DataType t) {
  if (t.is_bool() || t.is_uint()) return 0;
  return t.bits() >= 64 ? std::numeric_limits<int64_t>::min() : -(int64_t{1} << (t.bits() - 1));
}
inline int64_t DTypeMax(runtime::DataType t) {
  if (t.is_bool()) return 1;
  int usable = t.is_uint() ? t.bits() : t.bits() - 1;
  return usable >= 63 ? std::numeric_limits<int64_t>::max() : (int64_t{1} << usable) - 1;
}
inline bool FitsDType(int64_t v, runtime::DataType t) {
  return v >= DTypeMin(t) && v <= DTypeMax(t);
}

// x op y for immediates of dtype t (comparisons and logic give 0 or 1).
// Unsigned results wrap to t's width; nullopt for a zero divisor and for a
// signed result outside t (undefined in tir), which therefore never fold.
std::optional<int64_t> FoldIntOp(BinaryOp op, int64_t x, int64_t y, runtime::DataType t);

}  // namespace kiln::tir::arith
