// float32 GEMM, C[m, n] = A[m, k] x B[k, n] (row-major, C overwritten), in
// one process: Kiln's kernel (MakeKilnGemm, kiln_gemm.h) against OpenBLAS
// (cblas_sgemm) and oneDNN (dnnl_sgemm and the matmul primitive).
//
//   bench_gemm M N K THREADS [--rounds R] [--batch-ms MS] [--settle-ms MS]
//              [--only kiln,openblas,onednn_sgemm,onednn_matmul] [--dump PREFIX]
//   bench_gemm --clock      the measured clock, 1 and 2 threads, as JSON
//
// Every implementation runs on exactly THREADS threads: Kiln's pool is
// resized (ThreadPool::SetNumThreads), OpenBLAS gets openblas_set_num_threads
// and oneDNN, built on OpenMP in Debian (libdnnl.so.2 links libgomp), gets
// omp_set_num_threads; each count is read back and checked. Kiln's and
// oneDNN's results are checked against OpenBLAS's before timing (max |x -
// ref| / max |ref| <= 1e-4, else the program fails). Timing: rounds of one
// batch per implementation, the order rotating every round; each batch
// starts after a pause (--settle-ms, 150 ms with several threads) so that
// the previous library's idle workers, which spin for a while after a call
// (OpenBLAS's for ~0.1 s by default), are asleep and leave the cores free;
// then one untimed call and enough back-to-back calls to last --batch-ms.
// The figure is the median over rounds of a batch's mean, in GFLOP/s
// (2mnk / time). Peak = 32 FP32 FLOP/cycle/core (Zen 4: two 256-bit FMA
// pipes) x the clock measured with chains of dependent adds on THREADS
// threads at once x THREADS. --only times some implementations (all are
// still run and checked); --dump writes Kiln's kernel as LLVM IR and assembly.
//
// Prints one JSON record on stdout and a human-readable summary on stderr.
#include <cblas.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <oneapi/dnnl/dnnl.hpp>
#include <random>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "kiln/runtime/ndarray.h"
#include "kiln/runtime/thread_pool.h"
#include "kiln_gemm.h"

