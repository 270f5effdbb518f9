// CodeGenC: lowered tir (no blocks, flat buffers) to C11 source. Each
// PrimFunc becomes a static compute function plus an exported KilnCFunc
// wrapper with the argument checks of the llvm target (same messages); the
// visitors are split by concern over the codegen_c_*.cc files.
//
// Vector code (Ramp, Broadcast, vector loads and stores left by
// VectorizeLoops) is written as a loop over the lanes, `lane` from 0 to
// lanes - 1, with the vectorize hint: plain C that any compiler accepts and
// that GCC and Clang turn back into vector instructions. Expressions are
// emitted per lane; a vector let variable is an array indexed by the lane.
#pragma once

#include <map>
#include <set>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#include "../codegen_util.h"
#include "kiln/codegen/target.h"
#include "kiln/tir/functor.h"

namespace kiln::codegen {

using runtime::DataType;

class CodeGenC : public tir::ExprFunctor<std::string(const tir::PrimExpr&)>,
                 public tir::StmtFunctor<void(const tir::Stmt&)> {
 public:
  explicit CodeGenC(const Target& target);

  // Adds a lowered PrimFunc: the compute function and the exported wrapper
  // `name`. Raises kiln::Error for what cannot be compiled, naming it.
  void AddFunction(const std::string& name, const tir::PrimFunc& func);
  // The whole translation unit: prelude, helpers used, functions in order.
  std::string Finish() const;

  // ---- shared with the wrapper and the intrinsics ----
  const std::string& function_name() const { return function_name_; }
  // The expression `e` as C (at the current lane when it is a vector).
  std::string Emit(const tir::PrimExpr& e) { return VisitExpr(e); }
  void Emit(const tir::Stmt& s) { VisitStmt(s); }
  // C type of one lane of `t` (bool is `bool`); raises for float16/bfloat16.
  std::string Type(DataType t);
  // C type of one element of `t` in memory (bool is uint8_t).
  std::string MemType(DataType t);
  std::string EmitCast(DataType from, DataType to, const std::string& v);
  // Records that the prelude must define helper `name` (see Helpers()).
  void UseHelper(const std::string& name) { helpers_used_.insert(name); }
  // Declares `extern ret symbol(args...);` once for call_extern.
  void DeclareExtern(const std::string& decl) { externs_.insert(decl); }

  // Binds `var` to a new C variable named after it; returns the C name.
  std::string Bind(const tir::Var& var);
  void Unbind(const tir::Var& var);
  bool IsBound(const tir::Var& var) const { return vars_.count(var.get()) != 0; }
  // The C name of a bound variable (raises naming it when unbound).
  std::string Lookup(const tir::Var& var) const;
  // A fresh C identifier in the current function, based on `hint`.
  std::string FreshName(const std::string& hint);

  // Starts writing a function body (no variables of the last in scope);
  // EndFunction returns its text, each line starting with a newline.
  void BeginFunction();
  std::string EndFunction();
  // A finished function or struct, written after the ones before it.
  void AddDefinition(const std::string& text);

  // Output of the function being written.
  std::ostream& Line();  // a new line at the current indent
  void Indent() { ++state_.indent; }
  void Dedent() { --state_.indent; }
  // A declaration the current statement needs before it (let variables).
  void Declare(const std::string& decl) { state_.pending.push_back(decl); }
  // Writes and clears the pending declarations.
  void FlushDeclarations();
  // `{ <free workspaces>; return kiln_fail(format, args...); }` as one line
  // after `prefix` (usually an `if (...)`).
  void EmitFailure(const std::string& prefix, const std::string& format, const std::vector<std::string>& args = {});
  // A C string literal.
  static std::string Quote(const std::string& s);

  // The lane index inside a vector statement, or "" outside one.
  const std::string& lane() const { return lane_; }

 protected:
#define KILN_X(name) std::string VisitExpr_(const tir::name##Node* op) override;
  KILN_TIR_EXPR_KINDS(KILN_X)
#undef KILN_X
#define KILN_X(name) void VisitStmt_(const tir::name##Node* op) override;
  KILN_TIR_STMT_KINDS(KILN_X)
#undef KILN_X

 private:
  struct FunctionState {
    std::ostringstream out;
    int indent = 1;
    std::vector<std::string> pending;
    std::vector<std::string> workspaces;  // live heap workspaces, innermost last
    std::set<std::string> names;
  };

  void EmitCompute(const std::string& name, const tir::PrimFunc& func, const std::vector<tir::Var>& args);
  // Element access `base[index]`, casting the pointer when its declared
  // element type differs from the buffer's.
  std::string Access(const tir::Buffer& buffer, const std::string& index);
  std::string EmitLiteral(DataType t, double v);

  // codegen_c_expr.cc
  std::string EmitBinary(const tir::BinaryNode* op, const std::string& a, const std::string& b);
  std::string Suffix(DataType t);  // "f32", "i64", ... for helper names

  // codegen_c_stmt.cc
  void EmitVectorStore(const tir::BufferStoreNode* op);
  void EmitLoop(const std::string& var_type, const std::string& var, const std::string& begin, const std::string& end,
                const tir::Stmt& body);
  void EmitBody(const tir::Stmt& s);  // `{`, s, `}` around s at one more indent

  // codegen_c_parallel.cc
  void EmitParallelFor(const tir::ForNode* op);

  Target target_;
  std::string function_name_;
  FunctionState state_;
  // Variables in scope: C name and, for buffer data pointers, the declared
  // element type.
  std::unordered_map<const tir::VarNode*, std::vector<std::string>> vars_;
  std::unordered_map<const tir::VarNode*, std::string> pointer_types_;
  std::string lane_;
  int parallel_count_ = 0;
  std::set<std::string> function_names_;
  std::set<std::string> helpers_used_;
  std::set<std::string> externs_;
  std::vector<std::string> definitions_;  // finished functions and structs, in order
};

// `s` for use inside a printf format: every % doubled.
std::string EscapeFormatC(const std::string& s);

// intrinsics_c.cc: a Call of a tir intrinsic ("exp", "if_then_else", ...) as
// C; raises kiln::Error naming an unknown intrinsic.
std::string EmitIntrinsicC(CodeGenC& cg, const tir::CallNode* op);

// host_wrapper_c.cc: the exported KilnCFunc `name` that checks and unpacks
// the arguments of `func` and calls `compute` with `compute_args`.
void EmitHostWrapperC(CodeGenC& cg, const std::string& name, const tir::PrimFunc& func, const std::string& compute,
                      const std::vector<tir::Var>& compute_args);

// The prelude helpers by name ("kiln_min_f32" -> its definition), in the
// order they are written.
const std::map<std::string, std::string>& HelpersC();

}  // namespace kiln::codegen
