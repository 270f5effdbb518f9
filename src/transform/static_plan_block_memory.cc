// StaticPlanBlockMemory: an analysis of the top-level bindings of a function
// (which allocation each value may alias, each allocation's last use, which
// escape), a linear walk that assigns storage tokens best-fit, then a rewrite
// that emits alloc_storage / alloc_tensor / kill_* around the bindings.
#include "kiln/transform/static_plan_block_memory.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "kiln/relax/block_builder.h"
#include "kiln/relax/functor.h"
#include "kiln/relax/op.h"
#include "kiln/relax/op/memory.h"
#include "kiln/relax/var_bounds.h"
#include "kiln/tir/arith/analyzer.h"
#include "kiln/tir/functor.h"
#include "kiln/tir/structural_equal.h"

namespace kiln::transform {
namespace {

using relax::Binding;
using relax::BindingBlock;
using relax::Expr;
using relax::Var;
using relax::VarNode;
using runtime::DataType;
using tir::PrimExpr;

bool IsOpCall(const Expr& e, const char* name) {
  const auto* call = e.as<relax::CallNode>();
  const auto* op = call ? call->op.as<relax::OpNode>() : nullptr;
  return op && op->name == name;
}

// The relax variables `e` reads (nested scopes included).
std::vector<const VarNode*> VarsIn(const Expr& e) {
  std::vector<const VarNode*> out;
  relax::PostOrderVisit(e, [&](const Expr& x) {
    if (const auto* v = x.as<VarNode>()) out.push_back(v);
  });
  return out;
}

// One planned tensor: an allocation that does not escape.
struct Tensor {
  size_t index = 0;     // of its binding, in function order
  size_t last_use = 0;  // the last binding reading it or an alias of it
  int64_t device = 0;
  PrimExpr bytes;  // its size: a constant, or symbolic
  int token = -1;
};

// A storage that tensors take turns in.
struct Token {
  PrimExpr bytes;  // constant (the largest tensor so far), or symbolic
  int64_t device = 0;
  size_t first = 0;  // binding index of its first tensor
  size_t last = 0;   // the last use of its last tensor
  Var storage;       // the alloc_storage variable, once emitted
};

class Planner {
 public:
  Planner(const IRModule& mod, const relax::Function& func) : mod_(mod), func_(func) { ReadUpperBounds(); }

  relax::Function Run() {
    const auto* seq = func_->body.as<relax::SeqExprNode>();
    if (!seq) return func_;
    for (const BindingBlock& block : seq->blocks) {
      if (block.is_dataflow) return func_;  // its bindings must stay pure: run CallTIRRewrite first
      for (const Binding& b : block.bindings) bindings_.push_back(&b);
    }
    Analyze(seq->body);
    if (tensors_.empty()) return func_;
    Assign();
    return Rewrite(seq);
  }

 private:
  // "tir_var_upper_bound": [["n", 128], ...].
  void ReadUpperBounds() { upper_bound_ = relax::ReadVarBounds(func_, "tir_var_upper_bound", "StaticPlanBlockMemory", Name()); }

  std::string Name() const {
    for (const auto& [gv, f] : mod_.functions()) {
      if (f.get() == func_.get()) return gv->name;
    }
    return func_->attrs.Get<std::string>("global_symbol", "?");
  }

  // The size in bytes of a tensor: a constant when the shape is constant or
  // every variable in it has an upper bound.
  PrimExpr Bytes(const std::vector<PrimExpr>& shape, DataType dtype) {
    PrimExpr size = tir::IntImm(DataType::Int(64), dtype.bytes());
    for (const PrimExpr& d : shape)
      size = size * (d.dtype() == DataType::Int(64) ? d : tir::Cast(DataType::Int(64), d));
    size = analyzer_.Simplify(size);
    if (tir::AsConstInt(size) || upper_bound_.empty()) return size;
    tir::arith::Analyzer bounded;
    bool all_bounded = true;
    tir::PreOrderVisit(size, [&](const PrimExpr& e) {
      const auto* v = e.as<tir::VarNode>();
      if (!v) return;
      auto it = upper_bound_.find(v->name);
      if (it == upper_bound_.end()) {
        all_bounded = false;
        return;
      }
      bounded.Bind(tir::Var(e), tir::Range{tir::IntImm(v->dtype, 0), tir::IntImm(v->dtype, it->second + 1)});
    });
    if (!all_bounded) return size;
    int64_t max = bounded.Bound(size).max_value;
    if (max == tir::arith::ConstIntBound::kPosInf) return size;
    return tir::IntImm(DataType::Int(64), max);
  }

