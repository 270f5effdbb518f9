// The binary form of an Executable. All integers are little-endian; a string
// is a u32 length and its bytes.
//
//   magic     8 bytes "KILNVMX" followed by a zero byte
//   version   u32 1
//   functions u32 count, then per function:
//     kind u8 (0 vm, 1 kernel, 2 global), name
//     vm only: params u32, then per parameter: name, info
//              registers u32, instructions u32, then per instruction: opcode u8 and
//                Call: func u32, dst i64, args u32, args x operand
//                Ret:  operand
//                Goto: target u32
//                If:   operand, target u32
//   constants u32 count, then per constant: tag u8 and
//     0 int: i64   1 float: f64   2 bool: u8   3 str: string
//     4 dtype: u8 code, u8 bits, u16 lanes
//     5 shape: u32 ndim, ndim x i64
//     6 tensor: dtype, u32 ndim, ndim x i64, u64 byte count, the elements
//     7 None: nothing
//   operand: u8 kind, i64 value
//   info:    u8 kind, dtype (lanes 0: void), i32 ndim, u8 has_dims, [u32 count, per dim: u8 kind,
//            i64 value, name], u32 fields, fields x info (nested at most 64 deep)
//
// The reader checks every length against the bytes that remain, so truncated
// or corrupt bytes raise kiln::Error naming what and where, then validates
// the executable (indices, jump targets), so the VM can trust it.
#include <bit>
#include <cstring>

#include "kiln/runtime/vm/executable.h"

namespace kiln::runtime::vm {
namespace {

constexpr char kMagic[8] = {'K', 'I', 'L', 'N', 'V', 'M', 'X', '\0'};
constexpr uint32_t kVersion = 1;
constexpr int kMaxInfoDepth = 64;

static_assert(std::endian::native == std::endian::little, "the executable format assumes a little-endian host");

enum ConstTag : uint8_t { kTagInt = 0, kTagFloat, kTagBool, kTagStr, kTagDType, kTagShape, kTagTensor, kTagNone };

class Writer {
 public:
  template <typename T>
  void Put(T v) {
    out_.append(reinterpret_cast<const char*>(&v), sizeof(T));
  }
  void Str(const std::string& s) {
    Put<uint32_t>(static_cast<uint32_t>(s.size()));
    out_ += s;
  }
  void DType(DataType t) {
    Put<uint8_t>(t.dl().code);
    Put<uint8_t>(t.dl().bits);
    Put<uint16_t>(t.dl().lanes);
  }
  void Op(const Operand& op) {
    Put<uint8_t>(static_cast<uint8_t>(op.kind));
    Put<int64_t>(op.value);
  }
  void Info(const ParamInfo& p) {
    Put<uint8_t>(static_cast<uint8_t>(p.kind));
    DType(p.dtype);
    Put<int32_t>(p.ndim);
    Put<uint8_t>(p.dims ? 1 : 0);
    if (p.dims) {
      Put<uint32_t>(static_cast<uint32_t>(p.dims->size()));
      for (const DimInfo& d : *p.dims) {
        Put<uint8_t>(static_cast<uint8_t>(d.kind));
        Put<int64_t>(d.value);
        Str(d.name);
      }
    }
    Put<uint32_t>(static_cast<uint32_t>(p.fields.size()));
    for (const ParamInfo& f : p.fields) Info(f);
  }
  void Bytes(const void* data, size_t n) { out_.append(static_cast<const char*>(data), n); }
  std::string& out() { return out_; }

 private:
  std::string out_;
};

class Reader {
 public:
  Reader(const void* data, size_t size) : data_(static_cast<const char*>(data)), size_(size) {}