namespace {

using Clock = std::chrono::steady_clock;
using kiln::runtime::DataType;
using kiln::runtime::Device;
using kiln::runtime::NDArray;

constexpr double kFlopPerCycle = 32;  // FP32 FLOP per cycle per core, Zen 4
constexpr double kTolerance = 1e-4;

double Seconds(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

[[noreturn]] void Fail(const std::string& message) {
  std::fprintf(stderr, "bench_gemm: FAILED: %s\n", message.c_str());
  std::exit(1);
}

// ---- clock ----

// GHz of one core running a chain of dependent integer adds (one per cycle).
double AddChainGHz() {
  constexpr int64_t kIters = 200000, kAddsPerIter = 500;
  uint64_t x = 0;
  auto t0 = Clock::now();
  for (int64_t i = 0; i < kIters; ++i) {
    asm volatile(".rept 500\n\taddq $1, %0\n\t.endr" : "+r"(x));
  }
  double s = Seconds(t0);
  if (x != static_cast<uint64_t>(kIters * kAddsPerIter)) Fail("add chain miscounted");
  return static_cast<double>(kIters * kAddsPerIter) / s / 1e9;
}

// The clock with `threads` cores busy at once: per trial the slowest
// thread, then the best of the trials (interference only slows a trial).
double MeasureClockGHz(int threads, int trials = 7) {
  double best = 0;
  for (int t = 0; t < trials; ++t) {
    std::vector<double> ghz(threads);
    std::vector<std::thread> workers;
    for (int i = 1; i < threads; ++i) workers.emplace_back([&ghz, i] { ghz[i] = AddChainGHz(); });
    ghz[0] = AddChainGHz();
    for (auto& w : workers) w.join();
    best = std::max(best, *std::min_element(ghz.begin(), ghz.end()));
  }
  return best;
}

// ---- data ----

NDArray RandomMatrix(int64_t rows, int64_t cols, std::mt19937& rng) {
  NDArray a = NDArray::Empty({rows, cols}, DataType::Float(32), Device::CPU());
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  float* p = static_cast<float*>(a.data());
  for (int64_t i = 0; i < rows * cols; ++i) p[i] = dist(rng);
  return a;
}

NDArray Filled(int64_t rows, int64_t cols, float value) {
  NDArray a = NDArray::Empty({rows, cols}, DataType::Float(32), Device::CPU());
  float* p = static_cast<float*>(a.data());
  std::fill(p, p + rows * cols, value);
  return a;
}

float* F(const NDArray& a) {
  return static_cast<float*>(a.data());
}

// max |x - ref| / max |ref|
double RelativeError(const NDArray& x, const NDArray& ref) {
  const float* px = F(x);
  const float* pr = F(ref);
  double diff = 0, scale = 0;
  for (int64_t i = 0; i < ref.numel(); ++i) {
    if (!std::isfinite(px[i])) return INFINITY;
    diff = std::max(diff, std::fabs(static_cast<double>(px[i]) - pr[i]));
    scale = std::max(scale, std::fabs(static_cast<double>(pr[i])));
  }
  return diff / std::max(scale, 1e-30);
}

// ---- timing ----

struct Impl {
  Impl(std::string n, std::function<void()> f) : name(std::move(n)), run(std::move(f)) {}
  std::string name;
  std::function<void()> run;
  int reps = 1;
  std::vector<double> seconds;  // mean seconds per call, one per round
};

struct Options {
  int64_t m = 0, n = 0, k = 0;
  int threads = 1;
  int rounds = 15;
  double batch_ms = 40;
  int settle_ms = -1;  // default: 150 with several threads, else 5
  std::string only;    // comma-separated implementations to time (all are still checked)
  std::string dump;    // writes the kernel as PREFIX.ll (LLVM IR) and PREFIX.s
};

Options ParseArgs(int argc, char** argv) {
  Options o;
  std::vector<std::string> pos;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> const char* {
      if (i + 1 >= argc) Fail("missing value after " + a);
      return argv[++i];
    };
    if (a == "--rounds") {
      o.rounds = std::atoi(next());
    } else if (a == "--batch-ms") {
      o.batch_ms = std::atof(next());
    } else if (a == "--settle-ms") {
      o.settle_ms = std::atoi(next());
    } else if (a == "--only") {
      o.only = next();
    } else if (a == "--dump") {
      o.dump = next();
    } else {
      pos.push_back(a);
    }
  }
  if (pos.size() != 4) {
    Fail(
        "usage: bench_gemm M N K THREADS [--rounds R] [--batch-ms MS] [--settle-ms MS] [--dump PREFIX] | bench_gemm "
        "--clock");
  }
  o.m = std::atoll(pos[0].c_str());
  o.n = std::atoll(pos[1].c_str());
  o.k = std::atoll(pos[2].c_str());
  o.threads = std::atoi(pos[3].c_str());
  if (o.m <= 0 || o.n <= 0 || o.k <= 0 || o.threads <= 0 || o.rounds <= 0)
    Fail("sizes, threads and rounds must be positive");
  if (o.settle_ms < 0) o.settle_ms = o.threads > 1 ? 150 : 5;
  return o;
}

void SetThreads(int threads) {
  kiln::runtime::ThreadPool::Global().SetNumThreads(threads);
  openblas_set_num_threads(threads);
  omp_set_dynamic(0);
  omp_set_num_threads(threads);
  int kiln = kiln::runtime::ThreadPool::Global().num_threads();
  int blas = openblas_get_num_threads();
  int omp = omp_get_max_threads();
  if (kiln != threads || blas != threads || omp != threads) {
    Fail("thread counts differ from " + std::to_string(threads) + ": kiln " + std::to_string(kiln) + ", openblas " +
         std::to_string(blas) + ", openmp (onednn) " + std::to_string(omp));
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && std::strcmp(argv[1], "--clock") == 0) {
    std::printf("{\"clock_ghz_1\": %.3f, \"clock_ghz_2\": %.3f}\n", MeasureClockGHz(1), MeasureClockGHz(2));
    return 0;
  }
  Options opt = ParseArgs(argc, argv);
  const int64_t m = opt.m, n = opt.n, k = opt.k;
  SetThreads(opt.threads);

  std::mt19937 rng(12345);
  NDArray a = RandomMatrix(m, k, rng), b = RandomMatrix(k, n, rng);
  NDArray c_ref = Filled(m, n, NAN), c_kiln = Filled(m, n, NAN), c_sgemm = Filled(m, n, NAN),
          c_matmul = Filled(m, n, NAN);

  // Kiln: build (and JIT on the first call).
  auto t0 = Clock::now();
  kiln::bench::KilnGemm gemm = kiln::bench::MakeKilnGemm(m, n, k);
  gemm.func(a, b, c_kiln);
  double compile_s = Seconds(t0);
  if (!opt.dump.empty()) {
    for (const char* format : {"ll", "s"}) {
      std::string path = opt.dump + "." + format;
      FILE* f = std::fopen(path.c_str(), "w");
      if (!f) Fail("cannot write " + path);
      std::string text = gemm.module.GetSource(std::strcmp(format, "s") == 0 ? "asm" : format);
      std::fwrite(text.data(), 1, text.size(), f);
      std::fclose(f);
    }
  }

  // oneDNN's matmul primitive, plain row-major layouts (weights are not
  // pre-packed, as for the other implementations). Created after the thread
  // count is set.
  using dnnl::memory;
  dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  dnnl::stream stream(engine);
  memory::desc a_md({m, k}, memory::data_type::f32, memory::format_tag::ab);
  memory::desc b_md({k, n}, memory::data_type::f32, memory::format_tag::ab);
  memory::desc c_md({m, n}, memory::data_type::f32, memory::format_tag::ab);
  dnnl::matmul::primitive_desc matmul_pd(dnnl::matmul::desc(a_md, b_md, c_md), engine);
  dnnl::matmul matmul(matmul_pd);
  std::unordered_map<int, memory> matmul_args = {{DNNL_ARG_SRC, memory(a_md, engine, F(a))},
                                                 {DNNL_ARG_WEIGHTS, memory(b_md, engine, F(b))},
                                                 {DNNL_ARG_DST, memory(c_md, engine, F(c_matmul))}};

  std::vector<Impl> impls = {
      {"kiln", [&] { gemm.func(a, b, c_kiln); }},
      {"openblas",
       [&] {
         cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f, F(a), k, F(b), n, 0.0f, F(c_ref), n);
       }},
      {"onednn_sgemm",
       [&] {
         if (dnnl_sgemm('N', 'N', m, n, k, 1.0f, F(a), k, F(b), n, 0.0f, F(c_sgemm), n) != dnnl_success) {
           Fail("dnnl_sgemm returned an error");
         }
       }},
      {"onednn_matmul",
       [&] {
         matmul.execute(stream, matmul_args);
         stream.wait();
       }},
  };

