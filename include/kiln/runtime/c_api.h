/* The C calling convention between Kiln's runtime and compiled code.
 *
 * Every function that a compiled library exports has the KilnCFunc type:
 * arguments arrive as an array of KilnValue with one type code each; the
 * function returns 0 on success, or non-zero after setting a message with
 * set_last_error. Tensors arrive as DLTensor pointers (kKilnArgTensor).
 *
 * Compiled code reaches the runtime only through one table: a library that
 * needs the runtime defines the symbol
 *     const KilnRuntimeAPI* __kiln_runtime_api;
 * and the loader points it at the runtime's table before the first call. So a
 * library links against nothing of Kiln and loads into any process that has
 * libkiln_runtime. The same functions are exported under their Kilnxxx names
 * for programs that link the runtime directly. Plain C. */
#ifndef KILN_RUNTIME_C_API_H_
#define KILN_RUNTIME_C_API_H_

#include <stdint.h>

#include "kiln/runtime/dlpack.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef union {
  int64_t v_int64;
  double v_float64;
  void* v_handle;
  const char* v_str;
  DLDataType v_dtype;
  DLDevice v_device;
} KilnValue;

typedef enum {
  kKilnArgInt = 0,
  kKilnArgFloat = 1,
  kKilnArgHandle = 2,
  kKilnArgNone = 3,
  kKilnArgTensor = 4, /* v_handle is a DLTensor* */
  kKilnArgStr = 5,
  kKilnArgDataType = 6,
  kKilnArgDevice = 7,
  kKilnArgBool = 8,
} KilnArgCode;

typedef int32_t (*KilnCFunc)(const KilnValue* args, const int32_t* type_codes, int32_t num_args, KilnValue* ret,
                             int32_t* ret_type_code);

/* One task of a parallel region: task_id in [0, num_tasks). Returns 0 on
 * success. */
typedef int32_t (*KilnParallelLambda)(int32_t task_id, int32_t num_tasks, void* closure);

#define KILN_RUNTIME_API_VERSION 1

typedef struct {
  uint32_t version; /* KILN_RUNTIME_API_VERSION */
  /* Records the message of the error that the caller is about to return. */
  void (*set_last_error)(const char* message);
  /* Runs lambda for num_tasks tasks on the thread pool (num_tasks <= 0: one
   * per pool thread) and returns the first non-zero code of a task, else 0.
   * Inside a parallel region it runs the tasks serially on the caller. */
  int32_t (*parallel_launch)(KilnParallelLambda lambda, void* closure, int32_t num_tasks);
  /* A temporary buffer for a kernel, 64-byte aligned; NULL on failure. */
  void* (*alloc_workspace)(int32_t device_type, int32_t device_id, uint64_t nbytes);
  int32_t (*free_workspace)(int32_t device_type, int32_t device_id, void* ptr);
} KilnRuntimeAPI;

const KilnRuntimeAPI* KilnGetRuntimeAPI(void);
void KilnAPISetLastError(const char* message);
const char* KilnAPIGetLastError(void);
int32_t KilnBackendParallelLaunch(KilnParallelLambda lambda, void* closure, int32_t num_tasks);
void* KilnBackendAllocWorkspace(int32_t device_type, int32_t device_id, uint64_t nbytes);
int32_t KilnBackendFreeWorkspace(int32_t device_type, int32_t device_id, void* ptr);

#ifdef __cplusplus
}
#endif
#endif /* KILN_RUNTIME_C_API_H_ */
