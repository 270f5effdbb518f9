// Timing of functions: the tool the docs and benchmarks use. Each of
// `repeat` measurements times `number` back-to-back calls after one warm-up
// call; when min_repeat_ms is set, `number` grows until one measurement
// takes at least that long.
#pragma once

#include <functional>
#include <vector>

#include "kiln/runtime/function.h"

namespace kiln::runtime {

class TimingResultObj : public Object {
 public:
  KILN_OBJECT_TYPE(TimingResultObj, Object, "runtime.TimingResult")
  std::vector<double> results;  // seconds per call, one per repeat
  double mean = 0, median = 0, min = 0, max = 0, std = 0;
  int number = 0;  // calls per repeat that were used
};
using TimingResult = Ref<TimingResultObj>;

TimingResult TimeCallable(const std::function<void()>& call, int number, int repeat, double min_repeat_ms);

// A Function that takes f's arguments, calls f as above and returns a
// TimingResult.
Function TimeEvaluator(Function f, int number = 10, int repeat = 3, double min_repeat_ms = 0);

}  // namespace kiln::runtime
