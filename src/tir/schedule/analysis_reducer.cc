// Matching a block's init and body against the commutative reducers.
#include "analysis_reducer.h"

#include <optional>

#include "kiln/tir/functor.h"
#include "kiln/tir/printer.h"
#include "kiln/tir/structural_equal.h"
#include "kiln/tir/te/reduce.h"
#include "state.h"

namespace kiln::tir::schedule {
namespace {

std::optional<ReducerKind> KindOf(BinaryOp op) {
  switch (op) {
    case BinaryOp::kAdd: return ReducerKind::kSum;
    case BinaryOp::kMul: return ReducerKind::kProd;
    case BinaryOp::kMin: return ReducerKind::kMin;
    case BinaryOp::kMax: return ReducerKind::kMax;
    default: return std::nullopt;
  }
}

PrimExpr IdentityOf(ReducerKind kind, DataType dtype) {
  switch (kind) {
    case ReducerKind::kSum: return MakeConst(dtype, 0);
    case ReducerKind::kProd: return MakeConst(dtype, 1);
    case ReducerKind::kMin: return te::max_value(dtype);
    case ReducerKind::kMax: return te::min_value(dtype);
  }
  return PrimExpr();
}

bool SameIndices(const std::vector<PrimExpr>& a, const std::vector<PrimExpr>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!StructuralEqual(a[i], b[i])) return false;
  }
  return true;
}

// `e` loads `buffer` at `indices`.
bool IsAccumulator(const PrimExpr& e, const BufferStoreNode* store) {
  const auto* load = e.as<BufferLoadNode>();
  return load && load->buffer.get() == store->buffer.get() && SameIndices(load->indices, store->indices);
}

bool Reads(const PrimExpr& e, const Buffer& buffer) {
  bool found = false;
  PreOrderVisit(e, [&](const PrimExpr& x) {
    const auto* load = x.as<BufferLoadNode>();
    found |= load && load->buffer.get() == buffer.get();
  });
  return found;
}

std::string Access(const BufferStoreNode* store) {
  return ToText(BufferLoad(store->buffer, store->indices));
}

}  // namespace

const char* ReducerName(ReducerKind kind) {
  switch (kind) {
    case ReducerKind::kSum: return "sum";
    case ReducerKind::kProd: return "prod";
    case ReducerKind::kMin: return "min";
    case ReducerKind::kMax: return "max";
  }
  return "?";
}

PrimExpr Combine(ReducerKind kind, PrimExpr acc, PrimExpr x) {
  switch (kind) {
    case ReducerKind::kSum: return Binary(BinaryOp::kAdd, std::move(acc), std::move(x));
    case ReducerKind::kProd: return Binary(BinaryOp::kMul, std::move(acc), std::move(x));
    case ReducerKind::kMin: return Binary(BinaryOp::kMin, std::move(acc), std::move(x));
    case ReducerKind::kMax: return Binary(BinaryOp::kMax, std::move(acc), std::move(x));
  }
  return PrimExpr();
}

ReductionForm MatchReduction(const BlockNode* block, const char* primitive, bool any_init) {
  const std::string& name = block->name;
  KILN_SCHEDULE_CHECK(block->init, primitive) << "block '" << name << "' has no init, so it is not a reduction";
  const auto* update = block->body.as<BufferStoreNode>();
  const auto* init = block->init.as<BufferStoreNode>();
  KILN_SCHEDULE_CHECK(update && init, primitive)
      << "the init and body of block '" << name << "' are not single stores 'out[...] = identity' and "
      << "'out[...] = combine(out[...], value)'";
  const auto* bin = update->value.as<BinaryNode>();
  std::optional<ReducerKind> kind = bin ? KindOf(bin->op) : std::nullopt;
  std::string acc = Access(update);
  KILN_SCHEDULE_CHECK(kind, primitive) << "block '" << name << "' stores '" << ToText(update->value) << "' to '" << acc
                                       << "', which is not a commutative reducer (+, *, min or max)";
  PrimExpr value;
  if (IsAccumulator(bin->a, update)) value = bin->b;
  if (!value && IsAccumulator(bin->b, update)) value = bin->a;
  KILN_SCHEDULE_CHECK(value, primitive) << "block '" << name << "' stores '" << ToText(update->value) << "' to '" << acc
                                        << "', which does not combine '" << acc << "' with a value";
  KILN_SCHEDULE_CHECK(!Reads(value, update->buffer), primitive)
      << "the value block '" << name << "' combines into '" << acc << "' reads buffer '" << update->buffer->name
      << "' too";
  KILN_SCHEDULE_CHECK(init->buffer.get() == update->buffer.get() && SameIndices(init->indices, update->indices),
                      primitive)
      << "the init of block '" << name << "' stores to '" << Access(init) << "', not to '" << acc << "'";
  PrimExpr identity = IdentityOf(*kind, update->buffer->dtype);
  if (any_init) {
    KILN_SCHEDULE_CHECK(!Reads(init->value, update->buffer), primitive)
        << "the init of block '" << name << "' stores " << ToText(init->value) << ", which reads buffer '"
        << update->buffer->name << "' it accumulates into";
    for (const IterVar& iv : block->iter_vars) {
      bool uses = false;
      PreOrderVisit(init->value, [&](const PrimExpr& x) { uses |= x.get() == iv.var.get(); });
      KILN_SCHEDULE_CHECK(iv.kind != IterKind::kReduce || !uses, primitive)
          << "the init of block '" << name << "' stores " << ToText(init->value) << ", which depends on its reduction "
          << "variable '" << iv.var.name() << "'";
    }
  } else {
    KILN_SCHEDULE_CHECK(StructuralEqual(init->value, identity), primitive)
        << "the init of block '" << name << "' stores " << ToText(init->value) << ", not " << ToText(identity)
        << ", the identity of its reducer '" << ReducerName(*kind) << "'";
  }
  return ReductionForm{*kind, update->buffer, update->indices, value, identity, init->value};
}

}  // namespace kiln::tir::schedule
