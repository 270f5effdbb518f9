// CodeGenLLVM, expressions: immediates, variables, binary operators with
// tir's semantics (floor division toward negative infinity; a*b+c as
// llvm.fmuladd in float code), casts, select, Ramp, Broadcast and let.
#include "codegen_llvm.h"
#include "kiln/runtime/error.h"

namespace kiln::codegen {

using namespace tir;

llvm::Value* CodeGenLLVM::VisitExpr_(const IntImmNode* op) {
  return llvm::ConstantInt::get(Type(op->dtype), static_cast<uint64_t>(op->value), op->dtype.is_int());
}

llvm::Value* CodeGenLLVM::VisitExpr_(const FloatImmNode* op) {
  return llvm::ConstantFP::get(Type(op->dtype), op->value);
}

llvm::Value* CodeGenLLVM::VisitExpr_(const StringImmNode* op) {
  return CString(op->value);
}

llvm::Value* CodeGenLLVM::VisitExpr_(const VarNode* op) {
  return Lookup(Var(runtime::GetRef<PrimExprNode>(op)));
}

// a*b+c, a*b-c and c-a*b in float code: llvm.fmuladd, or nullptr.
llvm::Value* CodeGenLLVM::TryEmitFMA(const BinaryNode* op) {
  if (!op->dtype.is_float() || (op->op != BinaryOp::kAdd && op->op != BinaryOp::kSub)) return nullptr;
  auto as_mul = [](const PrimExpr& e) {
    const BinaryNode* b = e.as<BinaryNode>();
    return b && b->op == BinaryOp::kMul ? b : nullptr;
  };
  const BinaryNode* mul = as_mul(op->a);
  bool mul_first = mul != nullptr;
  if (!mul) mul = as_mul(op->b);
  if (!mul) return nullptr;
  llvm::Value* x = Emit(mul->a);
  llvm::Value* y = Emit(mul->b);
  llvm::Value* z = Emit(mul_first ? op->b : op->a);
  if (op->op == BinaryOp::kSub && mul_first) z = builder_->CreateFNeg(z);   // a*b - c = fma(a, b, -c)
  if (op->op == BinaryOp::kSub && !mul_first) x = builder_->CreateFNeg(x);  // c - a*b = fma(-a, b, c)
  return builder_->CreateIntrinsic(llvm::Intrinsic::fmuladd, {x->getType()}, {x, y, z});
}

llvm::Value* CodeGenLLVM::VisitExpr_(const BinaryNode* op) {
  if (llvm::Value* fma = TryEmitFMA(op)) return fma;
  llvm::Value* a = Emit(op->a);
  llvm::Value* b = Emit(op->b);
  DataType t = op->a.dtype();
  if (IsComparison(op->op)) return EmitCompare(op->op, t, a, b);
  switch (op->op) {
    case BinaryOp::kAnd: return builder_->CreateAnd(a, b);
    case BinaryOp::kOr: return builder_->CreateOr(a, b);
    case BinaryOp::kFloorDiv:
    case BinaryOp::kFloorMod: return EmitFloorDivMod(op->op, t, a, b);
    default: return EmitArith(op->op, t, a, b);
  }
}

llvm::Value* CodeGenLLVM::EmitArith(BinaryOp op, DataType t, llvm::Value* a, llvm::Value* b) {
  llvm::IRBuilder<>& B = *builder_;
  bool f = t.is_float(), s = t.is_int();
  switch (op) {
    case BinaryOp::kAdd: return f ? B.CreateFAdd(a, b) : s ? B.CreateNSWAdd(a, b) : B.CreateAdd(a, b);
    case BinaryOp::kSub: return f ? B.CreateFSub(a, b) : s ? B.CreateNSWSub(a, b) : B.CreateSub(a, b);
    case BinaryOp::kMul: return f ? B.CreateFMul(a, b) : s ? B.CreateNSWMul(a, b) : B.CreateMul(a, b);
    case BinaryOp::kDiv: return f ? B.CreateFDiv(a, b) : s ? B.CreateSDiv(a, b) : B.CreateUDiv(a, b);
    case BinaryOp::kMod: return f ? B.CreateFRem(a, b) : s ? B.CreateSRem(a, b) : B.CreateURem(a, b);
    case BinaryOp::kMin:
      if (f) return B.CreateSelect(B.CreateFCmpOLT(a, b), a, b);
      return B.CreateBinaryIntrinsic(s ? llvm::Intrinsic::smin : llvm::Intrinsic::umin, a, b);
    case BinaryOp::kMax:
      if (f) return B.CreateSelect(B.CreateFCmpOGT(a, b), a, b);
      return B.CreateBinaryIntrinsic(s ? llvm::Intrinsic::smax : llvm::Intrinsic::umax, a, b);
    default: break;
  }
  KILN_ICHECK(false) << "not an arithmetic operator: " << BinaryOpName(op);
  return nullptr;
}

llvm::Value* CodeGenLLVM::EmitCompare(BinaryOp op, DataType t, llvm::Value* a, llvm::Value* b) {
  using P = llvm::CmpInst::Predicate;
  auto pick = [&](P fp, P sp, P up) { return t.is_float() ? fp : t.is_int() ? sp : up; };
  P p = P::BAD_ICMP_PREDICATE;
  switch (op) {
    case BinaryOp::kEQ: p = pick(P::FCMP_OEQ, P::ICMP_EQ, P::ICMP_EQ); break;
    case BinaryOp::kNE: p = pick(P::FCMP_UNE, P::ICMP_NE, P::ICMP_NE); break;  // NaN != NaN
    case BinaryOp::kLT: p = pick(P::FCMP_OLT, P::ICMP_SLT, P::ICMP_ULT); break;
    case BinaryOp::kLE: p = pick(P::FCMP_OLE, P::ICMP_SLE, P::ICMP_ULE); break;
    case BinaryOp::kGT: p = pick(P::FCMP_OGT, P::ICMP_SGT, P::ICMP_UGT); break;
    case BinaryOp::kGE: p = pick(P::FCMP_OGE, P::ICMP_SGE, P::ICMP_UGE); break;
    default: KILN_ICHECK(false) << "not a comparison: " << BinaryOpName(op);
  }
  return t.is_float() ? builder_->CreateFCmp(p, a, b) : builder_->CreateICmp(p, a, b);
}

// Signed ints: q = a / b and r = a % b truncate; when r != 0 and r and b have
// different signs, floordiv = q - 1 and floormod = r + b. Floats:
// floordiv = floor(a / b), floormod = a - floor(a / b) * b.
llvm::Value* CodeGenLLVM::EmitFloorDivMod(BinaryOp op, DataType t, llvm::Value* a, llvm::Value* b) {
  llvm::IRBuilder<>& B = *builder_;
  bool div = op == BinaryOp::kFloorDiv;
  if (t.is_float()) {
    llvm::Value* q = B.CreateUnaryIntrinsic(llvm::Intrinsic::floor, B.CreateFDiv(a, b));
    return div ? q : B.CreateFSub(a, B.CreateFMul(q, b));
  }
  if (!t.is_int()) return div ? B.CreateUDiv(a, b) : B.CreateURem(a, b);
  llvm::Value* zero = llvm::Constant::getNullValue(a->getType());
  llvm::Value* r = B.CreateSRem(a, b);
  llvm::Value* signs_differ = B.CreateICmpSLT(B.CreateXor(r, b), zero);
  llvm::Value* adjust = B.CreateAnd(B.CreateICmpNE(r, zero), signs_differ);
  if (!div) return B.CreateSelect(adjust, B.CreateNSWAdd(r, b), r);
  llvm::Value* q = B.CreateSDiv(a, b);
  return B.CreateSelect(adjust, B.CreateNSWSub(q, llvm::ConstantInt::get(a->getType(), 1)), q);
}

llvm::Value* CodeGenLLVM::VisitExpr_(const NotNode* op) {
  return builder_->CreateNot(Emit(op->a));
}

llvm::Value* CodeGenLLVM::EmitCast(DataType from, DataType to, llvm::Value* v) {
  llvm::IRBuilder<>& B = *builder_;
  if (from == to) return v;
  llvm::Type* type = Type(to);
  if (to.is_bool()) {
    llvm::Value* zero = llvm::Constant::getNullValue(v->getType());
    return from.is_float() ? B.CreateFCmpUNE(v, zero) : B.CreateICmpNE(v, zero);
  }
  if (from.is_handle() || to.is_handle()) {
    return from.is_handle() ? B.CreatePtrToInt(v, type) : B.CreateIntToPtr(v, type);
  }
  if (from.is_float() && to.is_float()) return B.CreateFPCast(v, type);
  if (from.is_float()) return to.is_int() ? B.CreateFPToSI(v, type) : B.CreateFPToUI(v, type);
  if (to.is_float()) return from.is_int() ? B.CreateSIToFP(v, type) : B.CreateUIToFP(v, type);
  return B.CreateIntCast(v, type, from.is_int());
}

llvm::Value* CodeGenLLVM::VisitExpr_(const CastNode* op) {
  return EmitCast(op->value.dtype(), op->dtype, Emit(op->value));
}

llvm::Value* CodeGenLLVM::VisitExpr_(const SelectNode* op) {
  llvm::Value* c = Emit(op->condition);
  llvm::Value* t = Emit(op->true_value);
  llvm::Value* f = Emit(op->false_value);
  return builder_->CreateSelect(c, t, f);
}

llvm::Value* CodeGenLLVM::VisitExpr_(const CallNode* op) {
  return EmitIntrinsic(*this, op);
}

// base + stride * <0, 1, ..., lanes - 1>
llvm::Value* CodeGenLLVM::VisitExpr_(const RampNode* op) {
  llvm::Value* base = builder_->CreateVectorSplat(op->lanes, Emit(op->base));
  llvm::Value* stride = builder_->CreateVectorSplat(op->lanes, Emit(op->stride));
  DataType t = op->base.dtype();
  std::vector<llvm::Constant*> steps;
  for (int i = 0; i < op->lanes; ++i) {
    steps.push_back(t.is_float() ? llvm::ConstantFP::get(Type(t), i) : llvm::ConstantInt::get(Type(t), i));
  }
  llvm::Value* offsets = llvm::ConstantVector::get(steps);
  if (t.is_float()) return builder_->CreateFAdd(base, builder_->CreateFMul(stride, offsets));
  return builder_->CreateAdd(base, builder_->CreateMul(stride, offsets));
}

llvm::Value* CodeGenLLVM::VisitExpr_(const BroadcastNode* op) {
  return builder_->CreateVectorSplat(op->lanes, Emit(op->value));
}

llvm::Value* CodeGenLLVM::VisitExpr_(const LetNode* op) {
  llvm::Value* value = Emit(op->value);
  Bind(op->var, value);
  if (op->var.dtype().is_int()) let_modular_[op->var.get()] = AnalyzeModular(op->value);
  llvm::Value* body = Emit(op->body);
  let_modular_.erase(op->var.get());
  Unbind(op->var);
  return body;
}

}  // namespace kiln::codegen
