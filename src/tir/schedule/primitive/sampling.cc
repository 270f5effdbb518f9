// sample_perfect_tile and sample_categorical: the random draws a schedule
// records as decisions. Draws use the schedule's seeded generator only.
#include <algorithm>
#include <numeric>

#include "../primitives.h"
#include "kiln/tir/printer.h"

namespace kiln::tir::schedule {
namespace {

// Every ordered factorization of `extent` into n factors with the last at
// most max_innermost, up to a cap; drawn among uniformly.
void Factorizations(int64_t extent, int n, int64_t max_innermost, std::vector<int64_t>& prefix,
                    std::vector<std::vector<int64_t>>& out) {
  if (out.size() >= 4096) return;
  if (n == 1) {
    if (extent <= max_innermost) {
      prefix.push_back(extent);
      out.push_back(prefix);
      prefix.pop_back();
    }
    return;
  }
  for (int64_t d = 1; d <= extent; ++d) {
    if (extent % d != 0) continue;
    prefix.push_back(d);
    Factorizations(extent / d, n - 1, max_innermost, prefix, out);
    prefix.pop_back();
  }
}

}  // namespace

std::vector<int64_t> SamplePerfectTile(const ScheduleState& s, const LoopRef& loop, int n,
                                       int64_t max_innermost_factor, std::mt19937_64& rng) {
  const ForNode* f = s.Find(loop, "sample_perfect_tile").loop();
  KILN_SCHEDULE_CHECK(n >= 1, "sample_perfect_tile") << "n must be at least 1, not " << n;
  auto extent = ConstIntValue(f->extent);
  KILN_SCHEDULE_CHECK(extent && *extent >= 1, "sample_perfect_tile")
      << "loop '" << loop.var.name() << "' has extent " << ToText(f->extent) << ", not a positive constant";
  if (max_innermost_factor <= 0) max_innermost_factor = *extent;
  std::vector<std::vector<int64_t>> all;
  std::vector<int64_t> prefix;
  Factorizations(*extent, n, max_innermost_factor, prefix, all);
  KILN_ICHECK(!all.empty()) << "no factorization of " << *extent;  // the innermost factor 1 always fits
  return all[std::uniform_int_distribution<size_t>(0, all.size() - 1)(rng)];
}

int64_t SampleCategorical(const std::vector<int64_t>& candidates, const std::vector<double>& probs,
                          std::mt19937_64& rng) {
  KILN_SCHEDULE_CHECK(!candidates.empty() && candidates.size() == probs.size(), "sample_categorical")
      << "needs as many probabilities (" << probs.size() << ") as candidates (" << candidates.size()
      << "), at least one";
  for (double p : probs) KILN_SCHEDULE_CHECK(p >= 0, "sample_categorical") << "probability " << p << " is negative";
  KILN_SCHEDULE_CHECK(std::accumulate(probs.begin(), probs.end(), 0.0) > 0, "sample_categorical")
      << "the probabilities sum to zero";
  std::discrete_distribution<int64_t> d(probs.begin(), probs.end());
  return d(rng);
}

}  // namespace kiln::tir::schedule
