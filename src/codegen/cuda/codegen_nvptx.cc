// CodeGenNVPTX: kernels, thread-bound loops and allocations on the NVPTX
// target (math intrinsics are in nvptx_math.cc).
#include "codegen_nvptx.h"

#include <llvm/IR/IntrinsicsNVPTX.h>
#include <llvm/IR/Metadata.h>

#include <cctype>
#include <map>

#include "kiln/runtime/error.h"
#include "kiln/tir/printer.h"
#include "kiln/tir/structural_equal.h"

namespace kiln::codegen {

using namespace tir;

namespace {

// Allocations of a kernel have a constant size, at most this many bytes per
// thread (registers/local memory) or per block (shared memory, 48 KiB
// without opting in to more).
constexpr int64_t kMaxLocalBytes = 16 * 1024;
constexpr int64_t kMaxSharedBytes = 48 * 1024;

// A thread axis: blockIdx (grid) or threadIdx (block), dimension 0..2.
struct Axis {
  bool block_idx;
  int dim;
};

std::optional<Axis> ParseAxis(const std::string& tag) {
  for (const char* prefix : {"blockIdx.", "threadIdx."}) {
    std::string p = prefix;
    if (tag.size() == p.size() + 1 && tag.compare(0, p.size(), p) == 0 && tag.back() >= 'x' && tag.back() <= 'z') {
      return Axis{p == "blockIdx.", tag.back() - 'x'};
    }
  }
  return std::nullopt;
}

bool IsKernelName(const std::string& s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

// The extents of every loop bound to each thread axis, in program order.
class ThreadExtents : public StmtVisitor {
 public:
  explicit ThreadExtents(std::string fname) : fname_(std::move(fname)) {}
  std::map<std::string, std::vector<PrimExpr>> extents;

 protected:
  using StmtVisitor::VisitStmt_;
  void VisitStmt_(const ForNode* op) override {
    if (op->for_kind == ForKind::kThreadBinding) {
      KILN_CHECK(ParseAxis(op->thread_tag))
          << fname_ << ": loop '" << op->loop_var.name() << "' is bound to '" << op->thread_tag
          << "', which the cuda target does not support (blockIdx.x/y/z and threadIdx.x/y/z only)";
      extents[op->thread_tag].push_back(op->extent);
    }
    StmtVisitor::VisitStmt_(op);
  }

 private:
  std::string fname_;
};

// One extent per axis: the loops' common extent, or the largest of
// constant ones (the smaller loops are then guarded).
PrimExpr LaunchExtent(const std::string& fname, const std::string& tag, const std::vector<PrimExpr>& extents) {
  PrimExpr out = extents[0];
  const PrimExpr* other = nullptr;  // the first extent unlike the first
  for (const PrimExpr& e : extents) {
    if (!other && !StructuralEqual(e, out)) other = &e;
  }
  if (!other) return out;
  for (const PrimExpr& e : extents) {
    KILN_CHECK(AsConstInt(e)) << fname << ": loops bound to " << tag << " have different extents ("
                              << ToText(extents[0]) << " and " << ToText(*other)
                              << "), which must then be constants to take the largest";
    if (*AsConstInt(e) > *AsConstInt(out)) out = e;
  }
  return out;
}

// Checks that an extent depends only on the kernel's parameters, so that the
// launch configuration can be computed from the arguments.
void CheckLaunchable(const std::string& fname, const std::string& tag, const PrimExpr& extent,
                     const std::vector<Var>& args) {
  PreOrderVisit(extent, [&](const PrimExpr& e) {
    const VarNode* v = e.as<VarNode>();
    if (!v) return;
    bool param = false;
    for (const Var& a : args) param = param || a.get() == v;
    KILN_CHECK(param) << fname << ": the extent " << ToText(extent) << " of the loop bound to " << tag
                      << " depends on '" << v->name << "', which is no parameter; a launch dimension must be "
                      << "computable from the arguments";
  });
}

llvm::Intrinsic::ID SpecialRegister(Axis a) {
  static const llvm::Intrinsic::ID ids[2][3] = {
      {llvm::Intrinsic::nvvm_read_ptx_sreg_tid_x, llvm::Intrinsic::nvvm_read_ptx_sreg_tid_y,
       llvm::Intrinsic::nvvm_read_ptx_sreg_tid_z},
      {llvm::Intrinsic::nvvm_read_ptx_sreg_ctaid_x, llvm::Intrinsic::nvvm_read_ptx_sreg_ctaid_y,
       llvm::Intrinsic::nvvm_read_ptx_sreg_ctaid_z}};
  return ids[a.block_idx ? 1 : 0][a.dim];
}

}  // namespace

CodeGenNVPTX::CodeGenNVPTX(llvm::Module& module, const Target& target, bool has_libdevice)
    : CodeGenLLVM(module, target), has_libdevice_(has_libdevice) {}

KernelLaunch CodeGenNVPTX::AddKernel(const std::string& name, const PrimFunc& func) {
  KILN_CHECK(IsKernelName(name)) << "kernel name '" << name << "' is not an identifier";
  KILN_CHECK(module().getFunction(name) == nullptr) << "kernel '" << name << "' is defined twice";
  set_function_name(name);
  std::vector<Var> args = ComputeArgs(name, func);

  // The launch configuration, from the thread-bound loops.
  ThreadExtents scan(name);
  scan.VisitStmt(func->body);
  KILN_CHECK(!scan.extents.empty())
      << name << ": no loop is bound to a GPU thread, so the kernel would run serially on one thread; bind its "
      << "loops with sch.bind(loop, 'blockIdx.x') and sch.bind(loop, 'threadIdx.x')";
  launch_ = KernelLaunch{name, {}, {}};
  for (int d = 0; d < 3; ++d) launch_.grid[d] = launch_.block[d] = IntImm(DataType::Int(64), 1);
  for (const auto& [tag, extents] : scan.extents) {
    PrimExpr e = LaunchExtent(name, tag, extents);
    CheckLaunchable(name, tag, e, args);
    Axis a = *ParseAxis(tag);
    (a.block_idx ? launch_.grid : launch_.block)[a.dim] = e;
  }

  std::vector<llvm::Type*> types;
  for (const Var& v : args) types.push_back(Type(v.dtype()));
  auto* type = llvm::FunctionType::get(builder().getVoidTy(), types, false);
  auto* fn = llvm::Function::Create(type, llvm::Function::ExternalLinkage, name, module());
  fn->setCallingConv(llvm::CallingConv::PTX_Kernel);
  fn->addFnAttr("target-cpu", target().cpu);
  fn->addFnAttr("target-features", target().FeatureString());
  fn->addFnAttr(llvm::Attribute::NoUnwind);
  BeginFunction(fn);
  for (size_t i = 0; i < args.size(); ++i) {
    fn->getArg(i)->setName(args[i].name());
    Bind(args[i], fn->getArg(i));
    for (const auto& [param, b] : func->buffer_map) {
      if (b->data.get() != args[i].get()) continue;
      fn->addParamAttr(i, llvm::Attribute::NoAlias);
      fn->addParamAttr(i, llvm::Attribute::getWithAlignment(context(), llvm::Align(std::max<int64_t>(b->align, 1))));
    }
  }
  bound_depth_ = 0;
  Emit(func->body);
  builder().CreateRetVoid();
  EndFunction();

  // nvvm.annotations: the function is a kernel; constant block dims bound
  // the threads per block (.maxntid), which helps register allocation.
  llvm::LLVMContext& ctx = context();
  llvm::NamedMDNode* annotations = module().getOrInsertNamedMetadata("nvvm.annotations");
  auto annotate = [&](const char* key, int64_t value) {
    annotations->addOperand(llvm::MDNode::get(ctx, {llvm::ValueAsMetadata::get(fn), llvm::MDString::get(ctx, key),
                                                    llvm::ConstantAsMetadata::get(builder().getInt32(value))}));
  };
  annotate("kernel", 1);
  const char* maxntid[3] = {"maxntidx", "maxntidy", "maxntidz"};
  bool constant_block = true;
  for (const PrimExpr& e : launch_.block) constant_block = constant_block && AsConstInt(e);
  for (int d = 0; d < 3 && constant_block; ++d) annotate(maxntid[d], *AsConstInt(launch_.block[d]));
  return launch_;
}

void CodeGenNVPTX::VisitStmt_(const ForNode* op) {
  if (op->for_kind != ForKind::kThreadBinding) {
    KILN_CHECK(bound_depth_ > 0) << function_name() << ": loop '" << op->loop_var.name()
                                 << "' is not bound to a GPU thread and no thread-bound loop encloses it: every "
                                 << "thread of the kernel would run all of it serially; bind it with sch.bind(loop, "
                                 << "'threadIdx.x') (or 'blockIdx.x')";
    KILN_CHECK(op->for_kind != ForKind::kParallel)
        << function_name() << ": loop '" << op->loop_var.name()
        << "' is parallel, which the cuda target does not run; bind it to a thread axis instead";
    CodeGenLLVM::VisitStmt_(op);
    return;
  }
  Axis a = *ParseAxis(op->thread_tag);
  llvm::Value* index = builder().CreateIntrinsic(SpecialRegister(a), {}, {});
  DataType t = op->loop_var.dtype();
  index = EmitCast(DataType::Int(32), t, index);
  const PrimExpr& launched = (a.block_idx ? launch_.grid : launch_.block)[a.dim];
  Bind(op->loop_var, builder().CreateAdd(Emit(op->min), index));
  ++bound_depth_;
  if (StructuralEqual(launched, op->extent)) {
    Emit(op->body);
  } else {
    // A loop shorter than the launch dimension (another loop on this axis is
    // longer): the threads past its extent skip it.
    llvm::Function* fn = builder().GetInsertBlock()->getParent();
    auto* body = llvm::BasicBlock::Create(context(), "bound_body", fn);
    auto* end = llvm::BasicBlock::Create(context(), "bound_end", fn);
    builder().CreateCondBr(builder().CreateICmpSLT(index, Emit(op->extent)), body, end);
    builder().SetInsertPoint(body);
    Emit(op->body);
    builder().CreateBr(end);
    builder().SetInsertPoint(end);
  }
  --bound_depth_;
  Unbind(op->loop_var);
}

void CodeGenNVPTX::VisitStmt_(const AllocateNode* op) {
  const Buffer& b = op->buffer;
  int64_t count = 1;
  for (const PrimExpr& d : b->shape) {
    const int64_t* v = AsConstInt(d);
    KILN_CHECK(v) << function_name() << ": buffer '" << b->name << "' (scope " << b->scope
                  << ") has the symbolic shape dimension " << ToText(d)
                  << "; a GPU kernel allocates constant sizes only";
    count *= *v;
  }
  int64_t bytes = count * b->dtype.bytes();
  llvm::Type* type = llvm::ArrayType::get(MemType(b->dtype), static_cast<uint64_t>(std::max<int64_t>(count, 1)));
  uint64_t align = static_cast<uint64_t>(std::max<int64_t>({b->align, b->dtype.bytes(), 16}));
  llvm::Value* storage = nullptr;
  if (b->scope == "shared") {
    KILN_CHECK(bytes <= kMaxSharedBytes) << function_name() << ": shared buffer '" << b->name << "' takes " << bytes
                                         << " bytes, more than the " << kMaxSharedBytes << " a block has";
    auto* gv =
        new llvm::GlobalVariable(module(), type, false, llvm::GlobalValue::InternalLinkage, llvm::UndefValue::get(type),
                                 function_name() + "_" + b->name, nullptr, llvm::GlobalValue::NotThreadLocal, 3);
    gv->setAlignment(llvm::Align(align));
    storage = gv;
  } else {
    // Per thread: each thread runs the statement, so storage above the
    // thread-bound loops would be private where the program means it shared.
    KILN_CHECK(bound_depth_ > 0) << function_name() << ": buffer '" << b->name << "' (scope " << b->scope
                                 << ") is allocated outside the thread-bound loops; a kernel cannot allocate memory "
                                 << "its threads share except in scope 'shared'";
    KILN_CHECK(bytes <= kMaxLocalBytes) << function_name() << ": buffer '" << b->name << "' takes " << bytes
                                        << " bytes per thread, more than " << kMaxLocalBytes;
    storage = EntryAlloca(type, align, b->name);
  }
  Bind(b->data, storage);
  Emit(op->body);
  Unbind(b->data);
}

llvm::Value* CodeGenNVPTX::VisitExpr_(const CallNode* op) {
  if (std::optional<llvm::Value*> v = EmitMath(op)) return *v;
  return CodeGenLLVM::VisitExpr_(op);
}

}  // namespace kiln::codegen
