// The exported KilnCFunc wrapper of each PrimFunc on the c target: checks
// the arguments (count, type codes, ndim, dtype, device, shape, strides,
// alignment) in the order and with the messages of the llvm target's
// wrapper (llvm/host_wrapper.cc), binds symbolic shapes, calls the compute
// function.
#include "codegen_c.h"
#include "kiln/runtime/c_api.h"
#include "kiln/runtime/error.h"

namespace kiln::codegen {

using namespace tir;

namespace {

std::string LongLong(const std::string& v) {
  return "(long long)" + v;
}

class HostWrapperC {
 public:
  HostWrapperC(CodeGenC& cg, const std::string& name, const PrimFunc& func) : cg_(cg), name_(name), func_(func) {}

  void Emit(const std::string& compute, const std::vector<Var>& compute_args) {
    cg_.Line() << "*ret_type_code = " << kKilnArgNone << ";";
    cg_.Line() << "(void)ret;";
    CheckArgCount();
    for (size_t i = 0; i < func_->params.size(); ++i) CheckTypeCode(i);
    for (size_t i = 0; i < func_->params.size(); ++i) {
      if (!func_->BufferOf(func_->params[i])) BindScalar(i, func_->params[i]);
    }
    // Buffers whose dimensions are all variables or constants first: they
    // bind the variables that compound dimensions (batch * seq) of others check.
    for (bool compound : {false, true}) {
      for (size_t i = 0; i < func_->params.size(); ++i) {
        Buffer buf = func_->BufferOf(func_->params[i]);
        if (buf && HasCompoundDim(buf) == compound) BindBuffer(i, buf);
      }
    }
    std::string call = compute + "(";
    for (size_t i = 0; i < compute_args.size(); ++i) {
      const Var& v = compute_args[i];
      KILN_CHECK(cg_.IsBound(v)) << name_ << ": variable '" << v.name()
                                 << "' of a buffer shape is bound by no parameter (a dimension that is exactly '"
                                 << v.name() << "' binds it)";
      call += (i ? ", " : "") + cg_.Lookup(v);
    }
    cg_.Line() << "return " << call << ");";
    for (auto it = bound_.rbegin(); it != bound_.rend(); ++it) cg_.Unbind(*it);
  }

 private:
  std::string Prefix() const { return EscapeFormatC(name_) + ": "; }
  std::string ArgName(size_t i) const {
    Buffer buf = func_->BufferOf(func_->params[i]);
    return buf ? buf->name : func_->params[i].name();
  }
  std::string Bind(const Var& v) {
    bound_.push_back(v);
    return cg_.Bind(v);
  }
  void Fail(const std::string& condition, const std::string& format, const std::vector<std::string>& args) {
    cg_.EmitFailure("if (" + condition + ")", format, args);
  }

  void CheckArgCount() {
    size_t n = func_->params.size();
    std::string names;
    for (size_t i = 0; i < n; ++i) names += (i ? ", " : "") + EscapeFormatC(ArgName(i));
    Fail("num_args != " + std::to_string(n),
         Prefix() + "expected " + std::to_string(n) + " argument" + (n == 1 ? "" : "s") + " (" + names + "), got %d",
         {"(int)num_args"});
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
    std::string code = "type_codes[" + std::to_string(i) + "]";
    std::string ok;
    for (int a : accepted) ok += (ok.empty() ? "" : " || ") + code + " == " + std::to_string(a);
    cg_.UseHelper("kiln_type_code_name");
    Fail("!(" + ok + ")",
         Prefix() + "argument " + std::to_string(i) + " (" + EscapeFormatC(ArgName(i)) + ") must be " + kind +
             ", got %s",
         {"kiln_type_code_name(" + code + ")"});
  }

  void BindScalar(size_t i, const Var& v) {
    DataType t = v.dtype();
    std::string slot = "args[" + std::to_string(i) + "]";
    std::string value;
    if (t.is_handle()) {
      value = slot + ".v_handle";
    } else if (t.is_float()) {
      value = cg_.EmitCast(DataType::Float(64), t,
                           "(type_codes[" + std::to_string(i) + "] == " + std::to_string(kKilnArgFloat) + " ? " + slot +
                               ".v_float64 : (double)" + slot + ".v_int64)");
    } else {
      value = cg_.EmitCast(DataType::Int(64), t, slot + ".v_int64");
    }
    std::string type = cg_.Type(t);
    cg_.Line() << type << " " << Bind(v) << " = " << value << ";";
  }

