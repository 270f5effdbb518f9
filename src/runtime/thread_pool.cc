// The thread pool. One job at a time: the launcher writes the job and bumps
// an epoch counter in the same cache line; workers that spin on the counter
// get the job in one cache-line transfer, workers that went to sleep are woken
// by a futex (only when someone sleeps, so a busy pool makes no system call).
// Each worker acknowledges each job in its own cache line. Thread t runs tasks
// t, t + n, t + 2n, ... first, so repeated regions keep their data on the
// same core; then it takes over tasks no one has started. A worker that has
// not woken up by the time every task is taken (its core is busy with another
// process) is skipped for the job instead of waited for: on a loaded machine
// a region runs at the speed of the threads that do run.
#include "kiln/runtime/thread_pool.h"

#include <sched.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "kiln/runtime/env.h"
#include "kiln/runtime/error.h"

namespace kiln::runtime {
namespace {
thread_local bool in_region = false;

// How long an idle worker spins before it sleeps.
constexpr auto kSpinTime = std::chrono::microseconds(200);

inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

int OnlineCores() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) return std::max(1, CPU_COUNT(&set));
  return std::max(1u, std::thread::hardware_concurrency());
}

// Spinning threads that outnumber the cores would keep the thread that has
// the work off its core: then every spin iteration also yields.
inline void Backoff(bool oversubscribed) {
  CpuRelax();
  if (oversubscribed) std::this_thread::yield();
}

int DefaultThreads() {
  if (const char* env = GetEnv("KILN_NUM_THREADS")) {
    char* end = nullptr;
    long n = std::strtol(env, &end, 10);
    KILN_CHECK(end != env && *end == '\0' && n >= 1 && n <= 1024)
        << "KILN_NUM_THREADS must be a number from 1 to 1024, got \"" << env << "\"";
    return static_cast<int>(n);
  }
  return OnlineCores();
}

int32_t RunSerial(KilnParallelLambda lambda, void* closure, int32_t num_tasks) {
  bool was = in_region;
  in_region = true;
  int32_t rc = 0;
  for (int32_t t = 0; t < num_tasks && rc == 0; ++t) rc = lambda(t, num_tasks, closure);
  in_region = was;
  return rc;
}
}  // namespace

struct ThreadPool::Impl {
  // What the launcher writes for a job, in one cache line with the epoch that
  // publishes it: a worker's first read brings the whole job.
  struct alignas(64) Job {
    std::atomic<uint32_t> epoch{0};
    KilnParallelLambda lambda = nullptr;
    void* closure = nullptr;
    int32_t num_tasks = 0;
    bool stop = false;
  };
  // What one worker writes: the last epoch it joined (or the launcher
  // skipped it for), the last epoch it finished, and its error code with the
  // message its failing task set (last errors are per thread). For each job
  // `joined` moves from the previous epoch to the job's exactly once, by the
  // worker (joining) or by the launcher (skipping).
  struct alignas(64) WorkerState {
    std::atomic<uint32_t> joined{0};
    std::atomic<uint32_t> done{0};
    int32_t error = 0;
    std::string message;
  };

  Job job;
  alignas(64) std::atomic<int32_t> sleepers{0};
  alignas(64) int num_threads = 1;
  bool oversubscribed = false;
  std::vector<std::thread> workers;
  std::unique_ptr<WorkerState[]> states;  // one per worker; index 0 unused
  std::mutex launch_mutex;                // one job at a time; resizing takes it too
  // claims[t] holds the epoch of the job whose task t has been taken.
  std::unique_ptr<std::atomic<uint32_t>[]> claims;
  int32_t claims_size = 0;

  bool Claim(int32_t task, uint32_t e) {
    uint32_t c = claims[task].load(std::memory_order_relaxed);
    return c != e && claims[task].compare_exchange_strong(c, e, std::memory_order_acq_rel);
  }

  // Runs thread `first`'s own tasks of job `e`, then any task still untaken.
  int32_t RunTasks(uint32_t e, int first, int stride) {
    int32_t error = 0;
    auto run = [&](int32_t t) {
      if (!Claim(t, e)) return;
      int32_t rc = job.lambda(t, job.num_tasks, job.closure);
      if (rc != 0 && error == 0) error = rc;
    };
    for (int32_t t = first; t < job.num_tasks; t += stride) run(t);
    for (int32_t t = 0; t < job.num_tasks; ++t) run(t);
    return error;
  }

  // `seen` is the epoch at the worker's start: only later jobs are its own.
  void WorkerLoop(int id, uint32_t seen) {
    in_region = true;
    WorkerState& me = states[id];
    for (;;) {
      uint32_t e = job.epoch.load(std::memory_order_acquire);
      auto start = std::chrono::steady_clock::now();
      for (int spin = 0; e == seen; ++spin) {
        Backoff(oversubscribed);
        if ((spin & 255) == 255 && std::chrono::steady_clock::now() - start > kSpinTime) {
          sleepers.fetch_add(1, std::memory_order_seq_cst);
          job.epoch.wait(seen, std::memory_order_seq_cst);
          sleepers.fetch_sub(1, std::memory_order_relaxed);
          start = std::chrono::steady_clock::now();
        }
        e = job.epoch.load(std::memory_order_acquire);
      }
      seen = e;
      if (job.stop) return;
      // Join job e only from e - 1: a worker that saw e late may find the
      // launcher already past it (skipped for e, maybe for e + 1 too).
      uint32_t previous = e - 1;
      if (!me.joined.compare_exchange_strong(previous, e, std::memory_order_acq_rel)) continue;
      me.error = RunTasks(e, id, num_threads);
      if (me.error != 0) me.message = KilnAPIGetLastError();
      me.done.store(e, std::memory_order_release);
    }
  }

