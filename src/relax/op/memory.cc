// The allocation ops of memory planning (kiln/relax/op/memory.h). Inference
// checks argument kinds and returns the tensor (or storage object) that the
// call makes; there is no legalization: the VM codegen lowers them.
#include "kiln/relax/op/memory.h"

#include "infer_util.h"

namespace kiln::relax {
namespace {
using namespace infer;

// A shape argument with known values (sizes and shapes must be spelled out
// for the VM to allocate them).
std::vector<tir::PrimExpr> KnownShapeArg(const CallNode* call, size_t i) {
  Ref<ShapeStructInfoNode> s = ShapeArg(call, i);
  KILN_CHECK(s->values) << OpName(call) << ": argument '" << ArgName(call, i)
                        << "' must be a shape of known values (a ShapeExpr)";
  return *s->values;
}

void CheckDevice(const CallNode* call, const std::string& attr) {
  KILN_CHECK(IntAttr(call, attr) >= 0) << OpName(call) << ": " << attr << " must not be negative, got "
                                       << IntAttr(call, attr);
}

StructInfo InferBuiltinAllocTensor(const CallNode* call) {
  CheckNumArgs(call, 1);
  CheckDevice(call, "runtime_device_index");
  DataType dtype = DtypeAttr(call, "dtype");
  return TensorSInfo(KnownShapeArg(call, 0), dtype);
}

StructInfo InferAllocStorage(const CallNode* call) {
  CheckNumArgs(call, 1);
  std::vector<tir::PrimExpr> size = KnownShapeArg(call, 0);
  KILN_CHECK(size.size() == 1) << OpName(call) << ": argument 'size' must be a shape of one value (bytes), got "
                               << ShapeString(size);
  CheckDevice(call, "virtual_device_index");
  StringAttr(call, "storage_scope");
  DtypeAttr(call, "dtype");
  return ObjectSInfo();
}

void CheckStorageArg(const CallNode* call) {
  StructInfo s = ArgSInfo(call, 0);
  KILN_CHECK(s.As<ObjectStructInfoNode>()) << OpName(call)
                                           << ": argument 'storage' must be a storage (an object from "
                                              "memory.alloc_storage), got "
                                           << SInfoKind(s);
}

StructInfo InferMemoryAllocTensor(const CallNode* call) {
  CheckNumArgs(call, 2);
  CheckStorageArg(call);
  KILN_CHECK(IntAttr(call, "offset") >= 0)
      << OpName(call) << ": offset must not be negative, got " << IntAttr(call, "offset");
  return TensorSInfo(KnownShapeArg(call, 1), DtypeAttr(call, "dtype"));
}

StructInfo InferKillStorage(const CallNode* call) {
  CheckNumArgs(call, 1);
  CheckStorageArg(call);
  return TupleSInfo({});
}

StructInfo InferKillTensor(const CallNode* call) {
  CheckNumArgs(call, 1);
  TensorArg(call, 0);
  return TupleSInfo({});
}

[[maybe_unused]] const bool kRegistered = [] {
  RegisterOp("relax.builtin.alloc_tensor")
      .Describe("allocates a tensor of its own (not planned)")
      .Args({"shape"})
      .Attr("dtype", AttrKind::kDataType, {}, "dtype of the tensor")
      .Attr("runtime_device_index", AttrKind::kInt, 0, "the device it lives on (0: the VM's device)")
      .Impure()
      .InferStructInfo(InferBuiltinAllocTensor);
  RegisterOp("relax.memory.alloc_storage")
      .Describe("allocates a block of memory that planned tensors share")
      .Args({"size"})
      .Attr("virtual_device_index", AttrKind::kInt, 0, "the device it lives on (0: the VM's device)")
      .Attr("storage_scope", AttrKind::kString, "global", "the memory scope")
      .Attr("dtype", AttrKind::kDataType, DataType::UInt(8), "the element type it was sized for")
      .Impure()
      .InferStructInfo(InferAllocStorage);
  RegisterOp("relax.memory.alloc_tensor")
      .Describe("a tensor placed at a byte offset of a storage")
      .Args({"storage", "shape"})
      .Attr("offset", AttrKind::kInt, 0, "byte offset into the storage")
      .Attr("dtype", AttrKind::kDataType, {}, "dtype of the tensor")
      .Impure()
      .InferStructInfo(InferMemoryAllocTensor);
  RegisterOp("relax.memory.kill_storage")
      .Describe("drops a storage: its memory is freed once no tensor uses it")
      .Args({"storage"})
      .Impure()
      .InferStructInfo(InferKillStorage);
  RegisterOp("relax.memory.kill_tensor")
      .Describe("drops a tensor before the function returns")
      .Args({"tensor"})
      .Impure()
      .InferStructInfo(InferKillTensor);
  return true;
}();

}  // namespace

namespace op {
Expr builtin_alloc_tensor(std::vector<tir::PrimExpr> shape, DataType dtype, int64_t runtime_device_index) {
  return MakeOpCall("relax.builtin.alloc_tensor", {MakeShapeExpr(std::move(shape))},
                    {{"dtype", dtype}, {"runtime_device_index", runtime_device_index}});
}
Expr memory_alloc_storage(tir::PrimExpr size_in_bytes, int64_t virtual_device_index, std::string storage_scope,
                          DataType dtype) {
  return MakeOpCall(
      "relax.memory.alloc_storage", {MakeShapeExpr({std::move(size_in_bytes)})},
      {{"virtual_device_index", virtual_device_index}, {"storage_scope", std::move(storage_scope)}, {"dtype", dtype}});
}
Expr memory_alloc_tensor(Expr storage, std::vector<tir::PrimExpr> shape, DataType dtype, int64_t offset) {
  return MakeOpCall("relax.memory.alloc_tensor", {std::move(storage), MakeShapeExpr(std::move(shape))},
                    {{"offset", offset}, {"dtype", dtype}});
}
Expr memory_kill_storage(Expr storage) {
  return MakeOpCall("relax.memory.kill_storage", {std::move(storage)});
}
Expr memory_kill_tensor(Expr tensor) {
  return MakeOpCall("relax.memory.kill_tensor", {std::move(tensor)});
}
}  // namespace op

}  // namespace kiln::relax
