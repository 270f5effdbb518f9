// The VM's builtins: packed functions in the global registry under
// "vm.builtin.*" that bytecode reaches with Call (declare them with
// ExecBuilder::Global). Their signatures, and the encodings of shape
// patterns and shape programs for the shape heap, are below.
//
// Memory
//   alloc_storage(size: int, device: Device, alignment: int) -> Storage
//       A block from the storage pool (storage.h); planned memory places
//       several tensors in one storage.
//   alloc_tensor(storage: Storage, offset: int, shape: Shape, dtype: DataType) -> NDArray
//       A compact tensor at byte `offset` of `storage` (must fit inside it).
//   alloc_tensor_simple(shape: Shape, dtype: DataType, device: Device) -> NDArray
//       A tensor of its own (unplanned allocation).
//   reshape(tensor: NDArray, shape: Shape) -> NDArray      a view, same element count
//   shape_of(tensor: NDArray) -> Shape
//   to_device(tensor: NDArray, device: Device) -> NDArray  a copy (or the tensor when already there)
//
// Shapes. The shape heap is a 1-D int64 CPU NDArray whose slots hold the
// values of a function's symbolic dimensions.
//   alloc_shape_heap(size: int) -> NDArray
//   match_shape(value: NDArray | Shape | int, heap, pattern: Shape, error_context: str) -> None
//       Checks the value's dimensions (an int is one dimension) against the
//       pattern and stores symbolic ones into the heap.
//   make_shape(heap, pattern: Shape) -> Shape      only kConst and kLoad entries
//   heap_load(heap, slot: int) -> int              a symbolic value, e.g. for a kernel's int argument
//   shape_compute(heap, program: Shape) -> None    shape arithmetic into heap slots
//
// Struct info checks inside a function (match_cast); messages start with
// error_context:
//   check_tensor_info(value, ndim: int (-1: any), dtype: DataType | None (any), error_context: str) -> None
//   check_shape_info(value, ndim: int (-1: any), error_context: str) -> None
//   check_prim_info(value, dtype: DataType | None (any), error_context: str) -> None
//   check_tuple_info(value, size: int (-1: any), error_context: str) -> None
//
// Values
//   make_tuple(values...) -> list      a tuple is a runtime list (ArrayObj)
//   tuple_get_item(tuple: list, index: int) -> value
//   copy(value) -> value               the same value (no data copy): a register move
//   null_value() -> None               also drops a register's value early
//   invoke(f: Function, args...) -> value   calls a function value
//
// Kernels need no builtin: Call the kernel's function table entry with its
// inputs followed by its outputs (destination-passing) and kVoidRegister.
#pragma once

#include <cstdint>
#include <vector>

namespace kiln::runtime::vm {

// A shape pattern is a Shape constant of (op, value) pairs, one pair per
// dimension:
//   kAny    value ignored        match: no check
//   kConst  the constant         match: must equal it     make: the constant
//   kStore  a heap slot          match: store the dimension into the slot
//   kLoad   a heap slot          match: must equal the slot  make: the slot's value
enum class DimOp : int64_t { kAny = 0, kConst = 1, kStore = 2, kLoad = 3 };

class ShapePattern {
 public:
  ShapePattern& Any() { return Add(DimOp::kAny, 0); }
  ShapePattern& Const(int64_t v) { return Add(DimOp::kConst, v); }
  ShapePattern& Store(int64_t slot) { return Add(DimOp::kStore, slot); }
  ShapePattern& Load(int64_t slot) { return Add(DimOp::kLoad, slot); }
  const std::vector<int64_t>& codes() const { return codes_; }

 private:
  ShapePattern& Add(DimOp op, int64_t v) {
    codes_.push_back(static_cast<int64_t>(op));
    codes_.push_back(v);
    return *this;
  }
  std::vector<int64_t> codes_;
};

// A shape program is a Shape constant of (op, value) pairs run on a stack of
// int64: push a constant or a slot, combine the top two (a = second, b = top:
// push a op b), store the top into a slot (and pop it). Floor division and
// modulo by zero raise kiln::Error.
enum class HeapOp : int64_t {
  kPushConst = 0,
  kPushSlot = 1,
  kStore = 2,
  kAdd = 3,
  kSub = 4,
  kMul = 5,
  kFloorDiv = 6,
  kFloorMod = 7,
  kMin = 8,
  kMax = 9,
};

class ShapeProgram {
 public:
  ShapeProgram& PushConst(int64_t v) { return Add(HeapOp::kPushConst, v); }
  ShapeProgram& PushSlot(int64_t slot) { return Add(HeapOp::kPushSlot, slot); }
  ShapeProgram& Store(int64_t slot) { return Add(HeapOp::kStore, slot); }
  ShapeProgram& Op(HeapOp op) { return Add(op, 0); }
  const std::vector<int64_t>& codes() const { return codes_; }

 private:
  ShapeProgram& Add(HeapOp op, int64_t v) {
    codes_.push_back(static_cast<int64_t>(op));
    codes_.push_back(v);
    return *this;
  }
  std::vector<int64_t> codes_;
};

}  // namespace kiln::runtime::vm
