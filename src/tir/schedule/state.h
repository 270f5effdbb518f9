// ScheduleState: the module being scheduled and the operations every
// primitive shares: finding a block or loop with the statements around it,
// replacing statements by identity, and the queries over blocks (children,
// producers, consumers) that preconditions need.
//
// Blocks are named by (function, block name), loops by (function, loop
// variable). A primitive finds what it works on, checks, builds the new
// statements, and calls Replace once; locations found before a Replace are
// stale after it.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "kiln/ir/module.h"
#include "kiln/runtime/error.h"
#include "kiln/tir/function.h"
#include "kiln/tir/functor.h"

namespace kiln::tir::schedule {

struct BlockRef {
  std::string func;
  std::string name;
};
struct LoopRef {
  std::string func;
  Var var;
};

// A statement with the statements around it: path.front() is the function
// body and path.back() the statement itself.
struct Located {
  std::string func;
  std::vector<Stmt> path;

  const Stmt& stmt() const { return path.back(); }
  const BlockNode* block() const;  // the statement as a block (checked)
  const ForNode* loop() const;     // the statement as a loop (checked)
  // The nearest block strictly around the statement, or nullptr.
  const BlockNode* scope() const;
  // The loops between scope() and the statement, outermost first (the
  // statement itself excluded).
  std::vector<const ForNode*> loops() const;
  // The statement directly around path[i] (nullptr for the body).
  const StmtNode* parent(size_t i) const { return i == 0 ? nullptr : path[i - 1].get(); }
};

class ScheduleState {
 public:
  explicit ScheduleState(ir::IRModule mod);

  const ir::IRModule& mod() const { return mod_; }
  // The PrimFunc `name`; raises when absent or not a PrimFunc.
  PrimFunc Func(const std::string& name) const;
  std::vector<std::string> FuncNames() const;  // of PrimFuncs, in module order

  // Raise kiln::Error when absent ("split: loop 'i0' is no longer in ...").
  Located Find(const BlockRef& block, const char* primitive) const;
  Located Find(const LoopRef& loop, const char* primitive) const;
  bool Exists(const BlockRef& block) const;
  bool Exists(const LoopRef& loop) const;

  // Replaces statements of `func` by identity. A null replacement removes
  // the statement from the Seq it is in (it must be in one).
  void Replace(const std::string& func, const std::unordered_map<const StmtNode*, Stmt>& replacements);
  // Sets the whole function (for primitives that change parameters).
  void SetFunc(const std::string& func, PrimFunc f);

  // `base` when no block of `func` has that name, else base_1, base_2, ...
  std::string UniqueBlockName(const std::string& func, const std::string& base) const;

 private:
  ir::IRModule mod_;
};

// Replaces statements by identity: a statement that is a key of
// `replacements` becomes its value, and a null value removes it from the
// Seq it is in (which must keep a statement). What ScheduleState::Replace
// runs; primitives that rewrite more on the way derive from it.
class StmtReplacer : public StmtMutator {
 public:
  explicit StmtReplacer(std::unordered_map<const StmtNode*, Stmt> replacements)
      : replacements_(std::move(replacements)) {}

  Stmt VisitStmt(const Stmt& s) override;
  size_t used() const { return used_; }  // the replacements made so far

 protected:
  Stmt VisitStmt_(const SeqNode* op) override;

 private:
  std::unordered_map<const StmtNode*, Stmt> replacements_;
  size_t used_ = 0;
};

// ---- Queries over statements ------------------------------------------------

// The blocks directly inside `stmt` (not inside a nested block), in program
// order; `stmt` itself is not counted when it is a block: its body is searched.
std::vector<const BlockNode*> ChildBlocks(const Stmt& stmt);
// Every block in `stmt` at any depth, `stmt` included, in program order.
std::vector<const BlockNode*> AllBlocks(const Stmt& stmt);
bool ReadsBuffer(const BlockNode* block, const Buffer& buffer);
bool WritesBuffer(const BlockNode* block, const Buffer& buffer);
// Among the child blocks of `scope`: those that write a buffer `block` reads,
// and those that read a buffer `block` writes.
std::vector<const BlockNode*> Producers(const BlockNode* scope, const BlockNode* block);
std::vector<const BlockNode*> Consumers(const BlockNode* scope, const BlockNode* block);
bool HasReduceIter(const BlockNode* block);
// The block's statement copied into a spec, for rebuilding it with changes.
BlockSpec SpecOf(const BlockNode* block);
// A copy of a loop with another body (and the rest unchanged).
Stmt WithBody(const ForNode* loop, Stmt body);
// The buffer of `func` that a block allocates, or a parameter's, by name.
Buffer FindBuffer(const PrimFunc& func, const std::string& name);
// Raises kiln::Error "<primitive>: <message>" (use with ostringstream-built text).
[[noreturn]] void Fail(const char* primitive, const std::string& message);

}  // namespace kiln::tir::schedule

// KILN_SCHEDULE_CHECK(cond, "split") << "loop 'i' has extent " << n;
#define KILN_SCHEDULE_CHECK(cond, primitive) KILN_CHECK(cond) << (primitive) << ": "