  template <typename T>
  T Get(const char* what) {
    T v;
    Read(&v, sizeof(T), what);
    return v;
  }
  void Read(void* dst, size_t n, const char* what) {
    if (n > size_ - pos_) Truncated(n, what);
    if (n > 0) std::memcpy(dst, data_ + pos_, n);
    pos_ += n;
  }
  [[noreturn]] void Truncated(size_t n, const char* what) const {
    KILN_THROW() << "executable bytes are truncated: " << what << " at byte " << pos_ << " needs " << n
                 << " bytes but only " << (size_ - pos_) << " remain";
  }
  std::string Str(const char* what) {
    uint32_t n = Get<uint32_t>(what);
    if (n > remaining()) Truncated(n, what);
    std::string s(data_ + pos_, n);
    pos_ += n;
    return s;
  }
  // A count of items that each take at least `min_bytes`: larger counts
  // cannot fit and are corrupt (this bounds every allocation by the input).
  uint32_t Count(const char* what, size_t min_bytes) {
    uint32_t n = Get<uint32_t>(what);
    if (static_cast<uint64_t>(n) * min_bytes > remaining()) Fail(std::string(what) + " " + std::to_string(n));
    return n;
  }
  DataType DType(const char* what, bool allow_void) {
    DLDataType dt;
    dt.code = Get<uint8_t>(what);
    dt.bits = Get<uint8_t>(what);
    dt.lanes = Get<uint16_t>(what);
    if (dt.lanes == 0 && allow_void) return DataType();
    try {
      return DataType(dt);
    } catch (const Error& e) {
      Fail(std::string(what) + ": " + e.message());
    }
  }
  Operand Op() {
    Operand op;
    uint8_t kind = Get<uint8_t>("operand kind");
    if (kind > static_cast<uint8_t>(Operand::Kind::kDevice)) Fail("operand kind " + std::to_string(kind));
    op.kind = static_cast<Operand::Kind>(kind);
    op.value = Get<int64_t>("operand");
    return op;
  }
  ParamInfo Info(int depth) {
    if (depth > kMaxInfoDepth) Fail("parameter info nested too deeply");
    ParamInfo p;
    uint8_t kind = Get<uint8_t>("parameter kind");
    if (kind > static_cast<uint8_t>(ParamInfo::Kind::kFunc)) Fail("parameter kind " + std::to_string(kind));
    p.kind = static_cast<ParamInfo::Kind>(kind);
    p.dtype = DType("parameter dtype", true);
    p.ndim = Get<int32_t>("parameter ndim");
    if (Get<uint8_t>("parameter dims flag")) {
      uint32_t n = Count("parameter dims", 13);
      std::vector<DimInfo> dims(n);
      for (DimInfo& d : dims) {
        uint8_t dk = Get<uint8_t>("dimension kind");
        if (dk > static_cast<uint8_t>(DimInfo::Kind::kExpr)) Fail("dimension kind " + std::to_string(dk));
        d.kind = static_cast<DimInfo::Kind>(dk);
        d.value = Get<int64_t>("dimension");
        d.name = Str("dimension name");
      }
      p.dims = std::move(dims);
    }
    uint32_t nfields = Count("tuple fields", 12);
    for (uint32_t i = 0; i < nfields; ++i) p.fields.push_back(Info(depth + 1));
    return p;
  }
  std::vector<int64_t> Dims(const char* what) {
    uint32_t ndim = Count(what, 8);
    std::vector<int64_t> dims(ndim);
    for (int64_t& d : dims) d = Get<int64_t>(what);
    return dims;
  }
  [[noreturn]] void Fail(const std::string& what) const {
    KILN_THROW() << "executable bytes are corrupt: " << what << " (at byte " << pos_ << ")";
  }
  size_t remaining() const { return size_ - pos_; }
  size_t pos() const { return pos_; }

