// Randomized property tests against EvalInt: at random points the bindings
// allow, Simplify agrees with the original, Bound and EvalSet contain every
// value, and CanProve never proves a condition that fails at a point.
#include <map>
#include <random>
#include <sstream>

#include "common/test_util.h"
#include "kiln/tir/arith/analyzer.h"
#include "kiln/tir/arith/eval.h"
#include "kiln/tir/printer.h"

namespace kiln::tir::arith {
namespace {

using Point = std::map<const VarNode*, int64_t>;

// Five vars: x0, x1 in constant ranges, x2 in [0, x0 - lo0] (a symbolic
// range), n a size var and y a free var (both sampled from small intervals).
class World {
 public:
  World(std::mt19937& rng, DataType dtype) : rng_(rng), dtype_(dtype) {
    for (const char* name : {"x0", "x1", "x2", "y"}) vars_.emplace_back(name, dtype);
    vars_.push_back(SizeVar("n", dtype));
    for (int k = 0; k < 2; ++k) {
      lo_[k] = Uniform(-10, 10);
      hi_[k] = lo_[k] + Uniform(0, 20);
    }
  }

  // x0 and x1 with their ranges, for EvalSet.
  std::vector<std::pair<Var, Range>> Relaxable() const {
    std::vector<std::pair<Var, Range>> dom;
    for (int k = 0; k < 2; ++k) dom.emplace_back(vars_[k], Range{Const(lo_[k]), Const(hi_[k] - lo_[k] + 1)});
    return dom;
  }

  void BindAll(Analyzer& ana) const {
    for (int k = 0; k < 2; ++k) ana.Bind(vars_[k], Range{Const(lo_[k]), Const(hi_[k] - lo_[k] + 1)});
    const PrimExpr& x0 = vars_[0];
    ana.Bind(vars_[2], Range{Const(0), Binary(BinaryOp::kAdd, Binary(BinaryOp::kSub, x0, Const(lo_[0])), Const(1))});
  }

  Point Sample() {
    Point p;
    p[vars_[0].get()] = Uniform(lo_[0], hi_[0]);
    p[vars_[1].get()] = Uniform(lo_[1], hi_[1]);
    p[vars_[2].get()] = Uniform(0, p[vars_[0].get()] - lo_[0]);
    p[vars_[3].get()] = Uniform(-30, 30);
    p[vars_[4].get()] = Uniform(0, 30);
    return p;
  }

  PrimExpr Expr(int depth) {
    if (depth == 0 || Uniform(0, 5) == 0) return Leaf();
    PrimExpr a = Expr(depth - 1);
    switch (Uniform(0, 12)) {
      case 0:
      case 1: return Binary(BinaryOp::kAdd, a, Expr(depth - 1));
      case 2: return Binary(BinaryOp::kSub, a, Expr(depth - 1));
      case 3: return Binary(BinaryOp::kMul, a, Uniform(0, 1) ? Const(Uniform(-4, 5)) : Expr(std::min(depth - 1, 2)));
      case 4: return Binary(BinaryOp::kFloorDiv, a, Divisor(depth));
      case 5: return Binary(BinaryOp::kFloorMod, a, Divisor(depth));
      case 6: return Binary(Uniform(0, 1) ? BinaryOp::kDiv : BinaryOp::kMod, a, Divisor(depth));
      case 7: return Binary(Uniform(0, 1) ? BinaryOp::kMin : BinaryOp::kMax, a, Expr(depth - 1));
      case 8: return Select(Cond(depth - 1), a, Expr(depth - 1));
      case 9: return Binary(BinaryOp::kAdd, Binary(BinaryOp::kMul, a, Const(8)), Expr(depth - 1));
      case 10: return Binary(BinaryOp::kMul, Binary(BinaryOp::kFloorDiv, a, Const(4)), Const(4));
      case 11:
        return Binary(BinaryOp::kAdd, Binary(BinaryOp::kFloorDiv, a, Const(8)),
                      Binary(BinaryOp::kFloorMod, a, Const(8)));
      default: {  // let t = a in t * c + b, or min(t, b') + b
        Var t("t", dtype_);
        PrimExpr use = Uniform(0, 1) ? Binary(BinaryOp::kMul, t, Const(Uniform(-3, 3)))
                                     : Binary(BinaryOp::kMin, t, Expr(depth - 1));
        return Let(t, a, Binary(BinaryOp::kAdd, use, Expr(depth - 1)));
      }
    }
  }

