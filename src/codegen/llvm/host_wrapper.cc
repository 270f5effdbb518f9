// The exported KilnCFunc wrapper of each PrimFunc: checks the arguments
// (count, type codes, ndim, dtype, device, shape, strides, alignment), binds
// symbolic shapes, calls the compute function; failures name what was wrong.
#include "codegen_llvm.h"
#include "kiln/runtime/c_api.h"
#include "kiln/runtime/error.h"

namespace kiln::codegen {

using namespace tir;

namespace {

// Fields of DLTensor (dlpack.h) in the LLVM struct of HostWrapper.
enum TensorField { kData, kDeviceType, kDeviceId, kNdim, kDtype, kShape, kStrides, kByteOffset };

const std::vector<std::string> kTypeCodeNames = {"int", "float", "handle", "None", "tensor",
                                                 "str", "dtype", "device", "bool"};
const std::vector<std::string> kDtypeCodeNames = {"int", "uint", "float", "handle", "bfloat", "complex", "bool"};

class HostWrapper {
 public:
  HostWrapper(CodeGenLLVM& cg, const std::string& name, const PrimFunc& func)
      : cg_(cg), b_(cg.builder()), name_(name), func_(func) {
    llvm::Type* i32 = b_.getInt32Ty();
    llvm::Type* ptr = b_.getPtrTy();
    tensor_type_ = llvm::StructType::get(cg.context(), {ptr, i32, i32, i32, i32, ptr, ptr, b_.getInt64Ty()});
  }

  void Emit(llvm::Function* compute, const std::vector<Var>& compute_args) {
    llvm::Type* ptr = b_.getPtrTy();
    auto* type = llvm::FunctionType::get(b_.getInt32Ty(), {ptr, ptr, b_.getInt32Ty(), ptr, ptr}, false);
    fn_ = llvm::Function::Create(type, llvm::Function::ExternalLinkage, name_, cg_.module());
    const char* arg_names[] = {"args", "type_codes", "num_args", "ret", "ret_type_code"};
    for (unsigned i = 0; i < 5; ++i) fn_->getArg(i)->setName(arg_names[i]);
    cg_.SetFunctionAttributes(fn_);
    cg_.BeginFunction(fn_);
    b_.CreateStore(b_.getInt32(kKilnArgNone), fn_->getArg(4));
    CheckArgCount();
    for (size_t i = 0; i < func_->params.size(); ++i) CheckTypeCode(i);
    for (size_t i = 0; i < func_->params.size(); ++i) {
      if (!func_->BufferOf(func_->params[i])) BindScalar(i, func_->params[i]);
    }
    // Buffers whose dimensions are all variables or constants first: they bind
    // the variables that compound dimensions (batch * seq) of others check.
    for (bool compound : {false, true}) {
      for (size_t i = 0; i < func_->params.size(); ++i) {
        Buffer buf = func_->BufferOf(func_->params[i]);
        if (buf && HasCompoundDim(buf) == compound) BindBuffer(i, buf);
      }
    }
    std::vector<llvm::Value*> args;
    for (const Var& v : compute_args) {
      KILN_CHECK(cg_.IsBound(v)) << name_ << ": variable '" << v.name()
                                 << "' of a buffer shape is bound by no parameter (a dimension that is exactly '"
                                 << v.name() << "' binds it)";
      args.push_back(cg_.Lookup(v));
    }
    b_.CreateRet(b_.CreateCall(compute, args));
    cg_.EndFunction();
  }

 private:
  std::string Prefix() const { return EscapeFormat(name_) + ": "; }
  std::string ArgName(size_t i) const {
    Buffer buf = func_->BufferOf(func_->params[i]);
    return buf ? buf->name : func_->params[i].name();
  }
  llvm::Value* Slot(size_t i) { return b_.CreateConstInBoundsGEP1_64(b_.getInt64Ty(), fn_->getArg(0), i); }
  llvm::Value* TypeCode(size_t i) {
    llvm::Value* p = b_.CreateConstInBoundsGEP1_64(b_.getInt32Ty(), fn_->getArg(1), i);
    return b_.CreateLoad(b_.getInt32Ty(), p);
  }
  llvm::Value* Field(llvm::Value* tensor, TensorField f) {
    llvm::Value* p = b_.CreateStructGEP(tensor_type_, tensor, f);
    return b_.CreateLoad(tensor_type_->getElementType(f), p);
  }

