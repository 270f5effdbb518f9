// AnalyzeOpPattern: finds the stages of a te-shaped function, classifies
// each block by its store and load indices, and combines the kinds.
#include "kiln/tir/analysis/op_pattern.h"

#include <algorithm>
#include <optional>
#include <vector>

#include "kiln/tir/functor.h"

namespace kiln::tir {
namespace {

using ir::OpPattern;

// The blocks under the root block, in order, each alone under its loops;
// nullopt when the body has another shape.
std::optional<std::vector<const BlockNode*>> FindBlocks(const PrimFunc& func) {
  Stmt body = func->body;
  if (const BlockNode* root = body.as<BlockNode>(); root && root->iter_vars.empty()) body = root->body;
  std::vector<Stmt> items = {body};
  if (const SeqNode* seq = body.as<SeqNode>()) items = seq->seq;
  std::vector<const BlockNode*> blocks;
  for (Stmt s : items) {
    while (const ForNode* loop = s.as<ForNode>()) s = loop->body;
    const BlockNode* block = s.as<BlockNode>();
    if (!block || block->iter_vars.empty()) return std::nullopt;
    blocks.push_back(block);
  }
  return blocks;
}

// The position of the block's iteration variable `e` is (a bare variable).
std::optional<size_t> IterIndex(const BlockNode* b, const PrimExpr& e) {
  for (size_t i = 0; i < b->iter_vars.size(); ++i) {
    if (b->iter_vars[i].var.get() == e.get()) return i;
  }
  return std::nullopt;
}

// The kind of a load `indices` in a block storing at `store` (iteration
// variable positions): elementwise, broadcast or injective.
OpPattern LoadKind(const BlockNode* b, const std::vector<size_t>& store, const std::vector<PrimExpr>& indices) {
  std::vector<size_t> at;  // for each index that is a variable: its position in the store
  bool constants = false;
  for (const PrimExpr& index : indices) {
    if (ConstIntValue(index)) {
      constants = true;
      continue;
    }
    std::optional<size_t> iv = IterIndex(b, index);
    if (!iv) return OpPattern::kInjective;
    auto pos = std::find(store.begin(), store.end(), *iv);
    if (pos == store.end()) return OpPattern::kInjective;
    at.push_back(static_cast<size_t>(pos - store.begin()));
  }
  if (!std::is_sorted(at.begin(), at.end()) || std::adjacent_find(at.begin(), at.end()) != at.end()) {
    return OpPattern::kInjective;
  }
  return !constants && at.size() == store.size() ? OpPattern::kElementwise : OpPattern::kBroadcast;
}

// Whether `e` is a load of a buffer other than `out`, maybe cast.
const BufferLoadNode* OperandLoad(const PrimExpr& e, const Buffer& out) {
  PrimExpr x = e;
  if (const CastNode* c = x.as<CastNode>()) x = c->value;
  const BufferLoadNode* load = x.as<BufferLoadNode>();
  return load && load->buffer.get() != out.get() ? load : nullptr;
}

// Whether a reduction stores `out[...] = out[...] + x * y`, x and y loads of
// two different buffers (a matmul, a convolution).
bool IsProductSum(const BufferStoreNode* store) {
  const BinaryNode* add = store->value.as<BinaryNode>();
  if (!add || add->op != BinaryOp::kAdd) return false;
  PrimExpr product = add->b;
  const BufferLoadNode* self = add->a.as<BufferLoadNode>();
  if (!self || self->buffer.get() != store->buffer.get()) {
    self = add->b.as<BufferLoadNode>();
    product = add->a;
  }
  if (!self || self->buffer.get() != store->buffer.get()) return false;
  const BinaryNode* mul = product.as<BinaryNode>();
  if (!mul || mul->op != BinaryOp::kMul) return false;
  const BufferLoadNode* x = OperandLoad(mul->a, store->buffer);
  const BufferLoadNode* y = OperandLoad(mul->b, store->buffer);
  return x && y && x->buffer.get() != y->buffer.get();
}

// Finds iteration variables of a block used outside load indices.
class UsesItersOutsideLoads : public ExprVisitor {
 public:
  explicit UsesItersOutsideLoads(const BlockNode* b) : b_(b) {}
  bool found = false;

