// Launch cost of an empty parallel region: Kiln's thread pool (the C entry
// point compiled code calls) against OpenMP's `#pragma omp parallel for`, in
// one process, same thread count, interleaved rounds. Prints a table and one
// JSON line: {"threads": 2, "kiln_ns": ..., "openmp_ns": ..., "ratio": ...}
// where ratio = kiln / openmp (lower is better; the goal is at most 1.0).
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#include "kiln/runtime/c_api.h"
#include "kiln/runtime/thread_pool.h"

namespace {
using Clock = std::chrono::steady_clock;

volatile int sink[64 * 16];

int32_t EmptyTask(int32_t task, int32_t, void*) {
  sink[task * 16] = task;  // one store per task, its own cache line
  return 0;
}

double KilnRound(int iters, int threads) {
  auto start = Clock::now();
  for (int i = 0; i < iters; ++i) KilnBackendParallelLaunch(EmptyTask, nullptr, threads);
  return std::chrono::duration<double, std::nano>(Clock::now() - start).count() / iters;
}

double OpenMPRound(int iters, int threads) {
  auto start = Clock::now();
  for (int i = 0; i < iters; ++i) {
#pragma omp parallel for num_threads(threads) schedule(static)
    for (int t = 0; t < threads; ++t) sink[t * 16] = t;
  }
  return std::chrono::duration<double, std::nano>(Clock::now() - start).count() / iters;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}
}  // namespace

int main(int argc, char** argv) {
  int threads = argc > 1 ? std::atoi(argv[1]) : 2;
  int rounds = argc > 2 ? std::atoi(argv[2]) : 31;
  int iters = 20000;
  kiln::runtime::ThreadPool::Global().SetNumThreads(threads);
  omp_set_dynamic(0);
  KilnRound(iters, threads);  // warm up both pools
  OpenMPRound(iters, threads);
  std::vector<double> kiln, openmp;
  // Both pools spin for a while after a region. On 2 cores one pool's
  // spinning workers would steal the core the other needs, so every round
  // starts after a pause long enough for both to go to sleep.
  auto settle = [] { std::this_thread::sleep_for(std::chrono::milliseconds(30)); };
  for (int r = 0; r < rounds; ++r) {
    settle();
    kiln.push_back(KilnRound(iters, threads));
    settle();
    openmp.push_back(OpenMPRound(iters, threads));
  }
  double k = Median(kiln), o = Median(openmp);
  std::printf("empty parallel region, %d threads, median of %d rounds x %d launches\n", threads, rounds, iters);
  std::printf("  %-22s %8.1f ns\n", "kiln thread pool", k);
  std::printf("  %-22s %8.1f ns\n", "openmp (libgomp)", o);
  std::printf("  ratio kiln/openmp     %8.2f\n", k / o);
  std::printf("{\"threads\": %d, \"kiln_ns\": %.1f, \"openmp_ns\": %.1f, \"ratio\": %.3f}\n", threads, k, o, k / o);
  return 0;
}
