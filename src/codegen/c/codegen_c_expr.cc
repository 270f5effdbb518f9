// CodeGenC, expressions: immediates, variables, binary operators with tir's
// semantics (floor division toward negative infinity through prelude
// helpers, narrow integers wrapped back to their type), casts, select, Ramp
// and Broadcast at the current lane, let as `(x = value, body)`, and the
// prelude helpers those use.
#include <climits>

#include "codegen_c.h"
#include "kiln/runtime/error.h"

namespace kiln::codegen {

using namespace tir;

namespace {

struct CType {
  const char* suffix;
  const char* type;
  bool is_float;
  bool is_signed;
  int bits;
};

const CType kCTypes[] = {
    {"i8", "int8_t", false, true, 8},      {"i16", "int16_t", false, true, 16},   {"i32", "int32_t", false, true, 32},
    {"i64", "int64_t", false, true, 64},   {"u8", "uint8_t", false, false, 8},    {"u16", "uint16_t", false, false, 16},
    {"u32", "uint32_t", false, false, 32}, {"u64", "uint64_t", false, false, 64}, {"f16", "_Float16", true, true, 16},
    {"f32", "float", true, true, 32},      {"f64", "double", true, true, 64},
};

std::string Fn(const CType& t, const std::string& name, const std::string& body) {
  std::string T = t.type;
  return "static inline " + T + " kiln_" + name + "_" + t.suffix + "(" + T + " a, " + T + " b) { " + body + " }\n";
}

}  // namespace

const std::map<std::string, std::string>& HelpersC() {
  static const std::map<std::string, std::string> helpers = [] {
    std::map<std::string, std::string> h;
    for (const CType& t : kCTypes) {
      std::string T = t.type, s = t.suffix;
      h["kiln_min_" + s] = Fn(t, "min", "return a < b ? a : b;");
      h["kiln_max_" + s] = Fn(t, "max", "return a > b ? a : b;");
      if (t.is_float) {
        std::string floor = t.bits == 64 ? "floor" : "floorf";
        h["kiln_floordiv_" + s] = Fn(t, "floordiv", "return " + floor + "(a / b);");
        h["kiln_floormod_" + s] = Fn(t, "floormod", "return a - " + floor + "(a / b) * b;");
      } else if (t.is_signed) {
        // q = a / b and r = a % b truncate; when r != 0 and r and b have
        // different signs, floordiv = q - 1 and floormod = r + b.
        h["kiln_floordiv_" + s] =
            Fn(t, "floordiv", T + " q = a / b, r = a % b; return (r != 0 && (r ^ b) < 0) ? (" + T + ")(q - 1) : q;");
        h["kiln_floormod_" + s] =
            Fn(t, "floormod", T + " r = a % b; return (r != 0 && (r ^ b) < 0) ? (" + T + ")(r + b) : r;");
      }
    }
    // reinterpret between types of one size
    for (const CType& from : kCTypes) {
      for (const CType& to : kCTypes) {
        if (from.bits != to.bits || &from == &to) continue;
        std::string name = std::string("kiln_reinterpret_") + from.suffix + "_" + to.suffix;
        h[name] = std::string("static inline ") + to.type + " " + name + "(" + from.type + " x) { " + to.type +
                  " y; memcpy(&y, &x, sizeof y); return y; }\n";
      }
    }
    // float16 is C's optional _Float16 (GCC 12+ and Clang 15+ on x86-64 and Arm)
    h["kiln_float16_check"] =
        "#ifndef __FLT16_MAX__\n#error \"float16 kernels need a C compiler with _Float16 (GCC 12+, Clang 15+)\"\n"
        "#endif\n";
    // names of argument type codes and dtype codes for the wrapper's messages
    h["kiln_type_code_name"] =
        "static const char* kiln_type_code_name(int32_t code) {\n"
        "  static const char* names[] = {\"int\", \"float\", \"handle\", \"None\", \"tensor\", \"str\", "
        "\"dtype\", \"device\", \"bool\"};\n"
        "  return (uint32_t)code < 9 ? names[code] : \"unknown\";\n}\n";
    h["kiln_dtype_code_name"] =
        "static const char* kiln_dtype_code_name(int code) {\n"
        "  static const char* names[] = {\"int\", \"uint\", \"float\", \"handle\", \"bfloat\", \"complex\", "
        "\"bool\"};\n"
        "  return (unsigned)code < 7 ? names[code] : \"unknown\";\n}\n";
    return h;
  }();
  return helpers;
}

std::string CodeGenC::Suffix(DataType t) {
  Type(t);  // raises for what C cannot hold
  if (t.is_float()) return "f" + std::to_string(t.bits());
  return (t.is_int() ? "i" : "u") + std::to_string(t.bits());
}

std::string CodeGenC::VisitExpr_(const IntImmNode* op) {
  DataType t = op->dtype;
  if (t.is_bool()) return op->value ? "true" : "false";
  int64_t v = op->value;
  if (t.is_uint()) {
    uint64_t u = static_cast<uint64_t>(v);
    if (t.bits() == 64) return "UINT64_C(" + std::to_string(u) + ")";
    return t.bits() == 32 ? std::to_string(u) + "u" : "((" + Type(t) + ")" + std::to_string(u) + ")";
  }
  if (t.bits() == 64) {
    if (v == INT64_MIN) return "INT64_MIN";
    std::string s = "INT64_C(" + std::to_string(v) + ")";
    return s;
  }
  if (t.bits() == 32) {
    if (v == INT32_MIN) return "INT32_MIN";
    return v < 0 ? "(" + std::to_string(v) + ")" : std::to_string(v);
  }
  return "((" + Type(t) + ")" + (v < 0 ? "(" + std::to_string(v) + ")" : std::to_string(v)) + ")";
}

std::string CodeGenC::VisitExpr_(const FloatImmNode* op) {
  Type(op->dtype);
  return EmitLiteral(op->dtype, op->value);
}

std::string CodeGenC::VisitExpr_(const StringImmNode* op) {
  return Quote(op->value);
}

std::string CodeGenC::VisitExpr_(const VarNode* op) {
  std::string name = Lookup(Var(runtime::GetRef<PrimExprNode>(op)));
  if (op->dtype.lanes() == 1) return name;
  KILN_ICHECK(!lane_.empty()) << "vector variable '" << op->name << "' used outside a vector statement";
  return name + "[" + lane_ + "]";
}

std::string CodeGenC::EmitBinary(const BinaryNode* op, const std::string& a, const std::string& b) {
  DataType t = op->a.dtype().element_of();
  if (op->op == BinaryOp::kAnd) return "(" + a + " && " + b + ")";
  if (op->op == BinaryOp::kOr) return "(" + a + " || " + b + ")";
  if (IsComparison(op->op)) return "(" + a + " " + BinaryOpSymbol(op->op) + " " + b + ")";
  std::string helper;
  switch (op->op) {
    case BinaryOp::kMin: helper = "kiln_min_"; break;
    case BinaryOp::kMax: helper = "kiln_max_"; break;
    case BinaryOp::kFloorDiv:
      if (t.is_uint()) return "(" + a + " / " + b + ")";
      helper = "kiln_floordiv_";
      break;
    case BinaryOp::kFloorMod:
      if (t.is_uint()) return "(" + a + " % " + b + ")";
      helper = "kiln_floormod_";
      break;
    case BinaryOp::kMod:
      if (t.bits() == 16) return "((_Float16)fmodf(" + a + ", " + b + "))";
      if (t.is_float()) return std::string(t.bits() == 32 ? "fmodf(" : "fmod(") + a + ", " + b + ")";
      break;
    default: break;
  }
  if (!helper.empty()) {
    helper += Suffix(t);
    UseHelper(helper);
    return helper + "(" + a + ", " + b + ")";
  }
  std::string sym = BinaryOpSymbol(op->op);
  KILN_ICHECK(sym.size() == 1) << "not an arithmetic operator: " << BinaryOpName(op->op);
  std::string e = "(" + a + " " + sym + " " + b + ")";
  // C computes narrow integers as int: wrap the result back to the type.
  if (!t.is_float() && t.bits() < 32) return "((" + Type(t) + ")" + e + ")";
  return e;
}

std::string CodeGenC::VisitExpr_(const BinaryNode* op) {
  Type(op->a.dtype());
  return EmitBinary(op, Emit(op->a), Emit(op->b));
}

std::string CodeGenC::VisitExpr_(const NotNode* op) {
  return "(!" + Emit(op->a) + ")";
}

std::string CodeGenC::EmitCast(DataType from, DataType to, const std::string& v) {
  if (from.element_of() == to.element_of()) return v;
  if (to.is_bool()) return "(" + v + " != 0)";
  if (to.is_handle()) return "((void*)(intptr_t)" + v + ")";
  if (from.is_handle()) return "((" + Type(to) + ")(intptr_t)" + v + ")";
  return "((" + Type(to) + ")" + v + ")";
}

std::string CodeGenC::VisitExpr_(const CastNode* op) {
  return EmitCast(op->value.dtype(), op->dtype, Emit(op->value));
}

std::string CodeGenC::VisitExpr_(const SelectNode* op) {
  return "(" + Emit(op->condition) + " ? " + Emit(op->true_value) + " : " + Emit(op->false_value) + ")";
}

std::string CodeGenC::VisitExpr_(const CallNode* op) {
  return EmitIntrinsicC(*this, op);
}

// base + stride * lane
std::string CodeGenC::VisitExpr_(const RampNode* op) {
  KILN_ICHECK(!lane_.empty()) << "Ramp outside a vector statement";
  DataType t = op->base.dtype();
  return "(" + Emit(op->base) + " + " + Emit(op->stride) + " * (" + Type(t) + ")" + lane_ + ")";
}

std::string CodeGenC::VisitExpr_(const BroadcastNode* op) {
  return Emit(op->value);
}

// (x = value, body): x is declared before the statement (an array over the
// lanes for a vector value), so the let works inside any expression.
std::string CodeGenC::VisitExpr_(const LetNode* op) {
  std::string value = Emit(op->value);
  std::string name = Bind(op->var);
  DataType t = op->var.dtype();
  if (t.lanes() == 1) {
    Declare(Type(t) + " " + name + ";");
  } else {
    Declare(Type(t.element_of()) + " " + name + "[" + std::to_string(t.lanes()) + "];");
  }
  std::string target = t.lanes() == 1 ? name : name + "[" + lane_ + "]";
  std::string body = Emit(op->body);
  Unbind(op->var);
  return "(" + target + " = " + value + ", " + body + ")";
}

}  // namespace kiln::codegen
