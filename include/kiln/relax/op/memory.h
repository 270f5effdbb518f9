// Constructors of the allocation ops that memory planning writes
// (transform/call_tir_rewrite.h, transform/static_plan_block_memory.h):
//
//   relax.builtin.alloc_tensor(shape, dtype, runtime_device_index)  a tensor of its own
//   relax.memory.alloc_storage(size, virtual_device_index, storage_scope, dtype)
//                                                  a block of `size` bytes (an Object)
//   relax.memory.alloc_tensor(storage, shape, offset, dtype)  a tensor inside a storage
//   relax.memory.kill_storage(storage), relax.memory.kill_tensor(tensor)
//                                                  drop the reference (the VM frees)
//
// All are impure (they allocate or free) and have no legalization: LegalizeOps
// leaves them and the VM codegen lowers them to vm.builtin.* calls. Shapes
// and sizes are shape values (a ShapeExpr, symbolic dims allowed); a size is
// a one-dimensional shape. The kills return an empty tuple.
#pragma once

#include <string>
#include <vector>

#include "kiln/relax/expr.h"

namespace kiln::relax::op {

Expr builtin_alloc_tensor(std::vector<tir::PrimExpr> shape, DataType dtype, int64_t runtime_device_index = 0);
Expr memory_alloc_storage(tir::PrimExpr size_in_bytes, int64_t virtual_device_index = 0,
                          std::string storage_scope = "global", DataType dtype = DataType::UInt(8));
Expr memory_alloc_tensor(Expr storage, std::vector<tir::PrimExpr> shape, DataType dtype, int64_t offset = 0);
Expr memory_kill_storage(Expr storage);
Expr memory_kill_tensor(Expr tensor);

}  // namespace kiln::relax::op
