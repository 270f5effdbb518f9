// CodeGenNVPTX: lowered tir to NVVM IR, one `.entry` kernel per PrimFunc and
// no host code. It is CodeGenLLVM with four differences: a kernel takes its
// arguments directly (buffer pointers noalias, shape variables as scalars)
// and returns nothing; loops bound to blockIdx/threadIdx read the PTX special
// registers instead of looping, and their extents make the launch
// configuration; allocations live in registers/local memory, or in shared
// memory (addrspace 3) for scope "shared"; math intrinsics call libdevice
// (nvptx_math.cc).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "../llvm/codegen_llvm.h"
#include "kiln/codegen/cuda.h"

namespace kiln::codegen {

class CodeGenNVPTX : public CodeGenLLVM {
 public:
  // `has_libdevice`: whether libdevice will be linked, so that math
  // intrinsics may call its __nv_* functions.
  CodeGenNVPTX(llvm::Module& module, const Target& target, bool has_libdevice);

  // Adds the kernel `name` for a lowered PrimFunc and returns its launch
  // configuration. Raises kiln::Error naming the function for a loop not
  // bound to a thread (outside every bound loop), thread extents that
  // depend on anything but the parameters, and dynamic allocations.
  KernelLaunch AddKernel(const std::string& name, const tir::PrimFunc& func);

 protected:
  using CodeGenLLVM::VisitExpr_;
  using CodeGenLLVM::VisitStmt_;
  void VisitStmt_(const tir::ForNode* op) override;
  void VisitStmt_(const tir::AllocateNode* op) override;
  llvm::Value* VisitExpr_(const tir::CallNode* op) override;

 private:
  // nvptx_math.cc: a math intrinsic ("exp", "tanh", ...), or nullopt for
  // others (control intrinsics, left to CodeGenLLVM).
  std::optional<llvm::Value*> EmitMath(const tir::CallNode* op);
  llvm::Value* EmitScalarMath(const std::string& name, DataType t, const std::vector<llvm::Value*>& args);

  bool has_libdevice_;
  KernelLaunch launch_;  // of the kernel being emitted
  int bound_depth_ = 0;  // thread-bound loops around the statement being emitted
};

// libdevice.cc: the libdevice bitcode to link, or "" when there is none.
// KILN_LIBDEVICE names the file (empty: none); otherwise the CUDA toolkit's
// nvvm/libdevice/libdevice.10.bc under $CUDA_HOME, /usr/local/cuda or
// /usr/local/cuda-*.
std::string FindLibdevice();
// Links the libdevice functions `module` calls into it (internal, so that
// the optimizer drops the rest), with __nvvm_reflect answering "no
// flush-to-zero". Raises kiln::Error when the file cannot be read.
void LinkLibdevice(llvm::Module& module, const std::string& path);

}  // namespace kiln::codegen
