// The tir intrinsics on the llvm target, one table entry each: math through
// LLVM intrinsics or libm (one call per lane), float32 exp, erf and tanh
// inline (fast_math.h: vector code stays vector code), and the control
// intrinsics if_then_else, likely, reinterpret and call_extern.
#include <functional>
#include <unordered_map>

#include "codegen_llvm.h"
#include "fast_math.h"
#include "kiln/runtime/error.h"

namespace kiln::codegen {

using namespace tir;

namespace {

using IntrinsicEmitter = std::function<llvm::Value*(CodeGenLLVM&, const CallNode*)>;

void CheckArity(CodeGenLLVM& cg, const CallNode* op, size_t n) {
  CheckIntrinsicArity(cg.function_name(), op, n);
}

// Math on floats: the arguments and the result share one float dtype.
void CheckFloatMath(CodeGenLLVM& cg, const CallNode* op, size_t n) {
  CheckFloatMathArgs(cg.function_name(), op, n);
}

// exp(x), sqrt(x), ...: one LLVM intrinsic over the argument's type.
IntrinsicEmitter LLVMMath(llvm::Intrinsic::ID id, size_t arity) {
  return [id, arity](CodeGenLLVM& cg, const CallNode* op) {
    CheckFloatMath(cg, op, arity);
    std::vector<llvm::Value*> args;
    for (const PrimExpr& a : op->args) args.push_back(cg.Emit(a));
    return cg.builder().CreateIntrinsic(id, {args[0]->getType()}, args);
  };
}

// tanh(x), erf(x): libm's scalar function ("tanhf" for float32), per lane,
// or `inline_f32` for float32.
IntrinsicEmitter Libm(const std::string& name, llvm::Value* (*inline_f32)(llvm::IRBuilder<>&, llvm::Value*)) {
  return [name, inline_f32](CodeGenLLVM& cg, const CallNode* op) -> llvm::Value* {
    CheckFloatMath(cg, op, 1);
    DataType t = op->dtype;
    if (t.bits() == 32 && inline_f32) return inline_f32(cg.builder(), cg.Emit(op->args[0]));
    KILN_CHECK(t.bits() == 32 || t.bits() == 64)
        << cg.function_name() << ": intrinsic '" << op->op << "' supports float32 and float64, not " << t;
    llvm::Type* scalar = cg.Type(t.element_of());
    llvm::FunctionCallee fn = cg.module().getOrInsertFunction(t.bits() == 32 ? name + "f" : name, scalar, scalar);
    llvm::Value* x = cg.Emit(op->args[0]);
    if (t.lanes() == 1) return cg.builder().CreateCall(fn, {x});
    llvm::Value* out = llvm::PoisonValue::get(x->getType());
    for (int i = 0; i < t.lanes(); ++i) {
      llvm::Value* lane = cg.builder().CreateCall(fn, {cg.builder().CreateExtractElement(x, i)});
      out = cg.builder().CreateInsertElement(out, lane, i);
    }
    return out;
  };
}

llvm::Value* EmitExp(CodeGenLLVM& cg, llvm::Value* x, DataType t) {
  if (t.is_float() && t.bits() == 32) return ExpF32(cg.builder(), x);
  return cg.builder().CreateUnaryIntrinsic(llvm::Intrinsic::exp, x);
}

llvm::Value* Exp(CodeGenLLVM& cg, const CallNode* op) {
  CheckFloatMath(cg, op, 1);
  return EmitExp(cg, cg.Emit(op->args[0]), op->dtype);
}

// sigmoid(x) = 1 / (1 + exp(-x))
llvm::Value* Sigmoid(CodeGenLLVM& cg, const CallNode* op) {
  CheckFloatMath(cg, op, 1);
  llvm::IRBuilder<>& b = cg.builder();
  llvm::Value* x = cg.Emit(op->args[0]);
  llvm::Value* one = llvm::ConstantFP::get(x->getType(), 1.0);
  llvm::Value* e = EmitExp(cg, b.CreateFNeg(x), op->dtype);
  return b.CreateFDiv(one, b.CreateFAdd(one, e));
}

// rsqrt(x) = 1 / sqrt(x)
llvm::Value* Rsqrt(CodeGenLLVM& cg, const CallNode* op) {
  CheckFloatMath(cg, op, 1);
  llvm::IRBuilder<>& b = cg.builder();
  llvm::Value* x = cg.Emit(op->args[0]);
  return b.CreateFDiv(llvm::ConstantFP::get(x->getType(), 1.0), b.CreateUnaryIntrinsic(llvm::Intrinsic::sqrt, x));
}

// if_then_else(c, a, b): evaluates only the branch taken (a select for
// vector conditions, where both lanes' values are needed anyway).
llvm::Value* IfThenElse(CodeGenLLVM& cg, const CallNode* op) {
  CheckArity(cg, op, 3);
  KILN_CHECK(op->args[0].dtype().is_bool() && op->args[1].dtype() == op->dtype && op->args[2].dtype() == op->dtype)
      << cg.function_name() << ": if_then_else takes a bool condition and two values of dtype " << op->dtype;
  llvm::IRBuilder<>& b = cg.builder();
  llvm::Value* cond = cg.Emit(op->args[0]);
  if (op->args[0].dtype().lanes() > 1) return b.CreateSelect(cond, cg.Emit(op->args[1]), cg.Emit(op->args[2]));
  llvm::Function* fn = b.GetInsertBlock()->getParent();
  auto* then_block = llvm::BasicBlock::Create(cg.context(), "ite_then", fn);
  auto* else_block = llvm::BasicBlock::Create(cg.context(), "ite_else", fn);
  auto* end = llvm::BasicBlock::Create(cg.context(), "ite_end", fn);
  b.CreateCondBr(cond, then_block, else_block);
  b.SetInsertPoint(then_block);
  llvm::Value* a = cg.Emit(op->args[1]);
  llvm::BasicBlock* a_end = b.GetInsertBlock();
  b.CreateBr(end);
  b.SetInsertPoint(else_block);
  llvm::Value* c = cg.Emit(op->args[2]);
  llvm::BasicBlock* c_end = b.GetInsertBlock();
  b.CreateBr(end);
  b.SetInsertPoint(end);
  llvm::PHINode* phi = b.CreatePHI(a->getType(), 2);
  phi->addIncoming(a, a_end);
  phi->addIncoming(c, c_end);
  return phi;
}

llvm::Value* Likely(CodeGenLLVM& cg, const CallNode* op) {
  CheckArity(cg, op, 1);
  return cg.Emit(op->args[0]);
}

// reinterpret(x): the bits of x as op->dtype (same size).
llvm::Value* Reinterpret(CodeGenLLVM& cg, const CallNode* op) {
  CheckArity(cg, op, 1);
  DataType from = op->args[0].dtype();
  KILN_CHECK(from.bits() * from.lanes() == op->dtype.bits() * op->dtype.lanes())
      << cg.function_name() << ": reinterpret of " << from << " as " << op->dtype << " changes the size";
  return cg.builder().CreateBitCast(cg.Emit(op->args[0]), cg.Type(op->dtype));
}

// call_extern("symbol", args...): a C function returning op->dtype.
llvm::Value* CallExtern(CodeGenLLVM& cg, const CallNode* op) {
  const StringImmNode* symbol = op->args.empty() ? nullptr : op->args[0].as<StringImmNode>();
  KILN_CHECK(symbol) << cg.function_name() << ": call_extern needs the symbol name as its first argument";
  std::vector<llvm::Value*> args;
  std::vector<llvm::Type*> types;
  for (size_t i = 1; i < op->args.size(); ++i) {
    args.push_back(cg.Emit(op->args[i]));
    types.push_back(args.back()->getType());
  }
  llvm::Type* ret = op->dtype.is_void() ? cg.builder().getVoidTy() : cg.Type(op->dtype);
  auto callee = cg.module().getOrInsertFunction(symbol->value, llvm::FunctionType::get(ret, types, false));
  return cg.builder().CreateCall(callee, args);
}

const std::unordered_map<std::string, IntrinsicEmitter>& Table() {
  static const std::unordered_map<std::string, IntrinsicEmitter> table = {
      {"exp", Exp},
      {"exp2", LLVMMath(llvm::Intrinsic::exp2, 1)},
      {"log", LLVMMath(llvm::Intrinsic::log, 1)},
      {"log2", LLVMMath(llvm::Intrinsic::log2, 1)},
      {"sqrt", LLVMMath(llvm::Intrinsic::sqrt, 1)},
      {"fabs", LLVMMath(llvm::Intrinsic::fabs, 1)},
      {"floor", LLVMMath(llvm::Intrinsic::floor, 1)},
      {"ceil", LLVMMath(llvm::Intrinsic::ceil, 1)},
      {"trunc", LLVMMath(llvm::Intrinsic::trunc, 1)},
      {"round", LLVMMath(llvm::Intrinsic::roundeven, 1)},  // halves to even, as numpy and torch
      {"sin", LLVMMath(llvm::Intrinsic::sin, 1)},
      {"cos", LLVMMath(llvm::Intrinsic::cos, 1)},
      {"pow", LLVMMath(llvm::Intrinsic::pow, 2)},
      {"fma", LLVMMath(llvm::Intrinsic::fma, 3)},
      {"tanh", Libm("tanh", TanhF32)},
      {"erf", Libm("erf", ErfF32)},
      {"sigmoid", Sigmoid},
      {"rsqrt", Rsqrt},
      {"if_then_else", IfThenElse},
      {"likely", Likely},
      {"reinterpret", Reinterpret},
      {"call_extern", CallExtern},
  };
  return table;
}

}  // namespace

llvm::Value* EmitIntrinsic(CodeGenLLVM& cg, const CallNode* op) {
  auto it = Table().find(op->op);
  KILN_CHECK(it != Table().end()) << cg.function_name() << ": unknown intrinsic '" << op->op << "' for the llvm target";
  return it->second(cg, op);
}

}  // namespace kiln::codegen
