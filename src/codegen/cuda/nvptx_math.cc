// Math intrinsics on the NVPTX target. With libdevice, each is a call of its
// __nv_* function (__nv_expf for float32 exp, __nv_exp for float64; float16
// and bfloat16 compute in float32), one call per lane; the optimizer inlines
// them once libdevice is linked. Without libdevice, only what NVPTX has
// instructions for: sqrt, fabs, floor, ceil, trunc, round, fma, and float32
// exp/exp2 through ex2.approx; the others raise kiln::Error.
#include <llvm/IR/IntrinsicsNVPTX.h>

#include <unordered_map>

#include "codegen_nvptx.h"
#include "kiln/runtime/error.h"

namespace kiln::codegen {

using namespace tir;

namespace {

// tir intrinsic -> libdevice base name (float32 adds "f") and arity.
struct MathFn {
  const char* libdevice;
  size_t arity;
};

const std::unordered_map<std::string, MathFn>& MathTable() {
  static const std::unordered_map<std::string, MathFn> table = {
      {"exp", {"exp", 1}},   {"exp2", {"exp2", 1}},   {"log", {"log", 1}},    {"log2", {"log2", 1}},
      {"sqrt", {"sqrt", 1}}, {"rsqrt", {"rsqrt", 1}}, {"fabs", {"fabs", 1}},  {"floor", {"floor", 1}},
      {"ceil", {"ceil", 1}}, {"trunc", {"trunc", 1}}, {"round", {"rint", 1}},  // halves to even
      {"sin", {"sin", 1}},   {"cos", {"cos", 1}},     {"pow", {"pow", 2}},    {"fma", {"fma", 3}},
      {"tanh", {"tanh", 1}}, {"erf", {"erf", 1}},
  };
  return table;
}

// The LLVM intrinsic NVPTX selects to one instruction, for the fallback.
std::optional<llvm::Intrinsic::ID> NativeIntrinsic(const std::string& name) {
  static const std::unordered_map<std::string, llvm::Intrinsic::ID> table = {
      {"sqrt", llvm::Intrinsic::sqrt}, {"fabs", llvm::Intrinsic::fabs},   {"floor", llvm::Intrinsic::floor},
      {"ceil", llvm::Intrinsic::ceil}, {"trunc", llvm::Intrinsic::trunc}, {"round", llvm::Intrinsic::roundeven},
      {"fma", llvm::Intrinsic::fma},
  };
  auto it = table.find(name);
  if (it == table.end()) return std::nullopt;
  return it->second;
}

}  // namespace

llvm::Value* CodeGenNVPTX::EmitScalarMath(const std::string& name, DataType t, const std::vector<llvm::Value*>& args) {
  llvm::IRBuilder<>& b = builder();
  // float16 / bfloat16: in float32, rounded back.
  if (t.bits() == 16) {
    std::vector<llvm::Value*> wide;
    for (llvm::Value* a : args) wide.push_back(b.CreateFPExt(a, b.getFloatTy()));
    return b.CreateFPTrunc(EmitScalarMath(name, DataType::Float(32), wide), Type(t));
  }
  KILN_CHECK(t.bits() == 32 || t.bits() == 64)
      << function_name() << ": intrinsic '" << name << "' on the cuda target takes float16, bfloat16, float32 or "
      << "float64, not " << t;
  const MathFn& fn = MathTable().at(name);
  std::string symbol = std::string("__nv_") + fn.libdevice + (t.bits() == 32 ? "f" : "");
  if (has_libdevice_) {
    std::vector<llvm::Type*> types(args.size(), Type(t));
    llvm::FunctionCallee callee = module().getOrInsertFunction(symbol, llvm::FunctionType::get(Type(t), types, false));
    return b.CreateCall(callee, args);
  }
  if (std::optional<llvm::Intrinsic::ID> id = NativeIntrinsic(name)) {
    return b.CreateIntrinsic(*id, {args[0]->getType()}, args);
  }
  if (t.bits() == 32 && (name == "exp" || name == "exp2")) {
    // exp(x) = 2^(x * log2(e)), with PTX's ex2.approx (2 ulp).
    llvm::Value* x =
        name == "exp" ? b.CreateFMul(args[0], llvm::ConstantFP::get(b.getFloatTy(), 1.4426950408889634)) : args[0];
    return b.CreateIntrinsic(llvm::Intrinsic::nvvm_ex2_approx_f, {}, {x});
  }
  KILN_THROW() << function_name() << ": intrinsic '" << name << "' for " << t
               << " on the cuda target needs libdevice's " << symbol
               << ", and no libdevice was found (set KILN_LIBDEVICE to the CUDA toolkit's "
               << "nvvm/libdevice/libdevice.10.bc); NVPTX has no instruction for it";
}

std::optional<llvm::Value*> CodeGenNVPTX::EmitMath(const CallNode* op) {
  bool sigmoid = op->op == "sigmoid";
  auto it = MathTable().find(op->op);
  if (!sigmoid && it == MathTable().end()) return std::nullopt;
  size_t arity = sigmoid ? 1 : it->second.arity;
  KILN_CHECK(op->args.size() == arity) << function_name() << ": intrinsic '" << op->op << "' takes " << arity
                                       << " argument" << (arity == 1 ? "" : "s") << ", got " << op->args.size();
  for (const PrimExpr& a : op->args) {
    KILN_CHECK(a.dtype().is_float() && a.dtype() == op->dtype)
        << function_name() << ": intrinsic '" << op->op << "' of dtype " << op->dtype
        << " takes float arguments of the same dtype, got " << a.dtype();
  }
  llvm::IRBuilder<>& b = builder();
  DataType t = op->dtype;
  std::vector<llvm::Value*> args;
  for (const PrimExpr& a : op->args) args.push_back(Emit(a));
  // One scalar call per lane.
  auto scalar = [&](const std::vector<llvm::Value*>& lane_args) -> llvm::Value* {
    if (!sigmoid) return EmitScalarMath(op->op, t.element_of(), lane_args);
    // sigmoid(x) = 1 / (1 + exp(-x))
    llvm::Value* one = llvm::ConstantFP::get(lane_args[0]->getType(), 1.0);
    llvm::Value* e = EmitScalarMath("exp", t.element_of(), {b.CreateFNeg(lane_args[0])});
    return b.CreateFDiv(one, b.CreateFAdd(one, e));
  };
  if (t.lanes() == 1) return scalar(args);
  llvm::Value* out = llvm::PoisonValue::get(Type(t));
  for (int i = 0; i < t.lanes(); ++i) {
    std::vector<llvm::Value*> lane;
    for (llvm::Value* a : args) lane.push_back(b.CreateExtractElement(a, i));
    out = b.CreateInsertElement(out, scalar(lane), i);
  }
  return out;
}

}  // namespace kiln::codegen
