// CodeGenLLVM, control flow: serial loops (unrolled and vectorized kinds as
// loop metadata for LLVM's unroller and vectorizer), while, if, let, seq and
// evaluate. Parallel loops are outlined in codegen_parallel.cc.
#include <llvm/IR/MDBuilder.h>

#include "codegen_llvm.h"
#include "kiln/runtime/error.h"

namespace kiln::codegen {

using namespace tir;

namespace {

// A distinct loop ID node `!{!self, hints...}` as LLVM's loop passes read it.
llvm::MDNode* MakeLoopID(llvm::LLVMContext& ctx, std::vector<llvm::Metadata*> hints) {
  auto placeholder = llvm::MDNode::getTemporary(ctx, {});
  hints.insert(hints.begin(), placeholder.get());
  llvm::MDNode* id = llvm::MDNode::getDistinct(ctx, hints);
  id->replaceOperandWith(0, id);
  return id;
}

}  // namespace

llvm::MDNode* CodeGenLLVM::LoopMetadata(const ForNode* op) {
  llvm::LLVMContext& ctx = context();
  if (op->for_kind == ForKind::kUnrolled) {
    const char* hint = AsConstInt(op->extent) ? "llvm.loop.unroll.full" : "llvm.loop.unroll.enable";
    return MakeLoopID(ctx, {llvm::MDNode::get(ctx, {llvm::MDString::get(ctx, hint)})});
  }
  if (op->for_kind == ForKind::kVectorized) {
    llvm::Metadata* enable[] = {llvm::MDString::get(ctx, "llvm.loop.vectorize.enable"),
                                llvm::ConstantAsMetadata::get(builder_->getTrue())};
    return MakeLoopID(ctx, {llvm::MDNode::get(ctx, enable)});
  }
  return nullptr;
}

void CodeGenLLVM::EmitSerialLoop(const Var& var, llvm::Value* begin, llvm::Value* end, const Stmt& body,
                                 llvm::MDNode* loop_md) {
  llvm::BasicBlock* preheader = builder_->GetInsertBlock();
  auto* header = llvm::BasicBlock::Create(context(), "for_header", state_.fn);
  auto* body_block = llvm::BasicBlock::Create(context(), "for_body", state_.fn);
  auto* exit = llvm::BasicBlock::Create(context(), "for_end", state_.fn);
  builder_->CreateBr(header);

  builder_->SetInsertPoint(header);
  llvm::PHINode* i = builder_->CreatePHI(begin->getType(), 2, var.name());
  i->addIncoming(begin, preheader);
  llvm::Value* more = var.dtype().is_int() ? builder_->CreateICmpSLT(i, end) : builder_->CreateICmpULT(i, end);
  builder_->CreateCondBr(more, body_block, exit);

  builder_->SetInsertPoint(body_block);
  Bind(var, i);
  Emit(body);
  Unbind(var);
  llvm::Value* next = var.dtype().is_int() ? builder_->CreateNSWAdd(i, llvm::ConstantInt::get(i->getType(), 1))
                                           : builder_->CreateAdd(i, llvm::ConstantInt::get(i->getType(), 1));
  i->addIncoming(next, builder_->GetInsertBlock());
  llvm::BranchInst* latch = builder_->CreateBr(header);
  if (loop_md) latch->setMetadata(llvm::LLVMContext::MD_loop, loop_md);
  builder_->SetInsertPoint(exit);
}

void CodeGenLLVM::VisitStmt_(const ForNode* op) {
  KILN_CHECK(op->for_kind != ForKind::kThreadBinding)
      << function_name_ << ": loop over '" << op->loop_var.name() << "' is bound to " << op->thread_tag
      << ", which needs a GPU target";
  if (op->for_kind == ForKind::kParallel) {
    EmitParallelFor(op);
    return;
  }
  llvm::Value* begin = Emit(op->min);
  llvm::Value* end = builder_->CreateAdd(begin, Emit(op->extent));
  EmitSerialLoop(op->loop_var, begin, end, op->body, LoopMetadata(op));
}

void CodeGenLLVM::VisitStmt_(const WhileNode* op) {
  auto* header = llvm::BasicBlock::Create(context(), "while_header", state_.fn);
  auto* body = llvm::BasicBlock::Create(context(), "while_body", state_.fn);
  auto* exit = llvm::BasicBlock::Create(context(), "while_end", state_.fn);
  builder_->CreateBr(header);
  builder_->SetInsertPoint(header);
  builder_->CreateCondBr(Emit(op->condition), body, exit);
  builder_->SetInsertPoint(body);
  Emit(op->body);
  builder_->CreateBr(header);
  builder_->SetInsertPoint(exit);
}

void CodeGenLLVM::VisitStmt_(const SeqNode* op) {
  for (const Stmt& s : op->seq) Emit(s);
}

void CodeGenLLVM::VisitStmt_(const IfThenElseNode* op) {
  const CallNode* call = op->condition.as<CallNode>();
  llvm::MDNode* weights = nullptr;
  if (call && call->op == "likely") weights = llvm::MDBuilder(context()).createBranchWeights(1 << 10, 1);
  auto* then_block = llvm::BasicBlock::Create(context(), "if_then", state_.fn);
  auto* end = llvm::BasicBlock::Create(context(), "if_end", state_.fn);
  auto* else_block = op->else_case ? llvm::BasicBlock::Create(context(), "if_else", state_.fn) : end;
  builder_->CreateCondBr(Emit(op->condition), then_block, else_block, weights);
  builder_->SetInsertPoint(then_block);
  Emit(op->then_case);
  builder_->CreateBr(end);
  if (op->else_case) {
    builder_->SetInsertPoint(else_block);
    Emit(op->else_case);
    builder_->CreateBr(end);
  }
  builder_->SetInsertPoint(end);
}

void CodeGenLLVM::VisitStmt_(const LetStmtNode* op) {
  Bind(op->var, Emit(op->value));
  if (op->var.dtype().is_int()) let_modular_[op->var.get()] = AnalyzeModular(op->value);
  Emit(op->body);
  let_modular_.erase(op->var.get());
  Unbind(op->var);
}

// A view of storage that exists already: its accesses address the data
// variable, bound by the parameter or Allocate that owns it; nothing to emit.
void CodeGenLLVM::VisitStmt_(const DeclBufferNode* op) {
  Emit(op->body);
}

void CodeGenLLVM::VisitStmt_(const EvaluateNode* op) {
  if (op->value.as<IntImmNode>()) return;  // a no-op statement
  Emit(op->value);
}

void CodeGenLLVM::VisitStmt_(const BlockNode* op) {
  KILN_THROW() << function_name_ << ": block '" << op->name << "' reached code generation; run LowerBlocks first";
}

}  // namespace kiln::codegen
