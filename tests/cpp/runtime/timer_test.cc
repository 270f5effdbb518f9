// time_evaluator: statistics and the growth of `number` to min_repeat_ms.
#include <thread>

#include "common/test_util.h"
#include "kiln/runtime/runtime.h"

namespace kiln::runtime {
namespace {

TEST(Timer, MeasuresASleep) {
  int calls = 0;
  TimingResult r = TimeCallable(
      [&] {
        ++calls;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      },
      2, 3, 0);
  EXPECT_EQ(calls, 1 + 2 * 3);
  ASSERT_EQ(r->results.size(), 3u);
  EXPECT_GE(r->min, 0.002);
  EXPECT_LE(r->min, r->median);
  EXPECT_LE(r->median, r->max);
  EXPECT_GE(r->std, 0.0);
}

TEST(Timer, MinRepeatGrowsNumber) {
  TimingResult r = TimeCallable([] {}, 1, 2, 5.0);
  EXPECT_GT(r->number, 1);
  EXPECT_EQ(r->results.size(), 2u);
}

TEST(Timer, EvaluatorPassesArguments) {
  int64_t seen = 0;
  Function f = Function::FromTyped("test.work", [&](int64_t n) { seen = n; });
  Function timed = TimeEvaluator(f, 3, 2, 0);
  TimingResult r = timed(int64_t{9}).Cast<TimingResult>();
  EXPECT_EQ(seen, 9);
  EXPECT_EQ(r->number, 3);
  EXPECT_KILN_ERROR(TimeCallable([] {}, 0, 1, 0), "number must be at least 1");
}

}  // namespace
}  // namespace kiln::runtime
