// The VM's shape builtins: the shape heap (match_shape, make_shape,
// heap_load, shape_compute) and the struct info checks a match_cast needs.
// Encodings of patterns and programs are in kiln/runtime/vm/builtins.h.
#include <algorithm>

#include "builtins_util.h"
#include "kiln/runtime/vm/builtins.h"
#include "kiln/runtime/vm/param_info.h"
#include "param_check.h"

namespace kiln::runtime::vm {
namespace {

struct Heap {
  int64_t* data;
  int64_t size;
  int64_t& at(int64_t slot, const char* builtin) const {
    KILN_CHECK(slot >= 0 && slot < size) << builtin << ": heap slot " << slot << " out of range (the heap has " << size
                                         << ")";
    return data[slot];
  }
};

Heap HeapArg(const Any& a, const char* builtin, int index) {
  NDArrayObj* t = a.kind() == Any::Kind::kObject && a.AsObject()->IsInstance<NDArrayObj>()
                      ? static_cast<NDArrayObj*>(a.AsObject().get())
                      : nullptr;
  if (t == nullptr || t->tensor.ndim != 1 || DataType(t->tensor.dtype) != DataType::Int(64) ||
      t->tensor.device.device_type != kDLCPU || !t->strides.empty()) {
    ThrowArg(builtin, index, "a shape heap (a 1-D int64 CPU NDArray)", a);
  }
  return {reinterpret_cast<int64_t*>(static_cast<char*>(t->tensor.data) + t->tensor.byte_offset), t->shape[0]};
}

void CheckPattern(const std::vector<int64_t>& pattern, const char* builtin) {
  KILN_CHECK(pattern.size() % 2 == 0) << builtin << ": a pattern holds (op, value) pairs, got " << pattern.size()
                                      << " numbers";
}

void MatchShape(const Any* args, int n, Any*) {
  const char* kName = "vm.builtin.match_shape";
  CheckArity(kName, 4, n);
  const Any& value = args[0];
  Heap heap = HeapArg(args[1], kName, 1);
  const std::vector<int64_t>& pattern = ShapeArg(args[2], kName, 2);
  CheckPattern(pattern, kName);
  const std::string& context = StrArg(args[3], kName, 3);
  const int64_t* dims = nullptr;
  int64_t ndim = 0, scalar = 0;
  const Object* obj = value.kind() == Any::Kind::kObject ? value.AsObject().get() : nullptr;
  if (obj != nullptr && obj->IsInstance<NDArrayObj>()) {
    const DLTensor& t = static_cast<const NDArrayObj*>(obj)->tensor;
    dims = t.shape;
    ndim = t.ndim;
  } else if (obj != nullptr && obj->IsInstance<ShapeObj>()) {
    const std::vector<int64_t>& d = static_cast<const ShapeObj*>(obj)->dims;
    dims = d.data();
    ndim = static_cast<int64_t>(d.size());
  } else if (value.kind() == Any::Kind::kInt) {
    scalar = value.AsInt();
    dims = &scalar;
    ndim = 1;
  } else {
    KILN_THROW() << context << ": expected a tensor, a shape or an int, got " << DescribeValue(value);
  }
  int64_t want = static_cast<int64_t>(pattern.size()) / 2;
  KILN_CHECK(ndim == want) << context << ": got " << DescribeValue(value) << ": rank " << ndim << ", expected " << want;
  for (int64_t i = 0; i < ndim; ++i) {
    int64_t op = pattern[2 * i], v = pattern[2 * i + 1];
    int64_t expect = 0;
    switch (static_cast<DimOp>(op)) {
      case DimOp::kAny: continue;
      case DimOp::kStore: heap.at(v, kName) = dims[i]; continue;
      case DimOp::kConst: expect = v; break;
      case DimOp::kLoad: expect = heap.at(v, kName); break;
      default: KILN_THROW() << kName << ": unknown pattern op " << op;
    }
    if (dims[i] != expect) {
      KILN_THROW() << context << ": got " << DescribeValue(value) << ": "
                   << (value.kind() == Any::Kind::kInt ? std::string("value") : "dimension " + std::to_string(i))
                   << " is " << dims[i] << ", expected " << expect;
    }
  }
}

// A symbolic dimension bound from an argument against its declared range
// (the function's tir_var_lower_bound / tir_var_upper_bound).
void CheckDimRange(const Any* args, int n, Any*) {
  const char* kName = "vm.builtin.check_dim_range";
  CheckArity(kName, 5, n);
  Heap heap = HeapArg(args[0], kName, 0);
  int64_t value = heap.at(IntArg(args[1], kName, 1), kName);
  int64_t lower = IntArg(args[2], kName, 2), upper = IntArg(args[3], kName, 3);
  const std::string& what = StrArg(args[4], kName, 4);
  KILN_CHECK(value <= upper) << what << " is " << value << ", above its declared upper bound " << upper
                             << " (tir_var_upper_bound: the range it was compiled for)";
  KILN_CHECK(value >= lower) << what << " is " << value << ", below its declared lower bound " << lower
                             << " (tir_var_lower_bound: the range it was compiled for)";
}

std::vector<int64_t> MakeShape(Any heap_arg, std::vector<int64_t> pattern) {
  const char* kName = "vm.builtin.make_shape";
  Heap heap = HeapArg(heap_arg, kName, 0);
  CheckPattern(pattern, kName);
  std::vector<int64_t> dims(pattern.size() / 2);
  for (size_t i = 0; i < dims.size(); ++i) {
    int64_t op = pattern[2 * i], v = pattern[2 * i + 1];
    if (op == static_cast<int64_t>(DimOp::kConst)) {
      dims[i] = v;
    } else if (op == static_cast<int64_t>(DimOp::kLoad)) {
      dims[i] = heap.at(v, kName);
    } else {
      KILN_THROW() << kName << ": pattern op " << op << " at dimension " << i
                   << " (only kConst and kLoad make a shape)";
    }
  }
  return dims;
}

int64_t FloorDiv(int64_t a, int64_t b) {
  KILN_CHECK(b != 0) << "vm.builtin.shape_compute: division by zero";
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

void ShapeCompute(const Any* args, int n, Any*) {
  const char* kName = "vm.builtin.shape_compute";
  CheckArity(kName, 2, n);
  Heap heap = HeapArg(args[0], kName, 0);
  const std::vector<int64_t>& program = ShapeArg(args[1], kName, 1);
  CheckPattern(program, kName);
  constexpr int kStack = 64;
  int64_t stack[kStack];
  int top = 0;
  for (size_t i = 0; i < program.size(); i += 2) {
    int64_t op = program[i], v = program[i + 1];
    auto op_ = static_cast<HeapOp>(op);
    if (op_ == HeapOp::kPushConst || op_ == HeapOp::kPushSlot) {
      KILN_CHECK(top < kStack) << kName << ": stack overflow (more than " << kStack << " values)";
      stack[top++] = op_ == HeapOp::kPushConst ? v : heap.at(v, kName);
      continue;
    }
    if (op_ == HeapOp::kStore) {
      KILN_CHECK(top >= 1) << kName << ": store with an empty stack";
      heap.at(v, kName) = stack[--top];
      continue;
    }
    KILN_CHECK(top >= 2) << kName << ": op " << op << " needs two values on the stack";
    int64_t b = stack[--top], a = stack[top - 1], r = 0;
    switch (op_) {
      case HeapOp::kAdd: r = a + b; break;
      case HeapOp::kSub: r = a - b; break;
      case HeapOp::kMul: r = a * b; break;
      case HeapOp::kFloorDiv: r = FloorDiv(a, b); break;
      case HeapOp::kFloorMod: r = a - FloorDiv(a, b) * b; break;
      case HeapOp::kMin: r = std::min(a, b); break;
      case HeapOp::kMax: r = std::max(a, b); break;
      default: KILN_THROW() << kName << ": unknown op " << op;
    }
    stack[top - 1] = r;
  }
}

// "ctx: expected Tensor(float32, ndim=2), got Tensor((3,), float32)".
[[noreturn]] void InfoMismatch(const std::string& context, const ParamInfo& expected, const Any& value) {
  KILN_THROW() << context << ": expected " << expected.str() << ", got " << DescribeValue(value);
}

void CheckTensorInfo(const Any* args, int n, Any*) {
  const char* kName = "vm.builtin.check_tensor_info";
  CheckArity(kName, 4, n);
  int64_t ndim = IntArg(args[1], kName, 1);
  DataType dtype = args[2].is_none() ? DataType() : detail::ArgAt<DataType>(kName, args, 2);
  const std::string& context = StrArg(args[3], kName, 3);
  const Any& v = args[0];
  const NDArrayObj* t = v.kind() == Any::Kind::kObject && v.AsObject()->IsInstance<NDArrayObj>()
                            ? static_cast<const NDArrayObj*>(v.AsObject().get())
                            : nullptr;
  if (t == nullptr || (ndim >= 0 && t->tensor.ndim != ndim) ||
      (!dtype.is_void() && DataType(t->tensor.dtype) != dtype)) {
    InfoMismatch(context, ParamInfo::TensorOfRank(static_cast<int>(ndim), dtype), v);
  }
}

void CheckShapeInfo(const Any* args, int n, Any*) {
  const char* kName = "vm.builtin.check_shape_info";
  CheckArity(kName, 3, n);
  int64_t ndim = IntArg(args[1], kName, 1);
  const std::string& context = StrArg(args[2], kName, 2);
  const Any& v = args[0];
  bool ok = v.kind() == Any::Kind::kObject && v.AsObject()->IsInstance<ShapeObj>() &&
            (ndim < 0 || static_cast<int64_t>(static_cast<const ShapeObj*>(v.AsObject().get())->dims.size()) == ndim);
  if (!ok) InfoMismatch(context, ParamInfo::ShapeOfRank(static_cast<int>(ndim)), v);
}

void CheckPrimInfo(const Any* args, int n, Any*) {
  const char* kName = "vm.builtin.check_prim_info";
  CheckArity(kName, 3, n);
  DataType dtype = args[1].is_none() ? DataType() : detail::ArgAt<DataType>(kName, args, 1);
  const std::string& context = StrArg(args[2], kName, 2);
  Any::Kind k = args[0].kind();
  bool exact = dtype.is_int() || dtype.is_uint() || dtype.is_bool();
  bool ok = k == Any::Kind::kInt || k == Any::Kind::kBool || (k == Any::Kind::kFloat && !exact);
  if (!ok) InfoMismatch(context, ParamInfo::Prim(dtype), args[0]);
}

void CheckTupleInfo(const Any* args, int n, Any*) {
  const char* kName = "vm.builtin.check_tuple_info";
  CheckArity(kName, 3, n);
  int64_t size = IntArg(args[1], kName, 1);
  const std::string& context = StrArg(args[2], kName, 2);
  const Any& v = args[0];
  bool is_tuple = v.kind() == Any::Kind::kObject && v.AsObject()->IsInstance<ArrayObj>();
  if (!is_tuple) KILN_THROW() << context << ": expected a tuple, got " << DescribeValue(v);
  int64_t got = static_cast<int64_t>(static_cast<const ArrayObj*>(v.AsObject().get())->items.size());
  KILN_CHECK(size < 0 || got == size) << context << ": expected a tuple of " << size << ", got " << DescribeValue(v);
}

[[maybe_unused]] const bool kRegistered = [] {
  RegisterPacked("vm.builtin.match_shape", MatchShape);
  RegisterPacked("vm.builtin.check_dim_range", CheckDimRange);
  RegisterPacked("vm.builtin.shape_compute", ShapeCompute);
  RegisterPacked("vm.builtin.check_tensor_info", CheckTensorInfo);
  RegisterPacked("vm.builtin.check_shape_info", CheckShapeInfo);
  RegisterPacked("vm.builtin.check_prim_info", CheckPrimInfo);
  RegisterPacked("vm.builtin.check_tuple_info", CheckTupleInfo);
  return true;
}();

KILN_REGISTER_FUNCTION("vm.builtin.alloc_shape_heap", [](int64_t size) {
  KILN_CHECK(size >= 0) << "vm.builtin.alloc_shape_heap: size must not be negative, got " << size;
  NDArray heap = NDArray::Empty({size}, DataType::Int(64), Device::CPU());
  std::fill_n(static_cast<int64_t*>(heap.data()), size, 0);
  return heap;
});
KILN_REGISTER_FUNCTION("vm.builtin.make_shape", MakeShape);
KILN_REGISTER_FUNCTION("vm.builtin.heap_load", [](Any heap, int64_t slot) {
  return HeapArg(heap, "vm.builtin.heap_load", 0).at(slot, "vm.builtin.heap_load");
});

}  // namespace
}  // namespace kiln::runtime::vm