  // A pointer to names[index], or to "unknown" when index is out of range.
  // The table is one private global per module, called `table`.
  llvm::Value* NameFromTable(const char* table_name, const std::vector<std::string>& names, llvm::Value* index) {
    llvm::GlobalVariable* table = cg_.module().getNamedGlobal(table_name);
    if (table == nullptr) {
      std::vector<llvm::Constant*> strs;
      for (const std::string& n : names) strs.push_back(llvm::cast<llvm::Constant>(cg_.CString(n)));
      strs.push_back(llvm::cast<llvm::Constant>(cg_.CString("unknown")));
      auto* type = llvm::ArrayType::get(b_.getPtrTy(), strs.size());
      table = new llvm::GlobalVariable(cg_.module(), type, true, llvm::GlobalValue::PrivateLinkage,
                                       llvm::ConstantArray::get(type, strs), table_name);
    }
    llvm::Value* n = b_.getInt32(static_cast<uint32_t>(names.size()));
    llvm::Value* i = b_.CreateSelect(b_.CreateICmpULT(index, n), index, n);
    llvm::Value* p = b_.CreateInBoundsGEP(b_.getPtrTy(), table, b_.CreateZExt(i, b_.getInt64Ty()));
    return b_.CreateLoad(b_.getPtrTy(), p);
  }

  void CheckArgCount() {
    size_t n = func_->params.size();
    std::string names;
    for (size_t i = 0; i < n; ++i) names += (i ? ", " : "") + EscapeFormat(ArgName(i));
    llvm::Value* got = fn_->getArg(2);
    cg_.CheckOr(b_.CreateICmpEQ(got, b_.getInt32(static_cast<uint32_t>(n))), [&] {
      cg_.EmitFailure(
          Prefix() + "expected " + std::to_string(n) + " argument" + (n == 1 ? "" : "s") + " (" + names + "), got %d",
          {got});
    });
  }

  void CheckTypeCode(size_t i) {
    const Var& p = func_->params[i];
    std::vector<int> accepted;
    std::string kind;
    if (func_->BufferOf(p)) {
      accepted = {kKilnArgTensor};
      kind = "a tensor";
    } else if (p.dtype().is_handle()) {
      accepted = {kKilnArgHandle, kKilnArgNone};
      kind = "a handle";
    } else if (p.dtype().is_float()) {
      accepted = {kKilnArgFloat, kKilnArgInt, kKilnArgBool};
      kind = "a float";
    } else {
      accepted = {kKilnArgInt, kKilnArgBool};
      kind = p.dtype().is_bool() ? "a bool" : "an int";
    }
    llvm::Value* code = TypeCode(i);
    llvm::Value* ok = b_.getFalse();
    for (int a : accepted) ok = b_.CreateOr(ok, b_.CreateICmpEQ(code, b_.getInt32(a)));
    cg_.CheckOr(ok, [&] {
      cg_.EmitFailure(Prefix() + "argument " + std::to_string(i) + " (" + EscapeFormat(ArgName(i)) + ") must be " +
                          kind + ", got %s",
                      {NameFromTable("kiln.type_code_names", kTypeCodeNames, code)});
    });
  }

  void BindScalar(size_t i, const Var& v) {
    DataType t = v.dtype();
    llvm::Value* slot = Slot(i);
    llvm::Value* value = nullptr;
    if (t.is_handle()) {
      value = b_.CreateLoad(b_.getPtrTy(), slot);
    } else if (t.is_float()) {
      llvm::Value* is_float = b_.CreateICmpEQ(TypeCode(i), b_.getInt32(kKilnArgFloat));
      llvm::Value* as_int = b_.CreateSIToFP(b_.CreateLoad(b_.getInt64Ty(), slot), b_.getDoubleTy());
      value = b_.CreateSelect(is_float, b_.CreateLoad(b_.getDoubleTy(), slot), as_int);
      value = cg_.EmitCast(DataType::Float(64), t, value);
    } else {
      value = cg_.EmitCast(DataType::Int(64), t, b_.CreateLoad(b_.getInt64Ty(), slot));
    }
    cg_.Bind(v, value);
  }

  static bool HasCompoundDim(const Buffer& buf) {
    for (const PrimExpr& e : buf->shape) {
      if (!e.as<VarNode>() && !AsConstInt(e)) return true;
    }
    return false;
  }

  void BindBuffer(size_t i, const Buffer& buf) {
    llvm::Value* t = b_.CreateLoad(b_.getPtrTy(), Slot(i), buf->name + "_tensor");
    CheckNdim(buf, t);
    CheckDtype(buf, t);
    CheckDevice(buf, t);
    std::vector<llvm::Value*> shape = LoadArray(Field(t, kShape), buf->shape.size());
    BindOrCheck(buf, "shape", buf->shape, shape);
    if (buf->strides.empty()) {
      CheckCompactStrides(buf, t, shape);
    } else {
      BindOrCheck(buf, "strides", buf->strides, LoadStrides(t, shape));
    }
    BindData(buf, t);
  }

