// CodeGenLLVM, memory: loads and stores of flat buffers (scalar, contiguous
// vector, gather/scatter), the alignment and alias metadata they carry, and
// Allocate (stack for small constant sizes, else a runtime workspace; both
// 64-byte aligned, which the accesses then know).
#include <algorithm>
#include <bit>
#include <numeric>

#include "codegen_llvm.h"
#include "kiln/runtime/c_api.h"
#include "kiln/runtime/device.h"
#include "kiln/runtime/error.h"

namespace kiln::codegen {

using namespace tir;

namespace {

// Allocations up to this size with a constant shape live on the stack.
constexpr int64_t kMaxStackBytes = 16 * 1024;

const RampNode* ContiguousRamp(const PrimExpr& index) {
  const RampNode* r = index.as<RampNode>();
  const int64_t* stride = r ? AsConstInt(r->stride) : nullptr;
  return stride && *stride == 1 ? r : nullptr;
}

// The alignment LLVM knows for a pointer: an alloca's, a parameter's or a
// call's return attribute; 1 for others (loaded from a closure, computed).
uint64_t PointerAlign(const llvm::Value* ptr) {
  if (const auto* a = llvm::dyn_cast<llvm::AllocaInst>(ptr)) return a->getAlign().value();
  if (const auto* arg = llvm::dyn_cast<llvm::Argument>(ptr)) return arg->getParamAlign().valueOrOne().value();
  if (const auto* call = llvm::dyn_cast<llvm::CallBase>(ptr)) return call->getRetAlign().valueOrOne().value();
  return 1;
}

bool SmallEnough(int64_t v) {
  return v > -(int64_t{1} << 31) && v < (int64_t{1} << 31);
}

const std::vector<PrimExpr>& FlatIndices(const std::string& fname, const Buffer& b,
                                         const std::vector<PrimExpr>& indices) {
  KILN_CHECK(indices.size() == 1) << fname << ": access of buffer '" << b->name << "' with " << indices.size()
                                  << " indices reached code generation; run FlattenBuffers first";
  return indices;
}

}  // namespace

// ---- alignment ----

Modular CodeGenLLVM::AnalyzeModular(const PrimExpr& e) {
  if (const int64_t* v = AsConstInt(e)) return SmallEnough(*v) ? Modular{0, *v} : Modular{};
  if (const VarNode* v = e.as<VarNode>()) {
    auto it = let_modular_.find(v);
    return it == let_modular_.end() ? Modular{} : it->second;
  }
  if (const CastNode* c = e.as<CastNode>()) return AnalyzeModular(c->value);
  const BinaryNode* b = e.as<BinaryNode>();
  if (!b) return {};
  Modular x = AnalyzeModular(b->a), y = AnalyzeModular(b->b);
  if (!SmallEnough(x.coeff) || !SmallEnough(x.base) || !SmallEnough(y.coeff) || !SmallEnough(y.base)) return {};
  switch (b->op) {
    case BinaryOp::kAdd: return {std::gcd(x.coeff, y.coeff), x.base + y.base};  // (cx*k + bx) + (cy*m + by)
    case BinaryOp::kSub: return {std::gcd(x.coeff, y.coeff), x.base - y.base};
    case BinaryOp::kMul:  // (cx*k + bx) * (cy*m + by)
      return {std::gcd(std::gcd(x.coeff * y.coeff, x.coeff * y.base), y.coeff * x.base), x.base * y.base};
    default: return {};
  }
}

uint64_t CodeGenLLVM::KnownAlign(const Buffer& buffer, const PrimExpr& index) {
  // What the buffer promises, or more where its storage is known (an
  // allocation of this function, an aligned parameter).
  uint64_t limit = static_cast<uint64_t>(std::max<int64_t>(buffer->align, 1));
  if (IsBound(buffer->data)) limit = std::max(limit, PointerAlign(Lookup(buffer->data)));
  Modular m = AnalyzeModular(index);
  uint64_t g = static_cast<uint64_t>(std::gcd(m.coeff, m.base));
  if (g == 0) return limit;       // always element 0
  uint64_t elems = g & (~g + 1);  // the largest power of two dividing every value of the index
  uint64_t bytes = std::bit_floor(static_cast<uint64_t>(buffer->dtype.bytes()));
  return elems >= limit ? limit : std::min(limit, elems * bytes);
}

// ---- loads and stores ----

void CodeGenLLVM::AnnotateAlias(llvm::Instruction* access, const Buffer& buffer) {
  auto it = state_.alias.find(buffer->data.get());
  if (it == state_.alias.end()) return;
  access->setMetadata(llvm::LLVMContext::MD_alias_scope, it->second.scope);
  access->setMetadata(llvm::LLVMContext::MD_noalias, it->second.noalias);
}

llvm::Value* CodeGenLLVM::BufferBase(const Buffer& buffer) {
  KILN_CHECK(IsBound(buffer->data)) << function_name_ << ": buffer '" << buffer->name
                                    << "' is used outside the scope of its allocation or parameter";
  return Lookup(buffer->data);
}

llvm::Value* CodeGenLLVM::EmitLoad(const Buffer& buffer, const PrimExpr& index, DataType t) {
  llvm::Type* elem = MemType(buffer->dtype);
  llvm::Value* base = BufferBase(buffer);
  llvm::Instruction* value = nullptr;
  if (index.dtype().lanes() == 1) {
    llvm::Value* ptr = builder_->CreateInBoundsGEP(elem, base, Emit(index));
    value = builder_->CreateAlignedLoad(elem, ptr, llvm::Align(KnownAlign(buffer, index)));
  } else if (const RampNode* ramp = ContiguousRamp(index)) {
    llvm::Value* ptr = builder_->CreateInBoundsGEP(elem, base, Emit(ramp->base));
    value = builder_->CreateAlignedLoad(MemType(t), ptr, llvm::Align(KnownAlign(buffer, ramp->base)));
  } else {
    KILN_CHECK(buffer->dtype.lanes() == 1) << function_name_ << ": gather from buffer '" << buffer->name
                                           << "' of vector dtype " << buffer->dtype << " is not supported";
    llvm::Value* ptrs = builder_->CreateInBoundsGEP(elem, base, Emit(index));
    llvm::Align align(std::min<uint64_t>(buffer->dtype.bytes(), std::max<int64_t>(buffer->align, 1)));
    value = builder_->CreateMaskedGather(MemType(t), ptrs, align);
  }
  AnnotateAlias(value, buffer);
  if (!t.is_bool()) return value;
  return builder_->CreateICmpNE(value, llvm::Constant::getNullValue(value->getType()));
}

void CodeGenLLVM::EmitStore(const Buffer& buffer, const PrimExpr& index, llvm::Value* value, DataType t) {
  if (t.is_bool()) value = builder_->CreateZExt(value, MemType(t));
  llvm::Type* elem = MemType(buffer->dtype);
  llvm::Value* base = BufferBase(buffer);
  llvm::Instruction* store = nullptr;
  if (index.dtype().lanes() == 1) {
    llvm::Value* ptr = builder_->CreateInBoundsGEP(elem, base, Emit(index));
    store = builder_->CreateAlignedStore(value, ptr, llvm::Align(KnownAlign(buffer, index)));
  } else if (const RampNode* ramp = ContiguousRamp(index)) {
    llvm::Value* ptr = builder_->CreateInBoundsGEP(elem, base, Emit(ramp->base));
    store = builder_->CreateAlignedStore(value, ptr, llvm::Align(KnownAlign(buffer, ramp->base)));
  } else {
    KILN_CHECK(buffer->dtype.lanes() == 1) << function_name_ << ": scatter to buffer '" << buffer->name
                                           << "' of vector dtype " << buffer->dtype << " is not supported";
    llvm::Value* ptrs = builder_->CreateInBoundsGEP(elem, base, Emit(index));
    llvm::Align align(std::min<uint64_t>(buffer->dtype.bytes(), std::max<int64_t>(buffer->align, 1)));
    store = builder_->CreateMaskedScatter(value, ptrs, align);
  }
  AnnotateAlias(store, buffer);
}

llvm::Value* CodeGenLLVM::VisitExpr_(const BufferLoadNode* op) {
  const auto& indices = FlatIndices(function_name_, op->buffer, op->indices);
  return EmitLoad(op->buffer, indices[0], op->dtype);
}

void CodeGenLLVM::VisitStmt_(const BufferStoreNode* op) {
  const auto& indices = FlatIndices(function_name_, op->buffer, op->indices);
  EmitStore(op->buffer, indices[0], Emit(op->value), op->value.dtype());
}

// ---- allocation ----

void CodeGenLLVM::VisitStmt_(const AllocateNode* op) {
  const Buffer& b = op->buffer;
  int64_t elem_bytes = b->dtype.bytes();
  int64_t count = 1;
  bool constant = true;
  for (const PrimExpr& d : b->shape) {
    const int64_t* v = AsConstInt(d);
    constant = constant && v != nullptr;
    if (v) count *= *v;
  }
  if (constant && count * elem_bytes <= kMaxStackBytes) {
    // In the entry block, where SROA can promote a small tile accessed at
    // constant indices to registers; aligned like the heap's storage when
    // it holds at least one vector's worth.
    llvm::Type* type = llvm::ArrayType::get(MemType(b->dtype), static_cast<uint64_t>(std::max<int64_t>(count, 1)));
    int64_t align = std::max<int64_t>(b->align, 1);
    if (count * elem_bytes >= static_cast<int64_t>(runtime::kAllocAlignment)) {
      align = std::max<int64_t>(align, runtime::kAllocAlignment);
    }
    Bind(b->data, EntryAlloca(type, static_cast<uint64_t>(align), b->name));
    state_.distinct.insert(b->data.get());
    Emit(op->body);
    state_.distinct.erase(b->data.get());
    Unbind(b->data);
    return;
  }
  llvm::Value* nbytes = builder_->getInt64(static_cast<uint64_t>(elem_bytes));
  for (const PrimExpr& d : b->shape) {
    nbytes = builder_->CreateMul(nbytes, EmitCast(d.dtype(), DataType::Int(64), Emit(d)));
  }
  llvm::Value* device = builder_->getInt32(kDLCPU);
  llvm::Value* ptr = CallRuntimeAPI(RuntimeAPIField::kAllocWorkspace, {device, builder_->getInt32(0), nbytes});
  // Workspaces come from the pool with the runtime's allocation alignment.
  llvm::cast<llvm::CallBase>(ptr)->addRetAttr(
      llvm::Attribute::getWithAlignment(context(), llvm::Align(runtime::kAllocAlignment)));
  CheckOr(builder_->CreateIsNotNull(ptr), [&] {
    EmitFailure(function_name_ + ": cannot allocate %llu bytes for buffer '" + EscapeFormat(b->name) + "'", {nbytes});
  });
  state_.workspaces.push_back(ptr);
  Bind(b->data, ptr);
  state_.distinct.insert(b->data.get());
  Emit(op->body);
  state_.distinct.erase(b->data.get());
  Unbind(b->data);
  state_.workspaces.pop_back();
  ReturnIfNonZero(CallRuntimeAPI(RuntimeAPIField::kFreeWorkspace, {device, builder_->getInt32(0), ptr}));
}

}  // namespace kiln::codegen
