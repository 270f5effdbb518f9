// float32 exp, emitted inline: scalar and 16-lane vector code agree with
// std::exp within 2 ulp over the whole range, and at the edges (overflow to
// +inf, underflow to 0, NaN and infinities) behave like it.
#include <cmath>
#include <limits>

#include "codegen_test_util.h"
#include "kiln/tir/intrinsics.h"

namespace kiln::codegen {
namespace {

using namespace testing;

// B[i] = exp(A[i]) over n = 16 * m elements, the inner 16 as vector code
// when `vector` is set.
runtime::Module ExpKernel(bool vector) {
  Var m = SizeVar("m");
  Buffer a = DeclBuffer("A", {m * 16}), b = DeclBuffer("B", {m * 16});
  Var i("i"), j("j");
  Stmt store = BufferStore(b, tir::exp(BufferLoad(a, {i * 16 + j})), {i * 16 + j});
  Stmt body = For(i, 0, m, ForKind::kSerial, For(j, 0, 16, vector ? ForKind::kVectorized : ForKind::kSerial, store));
  return BuildOne("vexp", MakePrimFunc({a, b}, body, {m}));
}

std::vector<float> Inputs() {
  std::vector<float> x;
  for (float v = -110.0f; v <= 110.0f; v += 0.0137f) x.push_back(v);
  for (float v : {0.0f, -0.0f, 1e-30f, -1e-30f, 88.72f, 88.73f, -87.33f, -87.34f, 1.0f, -1.0f}) x.push_back(v);
  x.push_back(std::numeric_limits<float>::infinity());
  x.push_back(-std::numeric_limits<float>::infinity());
  x.push_back(std::numeric_limits<float>::quiet_NaN());
  while (x.size() % 16) x.push_back(0.5f);
  return x;
}

void CheckExp(bool vector) {
  std::vector<float> x = Inputs();
  runtime::Module mod = ExpKernel(vector);
  NDArray out = Zeros<float>({static_cast<int64_t>(x.size())});
  mod["vexp"](ArrayOf(x), out, static_cast<int64_t>(x.size() / 16));
  std::vector<float> got = ValuesOf<float>(out);
  for (size_t k = 0; k < x.size(); ++k) {
    float want = std::exp(x[k]);
    if (std::isnan(x[k])) {
      EXPECT_TRUE(std::isnan(got[k]));
    } else if (x[k] > 88.7228391f) {
      EXPECT_EQ(got[k], std::numeric_limits<float>::infinity()) << x[k];
    } else if (x[k] < -87.3365448f) {
      EXPECT_LE(got[k], std::numeric_limits<float>::min()) << x[k];  // 0 where libm gives a subnormal
    } else {
      EXPECT_NEAR(got[k], want, 2.5e-7f * want) << "exp(" << x[k] << ")";
    }
  }
}

TEST(CodegenExp, ScalarMatchesLibm) { CheckExp(false); }
TEST(CodegenExp, VectorMatchesLibm) { CheckExp(true); }

TEST(CodegenExp, VectorCodeHasNoLibmCalls) {
  std::string ll = ExpKernel(true).GetSource("ll");
  EXPECT_EQ(ll.find("@expf"), std::string::npos);
  EXPECT_EQ(ll.find("llvm.exp."), std::string::npos);
}

}  // namespace
}  // namespace kiln::codegen
