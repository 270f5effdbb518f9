// CodeGenLLVM: lowered tir (no blocks, flat buffers) to LLVM IR. Each PrimFunc
// becomes an internal compute function plus an exported wrapper; the
// visitors are split by concern over the codegen_*.cc files.
#pragma once

#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>

#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "../codegen_util.h"
#include "kiln/codegen/target.h"
#include "kiln/tir/functor.h"

namespace kiln::codegen {

using runtime::DataType;

// The fields of KilnRuntimeAPI (c_api.h), by index in the struct.
enum class RuntimeAPIField { kSetLastError = 1, kParallelLaunch = 2, kAllocWorkspace = 3, kFreeWorkspace = 4 };

// What is known about an integer value: it equals coeff * k + base for some
// integer k (coeff 0: exactly base). Used for the alignment of accesses.
struct Modular {
  int64_t coeff = 1;
  int64_t base = 0;
};

class CodeGenLLVM : public tir::ExprFunctor<llvm::Value*(const tir::PrimExpr&)>,
                    public tir::StmtFunctor<void(const tir::Stmt&)> {
 public:
  CodeGenLLVM(llvm::Module& module, const Target& target);
  ~CodeGenLLVM() override;

  // Adds a lowered PrimFunc: the compute function and the exported wrapper
  // `name`. Raises kiln::Error for what cannot be compiled, naming it.
  void AddFunction(const std::string& name, const tir::PrimFunc& func);

  // ---- shared with the wrapper, the intrinsics and the parallel outliner ----
  llvm::IRBuilder<>& builder() { return *builder_; }
  llvm::LLVMContext& context() { return module_.getContext(); }
  llvm::Module& module() { return module_; }
  const Target& target() const { return target_; }
  // The PrimFunc being compiled, for messages.
  const std::string& function_name() const { return function_name_; }

  llvm::Value* Emit(const tir::PrimExpr& e) { return VisitExpr(e); }
  void Emit(const tir::Stmt& s) { VisitStmt(s); }
  // Register type of a dtype (bool is i1) and its type in memory (bool is i8).
  llvm::Type* Type(DataType t);
  llvm::Type* MemType(DataType t);
  llvm::Value* EmitCast(DataType from, DataType to, llvm::Value* v);

  void Bind(const tir::Var& var, llvm::Value* value);
  void Unbind(const tir::Var& var);
  bool IsBound(const tir::Var& var) const { return state_.vars.count(var.get()) != 0; }
  llvm::Value* Lookup(const tir::Var& var);

  // A pointer to a constant C string.
  llvm::Value* CString(const std::string& s);
  // An alloca at the start of the current function's entry block.
  llvm::AllocaInst* EntryAlloca(llvm::Type* type, uint64_t align, const std::string& name);
  // A call through the runtime API table `__kiln_runtime_api`.
  llvm::Value* CallRuntimeAPI(RuntimeAPIField field, llvm::ArrayRef<llvm::Value*> args);
  // Sets the last error to a printf-style message and returns -1 from the
  // current function, first freeing the workspaces that are live.
  void EmitFailure(const std::string& format, llvm::ArrayRef<llvm::Value*> args = {});
  // Continues when `ok` holds; otherwise runs `fail`, which ends in EmitFailure.
  void CheckOr(llvm::Value* ok, const std::function<void()>& fail);
  // Returns `rc` from the current function when it is not zero.
  void ReturnIfNonZero(llvm::Value* rc);

  // Starts emitting into `fn` (a new entry block, no variables in scope).
  void BeginFunction(llvm::Function* fn);
  void EndFunction() { state_ = FunctionState{}; }
  void SetFunctionAttributes(llvm::Function* fn);

  // Alignment in bytes known for element `index` of `buffer`.
  uint64_t KnownAlign(const tir::Buffer& buffer, const tir::PrimExpr& index);

 protected:
#define KILN_X(name) llvm::Value* VisitExpr_(const tir::name##Node* op) override;
  KILN_TIR_EXPR_KINDS(KILN_X)
#undef KILN_X
#define KILN_X(name) void VisitStmt_(const tir::name##Node* op) override;
  KILN_TIR_STMT_KINDS(KILN_X)
#undef KILN_X

  // For code generators that emit their own kind of function (GPU kernels):
  // names the PrimFunc being compiled in messages.
  void set_function_name(const std::string& name) { function_name_ = name; }

 private:
  // Alias metadata of the accesses through one buffer data pointer.
  struct AliasInfo {
    llvm::MDNode* scope = nullptr;    // !alias.scope: its own scope
    llvm::MDNode* noalias = nullptr;  // !noalias: every other pointer's scope
  };
  // Per emitted LLVM function: variables in scope and live heap workspaces.
  struct FunctionState {
    llvm::Function* fn = nullptr;
    std::unordered_map<const tir::VarNode*, llvm::Value*> vars;
    std::vector<llvm::Value*> workspaces;
    llvm::Value* message = nullptr;  // the buffer error messages are formatted in
    // Buffer data pointers that alias no other (parameters, allocations).
    std::unordered_set<const tir::VarNode*> distinct;
    // For pointers that arrive through a closure, where noalias parameters
    // cannot say it: scoped alias metadata.
    std::unordered_map<const tir::VarNode*, AliasInfo> alias;
  };
  llvm::Function* EmitCompute(const std::string& name, const tir::PrimFunc& func, const std::vector<tir::Var>& args);
  // Frees the live workspaces and returns `code` from the current function.
  void EmitReturn(llvm::Value* code);

  // codegen_expr.cc
  llvm::Value* EmitArith(tir::BinaryOp op, DataType t, llvm::Value* a, llvm::Value* b);
  llvm::Value* EmitCompare(tir::BinaryOp op, DataType t, llvm::Value* a, llvm::Value* b);
  llvm::Value* EmitFloorDivMod(tir::BinaryOp op, DataType t, llvm::Value* a, llvm::Value* b);
  llvm::Value* TryEmitFMA(const tir::BinaryNode* op);

  // codegen_memory.cc
  llvm::Value* BufferBase(const tir::Buffer& buffer);
  llvm::Value* EmitLoad(const tir::Buffer& buffer, const tir::PrimExpr& index, DataType t);
  void EmitStore(const tir::Buffer& buffer, const tir::PrimExpr& index, llvm::Value* value, DataType t);
  Modular AnalyzeModular(const tir::PrimExpr& e);
  void AnnotateAlias(llvm::Instruction* access, const tir::Buffer& buffer);

  // codegen_stmt.cc
  void EmitSerialLoop(const tir::Var& var, llvm::Value* begin, llvm::Value* end, const tir::Stmt& body,
                      llvm::MDNode* loop_md);
  llvm::MDNode* LoopMetadata(const tir::ForNode* op);

  // codegen_parallel.cc
  void EmitParallelFor(const tir::ForNode* op);
  llvm::Function* EmitParallelLambda(const tir::ForNode* op, llvm::StructType* closure_type,
                                     const std::vector<tir::Var>& captured);
  std::pair<llvm::Value*, llvm::Value*> TaskRange(llvm::Value* min, llvm::Value* extent, llvm::Value* task,
                                                  llvm::Value* num_tasks);
  void MakeAliasScopes(const std::vector<tir::Var>& captured);

  llvm::Module& module_;
  Target target_;
  std::unique_ptr<llvm::IRBuilder<>> builder_;
  llvm::GlobalVariable* runtime_api_ = nullptr;  // __kiln_runtime_api
  std::string function_name_;
  FunctionState state_;
  std::unordered_map<const tir::VarNode*, Modular> let_modular_;
  int parallel_count_ = 0;
};

// `s` for use inside a printf format: every % doubled.
inline std::string EscapeFormat(const std::string& s) {
  std::string out;
  for (char c : s) out += c == '%' ? std::string("%%") : std::string(1, c);
  return out;
}

// intrinsics.cc: emits a Call of a tir intrinsic ("exp", "if_then_else", ...);
// raises kiln::Error naming an unknown intrinsic.
llvm::Value* EmitIntrinsic(CodeGenLLVM& cg, const tir::CallNode* op);

// host_wrapper.cc: the exported KilnCFunc `name` that checks and unpacks the
// arguments of `func`, binds `compute_args` and calls `compute`.
void EmitHostWrapper(CodeGenLLVM& cg, const std::string& name, const tir::PrimFunc& func, llvm::Function* compute,
                     const std::vector<tir::Var>& compute_args);

}  // namespace kiln::codegen