  PrimExpr Cond(int depth) {
    static const BinaryOp kOps[] = {BinaryOp::kEQ, BinaryOp::kNE, BinaryOp::kLT,
                                    BinaryOp::kLE, BinaryOp::kGT, BinaryOp::kGE};
    PrimExpr c = Binary(kOps[Uniform(0, 5)], Expr(depth), Expr(depth));
    switch (Uniform(0, 5)) {
      case 0: return Binary(BinaryOp::kAnd, c, Cond(depth > 0 ? depth - 1 : 0));
      case 1: return Binary(BinaryOp::kOr, c, Cond(depth > 0 ? depth - 1 : 0));
      case 2: return Not(c);
      default: return c;
    }
  }

  int64_t Uniform(int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng_); }

 private:
  PrimExpr Const(int64_t v) const { return IntImm(dtype_, v); }
  PrimExpr Leaf() { return Uniform(0, 4) < 3 ? PrimExpr(vars_[Uniform(0, 4)]) : Const(Uniform(-9, 9)); }
  PrimExpr Divisor(int depth) {
    if (Uniform(0, 3) == 0) return Expr(depth - 1);
    int64_t c = Uniform(-6, 9);
    return Const(c == 0 ? 8 : c);
  }

  std::mt19937& rng_;
  DataType dtype_;
  std::vector<Var> vars_;
  int64_t lo_[2], hi_[2];
};

// The value of e at p, or nullopt where it is undefined (division by zero, overflow).
std::optional<int64_t> ValueAt(const PrimExpr& e, const Point& p) {
  try {
    return EvalInt(e, [&](const Var& v) { return p.at(v.get()); });
  } catch (const Error&) {
    return std::nullopt;
  }
}

std::string Show(const PrimExpr& e, const Point& p) {
  std::ostringstream os;
  os << ToText(e) << "  at";
  for (const auto& [v, value] : p) os << " " << v->name << "=" << value;
  return os.str();
}

// Checks simplification and bounds of e at `points`; counts the points where e is defined.
int CheckAgreement(Analyzer& ana, const PrimExpr& e, const std::vector<Point>& points) {
  PrimExpr s = ana.Simplify(e);
  EXPECT_EQ(s.dtype(), e.dtype());
  ConstIntBound bound = ana.Bound(e);
  int defined = 0;
  for (const Point& p : points) {
    std::optional<int64_t> want = ValueAt(e, p);
    if (!want) continue;
    ++defined;
    std::optional<int64_t> got = ValueAt(s, p);
    EXPECT_TRUE(got && *got == *want) << Show(e, p) << "\n  simplified " << ToText(s) << " gives "
                                      << (got ? std::to_string(*got) : "undefined") << ", not " << *want;
    EXPECT_TRUE(bound.contains(*want)) << Show(e, p) << "\n  value " << *want << " outside [" << bound.min_value << ", "
                                       << bound.max_value << "]";
    if (::testing::Test::HasFailure()) return defined;
  }
  return defined;
}

void CheckNeverProvesFalse(Analyzer& ana, const PrimExpr& cond, const std::vector<Point>& points) {
  if (!ana.CanProve(cond)) return;
  for (const Point& p : points) {
    std::optional<int64_t> v = ValueAt(cond, p);
    EXPECT_TRUE(!v || *v == 1) << "proved " << Show(cond, p) << " where it is false";
  }
}

std::vector<Point> Samples(World& world, int count) {
  std::vector<Point> points;
  for (int k = 0; k < count; ++k) points.push_back(world.Sample());
  return points;
}

TEST(ArithRandom, SimplifyAgreesWithEvaluation) {
  std::mt19937 rng(20240601);
  int defined = 0;
  for (int round = 0; round < 3000 && !HasFailure(); ++round) {
    World world(rng, round % 4 == 0 ? DataType::Int(32) : DataType::Int(64));
    Analyzer ana;
    world.BindAll(ana);
    std::vector<Point> points = Samples(world, 24);
    defined += CheckAgreement(ana, world.Expr(static_cast<int>(world.Uniform(2, 5))), points);
  }
  EXPECT_GT(defined, 40000);  // most points are defined: the test checks something
}

TEST(ArithRandom, CanProveNeverProvesFalse) {
  std::mt19937 rng(7);
  int proven = 0;
  for (int round = 0; round < 3000 && !HasFailure(); ++round) {
    World world(rng, DataType::Int(64));
    Analyzer ana;
    world.BindAll(ana);
    PrimExpr cond = world.Cond(static_cast<int>(world.Uniform(0, 2)));
    proven += ana.CanProve(cond);
    CheckNeverProvesFalse(ana, cond, Samples(world, 32));
  }
  EXPECT_GT(proven, 100);  // some conditions are provable: the prover is exercised
}

TEST(ArithRandom, ScopedConditionsHoldWhereTheyAreTrue) {
  std::mt19937 rng(99);
  int checked = 0;
  for (int round = 0; round < 1500 && !HasFailure(); ++round) {
    World world(rng, DataType::Int(64));
    Analyzer ana;
    world.BindAll(ana);
    PrimExpr cond = world.Cond(static_cast<int>(world.Uniform(0, 1)));
    std::vector<Point> inside;
    for (int k = 0; k < 200 && inside.size() < 16; ++k) {
      Point p = world.Sample();
      if (ValueAt(cond, p) == std::optional<int64_t>(1)) inside.push_back(p);
    }
    if (inside.empty()) continue;
    Analyzer::ConstraintScope scope(&ana, cond);
    checked += CheckAgreement(ana, world.Expr(static_cast<int>(world.Uniform(1, 3))), inside);
    CheckNeverProvesFalse(ana, world.Cond(1), inside);
  }
  EXPECT_GT(checked, 5000);
}

TEST(ArithRandom, EvalSetContainsEveryValue) {
  std::mt19937 rng(2024);
  int checked = 0;
  for (int round = 0; round < 1500 && !HasFailure(); ++round) {
    World world(rng, DataType::Int(64));
    Analyzer ana;
    world.BindAll(ana);
    std::vector<std::pair<Var, Range>> dom = world.Relaxable();
    if (world.Uniform(0, 1)) dom.pop_back();
    PrimExpr e = world.Expr(static_cast<int>(world.Uniform(1, 3)));
    IntervalSet set = ana.EvalSet(e, dom);
    for (const Point& p : Samples(world, 16)) {
      std::optional<int64_t> v = ValueAt(e, p);
      std::optional<int64_t> lo = set.min ? ValueAt(set.min, p) : std::nullopt;
      std::optional<int64_t> hi = set.max ? ValueAt(set.max, p) : std::nullopt;
      if (!v) continue;
      ++checked;
      EXPECT_TRUE(!set.min || (lo && *lo <= *v)) << Show(e, p) << " = " << *v << " below " << ToText(set.min);
      EXPECT_TRUE(!set.max || (hi && *v <= *hi)) << Show(e, p) << " = " << *v << " above " << ToText(set.max);
    }
  }
  EXPECT_GT(checked, 10000);
}

}  // namespace
}  // namespace kiln::tir::arith
