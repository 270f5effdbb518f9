// Devices, the DeviceAPI table, and the CPU implementation.
#include "kiln/runtime/device.h"

#include <array>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "kiln/runtime/error.h"

namespace kiln::runtime {

const char* DeviceTypeName(DLDeviceType type) {
  switch (type) {
    case kDLCPU: return "cpu";
    case kDLCUDA: return "cuda";
    case kDLCUDAHost: return "cuda_host";
    case kDLOpenCL: return "opencl";
    case kDLVulkan: return "vulkan";
    case kDLMetal: return "metal";
    case kDLROCM: return "rocm";
    case kDLCUDAManaged: return "cuda_managed";
    case kDLOneAPI: return "oneapi";
    default: return "unknown";
  }
}

Device Device::Parse(const std::string& text) {
  std::string type = text;
  int id = 0;
  size_t colon = text.find(':');
  if (colon != std::string::npos) {
    type = text.substr(0, colon);
    std::string num = text.substr(colon + 1);
    bool digits = !num.empty() && num.size() < 6;
    for (char c : num) digits = digits && c >= '0' && c <= '9';
    KILN_CHECK(digits) << "bad device \"" << text << "\": the id after ':' must be a number";
    id = std::stoi(num);
  }
  if (type == "cpu" || type == "llvm") return CPU(id);
  if (type == "cuda" || type == "gpu") return CUDA(id);
  KILN_THROW() << "unknown device \"" << text << "\" (expected cpu, cpu:N, cuda or cuda:N)";
}

std::string Device::str() const {
  return std::string(DeviceTypeName(device_type)) + ":" + std::to_string(device_id);
}

namespace {
class CPUDeviceAPI final : public DeviceAPI {
 public:
  void* Alloc(Device, size_t nbytes, size_t alignment) override {
    if (alignment < kAllocAlignment) alignment = kAllocAlignment;
    size_t size = (nbytes + alignment - 1) / alignment * alignment;
    void* ptr = std::aligned_alloc(alignment, size == 0 ? alignment : size);
    KILN_CHECK(ptr != nullptr) << "out of CPU memory allocating " << nbytes << " bytes";
    return ptr;
  }
  void Free(Device, void* ptr) override { std::free(ptr); }
  void CopyBytes(const void* from, Device, void* to, Device, size_t nbytes) override {
    if (nbytes) std::memcpy(to, from, nbytes);
  }
  void Synchronize(Device) override {}
};

constexpr int kMaxDeviceType = 32;
struct APITable {
  std::mutex mutex;
  std::array<DeviceAPI*, kMaxDeviceType> apis{};
};
APITable& Table() {
  static APITable* table = [] {
    auto* t = new APITable();
    static CPUDeviceAPI cpu;
    t->apis[kDLCPU] = &cpu;
    t->apis[kDLCUDAHost] = &cpu;
    return t;
  }();
  return *table;
}
}  // namespace

DeviceAPI* DeviceAPI::Get(Device dev) {
  int type = static_cast<int>(dev.device_type);
  KILN_CHECK(type > 0 && type < kMaxDeviceType) << "unknown device type " << type;
  APITable& t = Table();
  std::lock_guard<std::mutex> lock(t.mutex);
  DeviceAPI* api = t.apis[type];
  KILN_CHECK(api != nullptr) << "device " << dev.str() << " is not available in this build of Kiln's runtime"
                             << (dev.device_type == kDLCUDA ? " (no CUDA driver was loaded)" : "");
  return api;
}

void DeviceAPI::Register(DLDeviceType type, DeviceAPI* api) {
  int t = static_cast<int>(type);
  KILN_ICHECK(t > 0 && t < kMaxDeviceType) << "device type " << t;
  APITable& table = Table();
  std::lock_guard<std::mutex> lock(table.mutex);
  table.apis[t] = api;
}

}  // namespace kiln::runtime
