// Storage: a block of device memory that planned tensors live in
// (vm.builtin.alloc_storage / alloc_tensor). Blocks come from a process-wide
// pool: a freed block is kept and handed out again for a request of the same
// device and alignment that it fits at most twice over, so repeated runs of a
// model stop calling the device allocator. The pool keeps at most
// kMaxCachedStorageBytes; beyond that freed blocks go back to the device.
#pragma once

#include <cstddef>

#include "kiln/runtime/device.h"
#include "kiln/runtime/object.h"

namespace kiln::runtime::vm {

constexpr size_t kMaxCachedStorageBytes = size_t{1} << 30;

class StorageObj : public Object {
 public:
  KILN_OBJECT_TYPE(StorageObj, Object, "runtime.vm.Storage")
  ~StorageObj() override;  // returns the block to the pool

  void* data = nullptr;
  size_t size = 0;      // bytes usable
  size_t capacity = 0;  // bytes of the block (>= size)
  size_t alignment = 0;
  Device device;
};
using Storage = Ref<StorageObj>;

// Raises kiln::Error for a negative size or an alignment that is not a power
// of two.
Storage AllocStorage(int64_t size, Device device, int64_t alignment);
// Bytes held by the pool for reuse, and a way to give them back.
size_t CachedStorageBytes();
void ReleaseCachedStorage();

// What the VM's allocations hold: the bytes of every live Storage (the
// requested size, not the pool's rounded capacity; alloc_storage and
// alloc_tensor_simple both allocate through AllocStorage), and the most
// that were live at once since the process started or the last
// ResetPeakStorageBytes. Arrays made outside the VM (inputs, constants)
// are not counted.
struct StorageStats {
  int64_t live_bytes = 0;
  int64_t peak_bytes = 0;
};
StorageStats GetStorageStats();
// Sets the peak to the bytes live now (to measure one run).
void ResetPeakStorageBytes();

}  // namespace kiln::runtime::vm
