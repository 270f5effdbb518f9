// te numerically: ops written with compute and reductions, turned into tir
// by create_prim_func, run by the reference interpreter against plain C++.
#include <cmath>
#include <functional>

#include "common/test_util.h"
#include "kiln/tir/te.h"
#include "tir/te/interp.h"

namespace kiln::tir::te {
namespace {

using kiln::testing::HostArray;
using kiln::testing::RunPrimFunc;

const DataType f32 = DataType::Float(32);

PrimExpr Exp(const PrimExpr& x) {
  return Call(x.dtype(), "exp", {x});
}
PrimExpr IfThenElse(const PrimExpr& c, const PrimExpr& t, const PrimExpr& f) {
  return Call(t.dtype(), "if_then_else", {c, t, f});
}

// An array of `shape` holding a fixed pattern of values in [-2, 2).
HostArray Pattern(std::vector<int64_t> shape, int seed = 0) {
  HostArray a = HostArray::Floats(std::move(shape));
  for (size_t i = 0; i < a.f.size(); ++i) a.f[i] = static_cast<double>((i * 7 + seed * 3) % 16) / 4 - 2;
  return a;
}

// Row-major flat index of `index` in `shape`.
int64_t At(const std::vector<int64_t>& shape, const std::vector<int64_t>& index) {
  int64_t flat = 0;
  for (size_t d = 0; d < shape.size(); ++d) flat = flat * shape[d] + index[d];
  return flat;
}

void ExpectNear(const HostArray& got, const std::vector<double>& want, double tol = 1e-5) {
  ASSERT_EQ(got.f.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got.f[i], want[i], tol) << "at flat index " << i;
}

TEST(TeCompute, BroadcastAdd) {
  Tensor a = placeholder({4, 3}, f32, "A"), b = placeholder({1, 3}, f32, "B");
  Tensor c = compute(
      {4, 3}, [&](Var i, Var j) { return a(i, j) + b(0, j); }, "C");
  HostArray x = Pattern({4, 3}), y = Pattern({1, 3}, 1), z = HostArray::Floats({4, 3});
  RunPrimFunc(create_prim_func({a, b}, {c}), {&x, &y, &z});
  std::vector<double> want;
  for (int i = 0; i < 4; ++i) {
    for (int j = 0; j < 3; ++j) want.push_back(x.f[At({4, 3}, {i, j})] + y.f[j]);
  }
  ExpectNear(z, want);
}

TEST(TeCompute, AnyRankThroughTheIndexVector) {
  Tensor a = placeholder({2, 3, 2}, f32, "A");
  Tensor b = compute(
      a.shape(), [&](const std::vector<Var>& i) { return a[i] * 3.0; }, "B");
  Tensor c = compute(
      {2, 3},
      [&](Var i, Var j) {
        return b[{i, j, 1}] - b[{i, j, 0}];
      },
      "C");
  HostArray x = Pattern({2, 3, 2}), y = HostArray::Floats({2, 3});
  RunPrimFunc(create_prim_func({a}, {c}), {&x, &y});
  std::vector<double> want;
  for (int i = 0; i < 6; ++i) want.push_back((x.f[2 * i + 1] - x.f[2 * i]) * 3);
  ExpectNear(y, want);
}

TEST(TeCompute, ScalarOutput) {
  Tensor a = placeholder({3, 4}, f32, "A");
  ReduceAxis r = reduce_axis({0, 3}, "r"), k = reduce_axis({0, 4});
  Tensor total = compute(
      {},
      [&](const std::vector<Var>&) {
        return sum(a(r.var, k.var), {r, k});
      },
      "total");
  HostArray x = Pattern({3, 4}), y = HostArray::Floats({});
  RunPrimFunc(create_prim_func({a}, {total}), {&x, &y});
  double want = 0;
  for (double v : x.f) want += v;
  ExpectNear(y, {want});
}

TEST(TeCompute, Matmul) {
  const int M = 3, K = 5, N = 4;
  Tensor a = placeholder({M, K}, f32, "A"), b = placeholder({K, N}, f32, "B");
  ReduceAxis k = reduce_axis({0, K});
  Tensor c = compute(
      {M, N}, [&](Var i, Var j) { return sum(a(i, k.var) * b(k.var, j), {k}); }, "C");
  HostArray x = Pattern({M, K}), y = Pattern({K, N}, 2), z = HostArray::Floats({M, N});
  RunPrimFunc(create_prim_func({a, b}, {c}), {&x, &y, &z});
  std::vector<double> want(M * N, 0.0);
  for (int i = 0; i < M; ++i) {
    for (int j = 0; j < N; ++j) {
      for (int r = 0; r < K; ++r) want[i * N + j] += x.f[i * K + r] * y.f[r * N + j];
    }
  }
  ExpectNear(z, want);
}

TEST(TeCompute, MatmulWithBiasAsInit) {
  Tensor a = placeholder({2, 3}, f32, "A"), b = placeholder({3, 2}, f32, "B"), bias = placeholder({2}, f32, "bias");
  ReduceAxis k = reduce_axis({0, 3});
  Tensor c = compute(
      {2, 2}, [&](Var i, Var j) { return sum(a(i, k.var) * b(k.var, j), {k}, bias(j)); }, "C");
  HostArray x = Pattern({2, 3}), y = Pattern({3, 2}, 1), z = Pattern({2}, 2), out = HostArray::Floats({2, 2});
  RunPrimFunc(create_prim_func({a, b, bias}, {c}), {&x, &y, &z, &out});
  std::vector<double> want;
  for (int i = 0; i < 2; ++i) {
    for (int j = 0; j < 2; ++j) {
      double acc = z.f[j];
      for (int r = 0; r < 3; ++r) acc += x.f[i * 3 + r] * y.f[r * 2 + j];
      want.push_back(acc);
    }
  }
  ExpectNear(out, want);
}

TEST(TeCompute, Reducers) {
  Tensor a = placeholder({3, 4}, f32, "A");
  ReduceAxis k = reduce_axis({0, 4});
  auto row = [&](std::function<PrimExpr(PrimExpr, std::vector<ReduceAxis>)> r, const std::string& name) {
    return compute(
        {3}, [&](Var i) { return r(a(i, k.var), {k}); }, name);
  };
  Reducer abs_max{[](PrimExpr acc, PrimExpr x) { return tir::max(acc, x); },
                  [](DataType t) { return MakeConst(t, 0); }};
  Tensor mx = row([](PrimExpr s, std::vector<ReduceAxis> ax) { return max(s, ax); }, "mx");
  Tensor mn = row([](PrimExpr s, std::vector<ReduceAxis> ax) { return min(s, ax); }, "mn");
  Tensor pr = row([](PrimExpr s, std::vector<ReduceAxis> ax) { return prod(s, ax); }, "pr");
  Tensor norm =
      row([&](PrimExpr s, std::vector<ReduceAxis> ax) { return reduce(abs_max, Call(f32, "fabs", {s}), ax); }, "norm");
  std::vector<HostArray> outs(4, HostArray::Floats({3}));
  HostArray x = Pattern({3, 4}, 5);
  RunPrimFunc(create_prim_func({a}, {mx, mn, pr, norm}), {&x, &outs[0], &outs[1], &outs[2], &outs[3]});
  for (int i = 0; i < 3; ++i) {
    double hi = -INFINITY, lo = INFINITY, p = 1, n = 0;
    for (int r = 0; r < 4; ++r) {
      double v = x.f[i * 4 + r];
      hi = std::max(hi, v), lo = std::min(lo, v), p *= v, n = std::max(n, std::fabs(v));
    }
    EXPECT_EQ(outs[0].f[i], hi);
    EXPECT_EQ(outs[1].f[i], lo);
    EXPECT_NEAR(outs[2].f[i], p, 1e-6);
    EXPECT_EQ(outs[3].f[i], n);
  }
}

TEST(TeCompute, SoftmaxInFourStages) {
  const int R = 3, C = 5;
  Tensor a = placeholder({R, C}, f32, "A");
  ReduceAxis k = reduce_axis({0, C});  // both reductions run over it
  Tensor mx = compute(
      {R}, [&](Var i) { return max(a(i, k.var), {k}); }, "max");
  Tensor e = compute(
      {R, C}, [&](Var i, Var j) { return Exp(a(i, j) - mx(i)); }, "exp");
  Tensor s = compute(
      {R}, [&](Var i) { return sum(e(i, k.var), {k}); }, "sum");
  Tensor out = compute(
      {R, C}, [&](Var i, Var j) { return e(i, j) / s(i); }, "softmax");
  HostArray x = Pattern({R, C}, 3), y = HostArray::Floats({R, C});
  RunPrimFunc(create_prim_func({a}, {out}), {&x, &y});
  std::vector<double> want;
  for (int i = 0; i < R; ++i) {
    double m = -INFINITY, total = 0;
    for (int j = 0; j < C; ++j) m = std::max(m, x.f[i * C + j]);
    for (int j = 0; j < C; ++j) total += std::exp(x.f[i * C + j] - m);
    for (int j = 0; j < C; ++j) want.push_back(std::exp(x.f[i * C + j] - m) / total);
  }
  ExpectNear(y, want);
}

// conv2d NCHW, 3x3 kernel, stride 1, padding 1, by a direct loop.
std::vector<double> Conv2dReference(const HostArray& x, const HostArray& w) {
  int64_t n = x.shape[0], c = x.shape[1], h = x.shape[2], wd = x.shape[3], f = w.shape[0];
  std::vector<double> out;
  for (int64_t b = 0; b < n; ++b) {
    for (int64_t o = 0; o < f; ++o) {
      for (int64_t y = 0; y < h; ++y) {
        for (int64_t z = 0; z < wd; ++z) {
          double acc = 0;
          for (int64_t ci = 0; ci < c; ++ci) {
            for (int64_t ry = 0; ry < 3; ++ry) {
              for (int64_t rx = 0; rx < 3; ++rx) {
                int64_t iy = y + ry - 1, ix = z + rx - 1;
                if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
                acc += x.f[At(x.shape, {b, ci, iy, ix})] * w.f[At(w.shape, {o, ci, ry, rx})];
              }
            }
          }
          out.push_back(acc);
        }
      }
    }
  }
  return out;
}

struct ConvCase {
  Tensor data = placeholder({1, 2, 5, 4}, f32, "data");
  Tensor weight = placeholder({3, 2, 3, 3}, f32, "weight");
  ReduceAxis rc = reduce_axis({0, 2}, "rc"), ry = reduce_axis({0, 3}, "ry"), rx = reduce_axis({0, 3}, "rx");

