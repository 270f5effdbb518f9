// CodeGenLLVM set-up: types, variable scopes, the runtime API table, error
// returns, and the compute function of each PrimFunc.
#include "codegen_llvm.h"

#include <llvm/Analysis/TargetLibraryInfo.h>
#include <llvm/IR/MDBuilder.h>
#include <llvm/TargetParser/Triple.h>

#include <cctype>

#include "kiln/runtime/c_api.h"
#include "kiln/runtime/error.h"

namespace kiln::codegen {

using namespace tir;

namespace {

constexpr uint64_t kMessageBytes = 1024;

bool IsIdentifier(const std::string& s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

// A C library function LLVM knows ("exp", "memcpy"): defining one would
// capture the calls that LLVM emits to it.
bool IsLibraryFunction(const std::string& name, const std::string& triple) {
  llvm::TargetLibraryInfoImpl impl{llvm::Triple(triple)};
  llvm::LibFunc f;
  return llvm::TargetLibraryInfo(impl).getLibFunc(name, f);
}

llvm::FunctionType* RuntimeAPIType(llvm::LLVMContext& ctx, RuntimeAPIField field) {
  llvm::Type* i32 = llvm::Type::getInt32Ty(ctx);
  llvm::Type* i64 = llvm::Type::getInt64Ty(ctx);
  llvm::Type* ptr = llvm::PointerType::getUnqual(ctx);
  switch (field) {
    case RuntimeAPIField::kSetLastError: return llvm::FunctionType::get(llvm::Type::getVoidTy(ctx), {ptr}, false);
    case RuntimeAPIField::kParallelLaunch: return llvm::FunctionType::get(i32, {ptr, ptr, i32}, false);
    case RuntimeAPIField::kAllocWorkspace: return llvm::FunctionType::get(ptr, {i32, i32, i64}, false);
    case RuntimeAPIField::kFreeWorkspace: return llvm::FunctionType::get(i32, {i32, i32, ptr}, false);
  }
  return nullptr;
}

}  // namespace

CodeGenLLVM::CodeGenLLVM(llvm::Module& module, const Target& target)
    : module_(module), target_(target), builder_(std::make_unique<llvm::IRBuilder<>>(module.getContext())) {
  if (target_.fast_math) builder_->setFastMathFlags(llvm::FastMathFlags::getFast());
  runtime_api_ = module_.getGlobalVariable("__kiln_runtime_api");
  if (runtime_api_ == nullptr) {
    llvm::PointerType* ptr = llvm::PointerType::getUnqual(context());
    runtime_api_ = new llvm::GlobalVariable(module_, ptr, false, llvm::GlobalValue::ExternalLinkage,
                                            llvm::ConstantPointerNull::get(ptr), "__kiln_runtime_api");
  }
}

CodeGenLLVM::~CodeGenLLVM() = default;

void CodeGenLLVM::SetFunctionAttributes(llvm::Function* fn) {
  fn->addFnAttr("target-cpu", target_.cpu);
  std::string features = target_.FeatureString();
  if (!features.empty()) fn->addFnAttr("target-features", features);
  fn->addFnAttr(llvm::Attribute::NoUnwind);
}

void CodeGenLLVM::AddFunction(const std::string& name, const PrimFunc& func) {
  KILN_CHECK(IsIdentifier(name)) << "function name '" << name << "' is not a C identifier";
  KILN_CHECK(!IsLibraryFunction(name, target_.triple) && name.rfind("__", 0) != 0)
      << "function name '" << name << "' is taken by the C library or the compiler; choose another";
  KILN_CHECK(module_.getFunction(name) == nullptr) << "function '" << name << "' is defined twice";
  function_name_ = name;
  std::vector<Var> args = ComputeArgs(name, func);
  llvm::Function* compute = EmitCompute(name + "_compute_", func, args);
  EmitHostWrapper(*this, name, func, compute, args);
}

llvm::Function* CodeGenLLVM::EmitCompute(const std::string& name, const PrimFunc& func, const std::vector<Var>& args) {
  std::vector<llvm::Type*> types;
  for (const Var& v : args) types.push_back(Type(v.dtype()));
  auto* type = llvm::FunctionType::get(builder_->getInt32Ty(), types, false);
  auto* fn = llvm::Function::Create(type, llvm::Function::InternalLinkage, name, module_);
  SetFunctionAttributes(fn);
  BeginFunction(fn);
  for (size_t i = 0; i < args.size(); ++i) {
    fn->getArg(i)->setName(args[i].name());
    Bind(args[i], fn->getArg(i));
    for (const auto& [param, b] : func->buffer_map) {
      if (b->data.get() != args[i].get()) continue;
      state_.distinct.insert(b->data.get());
      fn->addParamAttr(i, llvm::Attribute::NoAlias);
      fn->addParamAttr(i, llvm::Attribute::getWithAlignment(context(), llvm::Align(b->align)));
    }
  }
  Emit(func->body);
  builder_->CreateRet(builder_->getInt32(0));
  EndFunction();
  return fn;
}

void CodeGenLLVM::BeginFunction(llvm::Function* fn) {
  state_ = FunctionState{};
  state_.fn = fn;
  builder_->SetInsertPoint(llvm::BasicBlock::Create(context(), "entry", fn));
}

// ---- types and variables ----

llvm::Type* CodeGenLLVM::Type(DataType t) {
  llvm::Type* s = nullptr;
  if (t.is_handle()) return llvm::PointerType::getUnqual(context());
  if (t.is_bool()) {
    s = builder_->getInt1Ty();
  } else if (t.is_int() || t.is_uint()) {
    s = builder_->getIntNTy(t.bits());
  } else if (t.code() == DataType::kBFloat) {
    s = builder_->getBFloatTy();
  } else if (t.is_float() && t.bits() == 16) {
    s = builder_->getHalfTy();
  } else if (t.is_float() && t.bits() == 32) {
    s = builder_->getFloatTy();
  } else if (t.is_float() && t.bits() == 64) {
    s = builder_->getDoubleTy();
  }
  KILN_CHECK(s) << function_name_ << ": dtype " << t << " is not supported by the llvm target";
  return t.lanes() == 1 ? s : llvm::FixedVectorType::get(s, t.lanes());
}

llvm::Type* CodeGenLLVM::MemType(DataType t) {
  return t.is_bool() ? Type(DataType::UInt(8, t.lanes())) : Type(t);
}

void CodeGenLLVM::Bind(const Var& var, llvm::Value* value) {
  KILN_CHECK(state_.vars.emplace(var.get(), value).second)
      << function_name_ << ": variable '" << var.name() << "' is defined twice";
}

void CodeGenLLVM::Unbind(const Var& var) {
  state_.vars.erase(var.get());
}

llvm::Value* CodeGenLLVM::Lookup(const Var& var) {
  auto it = state_.vars.find(var.get());
  KILN_CHECK(it != state_.vars.end())
      << function_name_ << ": variable '" << var.name()
      << "' is used where it is not defined (no parameter, shape, loop or let binds it)";
  return it->second;
}

// ---- helpers for the wrapper, intrinsics and error paths ----

llvm::Value* CodeGenLLVM::CString(const std::string& s) {
  return builder_->CreateGlobalStringPtr(s, ".str", 0, &module_);
}

llvm::AllocaInst* CodeGenLLVM::EntryAlloca(llvm::Type* type, uint64_t align, const std::string& name) {
  llvm::BasicBlock& entry = state_.fn->getEntryBlock();
  llvm::IRBuilder<> b(&entry, entry.begin());
  llvm::AllocaInst* a = b.CreateAlloca(type, nullptr, name);
  a->setAlignment(llvm::Align(align));
  return a;
}

llvm::Value* CodeGenLLVM::CallRuntimeAPI(RuntimeAPIField field, llvm::ArrayRef<llvm::Value*> args) {
  llvm::Type* ptr = builder_->getPtrTy();
  llvm::StructType* api_type =
      llvm::StructType::get(context(), {builder_->getInt32Ty(), ptr, ptr, ptr, ptr});  // KilnRuntimeAPI
  llvm::Value* api = builder_->CreateLoad(ptr, runtime_api_, "api");
  llvm::Value* slot = builder_->CreateStructGEP(api_type, api, static_cast<unsigned>(field));
  llvm::Value* fn = builder_->CreateLoad(ptr, slot);
  return builder_->CreateCall(RuntimeAPIType(context(), field), fn, args);
}

void CodeGenLLVM::EmitReturn(llvm::Value* code) {
  for (auto it = state_.workspaces.rbegin(); it != state_.workspaces.rend(); ++it) {
    CallRuntimeAPI(RuntimeAPIField::kFreeWorkspace, {builder_->getInt32(kDLCPU), builder_->getInt32(0), *it});
  }
  builder_->CreateRet(code);
}

void CodeGenLLVM::EmitFailure(const std::string& format, llvm::ArrayRef<llvm::Value*> args) {
  if (state_.message == nullptr) {
    state_.message = EntryAlloca(llvm::ArrayType::get(builder_->getInt8Ty(), kMessageBytes), 1, "message");
  }
  llvm::Type* ptr = builder_->getPtrTy();
  llvm::FunctionCallee snprintf = module_.getOrInsertFunction(
      "snprintf", llvm::FunctionType::get(builder_->getInt32Ty(), {ptr, builder_->getInt64Ty(), ptr}, true));
  std::vector<llvm::Value*> call_args = {state_.message, builder_->getInt64(kMessageBytes), CString(format)};
  call_args.insert(call_args.end(), args.begin(), args.end());
  builder_->CreateCall(snprintf, call_args);
  CallRuntimeAPI(RuntimeAPIField::kSetLastError, {state_.message});
  EmitReturn(builder_->getInt32(-1));
}

void CodeGenLLVM::CheckOr(llvm::Value* ok, const std::function<void()>& fail) {
  auto* ok_block = llvm::BasicBlock::Create(context(), "check_ok", state_.fn);
  auto* fail_block = llvm::BasicBlock::Create(context(), "check_fail", state_.fn);
  llvm::MDNode* weights = llvm::MDBuilder(context()).createBranchWeights(1 << 20, 1);
  builder_->CreateCondBr(ok, ok_block, fail_block, weights);
  builder_->SetInsertPoint(fail_block);
  fail();
  KILN_ICHECK(builder_->GetInsertBlock()->getTerminator() != nullptr) << "a failure path does not return";
  builder_->SetInsertPoint(ok_block);
}

void CodeGenLLVM::ReturnIfNonZero(llvm::Value* rc) {
  CheckOr(builder_->CreateICmpEQ(rc, builder_->getInt32(0)), [&] { EmitReturn(rc); });
}

}  // namespace kiln::codegen
