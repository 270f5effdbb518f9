// The thread pool: results with 1 and 2 threads, nesting, errors, and the C
// entry point that generated code calls.
#include <atomic>
#include <set>
#include <thread>
#include <vector>

#include "common/test_util.h"
#include "kiln/runtime/c_api.h"
#include "kiln/runtime/runtime.h"

namespace kiln::runtime {
namespace {

class ThreadPoolSizes : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override {
    saved_ = ThreadPool::Global().num_threads();
    ThreadPool::Global().SetNumThreads(GetParam());
  }
  void TearDown() override { ThreadPool::Global().SetNumThreads(saved_); }
  int saved_ = 1;
};

TEST_P(ThreadPoolSizes, ParallelForCoversEveryIndexOnce) {
  for (int64_t n : {0, 1, 2, 3, 17, 1000}) {
    std::vector<std::atomic<int>> hits(n);
    ParallelFor(0, n, [&](int64_t i) { hits[i]++; });
    for (int64_t i = 0; i < n; ++i) ASSERT_EQ(hits[i].load(), 1) << "n=" << n << " i=" << i;
  }
}

// One task per thread, each long enough for every worker to wake and take
// its own before the launcher is free to take over another's.
TEST_P(ThreadPoolSizes, UsesDistinctThreads) {
  std::mutex mu;
  std::set<std::thread::id> ids;
  ParallelFor(0, GetParam(), [&](int64_t) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::lock_guard<std::mutex> lock(mu);
    ids.insert(std::this_thread::get_id());
  });
  EXPECT_EQ(static_cast<int>(ids.size()), GetParam());
}

TEST_P(ThreadPoolSizes, NestedRegionRunsSerially) {
  std::atomic<int> total{0};
  std::atomic<bool> nested_ok{true};
  ParallelFor(0, 4, [&](int64_t) {
    EXPECT_TRUE(InParallelRegion() || GetParam() == 1);
    std::thread::id me = std::this_thread::get_id();
    ParallelFor(0, 8, [&](int64_t) {
      if (std::this_thread::get_id() != me) nested_ok = false;
      total++;
    });
  });
  EXPECT_EQ(total.load(), 32);
  EXPECT_TRUE(nested_ok.load());
  EXPECT_FALSE(InParallelRegion());
}

TEST_P(ThreadPoolSizes, ExceptionReachesCaller) {
  EXPECT_KILN_ERROR(ParallelFor(0, 10,
                                [](int64_t i) {
                                  if (i == 7) KILN_THROW() << "task 7 failed";
                                }),
                    "task 7 failed");
  std::atomic<int> after{0};
  ParallelFor(0, 10, [&](int64_t) { after++; });  // the pool still works
  EXPECT_EQ(after.load(), 10);
}

TEST_P(ThreadPoolSizes, CEntryPointReturnsErrorCode) {
  struct Data {
    std::atomic<int> calls{0};
  } data;
  auto ok = [](int32_t, int32_t, void* d) -> int32_t {
    static_cast<Data*>(d)->calls++;
    return 0;
  };
  EXPECT_EQ(KilnBackendParallelLaunch(ok, &data, 0), 0);
  EXPECT_EQ(data.calls.load(), GetParam());
  data.calls = 0;
  EXPECT_EQ(KilnBackendParallelLaunch(ok, &data, 5), 0);
  EXPECT_EQ(data.calls.load(), 5);
  auto fail = [](int32_t task, int32_t, void*) -> int32_t { return task == 1 ? -3 : 0; };
  EXPECT_EQ(KilnBackendParallelLaunch(fail, nullptr, 4), -3);
}

// Many short regions in a row: the hand-off between launcher and workers
// must never lose or repeat a task.
TEST_P(ThreadPoolSizes, ManyShortRegions) {
  std::atomic<int64_t> sum{0};
  for (int r = 0; r < 20000; ++r) {
    KilnBackendParallelLaunch(
        [](int32_t task, int32_t, void* d) -> int32_t {
          static_cast<std::atomic<int64_t>*>(d)->fetch_add(task + 1);
          return 0;
        },
        &sum, 0);
  }
  int n = GetParam();
  EXPECT_EQ(sum.load(), 20000LL * n * (n + 1) / 2);
}

// 8 threads on this 2-core machine: workers often miss a job and are skipped.
INSTANTIATE_TEST_SUITE_P(Threads, ThreadPoolSizes, ::testing::Values(1, 2, 4, 8));

TEST(ThreadPool, ConcurrentLaunchersBothFinish) {
  std::atomic<int64_t> total{0};
  auto work = [&] {
    for (int r = 0; r < 200; ++r) ParallelFor(0, 100, [&](int64_t) { total++; });
  };
  std::thread a(work), b(work);
  a.join();
  b.join();
  EXPECT_EQ(total.load(), 2 * 200 * 100);
}

TEST(ThreadPool, WorkersWakeAfterSleeping) {
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // past the spin time: workers sleep
  std::atomic<int> calls{0};
  ParallelFor(0, ThreadPool::Global().num_threads(), [&](int64_t) { calls++; });
  EXPECT_EQ(calls.load(), ThreadPool::Global().num_threads());
}

TEST(ThreadPool, BadSizes) {
  EXPECT_THROW(ThreadPool::Global().SetNumThreads(0), Error);
  EXPECT_THROW(ThreadPool(0), Error);
}

}  // namespace
}  // namespace kiln::runtime

namespace kiln::runtime {
namespace {
// A resized pool must not replay the last job of the pool before it.
TEST(ThreadPool, ResizeDoesNotReplayOldJob) {
  std::atomic<int> calls{0};
  ThreadPool pool(2);
  pool.Launch(
      [](int32_t, int32_t, void* d) -> int32_t {
        static_cast<std::atomic<int>*>(d)->fetch_add(1);
        return 0;
      },
      &calls, 2);
  EXPECT_EQ(calls.load(), 2);
  pool.SetNumThreads(3);
  pool.SetNumThreads(2);
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(calls.load(), 2);
}
}  // namespace
}  // namespace kiln::runtime

namespace kiln::runtime {
namespace {
// The message a failing task sets on a worker thread reaches the launcher.
TEST(ThreadPool, WorkerErrorMessageReachesCaller) {
  ThreadPool::Global().SetNumThreads(2);
  auto fail_on_worker = [](int32_t task, int32_t, void*) -> int32_t {
    if (task != 1) return 0;
    KilnAPISetLastError("task 1 ran out of luck");
    return -7;
  };
  KilnAPISetLastError("");
  EXPECT_EQ(KilnBackendParallelLaunch(fail_on_worker, nullptr, 2), -7);
  EXPECT_STREQ(KilnAPIGetLastError(), "task 1 ran out of luck");
}
}  // namespace
}  // namespace kiln::runtime
