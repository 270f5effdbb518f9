// Buffers in a scheduled function: where a buffer is defined (a parameter or
// a block's alloc_buffers), whether its data pointer escapes the loads and
// stores that name it, and replacing a buffer everywhere in a statement
// (loads, stores, block regions, alloc_buffers), optionally remapping its
// indices. Shared by cache_read/cache_write, set_scope, storage_align and
// transform_layout.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "kiln/tir/function.h"

namespace kiln::tir::schedule {

// Where `buffer` (by identity) is defined in `func`: a parameter, or the
// block whose alloc_buffers holds it (nullptr for neither).
struct BufferDef {
  bool is_param = false;
  const BlockNode* block = nullptr;
};
BufferDef FindBufferDef(const PrimFunc& func, const Buffer& buffer);

// True when `stmt` uses `buffer`'s data variable as a value (a raw pointer:
// an extern call, a view), not only through loads and stores.
bool UsesDataPointer(const Stmt& stmt, const Buffer& buffer);
// True when `stmt` loads from / stores to `buffer` anywhere (nested blocks
// included), or lists it in a block's reads / writes.
bool LoadsOrReads(const Stmt& stmt, const Buffer& buffer);
bool StoresOrWrites(const Stmt& stmt, const Buffer& buffer);

// `from` becomes `to` everywhere in a statement. Indices of loads and stores
// pass through `map_indices` and block regions through `map_region` when
// those are set (otherwise they stay as they are).
struct BufferReplacement {
  Buffer from, to;
  std::function<std::vector<PrimExpr>(const std::vector<PrimExpr>&)> map_indices;
  std::function<std::vector<Range>(const std::vector<Range>&)> map_region;
};
Stmt ReplaceBuffer(const Stmt& stmt, const BufferReplacement& r);

// The buffer of the `index`-th entry of a block's reads (is_write false) or
// writes; raises "<primitive>: block 'C' has 2 reads; read_index 3 is out
// of range" (`what` names the argument: read_index, write_index, ...).
const Buffer& BufferAt(const BlockNode* block, bool is_write, int index, const char* what, const char* primitive);
// Raises unless `scope` is a storage scope a buffer may have: global,
// shared or local.
void CheckStorageScope(const std::string& scope, const char* primitive);

}  // namespace kiln::tir::schedule
