// Helpers for the codegen tests: modules of hand-written PrimFuncs, arrays
// filled from vectors and read back, and the kernels several tests share.
#pragma once

#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "common/test_util.h"
#include "kiln/codegen/build.h"
#include "kiln/runtime/ndarray.h"
#include "kiln/tir/function.h"

namespace kiln::codegen::testing {

using runtime::DataType;
using runtime::Device;
using runtime::NDArray;
using namespace tir;

inline ir::IRModule ModuleOf(const std::vector<std::pair<std::string, PrimFunc>>& funcs) {
  std::vector<std::pair<ir::GlobalVar, ir::BaseFunc>> items;
  for (const auto& [name, f] : funcs) items.emplace_back(ir::MakeGlobalVar(name), ir::BaseFunc(f));
  return ir::IRModule(items);
}

inline runtime::Module BuildOne(const std::string& name, const PrimFunc& f, const std::string& target = "llvm") {
  return Build(ModuleOf({{name, f}}), target);
}

template <typename T>
DataType DTypeOf() {
  if constexpr (std::is_same_v<T, bool>) return DataType::Bool();
  if constexpr (std::is_floating_point_v<T>) return DataType::Float(8 * sizeof(T));
  if constexpr (std::is_signed_v<T>) return DataType::Int(8 * sizeof(T));
  return DataType::UInt(8 * sizeof(T));
}

template <typename T>
NDArray ArrayOf(const std::vector<T>& values, std::vector<int64_t> shape = {}) {
  if (shape.empty()) shape = {static_cast<int64_t>(values.size())};
  NDArray a = NDArray::Empty(shape, DTypeOf<T>(), Device::CPU());
  if (!values.empty()) std::memcpy(a.data(), values.data(), values.size() * sizeof(T));
  return a;
}

inline size_t NumElements(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return static_cast<size_t>(n);
}

template <typename T>
NDArray Zeros(std::vector<int64_t> shape) {
  NDArray a = NDArray::Empty(shape, DTypeOf<T>(), Device::CPU());
  std::memset(a.data(), 0, NumElements(shape) * sizeof(T));
  return a;
}

// The elements of `a` (bool arrays hold one byte per element).
template <typename T>
std::vector<T> ValuesOf(const NDArray& a) {
  const T* p = static_cast<const T*>(a.data());
  return std::vector<T>(p, p + NumElements(a.shape()));
}

// 0, 1, 2, ... scaled and shifted: easy values to check.
template <typename T>
std::vector<T> Iota(size_t n, double scale = 1, double shift = 0) {
  std::vector<T> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<T>(static_cast<double>(i) * scale + shift);
  return v;
}

// add_one(A: float32[n], B: float32[n]): B[i] = A[i] + 1, n from the shapes.
inline PrimFunc AddOne() {
  Var n = SizeVar("n");
  Buffer a = DeclBuffer("A", {n}), b = DeclBuffer("B", {n});
  Var i("i");
  return MakePrimFunc({a, b}, For(i, 0, n, ForKind::kSerial, BufferStore(b, BufferLoad(a, {i}) + 1.0, {i})));
}

}  // namespace kiln::codegen::testing
