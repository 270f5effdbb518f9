// Dataflow facts that the block-moving primitives (compute_at,
// reverse_compute_at, compute_inline, reverse_compute_inline) check before
// they move or remove a block: which statement goes with a block, who else
// writes its buffers, which variables a statement defines, and effects no
// block's regions show (which split and reorder check too).
#pragma once

#include <string>
#include <unordered_set>
#include <vector>

#include "kiln/tir/function.h"
#include "state.h"

namespace kiln::tir::schedule {

// The statement that removing `block` removes: the block, or the outermost
// loop of the chain of loops around it whose bodies hold nothing else. Raises
// when that statement is not an element of a sequence (there would be nothing
// left in its place).
const StmtNode* OutermostHolder(const Located& block, const char* primitive);

// Whether `buffer` is a parameter of `func` (an input or output).
bool IsParam(const PrimFunc& func, const Buffer& buffer);

// Raises unless `block` is the only block of `func` that writes each buffer
// it writes, and (unless it is a reduction, whose update reads its output) it
// reads none of them.
void CheckCompleteWriter(const PrimFunc& func, const BlockNode* block, const char* primitive);

// Raises when `buffer` is reached other than by loads and stores of it: a
// view sharing its data, or its data pointer used directly.
void CheckOnlyDirectAccess(const PrimFunc& func, const Buffer& buffer, const char* primitive);

// The first statement under `stmt` with an effect of its own (a store or an
// evaluated call) that no block encloses, or nullptr.
const StmtNode* EffectOutsideBlocks(const Stmt& stmt);
// Raises when the body of `scope` has a store or an evaluated call outside
// its child blocks: its effects are not in any block's regions, so the
// dataflow checks could not see them.
void CheckNoEffectsOutsideBlocks(const BlockNode* scope, const char* primitive);

// Raises unless `buffer` is visible at `site`: a parameter, or allocated by
// a block that encloses `site` (`what` says who would use it there).
void CheckVisibleAt(const PrimFunc& func, const Buffer& buffer, const BlockNode* site, const std::string& what,
                    const char* primitive);

// Whether `outer` is `inner` or has it inside.
bool Encloses(const BlockNode* outer, const BlockNode* inner);

// The variables `stmt` defines inside it: loop, let and block iteration
// variables.
std::unordered_set<const VarNode*> VarsDefinedIn(const Stmt& stmt);

// The first variable of `vars` that `e` uses, or nullptr.
const VarNode* FirstUse(const PrimExpr& e, const std::unordered_set<const VarNode*>& vars);

// "B[i:+3, 0:+n]": a region as error messages show it.
std::string RegionText(const Buffer& buffer, const std::vector<Range>& region);

}  // namespace kiln::tir::schedule
