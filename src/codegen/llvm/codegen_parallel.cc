// CodeGenLLVM, parallel loops: the body is outlined into a KilnParallelLambda
// that runs one contiguous chunk of the range per task, fed by a closure
// struct, and launched through __kiln_runtime_api->parallel_launch.
#include <llvm/IR/MDBuilder.h>

#include "codegen_llvm.h"
#include "kiln/runtime/error.h"

namespace kiln::codegen {

using namespace tir;

void CodeGenLLVM::EmitParallelFor(const ForNode* op) {
  // The closure: {min, extent, captured variables...}, filled in by the caller.
  std::vector<Var> captured;
  for (const Var& v : UsedVars(op->body)) {
    if (IsBound(v)) captured.push_back(v);
  }
  std::vector<llvm::Value*> values = {Emit(op->min), Emit(op->extent)};
  for (const Var& v : captured) values.push_back(Lookup(v));
  std::vector<llvm::Type*> types;
  for (llvm::Value* v : values) types.push_back(v->getType());
  llvm::StructType* closure_type = llvm::StructType::get(context(), types);
  llvm::AllocaInst* closure = EntryAlloca(closure_type, 8, "closure");
  for (size_t i = 0; i < values.size(); ++i) {
    builder_->CreateStore(values[i], builder_->CreateStructGEP(closure_type, closure, i));
  }
  llvm::Function* lambda = EmitParallelLambda(op, closure_type, captured);
  llvm::Value* rc = CallRuntimeAPI(RuntimeAPIField::kParallelLaunch, {lambda, closure, builder_->getInt32(0)});
  ReturnIfNonZero(rc);
}

// int32 lambda(int32 task, int32 num_tasks, void* closure): unpacks the
// closure and runs the loop over the task's chunk of the range.
llvm::Function* CodeGenLLVM::EmitParallelLambda(const ForNode* op, llvm::StructType* closure_type,
                                                const std::vector<Var>& captured) {
  llvm::Type* i32 = builder_->getInt32Ty();
  auto* type = llvm::FunctionType::get(i32, {i32, i32, builder_->getPtrTy()}, false);
  auto* lambda = llvm::Function::Create(type, llvm::Function::InternalLinkage,
                                        function_name_ + "_parallel_" + std::to_string(parallel_count_++), module_);
  SetFunctionAttributes(lambda);
  llvm::BasicBlock* caller_block = builder_->GetInsertBlock();
  FunctionState caller = std::move(state_);
  BeginFunction(lambda);
  std::vector<llvm::Value*> loaded;
  for (unsigned i = 0; i < closure_type->getNumElements(); ++i) {
    llvm::Value* field = builder_->CreateStructGEP(closure_type, lambda->getArg(2), i);
    loaded.push_back(builder_->CreateLoad(closure_type->getElementType(i), field));
  }
  std::vector<Var> distinct;
  for (size_t i = 0; i < captured.size(); ++i) {
    Bind(captured[i], loaded[i + 2]);
    if (caller.distinct.count(captured[i].get())) distinct.push_back(captured[i]);
  }
  MakeAliasScopes(distinct);
  auto [lo, hi] = TaskRange(loaded[0], loaded[1], lambda->getArg(0), lambda->getArg(1));
  EmitSerialLoop(op->loop_var, lo, hi, op->body, nullptr);
  builder_->CreateRet(builder_->getInt32(0));
  state_ = std::move(caller);
  builder_->SetInsertPoint(caller_block);
  return lambda;
}

// Task t of n runs [min + t * chunk, min + (t + 1) * chunk) clipped to the
// range [min, min + extent), with chunk = ceil(extent / n).
std::pair<llvm::Value*, llvm::Value*> CodeGenLLVM::TaskRange(llvm::Value* min, llvm::Value* extent, llvm::Value* task,
                                                             llvm::Value* num_tasks) {
  llvm::IRBuilder<>& b = *builder_;
  llvm::Type* t = extent->getType();
  llvm::Value* one = llvm::ConstantInt::get(t, 1);
  llvm::Value* first = b.CreateSExt(task, t);
  llvm::Value* n = b.CreateSExt(num_tasks, t);
  llvm::Value* chunk = b.CreateSDiv(b.CreateSub(b.CreateAdd(extent, n), one), n);
  auto clip = [&](llvm::Value* v) { return b.CreateBinaryIntrinsic(llvm::Intrinsic::smin, v, extent); };
  llvm::Value* lo = b.CreateAdd(min, clip(b.CreateMul(first, chunk)));
  llvm::Value* hi = b.CreateAdd(min, clip(b.CreateMul(b.CreateAdd(first, one), chunk)));
  return {lo, hi};
}

// The captured buffer pointers that alias no other keep saying so: each gets
// its own scope, and its accesses are noalias with every other's scope.
void CodeGenLLVM::MakeAliasScopes(const std::vector<Var>& captured) {
  if (captured.size() < 2) return;
  llvm::MDBuilder md(context());
  llvm::MDNode* domain = md.createAnonymousAliasScopeDomain(function_name_);
  std::vector<llvm::Metadata*> scopes;
  for (const Var& v : captured) scopes.push_back(md.createAnonymousAliasScope(domain, v.name()));
  for (size_t i = 0; i < captured.size(); ++i) {
    std::vector<llvm::Metadata*> others = scopes;
    others.erase(others.begin() + static_cast<std::ptrdiff_t>(i));
    AliasInfo info{llvm::MDNode::get(context(), {scopes[i]}), llvm::MDNode::get(context(), others)};
    state_.alias[captured[i].get()] = info;
    state_.distinct.insert(captured[i].get());
  }
}

}  // namespace kiln::codegen
