// Property tests of tir structural equality and hashing on random expressions:
// renamed copies are equal and hash equal, equality agrees with an independent
// oracle (a canonical text), and any one changed constant is found.
#include <map>
#include <random>

#include "common/test_util.h"
#include "kiln/tir/functor.h"
#include "kiln/tir/structural_equal.h"

namespace kiln::tir {
namespace {

// Random int64 and bool expressions over a pool of free variables. The same
// seed with another pool gives the same expression over other variables.
class RandomExpr {
 public:
  RandomExpr(uint32_t seed, std::vector<Var> pool) : rng_(seed), pool_(std::move(pool)) {}

  PrimExpr Int(int depth) {
    if (depth == 0 || Pick(5) == 0) return IntLeaf();
    static const BinaryOp kOps[] = {BinaryOp::kAdd, BinaryOp::kSub,      BinaryOp::kMul, BinaryOp::kFloorDiv,
                                    BinaryOp::kMin, BinaryOp::kFloorMod, BinaryOp::kMax};
    switch (Pick(5)) {
      case 0: {
        PrimExpr condition = Bool(depth - 1), then_value = Int(depth - 1);
        return Select(condition, then_value, Int(depth - 1));
      }
      case 1: return LetOf(depth);
      case 2: return Cast(DataType::Int(64), Cast(DataType::Int(32), Int(depth - 1)));
      case 3: return Call(DataType::Int(64), Pick(2) ? "abs" : "neg", {Int(depth - 1)});
      default: {
        PrimExpr a = Int(depth - 1);
        return Binary(kOps[Pick(7)], a, Int(depth - 1));
      }
    }
  }

  PrimExpr Bool(int depth) {
    if (depth == 0 || Pick(4) == 0) return tir::Bool(Pick(2));
    static const BinaryOp kCompare[] = {BinaryOp::kLT, BinaryOp::kLE, BinaryOp::kEQ, BinaryOp::kNE};
    switch (Pick(3)) {
      case 0: return Not(Bool(depth - 1));
      case 1: {
        PrimExpr a = Bool(depth - 1);
        return Binary(Pick(2) ? BinaryOp::kAnd : BinaryOp::kOr, a, Bool(depth - 1));
      }
      default: {
        PrimExpr a = Int(depth - 1);
        return Binary(kCompare[Pick(4)], a, Int(depth - 1));
      }
    }
  }

 private:
  int Pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }

  PrimExpr IntLeaf() {
    int choice = Pick(3);
    if (choice == 0) return PrimExpr(int64_t{Pick(3)});
    if (choice == 1 && !bound_.empty()) return bound_[Pick(static_cast<int>(bound_.size()))];
    return pool_[Pick(static_cast<int>(pool_.size()))];
  }

  PrimExpr LetOf(int depth) {
    Var v("t" + std::to_string(bound_.size()));
    PrimExpr value = Int(depth - 1);
    bound_.push_back(v);
    PrimExpr body = Int(depth - 1);
    bound_.pop_back();
    return Let(v, value, body);
  }

  std::mt19937 rng_;
  std::vector<Var> pool_;
  std::vector<Var> bound_;
};

std::vector<Var> Pool(const std::string& prefix) {
  std::vector<Var> pool;
  for (int i = 0; i < 3; ++i) pool.emplace_back(prefix + std::to_string(i));
  return pool;
}

// The oracle: a text in which Let variables are named by definition order and
// free variables by first encounter (mapped) or by object (not mapped).
class Canon {
 public:
  explicit Canon(bool map_free_vars) : map_free_vars_(map_free_vars) {}

  std::string Text(const PrimExpr& e) {
    std::string head = e.dtype().str() + ":";
    if (const auto* i = e.as<IntImmNode>()) return head + std::to_string(i->value);
    if (const auto* v = e.as<VarNode>()) return head + Name(v);
    if (const auto* b = e.as<BinaryNode>())
      return head + BinaryOpName(b->op) + "(" + Text(b->a) + "," + Text(b->b) + ")";
    if (const auto* n = e.as<NotNode>()) return head + "not(" + Text(n->a) + ")";
    if (const auto* c = e.as<CastNode>()) return head + "cast(" + Text(c->value) + ")";
    if (const auto* s = e.as<SelectNode>()) {
      return head + "select(" + Text(s->condition) + "," + Text(s->true_value) + "," + Text(s->false_value) + ")";
    }
    if (const auto* c = e.as<CallNode>()) return head + c->op + "(" + Text(c->args[0]) + ")";
    const auto* l = e.as<LetNode>();
    std::string value = Text(l->value);
    names_[l->var.get()] = "b" + std::to_string(next_bound_++);
    return head + "let(" + names_[l->var.get()] + "=" + value + "," + Text(l->body) + ")";
  }