  // Warm up, then check against OpenBLAS.
  for (Impl& impl : impls) {
    for (int i = 0; i < 2; ++i) impl.run();
  }
  double err_kiln = RelativeError(c_kiln, c_ref);
  double err_sgemm = RelativeError(c_sgemm, c_ref);
  double err_matmul = RelativeError(c_matmul, c_ref);
  char shape[96];
  std::snprintf(shape, sizeof(shape), "%lldx%lldx%lld, %d thread%s", static_cast<long long>(m),
                static_cast<long long>(n), static_cast<long long>(k), opt.threads, opt.threads > 1 ? "s" : "");
  auto check = [&](const char* who, double err) {
    if (!(err <= kTolerance))
      Fail(std::string(shape) + ": " + who + " differs from openblas: error " + std::to_string(err));
  };
  check("kiln", err_kiln);
  check("dnnl_sgemm", err_sgemm);
  check("the onednn matmul primitive", err_matmul);

  // Batch sizes: about batch_ms per batch, at least 2 calls.
  for (Impl& impl : impls) {
    auto s = Clock::now();
    impl.run();
    double one = Seconds(s);
    impl.reps = static_cast<int>(std::clamp(std::ceil(opt.batch_ms * 1e-3 / std::max(one, 1e-7)), 2.0, 100000.0));
  }
  std::vector<Impl*> timed;
  for (Impl& impl : impls) {
    if (opt.only.empty() || ("," + opt.only + ",").find("," + impl.name + ",") != std::string::npos) {
      timed.push_back(&impl);
    }
  }
  if (timed.empty()) Fail("--only " + opt.only + " names no implementation");
  for (int round = 0; round < opt.rounds; ++round) {
    for (size_t i = 0; i < timed.size(); ++i) {
      Impl& impl = *timed[(i + static_cast<size_t>(round)) % timed.size()];
      std::this_thread::sleep_for(std::chrono::milliseconds(opt.settle_ms));
      impl.run();  // wakes the library's threads; not timed
      auto s = Clock::now();
      for (int r = 0; r < impl.reps; ++r) impl.run();
      impl.seconds.push_back(Seconds(s) / impl.reps);
    }
  }

