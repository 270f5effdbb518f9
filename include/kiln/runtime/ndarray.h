// NDArray: an n-dimensional array on a device. Shape, dtype, device, strides
// (compact by default) and byte offset, exactly as a DLTensor describes them.
// Views share memory; DLPack import and export are zero-copy; named arrays
// save to and load from one file (the format is in src/runtime/array_file.cc).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "kiln/runtime/data_type.h"
#include "kiln/runtime/device.h"
#include "kiln/runtime/dlpack.h"
#include "kiln/runtime/object.h"

namespace kiln::runtime {

class NDArrayObj : public Object {
 public:
  KILN_OBJECT_TYPE(NDArrayObj, Object, "runtime.NDArray")
  ~NDArrayObj() override;

  DLTensor tensor{};  // shape and strides point into the vectors below
  std::vector<int64_t> shape;
  std::vector<int64_t> strides;  // empty: compact row-major
  // Exactly one owner of the memory: this object (owns_data), a base array
  // (views), or a DLPack producer (released through dlpack_release).
  bool owns_data = false;
  ObjectRef base;
  void* dlpack_owner = nullptr;
  void (*dlpack_release)(void* owner) = nullptr;
};

class NDArray {
 public:
  NDArray() = default;
  explicit NDArray(Ref<NDArrayObj> obj) : obj_(std::move(obj)) {}

  // A new compact array; raises kiln::Error for a negative dimension.
  static NDArray Empty(const std::vector<int64_t>& shape, DataType dtype, Device device);
  // Takes ownership of a DLPack tensor without copying; checks that Kiln
  // supports its dtype and device.
  static NDArray FromDLPack(DLManagedTensor* tensor);
  static NDArray FromDLPack(DLManagedTensorVersioned* tensor);
  // A DLPack tensor that keeps this array alive until its deleter runs.
  DLManagedTensor* ToDLPack() const;
  DLManagedTensorVersioned* ToDLPackVersioned() const;

  // A view of the same memory with another shape and dtype, starting
  // byte_offset bytes further; must fit inside a compact array.
  NDArray CreateView(const std::vector<int64_t>& shape, DataType dtype, int64_t byte_offset = 0) const;
  NDArray CopyTo(Device device) const;
  // Copies the elements of `src` (same shape and dtype; any strides on CPU).
  void CopyFrom(const NDArray& src) const;
  void CopyFromBytes(const void* data, size_t nbytes) const;
  void CopyToBytes(void* data, size_t nbytes) const;

  const std::vector<int64_t>& shape() const { return obj_->shape; }
  int ndim() const { return static_cast<int>(obj_->shape.size()); }
  DataType dtype() const { return DataType(obj_->tensor.dtype); }
  Device device() const { return {obj_->tensor.device.device_type, obj_->tensor.device.device_id}; }
  int64_t byte_offset() const { return static_cast<int64_t>(obj_->tensor.byte_offset); }
  // Strides in elements (computed when compact).
  std::vector<int64_t> strides() const;
  int64_t numel() const;
  size_t nbytes() const;
  bool IsContiguous() const;
  // The address of the first element (data + byte_offset).
  void* data() const { return static_cast<char*>(obj_->tensor.data) + obj_->tensor.byte_offset; }
  DLTensor* dl() const { return &obj_->tensor; }

  bool defined() const { return static_cast<bool>(obj_); }
  const Ref<NDArrayObj>& obj() const { return obj_; }

 private:
  Ref<NDArrayObj> obj_;
};

using NamedArrays = std::vector<std::pair<std::string, NDArray>>;

// Writes CPU arrays (copied to the CPU first if needed) to one file.
void SaveArrays(const std::string& path, const NamedArrays& arrays);
// Reads a file written by SaveArrays; raises kiln::Error naming the file and
// what is wrong when it is missing, truncated or corrupt.
NamedArrays LoadArrays(const std::string& path);

std::string ShapeString(const std::vector<int64_t>& shape);

}  // namespace kiln::runtime