 private:
  std::string Name(const VarNode* v) {
    auto it = names_.find(v);
    if (it != names_.end()) return it->second;
    if (!map_free_vars_) return "free@" + std::to_string(reinterpret_cast<uintptr_t>(v));
    return names_[v] = "f" + std::to_string(next_free_++);
  }

  bool map_free_vars_;
  std::map<const VarNode*, std::string> names_;
  int next_bound_ = 0, next_free_ = 0;
};

// Adds one to the k-th integer constant (pre-order).
class BumpConstant : public ExprMutator {
 public:
  explicit BumpConstant(int k) : k_(k) {}
  bool done() const { return seen_ > k_; }

 protected:
  PrimExpr VisitExpr_(const IntImmNode* op) override {
    if (seen_++ != k_ || op->dtype.is_bool()) return ExprMutator::VisitExpr_(op);
    return IntImm(op->dtype, op->value + 1);
  }

 private:
  int k_, seen_ = 0;
};

constexpr int kSeeds = 300;
constexpr int kDepth = 5;

TEST(StructuralEqualRandom, RenamedCopiesAreEqualAndHashEqual) {
  std::vector<Var> pool_a = Pool("x"), pool_b = Pool("y");
  int with_free_vars = 0;
  for (uint32_t seed = 0; seed < kSeeds; ++seed) {
    PrimExpr a = RandomExpr(seed, pool_a).Int(kDepth), b = RandomExpr(seed, pool_b).Int(kDepth);
    ASSERT_TRUE(StructuralEqual(a, b, /*map_free_vars=*/true)) << seed << ": " << *FindMismatch(a, b, true);
    EXPECT_EQ(StructuralHash(a, true), StructuralHash(b, true)) << seed;
    bool strict_equal = Canon(false).Text(a) == Canon(false).Text(b);
    with_free_vars += !strict_equal;
    EXPECT_EQ(StructuralEqual(a, b), strict_equal) << seed;
    if (strict_equal) {
      EXPECT_EQ(StructuralHash(a), StructuralHash(b)) << seed;
    }
    // Renaming the free variables of one expression in place.
    PrimExpr c = Substitute(a, [&](const Var& v) -> PrimExpr {
      for (size_t i = 0; i < pool_a.size(); ++i) {
        if (v.get() == pool_a[i].get()) return pool_b[i];
      }
      return PrimExpr();
    });
    EXPECT_TRUE(StructuralEqual(a, c, true)) << seed;
    EXPECT_EQ(StructuralHash(a, true), StructuralHash(c, true)) << seed;
  }
  EXPECT_GT(with_free_vars, kSeeds / 2);
}

TEST(StructuralEqualRandom, EqualityAgreesWithTheOracleAndHashesSeparate) {
  std::vector<Var> pool = Pool("x");
  std::vector<PrimExpr> exprs;
  for (uint32_t seed = 0; seed < kSeeds; ++seed) exprs.push_back(RandomExpr(seed, pool).Int(seed % 4));
  int equal_pairs = 0, unequal_pairs = 0, collisions = 0;
  for (size_t i = 0; i < exprs.size(); ++i) {
    for (size_t j = i + 1; j < exprs.size(); ++j) {
      for (bool map : {false, true}) {
        bool oracle = Canon(map).Text(exprs[i]) == Canon(map).Text(exprs[j]);
        ASSERT_EQ(StructuralEqual(exprs[i], exprs[j], map), oracle) << i << " vs " << j << " map " << map;
        bool same_hash = StructuralHash(exprs[i], map) == StructuralHash(exprs[j], map);
        if (oracle) {
          EXPECT_TRUE(same_hash) << i << " vs " << j;
        }
        equal_pairs += oracle;
        unequal_pairs += !oracle;
        collisions += !oracle && same_hash;
      }
    }
  }
  EXPECT_GT(equal_pairs, 0);  // small expressions repeat, so both answers occur
  EXPECT_GT(unequal_pairs, 40000);
  EXPECT_EQ(collisions, 0);
}

TEST(StructuralEqualRandom, AnyChangedConstantIsFound) {
  std::vector<Var> pool = Pool("x");
  int changed = 0;
  for (uint32_t seed = 0; seed < kSeeds; ++seed) {
    PrimExpr e = RandomExpr(seed, pool).Int(kDepth);
    for (int k = 0;; ++k) {
      BumpConstant bump(k);
      PrimExpr m = bump.VisitExpr(e);
      if (!bump.done()) break;
      if (m.get() == e.get()) continue;  // the k-th constant was a bool
      ++changed;
      EXPECT_FALSE(StructuralEqual(e, m, true)) << seed << " constant " << k;
      std::optional<std::string> where = FindMismatch(e, m, true);
      ASSERT_TRUE(where.has_value());
      EXPECT_NE(where->find("value: "), std::string::npos) << *where;
      EXPECT_NE(StructuralHash(e, true), StructuralHash(m, true)) << seed << " constant " << k;
    }
  }
  EXPECT_GT(changed, kSeeds);
}

}  // namespace
}  // namespace kiln::tir
