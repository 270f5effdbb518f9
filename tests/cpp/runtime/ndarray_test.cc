// NDArray: allocation, views, copies, strides and DLPack exchange.
#include <gtest/gtest.h>

#include <cstdint>
#include <numeric>

#include "kiln/runtime/runtime.h"

namespace kiln::runtime {
namespace {

NDArray Iota(std::vector<int64_t> shape) {
  NDArray a = NDArray::Empty(shape, DataType::Float(32), Device::CPU());
  float* p = static_cast<float*>(a.data());
  std::iota(p, p + a.numel(), 0.0f);
  return a;
}

TEST(NDArray, EmptyIsAlignedAndCompact) {
  NDArray a = NDArray::Empty({3, 5}, DataType::Float(32), Device::CPU());
  EXPECT_EQ(reinterpret_cast<uintptr_t>(a.data()) % 64, 0u);
  EXPECT_EQ(a.shape(), (std::vector<int64_t>{3, 5}));
  EXPECT_EQ(a.strides(), (std::vector<int64_t>{5, 1}));
  EXPECT_EQ(a.nbytes(), 60u);
  EXPECT_TRUE(a.IsContiguous());
  EXPECT_EQ(a.dl()->strides, nullptr);
}

TEST(NDArray, NegativeDimensionIsAnError) {
  try {
    NDArray::Empty({2, -1}, DataType::Float(32), Device::CPU());
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("negative dimension -1 at axis 1"), std::string::npos) << e.what();
  }
}

TEST(NDArray, ViewSharesMemory) {
  NDArray a = Iota({4, 4});
  NDArray v = a.CreateView({2, 4}, DataType::Float(32), 8 * sizeof(float));
  EXPECT_EQ(static_cast<float*>(v.data())[0], 8.0f);
  static_cast<float*>(v.data())[1] = -1.0f;
  EXPECT_EQ(static_cast<float*>(a.data())[9], -1.0f);
  NDArray bytes = a.CreateView({64}, DataType::UInt(8));
  EXPECT_EQ(bytes.numel(), 64);
  EXPECT_THROW(a.CreateView({5, 4}, DataType::Float(32)), Error);
  EXPECT_THROW(a.CreateView({4}, DataType::Float(32), 60), Error);
}

TEST(NDArray, ViewKeepsBaseAlive) {
  NDArray v;
  {
    NDArray a = Iota({8});
    v = a.CreateView({4}, DataType::Float(32), 16);
  }
  EXPECT_EQ(static_cast<float*>(v.data())[3], 7.0f);
}

TEST(NDArray, CopyToAndFrom) {
  NDArray a = Iota({2, 3});
  NDArray b = a.CopyTo(Device::CPU());
  EXPECT_NE(a.data(), b.data());
  EXPECT_EQ(static_cast<float*>(b.data())[5], 5.0f);
  std::vector<float> out(6);
  b.CopyToBytes(out.data(), 24);
  EXPECT_EQ(out[4], 4.0f);
  EXPECT_THROW(b.CopyToBytes(out.data(), 20), Error);
  NDArray c = NDArray::Empty({3, 2}, DataType::Float(32), Device::CPU());
  EXPECT_THROW(c.CopyFrom(a), Error);
}

// A transposed DLPack tensor (strides 1, 3) copies into a compact one.
TEST(NDArray, StridedCopyFromDLPack) {
  NDArray base = Iota({2, 3});
  DLManagedTensor* m = base.ToDLPack();
  static int64_t shape[2] = {3, 2};
  static int64_t strides[2] = {1, 3};
  m->dl_tensor.shape = shape;
  m->dl_tensor.strides = strides;
  NDArray t = NDArray::FromDLPack(m);
  EXPECT_FALSE(t.IsContiguous());
  NDArray c = NDArray::Empty({3, 2}, DataType::Float(32), Device::CPU());
  c.CopyFrom(t);
  const float* p = static_cast<const float*>(c.data());
  EXPECT_EQ((std::vector<float>(p, p + 6)), (std::vector<float>{0, 3, 1, 4, 2, 5}));
  EXPECT_THROW(t.CreateView({6}, DataType::Float(32)), Error);
}

TEST(NDArray, DLPackRoundTripIsZeroCopy) {
  NDArray a = Iota({4});
  int before = a.obj()->use_count();
  DLManagedTensor* m = a.ToDLPack();
  EXPECT_EQ(a.obj()->use_count(), before + 1);
  EXPECT_EQ(m->dl_tensor.data, a.dl()->data);
  {
    NDArray b = NDArray::FromDLPack(m);
    EXPECT_EQ(b.data(), a.data());
    static_cast<float*>(b.data())[2] = 42.0f;
    EXPECT_EQ(static_cast<float*>(a.data())[2], 42.0f);
  }
  EXPECT_EQ(a.obj()->use_count(), before);  // the deleter ran
}

TEST(NDArray, DLPackFromUnsupportedDevice) {
  static int64_t shape[1] = {4};
  static float data[4];
  static bool deleted;
  deleted = false;
  auto* m = new DLManagedTensor{};
  m->dl_tensor = DLTensor{data, DLDevice{kDLVulkan, 0}, 1, DLDataType{kDLFloat, 32, 1}, shape, nullptr, 0};
  m->deleter = [](DLManagedTensor* self) {
    deleted = true;
    delete self;
  };
  try {
    NDArray::FromDLPack(m);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("unsupported device vulkan"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(deleted);  // ownership was taken even on error
}

TEST(NDArray, CudaWithoutDriverIsAnError) {
  // Kiln's runtime has no CUDA device API yet: allocation must fail cleanly.
  EXPECT_THROW(NDArray::Empty({4}, DataType::Float(32), Device::CUDA(0)), Error);
}

TEST(WorkspacePool, ReusesFreedBlocks) {
  void* a = WorkspacePool::Alloc(Device::CPU(), 1000);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(a) % 64, 0u);
  size_t cached = WorkspacePool::CachedBytes();
  WorkspacePool::Free(Device::CPU(), a);
  void* b = WorkspacePool::Alloc(Device::CPU(), 1200);  // same 4 KiB bucket
  EXPECT_EQ(a, b);
  EXPECT_EQ(WorkspacePool::CachedBytes(), cached);
  WorkspacePool::Free(Device::CPU(), b);
  int x;
  EXPECT_THROW(WorkspacePool::Free(Device::CPU(), &x), Error);
}

}  // namespace
}  // namespace kiln::runtime
