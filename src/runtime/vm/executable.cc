// Executable: lookup, validation and the text dump.
#include "kiln/runtime/vm/executable.h"

#include <set>
#include <sstream>

#include "kiln/runtime/function.h"

namespace kiln::runtime::vm {

namespace {
constexpr int64_t kMaxRegisters = int64_t{1} << 20;

const char* KindName(FuncKind kind) {
  switch (kind) {
    case FuncKind::kVM: return "vm";
    case FuncKind::kKernel: return "kernel";
    case FuncKind::kGlobal: return "global";
  }
  return "?";
}

bool IsPoolConstant(const Any& c) {
  switch (c.kind()) {
    case Any::Kind::kNone:
    case Any::Kind::kInt:
    case Any::Kind::kFloat:
    case Any::Kind::kBool:
    case Any::Kind::kDataType: return true;
    case Any::Kind::kObject: {
      const Object* o = c.AsObject().get();
      return o->IsInstance<StrObj>() || o->IsInstance<ShapeObj>() || o->IsInstance<NDArrayObj>();
    }
    default: return false;
  }
}

std::string ConstantText(const Any& c) {
  std::ostringstream os;
  switch (c.kind()) {
    case Any::Kind::kNone: os << "None"; break;
    case Any::Kind::kInt: os << "int " << c.AsInt(); break;
    case Any::Kind::kFloat: os << "float " << c.AsFloat(); break;
    case Any::Kind::kBool: os << "bool " << (c.AsInt() ? "true" : "false"); break;
    case Any::Kind::kDataType: os << "dtype " << c.AsDataType().str(); break;
    default: {
      const Object* o = c.AsObject().get();
      if (o->IsInstance<StrObj>()) {
        os << "str \"" << static_cast<const StrObj*>(o)->value << "\"";
      } else if (o->IsInstance<ShapeObj>()) {
        os << "shape " << ShapeString(static_cast<const ShapeObj*>(o)->dims);
      } else {
        NDArray a(c.AsObject().As<NDArrayObj>());
        os << "tensor " << ShapeString(a.shape()) << " " << a.dtype().str();
      }
    }
  }
  return os.str();
}

// Checks one ParamInfo's internal consistency.
void ValidateInfo(const ParamInfo& p, const std::string& where) {
  bool sized = p.kind == ParamInfo::Kind::kTensor || p.kind == ParamInfo::Kind::kShape;
  if (p.dims) {
    KILN_CHECK(sized || p.kind == ParamInfo::Kind::kPrim) << where << ": " << p.str() << " cannot have dimensions";
    if (sized) {
      KILN_CHECK(p.ndim == static_cast<int>(p.dims->size()))
          << where << ": ndim " << p.ndim << " but " << p.dims->size() << " dimensions";
    } else {
      KILN_CHECK(p.dims->size() == 1) << where << ": a Prim has one value, not " << p.dims->size();
    }
    for (const DimInfo& d : *p.dims) {
      KILN_CHECK(d.kind == DimInfo::Kind::kConst || !d.name.empty()) << where << ": a symbolic dimension needs a name";
    }
  }
  KILN_CHECK(p.ndim >= -1) << where << ": ndim " << p.ndim;
  KILN_CHECK(p.fields.empty() || p.kind == ParamInfo::Kind::kTuple) << where << ": only a Tuple has fields";
  for (const ParamInfo& f : p.fields) ValidateInfo(f, where);
}
}  // namespace

std::string VMFunction::Signature() const {
  std::string s = name + "(";
  for (size_t i = 0; i < params.size(); ++i) {
    s += (i ? ", " : "") + (i < param_names.size() ? param_names[i] : "?") + ": " + params[i].str();
  }
  return s + ")";
}

int64_t ExecutableObj::FindVMFunction(const std::string& name) const {
  for (size_t i = 0; i < functions.size(); ++i) {
    if (functions[i].kind == FuncKind::kVM && functions[i].name == name) return static_cast<int64_t>(i);
  }
  return -1;
}

std::vector<std::string> ExecutableObj::VMFunctionNames() const {
  std::vector<std::string> names;
  for (const VMFunction& f : functions) {
    if (f.kind == FuncKind::kVM) names.push_back(f.name);
  }
  return names;
}

void ExecutableObj::Validate() const {
  int64_t nfuncs = static_cast<int64_t>(functions.size());
  int64_t nconsts = static_cast<int64_t>(constants.size());
  for (int64_t i = 0; i < nconsts; ++i) {
    KILN_CHECK(IsPoolConstant(constants[i]))
        << "executable: constant c" << i << " is a " << constants[i].TypeName()
        << " (the pool holds None, int, float, bool, str, DataType, Shape and NDArray)";
    if (constants[i].kind() == Any::Kind::kDataType) {
      try {
        constants[i].AsDataType();
      } catch (const Error&) {
        KILN_THROW() << "executable: constant c" << i << " is the void DataType (use None for any dtype)";
      }
    }
  }
  std::set<std::pair<int, std::string>> seen;
  for (int64_t fi = 0; fi < nfuncs; ++fi) {
    const VMFunction& f = functions[fi];
    std::string where = "executable: function @" + std::to_string(fi) + " '" + f.name + "'";
    KILN_CHECK(f.kind == FuncKind::kVM || f.kind == FuncKind::kKernel || f.kind == FuncKind::kGlobal)
        << where << " has unknown kind " << static_cast<int>(f.kind);
    KILN_CHECK(!f.name.empty()) << where << " has no name";
    KILN_CHECK(seen.insert({static_cast<int>(f.kind), f.name}).second)
        << where << ": the name appears twice as a " << KindName(f.kind) << " function";
    if (f.kind != FuncKind::kVM) {
      KILN_CHECK(f.code.empty() && f.params.empty() && f.param_names.empty())
          << where << ": a " << KindName(f.kind) << " function has no body or parameters";
      continue;
    }
    KILN_CHECK(f.param_names.size() == f.params.size())
        << where << ": " << f.param_names.size() << " parameter names for " << f.params.size() << " parameters";
    for (size_t p = 0; p < f.params.size(); ++p) ValidateInfo(f.params[p], where + ", parameter " + std::to_string(p));
    int64_t nregs = f.num_registers;
    KILN_CHECK(nregs >= static_cast<int64_t>(f.params.size()) && nregs <= kMaxRegisters)
        << where << ": " << nregs << " registers for " << f.params.size() << " parameters";
    int64_t ncode = static_cast<int64_t>(f.code.size());
    KILN_CHECK(ncode > 0) << where << " has no instructions";
    Opcode last = f.code.back().op;
    KILN_CHECK(last == Opcode::kRet || last == Opcode::kGoto)
        << where << " can run off its end (its last instruction must be Ret or Goto)";
    for (int64_t pc = 0; pc < ncode; ++pc) {
      const Instruction& in = f.code[pc];
      std::string at = where + ", instruction " + std::to_string(pc);
      auto check_operand = [&](const Operand& op) {
        switch (op.kind) {
          case Operand::Kind::kRegister:
            KILN_CHECK(op.value >= 0 && op.value < nregs)
                << at << ": register %" << op.value << " out of range (the function has " << nregs << ")";
            return;
          case Operand::Kind::kConst:
            KILN_CHECK(op.value >= 0 && op.value < nconsts)
                << at << ": constant c" << op.value << " out of range (the pool has " << nconsts << ")";
            return;
          case Operand::Kind::kImm: return;
          case Operand::Kind::kFunc:
            KILN_CHECK(op.value >= 0 && op.value < nfuncs)
                << at << ": function @" << op.value << " out of range (the table has " << nfuncs << ")";
            return;
          case Operand::Kind::kDevice:
            KILN_CHECK(op.value == kVMDevice || op.value == kHostDevice) << at << ": unknown device " << op.value;
            return;
        }
        KILN_THROW() << at << ": operand of unknown kind " << static_cast<int>(op.kind);
      };
      auto check_target = [&](int64_t target) {
        KILN_CHECK(target >= 0 && target < ncode)
            << at << ": jump to " << target << " outside the function (" << ncode << " instructions)";
      };
      switch (in.op) {
        case Opcode::kCall:
          KILN_CHECK(in.func >= 0 && in.func < nfuncs)
              << at << ": call of function @" << in.func << " out of range (the table has " << nfuncs << ")";
          KILN_CHECK(in.dst == kVoidRegister || (in.dst >= 0 && in.dst < nregs))
              << at << ": destination register %" << in.dst << " out of range (the function has " << nregs << ")";
          for (const Operand& a : in.args) check_operand(a);
          if (functions[in.func].kind == FuncKind::kVM) {
            KILN_CHECK(in.args.size() == functions[in.func].params.size())
                << at << ": " << functions[in.func].name << " takes " << functions[in.func].params.size()
                << " arguments, not " << in.args.size();
          }
          break;
        case Opcode::kRet: check_operand(in.value); break;
        case Opcode::kGoto: check_target(in.target); break;
        case Opcode::kIf:
          check_operand(in.value);
          check_target(in.target);
          break;
        default: KILN_THROW() << at << ": unknown opcode " << static_cast<int>(in.op);
      }
    }
  }
}

std::string ExecutableObj::AsText() const {
  std::ostringstream os;
  os << "functions:\n";
  for (size_t i = 0; i < functions.size(); ++i) {
    const VMFunction& f = functions[i];
    os << "  @" << i << " " << KindName(f.kind) << " ";
    if (f.kind == FuncKind::kVM) {
      os << f.Signature() << ", " << f.num_registers << " registers\n";
    } else {
      os << f.name << "\n";
    }
  }
  os << "constants:\n";
  for (size_t i = 0; i < constants.size(); ++i) os << "  c" << i << " = " << ConstantText(constants[i]) << "\n";
  auto name_of = [&](int64_t func) {
    return func >= 0 && func < static_cast<int64_t>(functions.size()) ? functions[func].name : std::string("?");
  };
  for (const VMFunction& f : functions) {
    if (f.kind != FuncKind::kVM) continue;
    os << "\n" << f.Signature() << ":\n";
    for (size_t pc = 0; pc < f.code.size(); ++pc) {
      const Instruction& in = f.code[pc];
      os << "  " << pc << ": ";
      switch (in.op) {
        case Opcode::kCall: {
          if (in.dst != kVoidRegister) os << "%" << in.dst << " = ";
          os << "call @" << in.func << " " << name_of(in.func) << "(";
          for (size_t a = 0; a < in.args.size(); ++a) os << (a ? ", " : "") << in.args[a].str();
          os << ")";
          break;
        }
        case Opcode::kRet: os << "ret " << in.value.str(); break;
        case Opcode::kGoto: os << "goto " << in.target; break;
        case Opcode::kIf: os << "if " << in.value.str() << " else goto " << in.target; break;
      }
      os << "\n";
    }
  }
  return os.str();
}

}  // namespace kiln::runtime::vm