  void CheckNdim(const Buffer& buf, llvm::Value* t) {
    size_t n = buf->shape.size();
    llvm::Value* ndim = Field(t, kNdim);
    cg_.CheckOr(b_.CreateICmpEQ(ndim, b_.getInt32(static_cast<uint32_t>(n))), [&] {
      cg_.EmitFailure(
          Prefix() + "argument " + EscapeFormat(buf->name) + " has %d dimensions, expected " + std::to_string(n),
          {ndim});
    });
  }

  // DLDataType {uint8 code, uint8 bits, uint16 lanes} read as one int32.
  void CheckDtype(const Buffer& buf, llvm::Value* t) {
    DLDataType dt = buf->dtype.dl();
    uint32_t expected = dt.code | (uint32_t{dt.bits} << 8) | (uint32_t{dt.lanes} << 16);
    llvm::Value* got = Field(t, kDtype);
    cg_.CheckOr(b_.CreateICmpEQ(got, b_.getInt32(expected)), [&] {
      llvm::Value* code = b_.CreateAnd(got, 0xff);
      llvm::Value* bits = b_.CreateAnd(b_.CreateLShr(got, 8), 0xff);
      llvm::Value* lanes = b_.CreateLShr(got, 16);
      llvm::Value* zero = b_.getInt32(0);
      llvm::Value* single = b_.CreateICmpEQ(lanes, b_.getInt32(1));
      // "%s%.0d%s%.0d" prints float32, bool (bits hidden) or float32x4 (lanes shown when not 1).
      std::vector<llvm::Value*> args = {NameFromTable("kiln.dtype_code_names", kDtypeCodeNames, code),
                                        b_.CreateSelect(b_.CreateICmpEQ(code, b_.getInt32(kDLBool)), zero, bits),
                                        b_.CreateSelect(single, cg_.CString(""), cg_.CString("x")),
                                        b_.CreateSelect(single, zero, lanes)};
      cg_.EmitFailure(
          Prefix() + "argument " + EscapeFormat(buf->name) + " has dtype %s%.0d%s%.0d, expected " + buf->dtype.str(),
          args);
    });
  }

  void CheckDevice(const Buffer& buf, llvm::Value* t) {
    llvm::Value* type = Field(t, kDeviceType);
    cg_.CheckOr(b_.CreateICmpEQ(type, b_.getInt32(kDLCPU)), [&] {
      cg_.EmitFailure(Prefix() + "argument " + EscapeFormat(buf->name) + " is on device type %d, expected cpu (1)",
                      {type});
    });
  }

  std::vector<llvm::Value*> LoadArray(llvm::Value* base, size_t n) {
    std::vector<llvm::Value*> values;
    for (size_t d = 0; d < n; ++d) {
      values.push_back(b_.CreateLoad(b_.getInt64Ty(), b_.CreateConstInBoundsGEP1_64(b_.getInt64Ty(), base, d)));
    }
    return values;
  }

  // Row-major strides of `shape`, in elements.
  std::vector<llvm::Value*> CompactStrides(const std::vector<llvm::Value*>& shape) {
    std::vector<llvm::Value*> strides(shape.size());
    llvm::Value* acc = b_.getInt64(1);
    for (size_t d = shape.size(); d-- > 0;) {
      strides[d] = acc;
      acc = b_.CreateMul(acc, shape[d]);
    }
    return strides;
  }

  // The tensor's strides, or the compact ones when it has none (NULL).
  std::vector<llvm::Value*> LoadStrides(llvm::Value* t, const std::vector<llvm::Value*>& shape) {
    auto* type = llvm::ArrayType::get(b_.getInt64Ty(), shape.size());
    llvm::AllocaInst* compact = cg_.EntryAlloca(type, 8, "compact_strides");
    std::vector<llvm::Value*> c = CompactStrides(shape);
    for (size_t d = 0; d < c.size(); ++d) {
      b_.CreateStore(c[d], b_.CreateConstInBoundsGEP1_64(b_.getInt64Ty(), compact, d));
    }
    llvm::Value* strides = Field(t, kStrides);
    return LoadArray(b_.CreateSelect(b_.CreateIsNull(strides), compact, strides), shape.size());
  }