  double clock = MeasureClockGHz(opt.threads);
  double peak = kFlopPerCycle * clock * opt.threads;
  double flop = 2.0 * static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k);
  std::unordered_map<std::string, double> gf;  // NaN for an implementation --only left out
  std::string spread;
  for (const Impl& impl : impls) {
    if (impl.seconds.empty()) {
      gf[impl.name] = NAN;
      continue;
    }
    gf[impl.name] = flop / Median(impl.seconds) / 1e9;
    auto [lo, hi] = std::minmax_element(impl.seconds.begin(), impl.seconds.end());
    char buf[128];
    std::snprintf(buf, sizeof(buf), " %s %.1f-%.1f", impl.name.c_str(), flop / *hi / 1e9, flop / *lo / 1e9);
    spread += buf;
  }
  // fmax ignores a NaN operand.
  double onednn = std::fmax(gf["onednn_sgemm"], gf["onednn_matmul"]);
  double best = std::fmax(gf["openblas"], onednn);
  const char* best_name = std::isnan(best)             ? "none"
                          : best == gf["openblas"]     ? "openblas"
                          : best == gf["onednn_sgemm"] ? "onednn_sgemm"
                                                       : "onednn_matmul";
  auto num = [](double v, const char* format = "%.2f") {
    if (!std::isfinite(v)) return std::string("null");
    char buf[64];
    std::snprintf(buf, sizeof(buf), format, v);
    return std::string(buf);
  };

  std::fprintf(stderr,
               "%s: kiln %.1f GFLOP/s (%.0f%% of peak %.0f) | openblas %.1f | onednn sgemm %.1f, matmul %.1f | "
               "kiln/best %.2f\n",
               shape, gf["kiln"], 100 * gf["kiln"] / peak, peak, gf["openblas"], gf["onednn_sgemm"],
               gf["onednn_matmul"], gf["kiln"] / best);
  std::fprintf(stderr, "  kiln kernel: %s; build + first call %.0f ms; workspace %.1f MiB\n", gemm.description.c_str(),
               compile_s * 1e3, static_cast<double>(gemm.workspace_bytes) / (1 << 20));
  std::fprintf(stderr, "  %d rounds, calls per batch kiln %d openblas %d sgemm %d matmul %d; range over rounds:%s\n",
               opt.rounds, impls[0].reps, impls[1].reps, impls[2].reps, impls[3].reps, spread.c_str());
  std::printf(
      "{\"m\": %lld, \"n\": %lld, \"k\": %lld, \"threads\": %d, \"kiln\": %s, \"openblas\": %s, \"onednn\": %s, "
      "\"onednn_sgemm\": %s, \"onednn_matmul\": %s, \"best_library\": \"%s\", \"kiln_vs_best\": %s, "
      "\"clock_ghz\": %.3f, \"peak\": %.1f, \"kiln_pct_peak\": %s, \"kiln_error\": %.2e, \"onednn_error\": %.2e, "
      "\"rounds\": %d}\n",
      static_cast<long long>(m), static_cast<long long>(n), static_cast<long long>(k), opt.threads,
      num(gf["kiln"]).c_str(), num(gf["openblas"]).c_str(), num(onednn).c_str(), num(gf["onednn_sgemm"]).c_str(),
      num(gf["onednn_matmul"]).c_str(), best_name, num(gf["kiln"] / best, "%.3f").c_str(), clock, peak,
      num(100 * gf["kiln"] / peak, "%.1f").c_str(), err_kiln, std::max(err_sgemm, err_matmul), opt.rounds);
  return 0;
}