  static bool HasCompoundDim(const Buffer& buf) {
    for (const PrimExpr& e : buf->shape) {
      if (!e.as<VarNode>() && !AsConstInt(e)) return true;
    }
    return false;
  }

  void BindBuffer(size_t i, const Buffer& buf) {
    std::string t = cg_.FreshName(buf->name + "_tensor");
    cg_.Line() << "const KilnCTensor* " << t << " = (const KilnCTensor*)args[" << i << "].v_handle;";
    CheckNdim(buf, t);
    CheckDtype(buf, t);
    CheckDevice(buf, t);
    std::vector<std::string> shape;
    for (size_t d = 0; d < buf->shape.size(); ++d) shape.push_back(t + "->shape[" + std::to_string(d) + "]");
    BindOrCheck(buf, "shape", buf->shape, shape);
    if (buf->strides.empty()) {
      CheckCompactStrides(buf, t, shape);
    } else {
      std::vector<std::string> compact = CompactStrides(shape), strides;
      for (size_t d = 0; d < shape.size(); ++d) {
        strides.push_back("(" + t + "->strides ? " + t + "->strides[" + std::to_string(d) + "] : " + compact[d] + ")");
      }
      BindOrCheck(buf, "strides", buf->strides, strides);
    }
    BindData(buf, t);
  }

  void CheckNdim(const Buffer& buf, const std::string& t) {
    size_t n = buf->shape.size();
    Fail(t + "->ndim != " + std::to_string(n),
         Prefix() + "argument " + EscapeFormatC(buf->name) + " has %d dimensions, expected " + std::to_string(n),
         {"(int)" + t + "->ndim"});
  }

  void CheckDtype(const Buffer& buf, const std::string& t) {
    DLDataType dt = buf->dtype.dl();
    std::string code = "(int)" + t + "->dtype_code", bits = "(int)" + t + "->dtype_bits";
    std::string lanes = "(int)" + t + "->dtype_lanes";
    cg_.UseHelper("kiln_dtype_code_name");
    // "%s%.0d%s%.0d" prints float32, bool (bits hidden) or float32x4 (lanes shown when not 1).
    Fail(code + " != " + std::to_string(dt.code) + " || " + bits + " != " + std::to_string(dt.bits) + " || " + lanes +
             " != " + std::to_string(dt.lanes),
         Prefix() + "argument " + EscapeFormatC(buf->name) + " has dtype %s%.0d%s%.0d, expected " + buf->dtype.str(),
         {"kiln_dtype_code_name(" + code + ")", "(" + code + " == " + std::to_string(kDLBool) + " ? 0 : " + bits + ")",
          "(" + lanes + " == 1 ? \"\" : \"x\")", "(" + lanes + " == 1 ? 0 : " + lanes + ")"});
  }

  void CheckDevice(const Buffer& buf, const std::string& t) {
    Fail(t + "->device_type != " + std::to_string(kDLCPU),
         Prefix() + "argument " + EscapeFormatC(buf->name) + " is on device type %d, expected cpu (1)",
         {"(int)" + t + "->device_type"});
  }

  // Row-major strides of `shape`, in elements.
  static std::vector<std::string> CompactStrides(const std::vector<std::string>& shape) {
    std::vector<std::string> strides(shape.size());
    std::string acc = "INT64_C(1)";
    for (size_t d = shape.size(); d-- > 0;) {
      strides[d] = acc;
      acc = acc == "INT64_C(1)" ? shape[d] : acc + " * " + shape[d];
    }
    return strides;
  }