  // Which planned allocation each value may hold, last uses, and escapes.
  void Analyze(const Expr& body) {
    std::unordered_map<const VarNode*, std::set<const VarNode*>> holds;
    auto use = [&](const VarNode* v, size_t at) {
      auto it = holds.find(v);
      if (it == holds.end()) return;
      for (const VarNode* a : it->second) {
        auto t = tensors_.find(a);
        if (t != tensors_.end()) t->second.last_use = std::max(t->second.last_use, at);
      }
    };
    for (size_t i = 0; i < bindings_.size(); ++i) {
      const Binding& b = *bindings_[i];
      if (!b.match_cast && IsOpCall(b.value, "relax.builtin.alloc_tensor")) {
        const auto* call = b.value.as<relax::CallNode>();
        auto t = b.var.struct_info().As<relax::TensorStructInfoNode>();
        if (t && t->shape && !t->dtype.is_void()) {
          Tensor tensor;
          tensor.index = tensor.last_use = i;
          tensor.device = call->attrs.Get<int64_t>("runtime_device_index", 0);
          tensor.bytes = Bytes(*t->shape, t->dtype);
          tensors_.emplace(b.var.get(), tensor);
          holds[b.var.get()] = {b.var.get()};
          continue;
        }
      }
      std::set<const VarNode*> held;
      for (const VarNode* v : VarsIn(b.value)) {
        use(v, i);
        if (auto it = holds.find(v); it != holds.end()) held.insert(it->second.begin(), it->second.end());
      }
      if (!held.empty()) holds[b.var.get()] = std::move(held);
    }
    for (const VarNode* v : VarsIn(body)) {
      auto it = holds.find(v);
      if (it == holds.end()) continue;
      for (const VarNode* a : it->second) tensors_.erase(a);  // escapes: stays builtin.alloc_tensor
    }
  }

  // Assigns each planned tensor a token, walking the bindings in order.
  void Assign() {
    std::vector<std::pair<size_t, const VarNode*>> by_index;
    for (auto& [v, t] : tensors_) by_index.emplace_back(t.index, v);
    std::sort(by_index.begin(), by_index.end());
    std::multimap<size_t, int> frees_at;  // last use -> token
    std::vector<int> free;
    size_t next = 0;
    for (size_t i = 0; i < bindings_.size(); ++i) {
      if (next < by_index.size() && by_index[next].first == i) {
        const VarNode* var = by_index[next++].second;
        Tensor& t = tensors_.at(var);
        t.token = Pick(t, &free);
        Token& token = tokens_[t.token];
        token.last = std::max(token.last, t.last_use);
        frees_at.emplace(t.last_use, t.token);
        order_.push_back(var);
      }
      auto [begin, end] = frees_at.equal_range(i);
      for (auto it = begin; it != end; ++it) free.push_back(it->second);
    }
  }

