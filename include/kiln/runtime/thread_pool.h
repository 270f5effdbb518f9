// The thread pool behind parallel loops. The calling thread runs task 0 and
// the workers the rest; idle workers spin briefly, then sleep. Its size comes
// from KILN_NUM_THREADS (default: the number of cores). A parallel region
// started inside another one runs serially on its caller.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "kiln/runtime/c_api.h"

namespace kiln::runtime {

class ThreadPool {
 public:
  // The process-wide pool, created at first use.
  static ThreadPool& Global();

  explicit ThreadPool(int num_threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  // Threads in the pool, the caller included.
  int num_threads() const;
  // Resizes the pool (waits for a running region to finish first).
  void SetNumThreads(int n);
  // See KilnRuntimeAPI::parallel_launch.
  int32_t Launch(KilnParallelLambda lambda, void* closure, int32_t num_tasks);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// True while the calling thread runs a task of a parallel region.
bool InParallelRegion();

// Calls body(i) for i in [begin, end), split into one contiguous chunk per
// pool thread. An exception from any chunk is rethrown in the caller.
void ParallelFor(int64_t begin, int64_t end, const std::function<void(int64_t)>& body);

}  // namespace kiln::runtime
