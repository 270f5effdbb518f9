// Copying a kernel's loop nests into a fused PrimFunc: its symbolic
// dimensions and parameter buffers replaced by the fused function's, every
// variable it defines (loops, block iterators, lets) and buffer it allocates
// made fresh, and block and buffer names made unique in the fused function.
#pragma once

#include <string>
#include <unordered_map>
#include <unordered_set>

#include "kiln/tir/functor.h"

namespace kiln::transform::fusion {

// Names made unique within one function: "relu", then "relu_1", ...
class NameSet {
 public:
  std::string Unique(const std::string& hint);

 private:
  std::unordered_set<std::string> taken_;
};

class KernelCopier : public tir::StmtMutator {
 public:
  // `vars`: the kernel's symbolic variables (and parameter data pointers)
  // to their values in the fused function; `buffers`: its parameter buffers
  // to the fused function's. `kernel` names the kernel in errors.
  KernelCopier(std::unordered_map<const tir::VarNode*, tir::PrimExpr> vars,
               std::unordered_map<const tir::BufferNode*, tir::Buffer> buffers, NameSet* block_names,
               NameSet* buffer_names, std::string kernel);

  tir::Stmt Copy(const tir::Stmt& stmt) { return VisitStmt(stmt); }
  // A new buffer like `buffer` (shape in the fused function's terms, a new
  // data pointer and a unique name); later uses of `buffer` refer to it.
  tir::Buffer CopyBuffer(const tir::Buffer& buffer);

 protected:
  tir::PrimExpr VisitExpr_(const tir::VarNode* op) override;
  tir::PrimExpr VisitExpr_(const tir::LetNode* op) override;
  tir::Buffer VisitBufferUse(const tir::Buffer& buffer) override;
  tir::Stmt VisitStmt_(const tir::ForNode* op) override;
  tir::Stmt VisitStmt_(const tir::LetStmtNode* op) override;
  tir::Stmt VisitStmt_(const tir::BlockNode* op) override;
  tir::Stmt VisitStmt_(const tir::AllocateNode* op) override;
  tir::Stmt VisitStmt_(const tir::DeclBufferNode* op) override;

 private:
  tir::Var Renew(const tir::Var& v);

  std::unordered_map<const tir::VarNode*, tir::PrimExpr> vars_;
  std::unordered_map<const tir::BufferNode*, tir::Buffer> buffers_;
  NameSet* block_names_;
  NameSet* buffer_names_;
  std::string kernel_;
};

}  // namespace kiln::transform::fusion
