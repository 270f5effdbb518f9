// The storage pool: freed blocks kept by device and alignment, reused by the
// smallest cached block that fits a request at most twice over; and the
// counters of live and peak storage bytes.
#include "kiln/runtime/vm/storage.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <tuple>

#include "kiln/runtime/error.h"

namespace kiln::runtime::vm {
namespace {

constexpr size_t kGranule = 256;  // sizes round up to this many bytes

struct Pool {
  using Key = std::tuple<int, int, size_t>;  // device type, device id, alignment
  std::mutex mutex;
  std::map<Key, std::multimap<size_t, void*>> free;  // capacity -> block
  size_t cached = 0;

  // A cached block of capacity in [size, 2 * size], or nullptr.
  void* Take(const Key& key, size_t size, size_t* capacity) {
    std::lock_guard<std::mutex> lock(mutex);
    auto bucket = free.find(key);
    if (bucket == free.end()) return nullptr;
    auto it = bucket->second.lower_bound(size);
    if (it == bucket->second.end() || it->first > 2 * size) return nullptr;
    void* p = it->second;
    *capacity = it->first;
    cached -= it->first;
    bucket->second.erase(it);
    return p;
  }
  // Keeps the block unless the pool is full; false when the caller frees it.
  bool Give(const Key& key, size_t capacity, void* p) {
    std::lock_guard<std::mutex> lock(mutex);
    if (cached + capacity > kMaxCachedStorageBytes) return false;
    free[key].emplace(capacity, p);
    cached += capacity;
    return true;
  }
};

Pool& GlobalPool() {
  static Pool* pool = new Pool();  // outlives static destructors that free storage
  return *pool;
}

Pool::Key KeyOf(Device dev, size_t alignment) {
  return {static_cast<int>(dev.device_type), dev.device_id, alignment};
}

std::atomic<int64_t> live_bytes{0};
std::atomic<int64_t> peak_bytes{0};

void CountAlloc(size_t size) {
  int64_t live = live_bytes.fetch_add(static_cast<int64_t>(size)) + static_cast<int64_t>(size);
  int64_t peak = peak_bytes.load();
  while (live > peak && !peak_bytes.compare_exchange_weak(peak, live)) {
  }
}

}  // namespace

StorageObj::~StorageObj() {
  if (data == nullptr) return;
  live_bytes.fetch_sub(static_cast<int64_t>(size));
  if (!GlobalPool().Give(KeyOf(device, alignment), capacity, data)) DeviceAPI::Get(device)->Free(device, data);
}

Storage AllocStorage(int64_t size, Device device, int64_t alignment) {
  KILN_CHECK(size >= 0) << "vm.builtin.alloc_storage: size must not be negative, got " << size;
  KILN_CHECK(alignment > 0 && (alignment & (alignment - 1)) == 0)
      << "vm.builtin.alloc_storage: alignment must be a power of two, got " << alignment;
  size_t align = std::max<size_t>(static_cast<size_t>(alignment), kAllocAlignment);
  size_t capacity = (static_cast<size_t>(size) + kGranule - 1) / kGranule * kGranule;
  if (capacity == 0) capacity = kGranule;
  auto s = MakeObject<StorageObj>();
  s->size = static_cast<size_t>(size);
  s->alignment = align;
  s->device = device;
  size_t reused = 0;
  if (void* p = GlobalPool().Take(KeyOf(device, align), capacity, &reused)) {
    s->data = p;
    s->capacity = reused;
  } else {
    s->data = DeviceAPI::Get(device)->Alloc(device, capacity, align);
    s->capacity = capacity;
  }
  CountAlloc(s->size);
  return s;
}

StorageStats GetStorageStats() {
  return {live_bytes.load(), peak_bytes.load()};
}

void ResetPeakStorageBytes() {
  peak_bytes.store(live_bytes.load());
}

size_t CachedStorageBytes() {
  Pool& pool = GlobalPool();
  std::lock_guard<std::mutex> lock(pool.mutex);
  return pool.cached;
}

void ReleaseCachedStorage() {
  Pool& pool = GlobalPool();
  std::lock_guard<std::mutex> lock(pool.mutex);
  for (auto& [key, blocks] : pool.free) {
    Device dev{static_cast<DLDeviceType>(std::get<0>(key)), std::get<1>(key)};
    for (auto& [capacity, p] : blocks) DeviceAPI::Get(dev)->Free(dev, p);
  }
  pool.free.clear();
  pool.cached = 0;
}

}  // namespace kiln::runtime::vm
