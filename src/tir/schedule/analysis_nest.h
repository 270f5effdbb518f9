// Loop nests around one block, as blockize and tensorize see them: taking a
// nest apart and putting it back together, and the init of a reduction
// block turned into a nest of its own (what runs before the first step of an
// outer block's reduction).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "kiln/tir/stmt.h"

namespace kiln::tir::schedule {

// Loops nested directly one in another (outermost first) around one block.
struct LoopNest {
  std::vector<const ForNode*> loops;
  const BlockNode* block = nullptr;
};

// `stmt` as a LoopNest when it is zero or more loops, each the whole body of
// the one before, around a block; nullopt otherwise.
std::optional<LoopNest> AsLoopNest(const Stmt& stmt);

// The loops of `loops` (outermost first) rebuilt around `body`.
Stmt WrapInLoops(const std::vector<const ForNode*>& loops, Stmt body);

// The init of the reduction `block` (which sits under `loops`) as a nest of
// its own: copies with fresh variables of those of `loops` that the bindings
// of its spatial iteration variables or its predicate use, around a block
// `name` whose iteration variables are fresh copies of the spatial ones and
// whose body is the init. Raises kiln::Error "<primitive>: ..." when the
// init uses a reduce variable.
Stmt InitNest(const BlockNode* block, const std::vector<const ForNode*>& loops, const std::string& name,
              const char* primitive);

}  // namespace kiln::tir::schedule
