// WorkspacePool: per-thread free lists of kernel temporaries. Sizes round up
// to 4 KiB pages; a freed block waits in its size's list for the next request
// of that size, so a model's kernels stop touching the allocator after the
// first run.
#include <algorithm>
#include <memory>
#include <unordered_map>
#include <vector>

#include "kiln/runtime/device.h"
#include "kiln/runtime/error.h"

namespace kiln::runtime {
namespace {
constexpr size_t kPage = 4096;

struct Pool {
  Device dev;
  std::unordered_map<size_t, std::vector<void*>> free_blocks;  // rounded size -> blocks
  std::unordered_map<void*, size_t> in_use;
  size_t cached_bytes = 0;

  ~Pool() {
    DeviceAPI* api = DeviceAPI::Get(dev);
    for (auto& [size, blocks] : free_blocks) {
      for (void* p : blocks) api->Free(dev, p);
    }
    for (auto& [p, size] : in_use) api->Free(dev, p);
  }
};

Pool& PoolFor(Device dev) {
  thread_local std::vector<std::unique_ptr<Pool>> pools;
  for (auto& p : pools) {
    if (p->dev == dev) return *p;
  }
  pools.push_back(std::make_unique<Pool>());
  pools.back()->dev = dev;
  return *pools.back();
}
}  // namespace

void* WorkspacePool::Alloc(Device dev, size_t nbytes) {
  Pool& pool = PoolFor(dev);
  size_t size = (std::max<size_t>(nbytes, 1) + kPage - 1) / kPage * kPage;
  void* ptr;
  auto it = pool.free_blocks.find(size);
  if (it != pool.free_blocks.end() && !it->second.empty()) {
    ptr = it->second.back();
    it->second.pop_back();
  } else {
    ptr = DeviceAPI::Get(dev)->Alloc(dev, size, kAllocAlignment);
    pool.cached_bytes += size;
  }
  pool.in_use[ptr] = size;
  return ptr;
}

void WorkspacePool::Free(Device dev, void* ptr) {
  Pool& pool = PoolFor(dev);
  auto it = pool.in_use.find(ptr);
  KILN_CHECK(it != pool.in_use.end()) << "workspace pointer " << ptr << " was not allocated by this thread's pool on "
                                      << dev.str();
  pool.free_blocks[it->second].push_back(ptr);
  pool.in_use.erase(it);
}

size_t WorkspacePool::CachedBytes() {
  return PoolFor(Device::CPU()).cached_bytes;
}

}  // namespace kiln::runtime
