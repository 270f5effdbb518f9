// The VM's builtins for memory, tensors and values (vm.builtin.*; the list
// with signatures is in kiln/runtime/vm/builtins.h). Shape heap builtins are
// in builtins_shape.cc.
#include "kiln/runtime/vm/builtins.h"

#include <algorithm>

#include "builtins_util.h"
#include "kiln/runtime/vm/storage.h"

namespace kiln::runtime::vm {
namespace {

NDArray AllocTensor(const Storage& storage, int64_t offset, const std::vector<int64_t>& shape, DataType dtype) {
  KILN_CHECK(storage) << "vm.builtin.alloc_tensor: the storage is None";
  __int128 nbytes = dtype.bytes();
  for (size_t i = 0; i < shape.size(); ++i) {
    KILN_CHECK(shape[i] >= 0) << "vm.builtin.alloc_tensor: negative dimension " << shape[i] << " in shape "
                              << ShapeString(shape);
    nbytes *= shape[i];
  }
  KILN_CHECK(offset >= 0 && offset + nbytes <= static_cast<__int128>(storage->size))
      << "vm.builtin.alloc_tensor: a " << ShapeString(shape) << " " << dtype << " tensor ("
      << static_cast<int64_t>(nbytes) << " bytes) at offset " << offset << " does not fit in a storage of "
      << storage->size << " bytes";
  auto obj = MakeObject<NDArrayObj>();
  obj->shape = shape;
  obj->base = ObjectRef(storage);
  DLTensor& t = obj->tensor;
  t.data = static_cast<char*>(storage->data) + offset;
  t.device = storage->device.dl();
  t.dtype = dtype.dl();
  t.ndim = static_cast<int32_t>(obj->shape.size());
  t.shape = obj->shape.empty() ? nullptr : obj->shape.data();
  t.strides = nullptr;
  t.byte_offset = 0;
  return NDArray(obj);
}

NDArray Reshape(const NDArray& t, const std::vector<int64_t>& shape) {
  int64_t numel = 1;
  for (int64_t d : shape) {
    KILN_CHECK(d >= 0) << "vm.builtin.reshape: negative dimension in " << ShapeString(shape);
    numel *= d;
  }
  KILN_CHECK(numel == t.numel()) << "vm.builtin.reshape: cannot reshape Tensor(" << ShapeString(t.shape()) << ", "
                                 << t.dtype() << ") to " << ShapeString(shape) << " (" << t.numel() << " elements, not "
                                 << numel << ")";
  return t.CreateView(shape, t.dtype(), 0);
}

KILN_REGISTER_FUNCTION("vm.builtin.alloc_storage", [](int64_t size, Device device, int64_t alignment) {
  return AllocStorage(size, device, alignment);
});
KILN_REGISTER_FUNCTION("vm.builtin.alloc_tensor", AllocTensor);
KILN_REGISTER_FUNCTION("vm.builtin.alloc_tensor_simple", [](std::vector<int64_t> shape, DataType dtype, Device device) {
  // A storage of its own, so that the storage counters see it.
  int64_t nbytes = dtype.bytes();
  for (int64_t d : shape) nbytes *= std::max<int64_t>(d, 0);
  return AllocTensor(AllocStorage(nbytes, device, kAllocAlignment), 0, shape, dtype);
});
KILN_REGISTER_FUNCTION("vm.builtin.reshape", Reshape);
KILN_REGISTER_FUNCTION("vm.builtin.shape_of", [](NDArray t) { return t.shape(); });
KILN_REGISTER_FUNCTION("vm.builtin.to_device",
                       [](NDArray t, Device device) { return t.device() == device ? t : t.CopyTo(device); });

KILN_REGISTER_FUNCTION("vm.builtin.tuple_get_item", [](Any tuple, int64_t index) {
  const ArrayObj* items = ArrayArg(tuple, "vm.builtin.tuple_get_item", 0);
  int64_t n = static_cast<int64_t>(items->items.size());
  KILN_CHECK(index >= 0 && index < n) << "vm.builtin.tuple_get_item: index " << index << " out of range for a tuple of "
                                      << n;
  return items->items[index];
});
KILN_REGISTER_FUNCTION("vm.builtin.copy", [](Any value) { return value; });
KILN_REGISTER_FUNCTION("vm.builtin.null_value", [] { return Any(); });

[[maybe_unused]] const bool kRegistered = [] {
  RegisterPacked("vm.builtin.make_tuple",
                 [](const Any* args, int n, Any* result) { *result = Any(std::vector<Any>(args, args + n)); });
  RegisterPacked("vm.builtin.invoke", [](const Any* args, int n, Any* result) {
    KILN_CHECK(n >= 1) << "vm.builtin.invoke takes a function and its arguments, but was called with none";
    Function f = detail::ArgAt<Function>("vm.builtin.invoke", args, 0);
    *result = f.CallPacked(args + 1, n - 1);
  });
  return true;
}();

}  // namespace
}  // namespace kiln::runtime::vm