  void Start(int n) {
    num_threads = n;
    oversubscribed = n > OnlineCores();
    job.stop = false;
    uint32_t now = job.epoch.load(std::memory_order_relaxed);
    states.reset(new WorkerState[n]);
    for (int i = 1; i < n; ++i) {
      states[i].joined.store(now, std::memory_order_relaxed);
      states[i].done.store(now, std::memory_order_relaxed);
      workers.emplace_back([this, i, now] { WorkerLoop(i, now); });
    }
  }

  void Stop() {
    if (workers.empty()) return;
    job.stop = true;
    Publish();
    for (auto& w : workers) w.join();
    workers.clear();
  }

  uint32_t Publish() {
    uint32_t e = job.epoch.fetch_add(1, std::memory_order_seq_cst) + 1;
    if (sleepers.load(std::memory_order_seq_cst) > 0) job.epoch.notify_all();
    return e;
  }
};

ThreadPool::ThreadPool(int num_threads) : impl_(std::make_unique<Impl>()) {
  KILN_CHECK(num_threads >= 1) << "a thread pool needs at least one thread, got " << num_threads;
  impl_->Start(num_threads);
}

ThreadPool::~ThreadPool() {
  impl_->Stop();
}

ThreadPool& ThreadPool::Global() {
  static ThreadPool* pool = new ThreadPool(DefaultThreads());  // workers may outlive static destruction
  return *pool;
}

int ThreadPool::num_threads() const {
  return impl_->num_threads;
}

void ThreadPool::SetNumThreads(int n) {
  KILN_CHECK(n >= 1 && n <= 1024) << "number of threads must be from 1 to 1024, got " << n;
  std::lock_guard<std::mutex> lock(impl_->launch_mutex);
  if (n == impl_->num_threads) return;
  impl_->Stop();
  impl_->Start(n);
}

int32_t ThreadPool::Launch(KilnParallelLambda lambda, void* closure, int32_t num_tasks) {
  Impl& p = *impl_;
  if (num_tasks <= 0) num_tasks = p.num_threads;
  if (in_region || p.num_threads == 1 || num_tasks == 1) return RunSerial(lambda, closure, num_tasks);
  std::unique_lock<std::mutex> lock(p.launch_mutex, std::try_to_lock);
  if (!lock.owns_lock()) return RunSerial(lambda, closure, num_tasks);  // another thread's region runs

  if (num_tasks > p.claims_size) {  // no worker is in a job: the array is free to replace
    p.claims.reset(new std::atomic<uint32_t>[num_tasks]);
    uint32_t now = p.job.epoch.load(std::memory_order_relaxed);  // not the coming job's epoch
    for (int32_t t = 0; t < num_tasks; ++t) p.claims[t].store(now, std::memory_order_relaxed);
    p.claims_size = num_tasks;
  }
  p.job.lambda = lambda;
  p.job.closure = closure;
  p.job.num_tasks = num_tasks;
  uint32_t e = p.Publish();

  in_region = true;
  int32_t error = p.RunTasks(e, 0, p.num_threads);
  in_region = false;
  // Every task is taken: wait for the workers that joined, skip the others.
  for (int w = 1; w < p.num_threads; ++w) {
    uint32_t previous = e - 1;
    if (p.states[w].joined.compare_exchange_strong(previous, e, std::memory_order_acq_rel)) continue;
    while (p.states[w].done.load(std::memory_order_acquire) != e) Backoff(p.oversubscribed);
    if (error == 0 && p.states[w].error != 0) {
      error = p.states[w].error;
      KilnAPISetLastError(p.states[w].message.c_str());
    }
  }
  return error;
}

bool InParallelRegion() {
  return in_region;
}

void ParallelFor(int64_t begin, int64_t end, const std::function<void(int64_t)>& body) {
  if (end <= begin) return;
  struct Closure {
    int64_t begin, end;
    const std::function<void(int64_t)>* body;
    std::vector<std::exception_ptr> errors;
  };
  int64_t n = end - begin;
  int32_t tasks = static_cast<int32_t>(std::min<int64_t>(n, ThreadPool::Global().num_threads()));
  Closure c{begin, end, &body, std::vector<std::exception_ptr>(tasks)};
  auto lambda = [](int32_t task, int32_t num_tasks, void* data) -> int32_t {
    auto* c = static_cast<Closure*>(data);
    int64_t total = c->end - c->begin;
    int64_t lo = c->begin + total * task / num_tasks;
    int64_t hi = c->begin + total * (task + 1) / num_tasks;
    try {
      for (int64_t i = lo; i < hi; ++i) (*c->body)(i);
    } catch (...) {
      c->errors[task] = std::current_exception();
      return -1;
    }
    return 0;
  };
  ThreadPool::Global().Launch(lambda, &c, tasks);
  for (auto& e : c.errors) {
    if (e) std::rethrow_exception(e);
  }
}

}  // namespace kiln::runtime
