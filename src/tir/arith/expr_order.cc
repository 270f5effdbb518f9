// The total order on tir expressions (see expr_order.h).
#include "kiln/tir/arith/expr_order.h"

#include <functional>
#include <string>
#include <vector>

namespace kiln::tir::arith {

namespace {

template <typename T>
int Cmp(const T& a, const T& b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

int CompareDType(DataType a, DataType b) {
  if (int c = Cmp(a.code(), b.code())) return c;
  if (int c = Cmp(a.bits(), b.bits())) return c;
  return Cmp(a.lanes(), b.lanes());
}

int CompareVars(const VarNode* a, const VarNode* b) {
  if (a == b) return 0;
  if (int c = Cmp(a->name, b->name)) return c;
  if (int c = CompareDType(a->dtype, b->dtype)) return c;
  return std::less<const VarNode*>()(a, b) ? -1 : 1;
}

int CompareAll(const std::vector<PrimExpr>& a, const std::vector<PrimExpr>& b) {
  if (int c = Cmp(a.size(), b.size())) return c;
  for (size_t i = 0; i < a.size(); ++i) {
    if (int c = CompareExpr(a[i], b[i])) return c;
  }
  return 0;
}

int CompareBuffers(const Buffer& a, const Buffer& b) {
  if (a.get() == b.get()) return 0;
  if (int c = Cmp(a->name, b->name)) return c;
  return std::less<const BufferNode*>()(a.get(), b.get()) ? -1 : 1;
}

// Compares two nodes of one kind and dtype field by field.
int CompareFields(const PrimExpr& a, const PrimExpr& b) {
  switch (a.kind()) {
    case ExprKind::kIntImm: return Cmp(a.as<IntImmNode>()->value, b.as<IntImmNode>()->value);
    case ExprKind::kFloatImm: return Cmp(a.as<FloatImmNode>()->value, b.as<FloatImmNode>()->value);
    case ExprKind::kStringImm: return Cmp(a.as<StringImmNode>()->value, b.as<StringImmNode>()->value);
    case ExprKind::kVar: return CompareVars(a.as<VarNode>(), b.as<VarNode>());
    case ExprKind::kBinary: {
      const BinaryNode *x = a.as<BinaryNode>(), *y = b.as<BinaryNode>();
      if (int c = Cmp(x->op, y->op)) return c;
      return CompareAll({x->a, x->b}, {y->a, y->b});
    }
    case ExprKind::kNot: return CompareExpr(a.as<NotNode>()->a, b.as<NotNode>()->a);
    case ExprKind::kCast: return CompareExpr(a.as<CastNode>()->value, b.as<CastNode>()->value);
    case ExprKind::kSelect: {
      const SelectNode *x = a.as<SelectNode>(), *y = b.as<SelectNode>();
      return CompareAll({x->condition, x->true_value, x->false_value}, {y->condition, y->true_value, y->false_value});
    }
    case ExprKind::kBufferLoad: {
      const BufferLoadNode *x = a.as<BufferLoadNode>(), *y = b.as<BufferLoadNode>();
      if (int c = CompareBuffers(x->buffer, y->buffer)) return c;
      return CompareAll(x->indices, y->indices);
    }
    case ExprKind::kCall: {
      const CallNode *x = a.as<CallNode>(), *y = b.as<CallNode>();
      if (int c = Cmp(x->op, y->op)) return c;
      return CompareAll(x->args, y->args);
    }
    case ExprKind::kRamp: {
      const RampNode *x = a.as<RampNode>(), *y = b.as<RampNode>();
      return CompareAll({x->base, x->stride}, {y->base, y->stride});
    }
    case ExprKind::kBroadcast: return CompareExpr(a.as<BroadcastNode>()->value, b.as<BroadcastNode>()->value);
    case ExprKind::kLet: {
      const LetNode *x = a.as<LetNode>(), *y = b.as<LetNode>();
      if (int c = CompareVars(x->var.get(), y->var.get())) return c;
      return CompareAll({x->value, x->body}, {y->value, y->body});
    }
  }
  return 0;
}

}  // namespace

int CompareExpr(const PrimExpr& a, const PrimExpr& b) {
  if (a.get() == b.get()) return 0;
  if (!a || !b) return a ? 1 : -1;
  if (int c = Cmp(a.kind(), b.kind())) return c;
  if (int c = CompareDType(a.dtype(), b.dtype())) return c;
  return CompareFields(a, b);
}

}  // namespace kiln::tir::arith
