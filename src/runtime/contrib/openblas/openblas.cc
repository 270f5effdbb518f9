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
  GemmArgs g = CheckGemmArgs(fname, args, num_args, transpose_w);
  int64_t m = g.m, n = g.n, k = g.k;
  const NDArray& x = g.x;
  const NDArray& w = g.w;
  float* y = static_cast<float*>(g.out.data());
  float beta = 0.0f;
  if (g.bias) {
    const float* b = static_cast<const float*>(g.bias->data());
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
