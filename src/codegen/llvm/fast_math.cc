// Inline float32 exp, erf and tanh (see fast_math.h). The rational
// approximations of erf and tanh are our own fits (weighted least squares
// iterated towards the minimax error, in double precision, over a dense
// grid), checked after rounding the coefficients to float32.
#include "fast_math.h"

#include <cmath>
#include <initializer_list>

namespace kiln::codegen {

namespace {

// a * m + add, fused where the target has FMA.
llvm::Value* MulAdd(llvm::IRBuilder<>& b, llvm::Value* a, llvm::Value* m, llvm::Value* add) {
  return b.CreateIntrinsic(llvm::Intrinsic::fmuladd, {a->getType()}, {a, m, add});
}

// c0 + c1 t + c2 t^2 + ... by Horner's rule.
llvm::Value* Polynomial(llvm::IRBuilder<>& b, llvm::Value* t, std::initializer_list<double> c) {
  const double* k = c.begin();
  llvm::Value* p = llvm::ConstantFP::get(t->getType(), k[c.size() - 1]);
  for (size_t i = c.size() - 1; i-- > 0;) p = MulAdd(b, p, t, llvm::ConstantFP::get(t->getType(), k[i]));
  return p;
}

// An odd function f with f(+-inf) = +-1, from f(x) ~ x P(x^2) / Q(x^2) on
// [-bound, bound] (where f is within float32 rounding of +-1 at the bound):
// x is clamped to the bound, the result to [-1, 1], and NaN passes through.
llvm::Value* OddRational(llvm::IRBuilder<>& b, llvm::Value* x, double bound, std::initializer_list<double> p,
                         std::initializer_list<double> q) {
  llvm::Type* t = x->getType();
  auto c = [&](double v) { return llvm::ConstantFP::get(t, v); };
  llvm::Value* xc = b.CreateMinNum(b.CreateMaxNum(x, c(-bound)), c(bound));
  llvm::Value* x2 = b.CreateFMul(xc, xc);
  llvm::Value* r = b.CreateFDiv(b.CreateFMul(xc, Polynomial(b, x2, p)), Polynomial(b, x2, q));
  r = b.CreateMinNum(b.CreateMaxNum(r, c(-1.0)), c(1.0));
  return b.CreateSelect(b.CreateFCmpUNO(x, x), x, r);
}

}  // namespace

// Cephes' expf:
//   n = round(x / ln 2), r = x - n ln 2 (ln 2 in two parts, exact product)
//   exp(r) = 1 + r + r^2 (1/2 + r/6 + ...), a degree-7 polynomial (|r| <= ln2/2)
//   exp(x) = exp(r) * 2^(n/2) * 2^(n - n/2)      (each power a normal float)
// No subnormal results.
llvm::Value* ExpF32(llvm::IRBuilder<>& b, llvm::Value* x) {
  llvm::Type* t = x->getType();
  auto c = [&](double v) { return llvm::ConstantFP::get(t, v); };
  llvm::Value* clamped = b.CreateMinNum(b.CreateMaxNum(x, c(-87.3365447505531)), c(88.7228391116729));
  llvm::Value* n = b.CreateUnaryIntrinsic(llvm::Intrinsic::floor, MulAdd(b, clamped, c(1.44269504088896341), c(0.5)));
  llvm::Value* r = MulAdd(b, n, c(-0.693359375), clamped);
  r = MulAdd(b, n, c(2.12194440e-4), r);
  llvm::Value* p = Polynomial(b, r, {5.0000001201E-1, 1.6666665459E-1, 4.1665795894E-2, 8.3334519073E-3,
                                     1.3981999507E-3, 1.9875691500E-4});
  llvm::Value* e = MulAdd(b, p, b.CreateFMul(r, r), b.CreateFAdd(r, c(1.0)));
  // 2^k for an integer k in [-126, 127]: the float with exponent bits k + 127.
  llvm::Type* it = b.getInt32Ty();
  if (auto* v = llvm::dyn_cast<llvm::VectorType>(t)) it = llvm::VectorType::get(it, v);
  llvm::Value* ni = b.CreateFPToSI(n, it);
  llvm::Value* half = b.CreateAShr(ni, llvm::ConstantInt::get(it, 1));
  auto pow2 = [&](llvm::Value* k) {
    return b.CreateBitCast(b.CreateShl(b.CreateAdd(k, llvm::ConstantInt::get(it, 127)), llvm::ConstantInt::get(it, 23)),
                           t);
  };
  llvm::Value* out = b.CreateFMul(b.CreateFMul(e, pow2(half)), pow2(b.CreateSub(ni, half)));
  out = b.CreateSelect(b.CreateFCmpOGT(x, c(88.7228391116729)), c(INFINITY), out);
  out = b.CreateSelect(b.CreateFCmpOLT(x, c(-87.3365447505531)), c(0.0), out);
  return b.CreateSelect(b.CreateFCmpUNO(x, x), x, out);
}

// erf(x) ~ x P(x^2) / Q(x^2), P and Q of degree 5, on |x| <= 4 (erf(4) is 1
// to 2e-8). Fit error 2e-8; in float32 within 4e-7 of erf.
llvm::Value* ErfF32(llvm::IRBuilder<>& b, llvm::Value* x) {
  return OddRational(b, x, 4.0,
                     {1.12837899, 0.196246475, 0.0534668341, 0.0040034242, 0.000288017211, 1.9746185e-06},
                     {1.0, 0.507250071, 0.116475098, 0.0154440319, 0.00121626782, 3.74773517e-05});
}

// tanh(x) ~ x P(x^2) / Q(x^2), P and Q of degree 4, on |x| <= 9 (tanh(9) is
// 1 to 3e-8). Fit error 2e-8; in float32 within 4e-7 of tanh.
llvm::Value* TanhF32(llvm::IRBuilder<>& b, llvm::Value* x) {
  return OddRational(b, x, 9.0, {0.999999881, 0.1337322, 0.00348660536, 2.04721182e-05, 1.31844509e-08},
                     {1.0, 0.467065156, 0.0258420743, 0.000327141926, 7.702792e-07});
}

}  // namespace kiln::codegen