  void Check(const Tensor& out) {
    HostArray x = Pattern({1, 2, 5, 4}, 1), w = Pattern({3, 2, 3, 3}, 4), y = HostArray::Floats({1, 3, 5, 4});
    RunPrimFunc(create_prim_func({data, weight}, {out}), {&x, &w, &y});
    ExpectNear(y, Conv2dReference(x, w));
  }
};

TEST(TeCompute, Conv2dWithAPaddingStage) {
  ConvCase t;
  Tensor pad = compute(
      {1, 2, 7, 6},
      [&](Var n, Var c, Var y, Var x) {
        PrimExpr inside = logical_and(logical_and(y >= 1, y < 6), logical_and(x >= 1, x < 5));
        return IfThenElse(inside, t.data(n, c, y - 1, x - 1), PrimExpr(0.0));
      },
      "pad");
  Tensor out = compute(
      {1, 3, 5, 4},
      [&](Var n, Var f, Var y, Var x) {
        return sum(pad(n, t.rc.var, y + t.ry.var, x + t.rx.var) * t.weight(f, t.rc.var, t.ry.var, t.rx.var),
                   {t.rc, t.ry, t.rx});
      },
      "conv");
  t.Check(out);
}

TEST(TeCompute, Conv2dWithPaddingInline) {
  ConvCase t;
  Tensor out = compute(
      {1, 3, 5, 4},
      [&](Var n, Var f, Var y, Var x) {
        PrimExpr iy = y + t.ry.var - 1, ix = x + t.rx.var - 1;
        PrimExpr inside = logical_and(logical_and(iy >= 0, iy < 5), logical_and(ix >= 0, ix < 4));
        PrimExpr v = IfThenElse(inside, t.data(n, t.rc.var, iy, ix), PrimExpr(0.0));
        return sum(v * t.weight(f, t.rc.var, t.ry.var, t.rx.var), {t.rc, t.ry, t.rx});
      },
      "conv");
  t.Check(out);
}

TEST(TeCompute, SymbolicShape) {
  Var n = SizeVar("n");
  Tensor a = placeholder({n, 4}, f32, "A");
  ReduceAxis k = reduce_axis({0, n});
  Tensor b = compute(
      {n, 4}, [&](Var i, Var j) { return a(i, j) * 2.0 + Cast(f32, j); }, "B");
  Tensor col = compute(
      {4}, [&](Var j) { return sum(a(k.var, j), {k}); }, "col_sum");
  PrimFunc f = create_prim_func({a}, {b, col});
  ASSERT_EQ(f->params.size(), 3u);  // n is bound from A's shape
  for (int64_t rows : {1, 3, 7}) {
    HostArray x = Pattern({rows, 4}, static_cast<int>(rows)), y = HostArray::Floats({rows, 4}),
              s = HostArray::Floats({4});
    RunPrimFunc(f, {&x, &y, &s});
    std::vector<double> want_b, want_s(4, 0.0);
    for (int64_t i = 0; i < rows; ++i) {
      for (int j = 0; j < 4; ++j) {
        want_b.push_back(x.f[i * 4 + j] * 2 + j);
        want_s[j] += x.f[i * 4 + j];
      }
    }
    ExpectNear(y, want_b);
    ExpectNear(s, want_s);
  }
}

TEST(TeCompute, ReduceAxisWithAnOffsetAndAScalarParameter) {
  Var alpha("alpha");
  Tensor a = placeholder({6}, f32, "A");
  ReduceAxis k = reduce_axis({2, 3});  // A[2] + A[3] + A[4]
  Tensor s = compute(
      {1}, [&](Var) { return sum(a(k.var) * Cast(f32, alpha), {k}); }, "S");
  PrimFunc f = create_prim_func({a}, {s}, {alpha});
  HostArray x = Pattern({6}), y = HostArray::Floats({1});
  RunPrimFunc(f, {&x, &y, int64_t{3}});
  ExpectNear(y, {(x.f[2] + x.f[3] + x.f[4]) * 3});
}

}  // namespace
}  // namespace kiln::tir::te
