// float32 erf and tanh, emitted inline (fast_math.cc): scalar and 16-lane
// vector code agree with double-precision std::erf / std::tanh within 4e-7
// over a dense range, give +-1 at the infinities, keep NaN, and the vector
// code calls no libm function.
#include <cmath>
#include <limits>

#include "codegen_test_util.h"
#include "kiln/tir/intrinsics.h"

namespace kiln::codegen {
namespace {

using namespace testing;

using Math = PrimExpr (*)(PrimExpr);

// B[i] = f(A[i]) over n = 16 * m elements, the inner 16 as vector code when
// `vector` is set.
runtime::Module Kernel(Math f, bool vector) {
  Var m = SizeVar("m");
  Buffer a = DeclBuffer("A", {m * 16}), b = DeclBuffer("B", {m * 16});
  Var i("i"), j("j");
  Stmt store = BufferStore(b, f(BufferLoad(a, {i * 16 + j})), {i * 16 + j});
  Stmt body = For(i, 0, m, ForKind::kSerial, For(j, 0, 16, vector ? ForKind::kVectorized : ForKind::kSerial, store));
  return BuildOne("f", MakePrimFunc({a, b}, body, {m}));
}

std::vector<float> Inputs() {
  std::vector<float> x;
  for (float v = -12.0f; v <= 12.0f; v += 0.000731f) x.push_back(v);
  for (float v = 1e-30f; v < 1.0f; v *= 1.7f) {
    x.push_back(v);
    x.push_back(-v);
  }
  for (float v : {0.0f, -0.0f, 3.99f, 4.0f, 4.01f, 8.99f, 9.0f, 9.01f, 100.0f, -100.0f, 1e30f, -1e30f}) x.push_back(v);
  x.push_back(std::numeric_limits<float>::infinity());
  x.push_back(-std::numeric_limits<float>::infinity());
  x.push_back(std::numeric_limits<float>::quiet_NaN());
  while (x.size() % 16) x.push_back(0.5f);
  return x;
}

void Check(Math f, double (*reference)(double), const char* name, bool vector) {
  std::vector<float> x = Inputs();
  NDArray out = Zeros<float>({static_cast<int64_t>(x.size())});
  Kernel(f, vector)["f"](ArrayOf(x), out, static_cast<int64_t>(x.size() / 16));
  std::vector<float> got = ValuesOf<float>(out);
  double worst = 0;
  for (size_t k = 0; k < x.size(); ++k) {
    if (std::isnan(x[k])) {
      EXPECT_TRUE(std::isnan(got[k])) << name;
      continue;
    }
    double want = reference(x[k]);
    worst = std::max(worst, std::abs(got[k] - want));
    EXPECT_NEAR(got[k], want, 4e-7) << name << "(" << x[k] << ")";
    EXPECT_LE(std::abs(got[k]), 1.0f) << name << "(" << x[k] << ")";
    // Near 0 both are x (1 + O(x^2)): relative accuracy too.
    if (std::abs(x[k]) < 1e-3f) {
      EXPECT_NEAR(got[k], want, 4e-7 * std::abs(want)) << name << "(" << x[k] << ")";
    }
  }
  EXPECT_GT(worst, 0.0) << name << ": compared nothing";
}

double Erf(double x) { return std::erf(x); }
double Tanh(double x) { return std::tanh(x); }

TEST(CodegenErf, ScalarMatchesLibm) { Check(tir::erf, Erf, "erf", false); }
TEST(CodegenErf, VectorMatchesLibm) { Check(tir::erf, Erf, "erf", true); }
TEST(CodegenTanh, ScalarMatchesLibm) { Check(tir::tanh, Tanh, "tanh", false); }
TEST(CodegenTanh, VectorMatchesLibm) { Check(tir::tanh, Tanh, "tanh", true); }

TEST(CodegenErfTanh, VectorCodeHasNoLibmCalls) {
  for (Math f : {static_cast<Math>(tir::erf), static_cast<Math>(tir::tanh)}) {
    std::string ll = Kernel(f, true).GetSource("ll");
    EXPECT_EQ(ll.find("@erff"), std::string::npos);
    EXPECT_EQ(ll.find("@tanhf"), std::string::npos);
    EXPECT_NE(ll.find("<16 x float>"), std::string::npos);
  }
}

}  // namespace
}  // namespace kiln::codegen