  // Best fit among the free tokens (removed from `free`), or a new token.
  int Pick(const Tensor& t, std::vector<int>* free) {
    const int64_t* size = tir::AsConstInt(t.bytes);
    int best = -1;
    for (size_t k = 0; k < free->size(); ++k) {
      const Token& token = tokens_[(*free)[k]];
      if (token.device != t.device) continue;
      const int64_t* have = tir::AsConstInt(token.bytes);
      if (!size || !have) {
        if (!size && !have && tir::StructuralEqual(token.bytes, t.bytes)) {
          best = static_cast<int>(k);
          break;
        }
        continue;
      }
      if (best < 0) {
        best = static_cast<int>(k);
        continue;
      }
      int64_t cur = *tir::AsConstInt(tokens_[(*free)[best]].bytes);
      // Prefer tokens that hold the tensor, the smallest of them; else the largest.
      bool fits = *have >= *size, cur_fits = cur >= *size;
      if ((fits && (!cur_fits || *have < cur)) || (!fits && !cur_fits && *have > cur)) best = static_cast<int>(k);
    }
    if (best >= 0) {
      int id = (*free)[best];
      free->erase(free->begin() + best);
      if (size && *tir::AsConstInt(tokens_[id].bytes) < *size) tokens_[id].bytes = t.bytes;
      return id;
    }
    Token token;
    token.bytes = t.bytes;
    token.device = t.device;
    token.first = t.index;
    tokens_.push_back(token);
    return static_cast<int>(tokens_.size()) - 1;
  }

  relax::Function Rewrite(const relax::SeqExprNode* seq) {
    relax::BlockBuilder bb(mod_);
    std::multimap<size_t, const VarNode*> kills;  // binding index -> tensors to kill after it
    for (const VarNode* v : order_) kills.emplace(tensors_.at(v).last_use, v);
    auto emit = [&](std::vector<Binding>* out, const std::string& name, const Expr& value) {
      Expr normalized = bb.Normalize(value);
      Var var = relax::MakeVar(name, normalized.struct_info());
      out->push_back({var, normalized, {}});
      return var;
    };
    std::vector<BindingBlock> blocks;
    size_t i = 0;
    for (const BindingBlock& block : seq->blocks) {
      BindingBlock out;
      for (const Binding& b : block.bindings) {
        auto planned = tensors_.find(b.var.get());
        if (planned == tensors_.end()) {
          out.bindings.push_back(b);
        } else {
          const Tensor& t = planned->second;
          Token& token = tokens_[t.token];
          if (token.first == i) {
            token.storage = emit(&out.bindings, "storage", relax::op::memory_alloc_storage(token.bytes, token.device));
          }
          auto sinfo = b.var.struct_info().As<relax::TensorStructInfoNode>();
          Expr alloc = bb.Normalize(relax::op::memory_alloc_tensor(token.storage, *sinfo->shape, sinfo->dtype));
          out.bindings.push_back({b.var, alloc, {}});
        }
        auto [begin, end] = kills.equal_range(i);
        for (auto it = begin; it != end; ++it) {
          const Tensor& t = tensors_.at(it->second);
          emit(&out.bindings, "_", relax::op::memory_kill_tensor(Var(runtime::GetRef(it->second))));
          if (tokens_[t.token].last == i) {
            emit(&out.bindings, "_", relax::op::memory_kill_storage(tokens_[t.token].storage));
          }
        }
        ++i;
      }
      blocks.push_back(std::move(out));
    }
    Expr body = relax::MakeSeqExpr(std::move(blocks), seq->body, seq->span);
    body->struct_info = seq->struct_info;
    return relax::MakeFunction(func_->params, body, func_->ret_struct_info, func_->is_pure, func_->attrs, func_->span);
  }

  const IRModule& mod_;
  relax::Function func_;
  std::map<std::string, int64_t> upper_bound_;
  tir::arith::Analyzer analyzer_;
  std::vector<const Binding*> bindings_;
  std::unordered_map<const VarNode*, Tensor> tensors_;  // planned allocations by variable
  std::vector<const VarNode*> order_;                   // planned allocations in function order
  std::vector<Token> tokens_;
};

}  // namespace

Pass StaticPlanBlockMemory() {
  auto run = [](const relax::Function& f, const IRModule& mod, const PassContext&) { return Planner(mod, f).Run(); };
  return CreateFunctionPass(run, {"StaticPlanBlockMemory",
                                  0,
                                  "intermediate tensors share storage when their lifetimes do not overlap",
                                  {"Normalize"}});
}

KILN_REGISTER_PASS(StaticPlanBlockMemory);

}  // namespace kiln::transform
