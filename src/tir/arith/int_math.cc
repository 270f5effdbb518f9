// FoldIntOp: one binary operator on integer immediates, with tir semantics.
#include "kiln/tir/arith/int_math.h"

#include <algorithm>

namespace kiln::tir::arith {

namespace {
std::optional<int64_t> Raw(BinaryOp op, int64_t x, int64_t y) {
  bool divides = y != 0 && !(y == -1 && x == std::numeric_limits<int64_t>::min());
  switch (op) {
    case BinaryOp::kAdd: return CheckedAdd(x, y);
    case BinaryOp::kSub: return CheckedSub(x, y);
    case BinaryOp::kMul: return CheckedMul(x, y);
    case BinaryOp::kDiv: return divides ? std::optional<int64_t>(x / y) : std::nullopt;
    case BinaryOp::kMod: return divides ? std::optional<int64_t>(x % y) : std::nullopt;
    case BinaryOp::kFloorDiv: return divides ? std::optional<int64_t>(FloorDiv(x, y)) : std::nullopt;
    case BinaryOp::kFloorMod: return divides ? std::optional<int64_t>(FloorMod(x, y)) : std::nullopt;
    case BinaryOp::kMin: return std::min(x, y);
    case BinaryOp::kMax: return std::max(x, y);
    case BinaryOp::kEQ: return x == y;
    case BinaryOp::kNE: return x != y;
    case BinaryOp::kLT: return x < y;
    case BinaryOp::kLE: return x <= y;
    case BinaryOp::kGT: return x > y;
    case BinaryOp::kGE: return x >= y;
    case BinaryOp::kAnd: return x && y;
    case BinaryOp::kOr: return x || y;
  }
  return std::nullopt;
}
}  // namespace

std::optional<int64_t> FoldIntOp(BinaryOp op, int64_t x, int64_t y, runtime::DataType t) {
  std::optional<int64_t> r = Raw(op, x, y);
  if (!r || IsComparison(op) || IsLogical(op)) return r;
  if (t.is_uint() && t.bits() < 64) return static_cast<int64_t>(static_cast<uint64_t>(*r) & ((1ULL << t.bits()) - 1));
  return FitsDType(*r, t) ? r : std::nullopt;
}

}  // namespace kiln::tir::arith