 protected:
  void VisitExpr_(const VarNode* op) override {
    for (const IterVar& iv : b_->iter_vars) found |= iv.var.get() == op;
  }
  void VisitExpr_(const BufferLoadNode*) override {}

 private:
  const BlockNode* b_;
};

struct BlockKind {
  OpPattern kind;
  bool product_sum = false;
};

// The kind of one block (kOpaque when it is not te-shaped).
BlockKind ClassifyBlock(const BlockNode* b) {
  const BufferStoreNode* store = b->body.as<BufferStoreNode>();
  if (!store || b->writes.size() != 1 || store->buffer.get() != b->writes[0].buffer.get()) return {OpPattern::kOpaque};
  std::vector<size_t> at;
  for (const PrimExpr& index : store->indices) {
    std::optional<size_t> iv = IterIndex(b, index);
    if (!iv || b->iter_vars[*iv].kind != IterKind::kSpatial || std::count(at.begin(), at.end(), *iv)) {
      return {OpPattern::kOpaque};
    }
    at.push_back(*iv);
  }
  bool reduction = std::any_of(b->iter_vars.begin(), b->iter_vars.end(),
                               [](const IterVar& iv) { return iv.kind == IterKind::kReduce; });
  OpPattern kind = OpPattern::kElementwise;
  bool external = false, bare_vars = false;
  auto visit = [&](const PrimExpr& e) {
    if (const CallNode* call = e.as<CallNode>()) external |= call->op == "call_extern";
    if (const BufferLoadNode* load = e.as<BufferLoadNode>()) {
      if (load->buffer.get() != store->buffer.get()) kind = std::max(kind, LoadKind(b, at, load->indices));
    }
  };
  PreOrderVisit(store->value, visit);
  // A value that uses its iteration variables outside load indices
  // (arange, tril's condition) depends on positions: injective.
  UsesItersOutsideLoads outside(b);
  outside.VisitExpr(store->value);
  bare_vars = outside.found;
  if (external) return {OpPattern::kOpaque};
  if (reduction) return {OpPattern::kReduction, IsProductSum(store)};
  if (bare_vars) kind = std::max(kind, OpPattern::kInjective);
  return {kind};
}

}  // namespace

ir::OpPattern AnalyzeOpPattern(const PrimFunc& func) {
  std::optional<std::vector<const BlockNode*>> blocks = FindBlocks(func);
  if (!blocks) return OpPattern::kOpaque;
  std::vector<BlockKind> kinds;
  for (const BlockNode* b : *blocks) {
    kinds.push_back(ClassifyBlock(b));
    if (kinds.back().kind == OpPattern::kOpaque) return OpPattern::kOpaque;
  }
  size_t products = 0, reductions = 0, anchor = 0;
  OpPattern worst = OpPattern::kElementwise;
  for (size_t i = 0; i < kinds.size(); ++i) {
    worst = std::max(worst, kinds[i].kind);
    reductions += kinds[i].kind == OpPattern::kReduction;
    if (kinds[i].product_sum) {
      ++products;
      anchor = i;
    }
  }
  if (products > 1) return OpPattern::kOpaque;
  if (products == 1 && reductions == 1) {
    bool epilogue = std::all_of(kinds.begin() + static_cast<std::ptrdiff_t>(anchor) + 1, kinds.end(),
                                [](const BlockKind& k) { return k.kind <= OpPattern::kBroadcast; });
    if (epilogue) return OpPattern::kOutEWiseFusable;
  }
  return worst;
}

}  // namespace kiln::tir