  // Binds the dimensions that are a variable seen for the first time; checks
  // the others against `actual`, reporting the whole tuple and the variables.
  void BindOrCheck(const Buffer& buf, const std::string& what, const std::vector<PrimExpr>& exprs,
                   const std::vector<std::string>& actual) {
    std::vector<std::string> expected;
    std::vector<Var> used;
    std::string ok;
    for (size_t d = 0; d < exprs.size(); ++d) {
      const PrimExpr& e = exprs[d];
      for (const Var& v : VarsOf(e)) {
        bool seen = false;
        for (const Var& u : used) seen |= u.get() == v.get();
        if (!seen) used.push_back(v);
      }
      if (e.as<VarNode>() && !cg_.IsBound(Var(e))) {
        std::string type = cg_.Type(e.dtype());
        std::string value = cg_.EmitCast(DataType::Int(64), e.dtype(), actual[d]);
        cg_.Line() << type << " " << Bind(Var(e)) << " = " << value << ";";
        expected.push_back(actual[d]);
        continue;
      }
      for (const Var& v : VarsOf(e)) {
        KILN_CHECK(cg_.IsBound(v)) << name_ << ": " << what << " " << d << " of buffer '" << buf->name
                                   << "' uses variable '" << v.name() << "', which no earlier parameter binds";
      }
      expected.push_back(cg_.EmitCast(e.dtype(), DataType::Int(64), cg_.Emit(e)));
      ok += (ok.empty() ? "" : " && ") + actual[d] + " == " + expected.back();
    }
    cg_.FlushDeclarations();
    if (ok.empty()) return;
    std::string format = Prefix() + "argument " + EscapeFormatC(buf->name) + " has " + what + " " +
                         TupleFormat(actual.size()) + ", expected " + TupleFormat(expected.size());
    std::vector<std::string> args;
    for (const std::string& a : actual) args.push_back(LongLong(a));
    for (const std::string& e : expected) args.push_back(LongLong(e));
    for (size_t k = 0; k < used.size(); ++k) {
      format += (k ? ", " : " from ") + EscapeFormatC(used[k].name()) + " = %lld";
      args.push_back(LongLong(cg_.Lookup(used[k])));
    }
    Fail("!(" + ok + ")", format, args);
  }

  // NULL strides are compact; otherwise each must be the row-major one (any
  // stride goes for a dimension of size 1).
  void CheckCompactStrides(const Buffer& buf, const std::string& t, const std::vector<std::string>& shape) {
    if (shape.empty()) return;
    std::vector<std::string> expected = CompactStrides(shape), actual;
    std::string ok;
    for (size_t d = 0; d < shape.size(); ++d) {
      actual.push_back(t + "->strides[" + std::to_string(d) + "]");
      ok += (d ? " && " : "") + std::string("(") + shape[d] + " == 1 || " + actual[d] + " == " + expected[d] + ")";
    }
    std::vector<std::string> args;
    for (const std::string& a : actual) args.push_back(LongLong(a));
    for (const std::string& e : expected) args.push_back(LongLong(e));
    Fail(t + "->strides != NULL && !(" + ok + ")",
         Prefix() + "argument " + EscapeFormatC(buf->name) + " has strides " + TupleFormat(shape.size()) +
             ", expected compact strides " + TupleFormat(shape.size()) + " or none",
         args);
  }

  void BindData(const Buffer& buf, const std::string& t) {
    std::string elem = cg_.MemType(buf->dtype);
    std::string data = Bind(buf->data);
    cg_.Line() << elem << "* " << data << " = (" << elem << "*)((char*)" << t << "->data + " << t << "->byte_offset);";
    uint64_t align = static_cast<uint64_t>(std::max<int64_t>(buf->align, 1));
    if (align > 1) {
      Fail("((uintptr_t)" + data + " & " + std::to_string(align - 1) + "u) != 0",
           Prefix() + "argument " + EscapeFormatC(buf->name) + " has data at %p, which is not " +
               std::to_string(align) + "-byte aligned",
           {"(void*)" + data});
    }
  }

  CodeGenC& cg_;
  std::string name_;
  PrimFunc func_;
  std::vector<Var> bound_;
};

}  // namespace

void EmitHostWrapperC(CodeGenC& cg, const std::string& name, const PrimFunc& func, const std::string& compute,
                      const std::vector<Var>& compute_args) {
  cg.BeginFunction();
  HostWrapperC(cg, name, func).Emit(compute, compute_args);
  std::string body = cg.EndFunction();
  cg.AddDefinition("int32_t " + name +
                   "(const KilnCValue* args, const int32_t* type_codes, int32_t num_args, KilnCValue* ret,\n"
                   "    int32_t* ret_type_code) {" +
                   body + "\n}\n");
}

}  // namespace kiln::codegen
