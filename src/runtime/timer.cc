// Timing of functions for benchmarks and docs.
#include "kiln/runtime/timer.h"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace kiln::runtime {

TimingResult TimeCallable(const std::function<void()>& call, int number, int repeat, double min_repeat_ms) {
  KILN_CHECK(number >= 1) << "time_evaluator: number must be at least 1, got " << number;
  KILN_CHECK(repeat >= 1) << "time_evaluator: repeat must be at least 1, got " << repeat;
  KILN_CHECK(min_repeat_ms >= 0) << "time_evaluator: min_repeat_ms must not be negative";
  using Clock = std::chrono::steady_clock;
  call();  // warm-up: first-touch of memory, lazy initialisation
  auto result = MakeObject<TimingResultObj>();
  for (int r = 0; r < repeat; ++r) {
    double elapsed_ms = 0;
    for (;;) {
      auto start = Clock::now();
      for (int i = 0; i < number; ++i) call();
      elapsed_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
      if (elapsed_ms >= min_repeat_ms) break;
      // Grow `number` towards min_repeat_ms, at least doubling, at most x100.
      double scale = elapsed_ms > 0 ? min_repeat_ms / elapsed_ms * 1.2 : 100.0;
      number = static_cast<int>(number * std::clamp(scale, 2.0, 100.0));
    }
    result->results.push_back(elapsed_ms / 1e3 / number);
  }
  result->number = number;
  std::vector<double> sorted = result->results;
  std::sort(sorted.begin(), sorted.end());
  size_t n = sorted.size();
  result->min = sorted.front();
  result->max = sorted.back();
  result->median = n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  double sum = 0;
  for (double v : sorted) sum += v;
  result->mean = sum / n;
  double var = 0;
  for (double v : sorted) var += (v - result->mean) * (v - result->mean);
  result->std = std::sqrt(var / n);
  return result;
}

Function TimeEvaluator(Function f, int number, int repeat, double min_repeat_ms) {
  KILN_CHECK(f.defined()) << "time_evaluator of an undefined function";
  return Function("time_evaluator(" + f.name() + ")", [=](const Any* args, int n, Any* result) {
    *result = Any(TimeCallable([&] { f.CallPacked(args, n); }, number, repeat, min_repeat_ms));
  });
}

KILN_REGISTER_FUNCTION("runtime.TimeEvaluator", [](Function f, int number, int repeat, double min_repeat_ms) {
  return TimeEvaluator(f, number, repeat, min_repeat_ms);
});

}  // namespace kiln::runtime