 private:
  const char* data_;
  size_t size_;
  size_t pos_ = 0;
};

void WriteConstant(Writer& w, const Any& c) {
  switch (c.kind()) {
    case Any::Kind::kNone: w.Put<uint8_t>(kTagNone); return;
    case Any::Kind::kInt:
      w.Put<uint8_t>(kTagInt);
      w.Put<int64_t>(c.AsInt());
      return;
    case Any::Kind::kFloat:
      w.Put<uint8_t>(kTagFloat);
      w.Put<double>(c.AsFloat());
      return;
    case Any::Kind::kBool:
      w.Put<uint8_t>(kTagBool);
      w.Put<uint8_t>(c.AsInt() ? 1 : 0);
      return;
    case Any::Kind::kDataType:
      w.Put<uint8_t>(kTagDType);
      w.DType(c.AsDataType());
      return;
    default: break;
  }
  const Object* o = c.AsObject().get();
  if (o->IsInstance<StrObj>()) {
    w.Put<uint8_t>(kTagStr);
    w.Str(static_cast<const StrObj*>(o)->value);
  } else if (o->IsInstance<ShapeObj>()) {
    const std::vector<int64_t>& dims = static_cast<const ShapeObj*>(o)->dims;
    w.Put<uint8_t>(kTagShape);
    w.Put<uint32_t>(static_cast<uint32_t>(dims.size()));
    for (int64_t d : dims) w.Put<int64_t>(d);
  } else {
    NDArray a(c.AsObject().As<NDArrayObj>());
    NDArray cpu = a.device().device_type == kDLCPU && a.IsContiguous() ? a : a.CopyTo(Device::CPU());
    w.Put<uint8_t>(kTagTensor);
    w.DType(cpu.dtype());
    w.Put<uint32_t>(static_cast<uint32_t>(cpu.ndim()));
    for (int64_t d : cpu.shape()) w.Put<int64_t>(d);
    w.Put<uint64_t>(cpu.nbytes());
    w.Bytes(cpu.data(), cpu.nbytes());
  }
}

Any ReadConstant(Reader& r) {
  uint8_t tag = r.Get<uint8_t>("constant tag");
  switch (tag) {
    case kTagInt: return Any(r.Get<int64_t>("int constant"));
    case kTagFloat: return Any(r.Get<double>("float constant"));
    case kTagBool: return Any(r.Get<uint8_t>("bool constant") != 0);
    case kTagStr: return Any(r.Str("str constant"));
    case kTagDType: return Any(r.DType("dtype constant", false));
    case kTagNone: return Any();
    case kTagShape: return Any(r.Dims("shape constant"));
    case kTagTensor: {
      DataType dtype = r.DType("tensor dtype", false);
      std::vector<int64_t> shape = r.Dims("tensor shape");
      __int128 expect = dtype.bytes();
      for (int64_t d : shape) {
        if (d < 0 || d > (int64_t{1} << 48)) r.Fail("tensor dimension " + std::to_string(d));
        expect *= d;
      }
      uint64_t nbytes = r.Get<uint64_t>("tensor byte count");
      if (expect != static_cast<__int128>(nbytes)) {
        r.Fail("tensor of shape " + ShapeString(shape) + " " + dtype.str() + " declares " + std::to_string(nbytes) +
               " bytes");
      }
      if (nbytes > r.remaining()) r.Truncated(nbytes, "tensor data");
      NDArray a = NDArray::Empty(shape, dtype, Device::CPU());
      r.Read(a.data(), nbytes, "tensor data");
      return Any(a);
    }
    default: r.Fail("constant tag " + std::to_string(tag));
  }
}

Instruction ReadInstruction(Reader& r) {
  uint8_t op = r.Get<uint8_t>("opcode");
  switch (static_cast<Opcode>(op)) {
    case Opcode::kCall: {
      int64_t func = r.Get<uint32_t>("callee");
      int64_t dst = r.Get<int64_t>("destination");
      uint32_t nargs = r.Count("arguments", 9);
      std::vector<Operand> args(nargs);
      for (Operand& a : args) a = r.Op();
      return Instruction::Call(func, std::move(args), dst);
    }
    case Opcode::kRet: return Instruction::Ret(r.Op());
    case Opcode::kGoto: return Instruction::Goto(r.Get<uint32_t>("jump target"));
    case Opcode::kIf: {
      Operand cond = r.Op();
      return Instruction::If(cond, r.Get<uint32_t>("jump target"));
    }
  }
  r.Fail("opcode " + std::to_string(op));
}

}  // namespace

std::string ExecutableObj::SaveToBytes() const {
  Validate();
  Writer w;
  w.Bytes(kMagic, sizeof(kMagic));
  w.Put<uint32_t>(kVersion);
  w.Put<uint32_t>(static_cast<uint32_t>(functions.size()));
  for (const VMFunction& f : functions) {
    w.Put<uint8_t>(static_cast<uint8_t>(f.kind));
    w.Str(f.name);
    if (f.kind != FuncKind::kVM) continue;
    w.Put<uint32_t>(static_cast<uint32_t>(f.params.size()));
    for (size_t i = 0; i < f.params.size(); ++i) {
      w.Str(f.param_names[i]);
      w.Info(f.params[i]);
    }
    w.Put<uint32_t>(static_cast<uint32_t>(f.num_registers));
    w.Put<uint32_t>(static_cast<uint32_t>(f.code.size()));
    for (const Instruction& in : f.code) {
      w.Put<uint8_t>(static_cast<uint8_t>(in.op));
      switch (in.op) {
        case Opcode::kCall:
          w.Put<uint32_t>(static_cast<uint32_t>(in.func));
          w.Put<int64_t>(in.dst);
          w.Put<uint32_t>(static_cast<uint32_t>(in.args.size()));
          for (const Operand& a : in.args) w.Op(a);
          break;
        case Opcode::kRet: w.Op(in.value); break;
        case Opcode::kGoto: w.Put<uint32_t>(static_cast<uint32_t>(in.target)); break;
        case Opcode::kIf:
          w.Op(in.value);
          w.Put<uint32_t>(static_cast<uint32_t>(in.target));
          break;
      }
    }
  }
  w.Put<uint32_t>(static_cast<uint32_t>(constants.size()));
  for (const Any& c : constants) WriteConstant(w, c);
  return std::move(w.out());
}

Ref<ExecutableObj> ExecutableObj::LoadFromBytes(const void* data, size_t size) {
  Reader r(data, size);
  char magic[8];
  r.Read(magic, sizeof(magic), "magic");
  if (std::memcmp(magic, kMagic, sizeof(kMagic)) != 0) r.Fail("not a Kiln VM executable (bad magic)");
  uint32_t version = r.Get<uint32_t>("version");
  if (version != kVersion) {
    r.Fail("unsupported version " + std::to_string(version) + " (this runtime reads version " +
           std::to_string(kVersion) + ")");
  }
  auto exec = MakeObject<ExecutableObj>();
  uint32_t nfuncs = r.Count("function count", 5);
  exec->functions.resize(nfuncs);
  for (VMFunction& f : exec->functions) {
    uint8_t kind = r.Get<uint8_t>("function kind");
    if (kind > static_cast<uint8_t>(FuncKind::kGlobal)) r.Fail("function kind " + std::to_string(kind));
    f.kind = static_cast<FuncKind>(kind);
    f.name = r.Str("function name");
    if (f.kind != FuncKind::kVM) continue;
    uint32_t nparams = r.Count("parameter count", 16);
    for (uint32_t i = 0; i < nparams; ++i) {
      f.param_names.push_back(r.Str("parameter name"));
      f.params.push_back(r.Info(0));
    }
    f.num_registers = r.Get<uint32_t>("register count");
    uint32_t ncode = r.Count("instruction count", 1);
    f.code.reserve(ncode);
    for (uint32_t i = 0; i < ncode; ++i) f.code.push_back(ReadInstruction(r));
  }
  uint32_t nconsts = r.Count("constant count", 1);
  exec->constants.reserve(nconsts);
  for (uint32_t i = 0; i < nconsts; ++i) exec->constants.push_back(ReadConstant(r));
  if (r.remaining() != 0) r.Fail(std::to_string(r.remaining()) + " unexpected bytes after the constants");
  try {
    exec->Validate();
  } catch (const Error& e) {
    KILN_THROW() << "executable bytes are corrupt: " << e.message();
  }
  return exec;
}

}  // namespace kiln::runtime::vm
