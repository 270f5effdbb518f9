// The VM's builtins called directly through the registry: the shape heap
// (match, range checks, make, compute, load), storage and planned tensors (and the pool
// that reuses their memory), reshape, tuples, and the struct info checks
// with their messages.
#include "common/test_util.h"
#include "kiln/runtime/runtime.h"
#include "kiln/runtime/vm/builtins.h"
#include "kiln/runtime/vm/storage.h"

namespace kiln::runtime::vm {
namespace {

Function Builtin(const std::string& name) {
  return Registry::Get("vm.builtin." + name);
}

int64_t* Slots(const NDArray& heap) {
  return static_cast<int64_t*>(heap.data());
}

TEST(VMBuiltins, CheckDimRangeNamesTheVariable) {
  NDArray heap = Builtin("alloc_shape_heap")(2).Cast<NDArray>();
  Slots(heap)[1] = 9;
  Function check = Builtin("check_dim_range");
  check(heap, int64_t{1}, int64_t{1}, int64_t{9}, "main: x: symbolic dimension 'batch'");
  EXPECT_KILN_ERROR(check(heap, int64_t{1}, int64_t{1}, int64_t{8}, "main: x: symbolic dimension 'batch'"),
                    "main: x: symbolic dimension 'batch' is 9, above its declared upper bound 8");
  EXPECT_KILN_ERROR(check(heap, int64_t{1}, int64_t{10}, int64_t{64}, "main: x: symbolic dimension 'batch'"),
                    "main: x: symbolic dimension 'batch' is 9, below its declared lower bound 10");
  EXPECT_KILN_ERROR(check(heap, int64_t{5}, int64_t{0}, int64_t{1}, "ctx"),
                    "vm.builtin.check_dim_range: heap slot 5 out of range (the heap has 2)");
}

TEST(VMBuiltins, MatchShapeStoresAndChecks) {
  NDArray heap = Builtin("alloc_shape_heap")(4).Cast<NDArray>();
  NDArray x = NDArray::Empty({3, 784}, DataType::Float(32), Device::CPU());
  Function match = Builtin("match_shape");
  match(x, heap, ShapePattern().Store(0).Const(784).codes(), "main: x");
  EXPECT_EQ(Slots(heap)[0], 3);
  match(std::vector<int64_t>{3, 9}, heap, ShapePattern().Load(0).Any().codes(), "main: s");
  match(int64_t{3}, heap, ShapePattern().Load(0).codes(), "main: k");
  EXPECT_KILN_ERROR(match(x, heap, ShapePattern().Store(0).Const(10).codes(), "main: match_cast of y"),
                    "main: match_cast of y: got Tensor((3, 784), float32): dimension 1 is 784, expected 10");
  EXPECT_KILN_ERROR(match(x, heap, ShapePattern().Load(1).Any().codes(), "ctx"),
                    "ctx: got Tensor((3, 784), float32): dimension 0 is 3, expected 0");
  EXPECT_KILN_ERROR(match(x, heap, ShapePattern().Any().codes(), "ctx"),
                    "ctx: got Tensor((3, 784), float32): rank 2, expected 1");
  EXPECT_KILN_ERROR(match(int64_t{5}, heap, ShapePattern().Load(0).codes(), "ctx"),
                    "ctx: got int 5: value is 5, expected 3");
  EXPECT_KILN_ERROR(match(x, heap, ShapePattern().Store(9).Any().codes(), "ctx"),
                    "vm.builtin.match_shape: heap slot 9 out of range (the heap has 4)");
  EXPECT_KILN_ERROR(match(x, heap, std::vector<int64_t>{7, 0, 0, 0}, "ctx"),
                    "vm.builtin.match_shape: unknown pattern op 7");
  EXPECT_KILN_ERROR(match(x, heap, std::vector<int64_t>{0}, "ctx"), "a pattern holds (op, value) pairs");
  EXPECT_KILN_ERROR(match(x, x, ShapePattern().codes(), "ctx"),
                    "function 'vm.builtin.match_shape', argument 1: expected a shape heap (a 1-D int64 CPU NDArray), "
                    "got NDArray");
  EXPECT_KILN_ERROR(match(1.5, heap, ShapePattern().Any().codes(), "ctx"),
                    "ctx: expected a tensor, a shape or an int, got float 1.5");
}

TEST(VMBuiltins, ShapeArithmeticAndMakeShape) {
  NDArray heap = Builtin("alloc_shape_heap")(5).Cast<NDArray>();
  Slots(heap)[0] = 7;
  Slots(heap)[1] = -7;
  // slot2 = (n + 1) // 2 * 3;  slot3 = floormod(-7, 2) max 0 min 5;  slot4 = -7 // 2
  ShapeProgram p;
  p.PushSlot(0).PushConst(1).Op(HeapOp::kAdd).PushConst(2).Op(HeapOp::kFloorDiv).PushConst(3).Op(HeapOp::kMul).Store(2);
  p.PushSlot(1).PushConst(2).Op(HeapOp::kFloorMod).PushConst(0).Op(HeapOp::kMax).PushConst(5).Op(HeapOp::kMin).Store(3);
  p.PushSlot(1).PushConst(2).Op(HeapOp::kFloorDiv).Store(4);
  Builtin("shape_compute")(heap, p.codes());
  EXPECT_EQ(Slots(heap)[2], 12);
  EXPECT_EQ(Slots(heap)[3], 1);
  EXPECT_EQ(Slots(heap)[4], -4);
  EXPECT_EQ(Builtin("heap_load")(heap, 2).Cast<int64_t>(), 12);
  EXPECT_EQ(Builtin("make_shape")(heap, ShapePattern().Load(0).Const(16).Load(2).codes()).Cast<std::vector<int64_t>>(),
            (std::vector<int64_t>{7, 16, 12}));
  EXPECT_KILN_ERROR(Builtin("make_shape")(heap, ShapePattern().Store(0).codes()),
                    "pattern op 2 at dimension 0 (only kConst and kLoad make a shape)");
  EXPECT_KILN_ERROR(
      Builtin("shape_compute")(heap, ShapeProgram().PushConst(1).PushConst(0).Op(HeapOp::kFloorDiv).codes()),
      "vm.builtin.shape_compute: division by zero");
  EXPECT_KILN_ERROR(Builtin("shape_compute")(heap, ShapeProgram().PushConst(1).Op(HeapOp::kAdd).codes()),
                    "needs two values on the stack");
  EXPECT_KILN_ERROR(Builtin("shape_compute")(heap, ShapeProgram().Store(0).codes()), "store with an empty stack");
  EXPECT_KILN_ERROR(Builtin("heap_load")(heap, 5), "vm.builtin.heap_load: heap slot 5 out of range (the heap has 5)");
}

TEST(VMBuiltins, StorageAndPlannedTensors) {
  ReleaseCachedStorage();
  Storage s = Builtin("alloc_storage")(1000, Device::CPU(), 128).Cast<Storage>();
  EXPECT_EQ(s->size, 1000u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(s->data) % 128, 0u);
  Function alloc = Builtin("alloc_tensor");
  NDArray a = alloc(s, 0, std::vector<int64_t>{10, 10}, DataType::Float(32)).Cast<NDArray>();
  NDArray b = alloc(s, 512, std::vector<int64_t>{4}, DataType::Float(64)).Cast<NDArray>();
  EXPECT_EQ(a.data(), s->data);
  EXPECT_EQ(static_cast<char*>(b.data()) - static_cast<char*>(s->data), 512);
  EXPECT_EQ(a.shape(), (std::vector<int64_t>{10, 10}));
  EXPECT_KILN_ERROR(alloc(s, 900, std::vector<int64_t>{100}, DataType::Float(32)),
                    "vm.builtin.alloc_tensor: a (100,) float32 tensor (400 bytes) at offset 900 does not fit in a "
                    "storage of 1000 bytes");
  void* block = s->data;
  s = Storage();
  EXPECT_EQ(CachedStorageBytes(), 0u);  // the tensors keep the storage alive
  a = NDArray();
  b = NDArray();
  EXPECT_GE(CachedStorageBytes(), 1000u);
  // The freed block serves the next request of the same alignment that it fits.
  Storage again = Builtin("alloc_storage")(900, Device::CPU(), 128).Cast<Storage>();
  EXPECT_EQ(again->data, block);
  Storage other = Builtin("alloc_storage")(900, Device::CPU(), 128).Cast<Storage>();
  EXPECT_NE(other->data, block);
  EXPECT_KILN_ERROR(Builtin("alloc_storage")(-1, Device::CPU(), 64), "size must not be negative");
  EXPECT_KILN_ERROR(Builtin("alloc_storage")(8, Device::CPU(), 48), "alignment must be a power of two, got 48");
  again = Storage();
  other = Storage();
  ReleaseCachedStorage();
  EXPECT_EQ(CachedStorageBytes(), 0u);
}

TEST(VMBuiltins, TensorsShapesAndTuples) {
  NDArray t =
      Builtin("alloc_tensor_simple")(std::vector<int64_t>{2, 6}, DataType::Int(32), Device::CPU()).Cast<NDArray>();
  EXPECT_EQ(t.dtype(), DataType::Int(32));
  EXPECT_EQ(Builtin("shape_of")(t).Cast<std::vector<int64_t>>(), (std::vector<int64_t>{2, 6}));
  NDArray r = Builtin("reshape")(t, std::vector<int64_t>{3, 4}).Cast<NDArray>();
  EXPECT_EQ(r.shape(), (std::vector<int64_t>{3, 4}));
  EXPECT_EQ(r.data(), t.data());
  EXPECT_KILN_ERROR(Builtin("reshape")(t, std::vector<int64_t>{5}),
                    "vm.builtin.reshape: cannot reshape Tensor((2, 6), int32) to (5,) (12 elements, not 5)");
  EXPECT_EQ(Builtin("to_device")(t, Device::CPU()).Cast<NDArray>().obj(), t.obj());
  Any tuple = Builtin("make_tuple")(t, 3, "s");
  EXPECT_EQ(Builtin("tuple_get_item")(tuple, 1).Cast<int64_t>(), 3);
  EXPECT_KILN_ERROR(Builtin("tuple_get_item")(tuple, 3), "index 3 out of range for a tuple of 3");
  EXPECT_KILN_ERROR(Builtin("tuple_get_item")(t, 0),
                    "function 'vm.builtin.tuple_get_item', argument 0: expected list, got NDArray");
  EXPECT_TRUE(Builtin("null_value")().is_none());
  EXPECT_EQ(Builtin("copy")(7).Cast<int64_t>(), 7);
  EXPECT_EQ(Builtin("invoke")(Registry::Get("vm.builtin.copy"), 5).Cast<int64_t>(), 5);
}

TEST(VMBuiltins, StructInfoChecks) {
  NDArray t = NDArray::Empty({3}, DataType::Float(32), Device::CPU());
  Function tensor = Builtin("check_tensor_info");
  tensor(t, 1, DataType::Float(32), "ctx");
  tensor(t, 1, Any(), "ctx");
  EXPECT_KILN_ERROR(tensor(t, 2, DataType::Float(32), "main: match_cast of y"),
                    "main: match_cast of y: expected Tensor(float32, ndim=2), got Tensor((3,), float32)");
  EXPECT_KILN_ERROR(tensor(t, -1, DataType::Int(8), "ctx"), "ctx: expected Tensor(int8), got Tensor((3,), float32)");
  EXPECT_KILN_ERROR(tensor(5, -1, Any(), "ctx"), "ctx: expected Tensor, got int 5");
  Builtin("check_shape_info")(std::vector<int64_t>{1, 2}, 2, "ctx");
  EXPECT_KILN_ERROR(Builtin("check_shape_info")(std::vector<int64_t>{1, 2}, 3, "ctx"),
                    "ctx: expected Shape(ndim=3), got Shape((1, 2))");
  Builtin("check_prim_info")(2, DataType::Int(64), "ctx");
  Builtin("check_prim_info")(2, DataType::Float(32), "ctx");
  EXPECT_KILN_ERROR(Builtin("check_prim_info")(0.5, DataType::Int(64), "ctx"),
                    "ctx: expected Prim(int64), got float 0.5");
  Builtin("check_tuple_info")(std::vector<Any>{1, 2}, 2, "ctx");
  EXPECT_KILN_ERROR(Builtin("check_tuple_info")(std::vector<Any>{1, 2}, 3, "ctx"),
                    "ctx: expected a tuple of 3, got Tuple(int 1, int 2)");
  EXPECT_KILN_ERROR(Builtin("check_tuple_info")(t, 3, "ctx"), "ctx: expected a tuple, got Tensor((3,), float32)");
}

}  // namespace
}  // namespace kiln::runtime::vm
