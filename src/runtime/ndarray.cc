// NDArray: allocation, views, copies and DLPack exchange.
#include "kiln/runtime/ndarray.h"

#include <algorithm>
#include <cstring>
#include <sstream>

#include "kiln/runtime/error.h"

namespace kiln::runtime {

NDArrayObj::~NDArrayObj() {
  if (owns_data && tensor.data != nullptr) {
    Device dev{tensor.device.device_type, tensor.device.device_id};
    DeviceAPI::Get(dev)->Free(dev, tensor.data);
  }
  if (dlpack_release != nullptr) dlpack_release(dlpack_owner);
}

std::string ShapeString(const std::vector<int64_t>& shape) {
  std::ostringstream os;
  os << "(";
  for (size_t i = 0; i < shape.size(); ++i) os << (i ? ", " : "") << shape[i];
  os << (shape.size() == 1 ? ",)" : ")");
  return os.str();
}

namespace {
int64_t Numel(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

void CheckShape(const std::vector<int64_t>& shape) {
  for (size_t i = 0; i < shape.size(); ++i) {
    KILN_CHECK(shape[i] >= 0) << "negative dimension " << shape[i] << " at axis " << i << " of shape "
                              << ShapeString(shape);
  }
}

// Points the DLTensor's shape and strides at the object's own vectors.
void SyncTensor(NDArrayObj* obj) {
  obj->tensor.ndim = static_cast<int32_t>(obj->shape.size());
  obj->tensor.shape = obj->shape.empty() ? nullptr : obj->shape.data();
  obj->tensor.strides = obj->strides.empty() ? nullptr : obj->strides.data();
}

std::vector<int64_t> CompactStrides(const std::vector<int64_t>& shape) {
  std::vector<int64_t> s(shape.size());
  int64_t acc = 1;
  for (size_t i = shape.size(); i-- > 0;) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

// Copies a strided CPU array into another, innermost axis by element.
void StridedCopy(const char* src, const int64_t* src_strides, char* dst, const int64_t* dst_strides,
                 const int64_t* shape, int ndim, int64_t elem) {
  if (ndim == 0) {
    std::memcpy(dst, src, elem);
    return;
  }
  if (ndim == 1 && src_strides[0] == 1 && dst_strides[0] == 1) {
    std::memcpy(dst, src, shape[0] * elem);
    return;
  }
  for (int64_t i = 0; i < shape[0]; ++i) {
    StridedCopy(src + i * src_strides[0] * elem, src_strides + 1, dst + i * dst_strides[0] * elem, dst_strides + 1,
                shape + 1, ndim - 1, elem);
  }
}
}  // namespace

NDArray NDArray::Empty(const std::vector<int64_t>& shape, DataType dtype, Device device) {
  CheckShape(shape);
  KILN_CHECK(!dtype.is_void()) << "cannot allocate an array of dtype void";
  auto obj = MakeObject<NDArrayObj>();
  obj->shape = shape;
  obj->tensor.dtype = dtype.dl();
  obj->tensor.device = device.dl();
  size_t nbytes = static_cast<size_t>(Numel(shape) * dtype.bytes());
  obj->tensor.data = DeviceAPI::Get(device)->Alloc(device, nbytes, kAllocAlignment);
  obj->owns_data = true;
  SyncTensor(obj.get());
  return NDArray(obj);
}

namespace {
// Wraps a DLTensor whose memory `obj` already owns through dlpack_release.
NDArray AdoptDLTensor(Ref<NDArrayObj> obj, const DLTensor& t) {
  Device dev{t.device.device_type, t.device.device_id};
  KILN_CHECK(dev.device_type == kDLCPU || dev.device_type == kDLCUDA || dev.device_type == kDLCUDAHost)
      << "DLPack tensor on unsupported device " << DeviceTypeName(dev.device_type) << " (type "
      << static_cast<int>(dev.device_type) << "); Kiln supports cpu and cuda";
  KILN_CHECK(t.ndim >= 0) << "DLPack tensor has negative ndim " << t.ndim;
  DataType dtype(t.dtype);  // checks support
  obj->tensor = t;
  obj->tensor.dtype = dtype.dl();
  obj->shape.assign(t.shape, t.shape + t.ndim);
  CheckShape(obj->shape);
  if (t.strides != nullptr) {
    obj->strides.assign(t.strides, t.strides + t.ndim);
    // An empty array has no element to address: any strides describe it
    // (NumPy gives zeros), so it counts as compact.
    bool empty = std::find(obj->shape.begin(), obj->shape.end(), 0) != obj->shape.end();
    if (empty || obj->strides == CompactStrides(obj->shape)) obj->strides.clear();
  }
  SyncTensor(obj.get());
  return NDArray(obj);
}

template <typename Managed>
void ReleaseManaged(void* owner) {
  auto* m = static_cast<Managed*>(owner);
  if (m->deleter != nullptr) m->deleter(m);
}
}  // namespace

NDArray NDArray::FromDLPack(DLManagedTensor* managed) {
  KILN_CHECK(managed != nullptr) << "DLPack tensor is null";
  auto obj = MakeObject<NDArrayObj>();
  obj->dlpack_owner = managed;  // from here on obj releases it, also on error
  obj->dlpack_release = ReleaseManaged<DLManagedTensor>;
  return AdoptDLTensor(obj, managed->dl_tensor);
}

NDArray NDArray::FromDLPack(DLManagedTensorVersioned* managed) {
  KILN_CHECK(managed != nullptr) << "DLPack tensor is null";
  auto obj = MakeObject<NDArrayObj>();
  obj->dlpack_owner = managed;
  obj->dlpack_release = ReleaseManaged<DLManagedTensorVersioned>;
  KILN_CHECK(managed->version.major == DLPACK_MAJOR_VERSION)
      << "DLPack tensor of version " << managed->version.major << "." << managed->version.minor
      << "; Kiln reads major version " << DLPACK_MAJOR_VERSION;
  return AdoptDLTensor(obj, managed->dl_tensor);
}

namespace {
template <typename Managed>
void DeleteExported(Managed* self) {
  delete static_cast<NDArray*>(self->manager_ctx);
  delete self;
}
}  // namespace

DLManagedTensor* NDArray::ToDLPack() const {
  auto* managed = new DLManagedTensor();
  managed->dl_tensor = obj_->tensor;
  managed->manager_ctx = new NDArray(*this);
  managed->deleter = DeleteExported<DLManagedTensor>;
  return managed;
}

DLManagedTensorVersioned* NDArray::ToDLPackVersioned() const {
  auto* managed = new DLManagedTensorVersioned();
  managed->version = {DLPACK_MAJOR_VERSION, DLPACK_MINOR_VERSION};
  managed->dl_tensor = obj_->tensor;
  managed->manager_ctx = new NDArray(*this);
  managed->deleter = DeleteExported<DLManagedTensorVersioned>;
  managed->flags = 0;
  return managed;
}

std::vector<int64_t> NDArray::strides() const {
  return obj_->strides.empty() ? CompactStrides(obj_->shape) : obj_->strides;
}

int64_t NDArray::numel() const {
  return Numel(obj_->shape);
}

size_t NDArray::nbytes() const {
  return static_cast<size_t>(numel() * dtype().bytes());
}

bool NDArray::IsContiguous() const {
  if (obj_->strides.empty()) return true;
  std::vector<int64_t> compact = CompactStrides(obj_->shape);
  for (size_t i = 0; i < compact.size(); ++i) {
    if (obj_->shape[i] != 1 && obj_->strides[i] != compact[i]) return false;
  }
  return true;
}

NDArray NDArray::CreateView(const std::vector<int64_t>& shape, DataType dtype, int64_t byte_offset) const {
  CheckShape(shape);
  KILN_CHECK(IsContiguous()) << "a view needs a compact array; this one has strides " << ShapeString(strides());
  int64_t need = Numel(shape) * dtype.bytes();
  KILN_CHECK(byte_offset >= 0 && byte_offset + need <= static_cast<int64_t>(nbytes()))
      << "view of shape " << ShapeString(shape) << " and dtype " << dtype << " at byte offset " << byte_offset
      << " needs " << need << " bytes but the array " << ShapeString(this->shape()) << " " << this->dtype() << " has "
      << nbytes();
  auto obj = MakeObject<NDArrayObj>();
  obj->tensor = obj_->tensor;
  obj->tensor.dtype = dtype.dl();
  obj->tensor.byte_offset += byte_offset;
  obj->shape = shape;
  obj->base = ObjectRef(obj_);
  SyncTensor(obj.get());
  return NDArray(obj);
}

NDArray NDArray::CopyTo(Device device) const {
  NDArray out = Empty(shape(), dtype(), device);
  out.CopyFrom(*this);
  return out;
}

void NDArray::CopyFrom(const NDArray& src) const {
  KILN_CHECK(src.shape() == shape() && src.dtype() == dtype())
      << "copy between arrays of different shapes or dtypes: " << ShapeString(src.shape()) << " " << src.dtype()
      << " into " << ShapeString(shape()) << " " << dtype();
  bool cpu_both = src.device().device_type != kDLCUDA && device().device_type != kDLCUDA;
  if (src.IsContiguous() && IsContiguous()) {
    Device api_dev = device().device_type == kDLCPU ? src.device() : device();
    DeviceAPI::Get(api_dev)->CopyBytes(src.data(), src.device(), data(), device(), nbytes());
    return;
  }
  KILN_CHECK(cpu_both) << "copy of a strided array between " << src.device() << " and " << device()
                       << " is not supported; make it compact first";
  std::vector<int64_t> ss = src.strides(), ds = strides();
  StridedCopy(static_cast<const char*>(src.data()), ss.data(), static_cast<char*>(data()), ds.data(), shape().data(),
              ndim(), dtype().bytes());
}

void NDArray::CopyFromBytes(const void* bytes, size_t n) const {
  KILN_CHECK(n == nbytes()) << "copy of " << n << " bytes into an array of " << nbytes() << " bytes";
  KILN_CHECK(IsContiguous()) << "copy of raw bytes into a strided array";
  DeviceAPI::Get(device())->CopyBytes(bytes, Device::CPU(), data(), device(), n);
}

void NDArray::CopyToBytes(void* bytes, size_t n) const {
  KILN_CHECK(n == nbytes()) << "copy of an array of " << nbytes() << " bytes into " << n << " bytes";
  KILN_CHECK(IsContiguous()) << "copy of a strided array into raw bytes";
  DeviceAPI::Get(device())->CopyBytes(data(), device(), bytes, Device::CPU(), n);
}

}  // namespace kiln::runtime
