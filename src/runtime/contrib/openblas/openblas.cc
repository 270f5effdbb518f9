// OpenBLAS kernels for DispatchToLibrary ("openblas"), float32, row major:
//   kiln.contrib.openblas.matmul(a, b, [bias], out)  out = a @ b [+ bias]    a (..., M, K), b (K, N)
//   kiln.contrib.openblas.linear(x, w, [bias], out)  out = x @ w.T [+ bias]  x (..., K), w (N, K)
// The batch dims of a and x fold into M; bias has N values. OpenBLAS uses as
// many threads as Kiln's pool has.
#include <cblas.h>

#include <algorithm>

#include "../contrib_util.h"
#include "kiln/runtime/function.h"
#include "kiln/runtime/thread_pool.h"

namespace kiln::runtime::contrib {
namespace {

void MatchThreads() {
  static thread_local int current = -1;
  int n = ThreadPool::Global().num_threads();
  if (n != current) {
    openblas_set_num_threads(n);
    current = n;
  }
}

// out (M, N) = x (M, K) @ (transpose_w ? w.T : w) + bias.
void Gemm(const std::string& fname, const Any* args, int num_args, bool transpose_w) {
  KILN_CHECK(num_args == 3 || num_args == 4) << fname << ": expects (x, w, [bias], out), got " << num_args << " arguments";
  NDArray x = F32Arg(fname, args, 0, 1), w = F32Arg(fname, args, 1, 2), out = F32Arg(fname, args, num_args - 1, 1);
  KILN_CHECK(w.ndim() == 2) << fname << ": the weight must be 2-D, got " << ShapeString(w.shape());
  int64_t k = x.shape().back(), n = transpose_w ? w.shape()[0] : w.shape()[1];
  int64_t m = Prod(x.shape(), 0, x.ndim() - 1);
  KILN_CHECK((transpose_w ? w.shape()[1] : w.shape()[0]) == k && out.numel() == m * n)
      << fname << ": shapes " << ShapeString(x.shape()) << ", " << ShapeString(w.shape()) << " -> "
      << ShapeString(out.shape()) << " do not fit";
  float* y = static_cast<float*>(out.data());
  float beta = 0.0f;
  if (num_args == 4) {
    NDArray bias = F32Arg(fname, args, 2, 1);
    KILN_CHECK(bias.numel() == n) << fname << ": the bias must have " << n << " values, got " << ShapeString(bias.shape());
    const float* b = static_cast<const float*>(bias.data());
    for (int64_t i = 0; i < m; ++i) std::copy(b, b + n, y + i * n);
    beta = 1.0f;
  }
  if (m == 0 || n == 0) return;
  MatchThreads();
  cblas_sgemm(CblasRowMajor, CblasNoTrans, transpose_w ? CblasTrans : CblasNoTrans, static_cast<int>(m),
              static_cast<int>(n), static_cast<int>(k), 1.0f, static_cast<const float*>(x.data()), static_cast<int>(k),
              static_cast<const float*>(w.data()), static_cast<int>(transpose_w ? k : n), beta, y, static_cast<int>(n));
}

[[maybe_unused]] const bool kRegistered = [] {
  Registry::Register("kiln.contrib.openblas.matmul", Function("kiln.contrib.openblas.matmul", [](const Any* args, int n, Any*) {
                       Gemm("kiln.contrib.openblas.matmul", args, n, false);
                     }));
  Registry::Register("kiln.contrib.openblas.linear", Function("kiln.contrib.openblas.linear", [](const Any* args, int n, Any*) {
                       Gemm("kiln.contrib.openblas.linear", args, n, true);
                     }));
  return true;
}();

}  // namespace
}  // namespace kiln::runtime::contrib
