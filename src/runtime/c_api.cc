// The C entry points of the runtime and the table handed to compiled code.
#include "kiln/runtime/c_api.h"

#include <string>

#include "kiln/runtime/device.h"
#include "kiln/runtime/thread_pool.h"

namespace {
thread_local std::string last_error;
}  // namespace

extern "C" {

void KilnAPISetLastError(const char* message) {
  last_error = message ? message : "";
}

const char* KilnAPIGetLastError(void) {
  return last_error.c_str();
}

int32_t KilnBackendParallelLaunch(KilnParallelLambda lambda, void* closure, int32_t num_tasks) {
  return kiln::runtime::ThreadPool::Global().Launch(lambda, closure, num_tasks);
}

void* KilnBackendAllocWorkspace(int32_t device_type, int32_t device_id, uint64_t nbytes) {
  try {
    return kiln::runtime::WorkspacePool::Alloc({static_cast<DLDeviceType>(device_type), device_id}, nbytes);
  } catch (const std::exception& e) {
    KilnAPISetLastError(e.what());
    return nullptr;
  }
}

int32_t KilnBackendFreeWorkspace(int32_t device_type, int32_t device_id, void* ptr) {
  try {
    kiln::runtime::WorkspacePool::Free({static_cast<DLDeviceType>(device_type), device_id}, ptr);
    return 0;
  } catch (const std::exception& e) {
    KilnAPISetLastError(e.what());
    return -1;
  }
}

const KilnRuntimeAPI* KilnGetRuntimeAPI(void) {
  static const KilnRuntimeAPI api = {
      KILN_RUNTIME_API_VERSION,  KilnAPISetLastError,      KilnBackendParallelLaunch,
      KilnBackendAllocWorkspace, KilnBackendFreeWorkspace,
  };
  return &api;
}

}  // extern "C"