  // Binds the dimensions that are a variable seen for the first time; checks
  // the others against `actual`, reporting the whole tuple and the variables.
  void BindOrCheck(const Buffer& buf, const std::string& what, const std::vector<PrimExpr>& exprs,
                   const std::vector<llvm::Value*>& actual) {
    std::vector<llvm::Value*> expected;
    std::vector<Var> used;
    llvm::Value* ok = b_.getTrue();
    for (size_t d = 0; d < exprs.size(); ++d) {
      const PrimExpr& e = exprs[d];
      for (const Var& v : VarsOf(e)) {
        bool seen = false;
        for (const Var& u : used) seen |= u.get() == v.get();
        if (!seen) used.push_back(v);
      }
      if (e.as<VarNode>() && !cg_.IsBound(Var(e))) {
        cg_.Bind(Var(e), cg_.EmitCast(DataType::Int(64), e.dtype(), actual[d]));
        expected.push_back(actual[d]);
        continue;
      }
      for (const Var& v : VarsOf(e)) {
        KILN_CHECK(cg_.IsBound(v)) << name_ << ": " << what << " " << d << " of buffer '" << buf->name
                                   << "' uses variable '" << v.name() << "', which no earlier parameter binds";
      }
      expected.push_back(cg_.EmitCast(e.dtype(), DataType::Int(64), cg_.Emit(e)));
      ok = b_.CreateAnd(ok, b_.CreateICmpEQ(actual[d], expected.back()));
    }
    if (llvm::isa<llvm::Constant>(ok)) return;
    cg_.CheckOr(ok, [&] {
      std::string format = Prefix() + "argument " + EscapeFormat(buf->name) + " has " + what + " " +
                           TupleFormat(actual.size()) + ", expected " + TupleFormat(expected.size());
      std::vector<llvm::Value*> args = actual;
      args.insert(args.end(), expected.begin(), expected.end());
      for (size_t k = 0; k < used.size(); ++k) {
        format += (k ? ", " : " from ") + EscapeFormat(used[k].name()) + " = %lld";
        args.push_back(cg_.EmitCast(used[k].dtype(), DataType::Int(64), cg_.Lookup(used[k])));
      }
      cg_.EmitFailure(format, args);
    });
  }

  // NULL strides are compact; otherwise each must be the row-major one
  // (any stride goes for a dimension of size 1).
  void CheckCompactStrides(const Buffer& buf, llvm::Value* t, const std::vector<llvm::Value*>& shape) {
    if (shape.empty()) return;
    llvm::Value* strides = Field(t, kStrides);
    auto* check = llvm::BasicBlock::Create(cg_.context(), "strides_check", fn_);
    auto* done = llvm::BasicBlock::Create(cg_.context(), "strides_done", fn_);
    b_.CreateCondBr(b_.CreateIsNull(strides), done, check);
    b_.SetInsertPoint(check);
    std::vector<llvm::Value*> actual = LoadArray(strides, shape.size());
    std::vector<llvm::Value*> expected = CompactStrides(shape);
    llvm::Value* ok = b_.getTrue();
    for (size_t d = 0; d < shape.size(); ++d) {
      llvm::Value* unit = b_.CreateICmpEQ(shape[d], b_.getInt64(1));
      ok = b_.CreateAnd(ok, b_.CreateOr(unit, b_.CreateICmpEQ(actual[d], expected[d])));
    }
    cg_.CheckOr(ok, [&] {
      std::vector<llvm::Value*> args = actual;
      args.insert(args.end(), expected.begin(), expected.end());
      cg_.EmitFailure(Prefix() + "argument " + EscapeFormat(buf->name) + " has strides " + TupleFormat(shape.size()) +
                          ", expected compact strides " + TupleFormat(shape.size()) + " or none",
                      args);
    });
    b_.CreateBr(done);
    b_.SetInsertPoint(done);
  }

  void BindData(const Buffer& buf, llvm::Value* t) {
    llvm::Value* data = b_.CreateInBoundsGEP(b_.getInt8Ty(), Field(t, kData), Field(t, kByteOffset));
    uint64_t align = static_cast<uint64_t>(std::max<int64_t>(buf->align, 1));
    if (align > 1) {
      llvm::Value* low = b_.CreateAnd(b_.CreatePtrToInt(data, b_.getInt64Ty()), align - 1);
      cg_.CheckOr(b_.CreateICmpEQ(low, b_.getInt64(0)), [&] {
        cg_.EmitFailure(Prefix() + "argument " + EscapeFormat(buf->name) + " has data at %p, which is not " +
                            std::to_string(align) + "-byte aligned",
                        {data});
      });
    }
    cg_.Bind(buf->data, data);
  }

  CodeGenLLVM& cg_;
  llvm::IRBuilder<>& b_;
  std::string name_;
  PrimFunc func_;
  llvm::Function* fn_ = nullptr;
  llvm::StructType* tensor_type_ = nullptr;
};

}  // namespace

void EmitHostWrapper(CodeGenLLVM& cg, const std::string& name, const PrimFunc& func, llvm::Function* compute,
                     const std::vector<Var>& compute_args) {
  HostWrapper(cg, name, func).Emit(compute, compute_args);
}

}  // namespace kiln::codegen
