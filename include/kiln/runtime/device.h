// Device and the per-device memory interface. Device is DLPack's DLDevice; a
// DeviceAPI allocates, frees and copies bytes on one kind of device. CPU
// memory is 64-byte aligned. WorkspacePool recycles kernels' temporaries.
#pragma once

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>

#include "kiln/runtime/dlpack.h"

namespace kiln::runtime {

struct Device {
  DLDeviceType device_type = kDLCPU;
  int32_t device_id = 0;

  static Device CPU(int id = 0) { return {kDLCPU, id}; }
  static Device CUDA(int id = 0) { return {kDLCUDA, id}; }
  // "cpu", "cpu:0", "cuda:1"; raises kiln::Error when unknown.
  static Device Parse(const std::string& text);

  DLDevice dl() const { return {device_type, device_id}; }
  std::string str() const;
  bool operator==(const Device& o) const { return device_type == o.device_type && device_id == o.device_id; }
  bool operator!=(const Device& o) const { return !(*this == o); }
};

inline std::ostream& operator<<(std::ostream& os, const Device& d) {
  return os << d.str();
}

// Name of a device type ("cpu", "cuda", ...).
const char* DeviceTypeName(DLDeviceType type);

constexpr size_t kAllocAlignment = 64;

class DeviceAPI {
 public:
  virtual ~DeviceAPI() = default;
  virtual void* Alloc(Device dev, size_t nbytes, size_t alignment) = 0;
  virtual void Free(Device dev, void* ptr) = 0;
  // Copies nbytes between two places, either of which may be on this device.
  virtual void CopyBytes(const void* from, Device from_dev, void* to, Device to_dev, size_t nbytes) = 0;
  // Waits until the device has finished the work queued so far.
  virtual void Synchronize(Device dev) = 0;

  // The API for a device type; raises kiln::Error when it is not available
  // in this process (e.g. CUDA without a driver).
  static DeviceAPI* Get(Device dev);
  // Installs the API for a device type (used by optional device backends).
  static void Register(DLDeviceType type, DeviceAPI* api);
};

// A per-thread pool of temporaries: kernels take a workspace and give it
// back in LIFO order; freed blocks are kept and reused by size.
class WorkspacePool {
 public:
  static void* Alloc(Device dev, size_t nbytes);
  static void Free(Device dev, void* ptr);
  // Bytes the calling thread's CPU pool holds (in use and cached).
  static size_t CachedBytes();
};

}  // namespace kiln::runtime
