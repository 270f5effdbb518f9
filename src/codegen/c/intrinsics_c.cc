// The tir intrinsics on the c target, one table entry each: math through
// <math.h> (expf for float32, exp for float64), sigmoid and rsqrt spelled
// out, and the control intrinsics if_then_else, likely, reinterpret and
// call_extern. Vector calls are emitted per lane like every expression.
#include <functional>
#include <unordered_map>

#include "codegen_c.h"
#include "kiln/runtime/error.h"

namespace kiln::codegen {

using namespace tir;

namespace {

using IntrinsicEmitter = std::function<std::string(CodeGenC&, const CallNode*)>;

void CheckArity(CodeGenC& cg, const CallNode* op, size_t n) {
  CheckIntrinsicArity(cg.function_name(), op, n);
}

// Math on floats: the arguments and the result share one float dtype.
void CheckFloatMath(CodeGenC& cg, const CallNode* op, size_t n) {
  CheckFloatMathArgs(cg.function_name(), op, n);
  cg.Type(op->dtype);  // float16 and bfloat16 raise here
}

// The arguments, float16 ones widened to float.
std::string Args(CodeGenC& cg, const CallNode* op) {
  std::string s;
  for (size_t i = 0; i < op->args.size(); ++i) {
    std::string a = cg.Emit(op->args[i]);
    s += (i ? ", " : "") + (op->args[i].dtype().bits() == 16 ? "(float)" + a : a);
  }
  return s;
}

// A float math result `e` (computed in float for float16) as op->dtype.
std::string Narrow(const CallNode* op, const std::string& e) {
  return op->dtype.bits() == 16 ? "((_Float16)" + e + ")" : e;
}

// The <math.h> function `name` ("expf" for float32, "exp" for float64;
// float16 computes in float32 and rounds the result).
IntrinsicEmitter Libm(const std::string& name, size_t arity) {
  return [name, arity](CodeGenC& cg, const CallNode* op) {
    CheckFloatMath(cg, op, arity);
    return Narrow(op, (op->dtype.bits() == 64 ? name : name + "f") + "(" + Args(cg, op) + ")");
  };
}

std::string One(const CallNode* op) {
  return op->dtype.bits() == 64 ? "1.0" : "1.0f";
}

// sigmoid(x) = 1 / (1 + exp(-x))
std::string Sigmoid(CodeGenC& cg, const CallNode* op) {
  CheckFloatMath(cg, op, 1);
  std::string exp = op->dtype.bits() == 64 ? "exp" : "expf";
  return Narrow(op, "(" + One(op) + " / (" + One(op) + " + " + exp + "(-" + Args(cg, op) + ")))");
}

// rsqrt(x) = 1 / sqrt(x)
std::string Rsqrt(CodeGenC& cg, const CallNode* op) {
  CheckFloatMath(cg, op, 1);
  std::string sqrt = op->dtype.bits() == 64 ? "sqrt" : "sqrtf";
  return Narrow(op, "(" + One(op) + " / " + sqrt + "(" + Args(cg, op) + "))");
}

// if_then_else(c, a, b): C's ?: evaluates only the branch taken.
std::string IfThenElse(CodeGenC& cg, const CallNode* op) {
  CheckArity(cg, op, 3);
  KILN_CHECK(op->args[0].dtype().is_bool() && op->args[1].dtype() == op->dtype && op->args[2].dtype() == op->dtype)
      << cg.function_name() << ": if_then_else takes a bool condition and two values of dtype " << op->dtype;
  return "(" + cg.Emit(op->args[0]) + " ? " + cg.Emit(op->args[1]) + " : " + cg.Emit(op->args[2]) + ")";
}

std::string Likely(CodeGenC& cg, const CallNode* op) {
  CheckArity(cg, op, 1);
  return cg.Emit(op->args[0]);
}

// reinterpret(x): the bits of x as op->dtype (same size), through memcpy.
std::string Reinterpret(CodeGenC& cg, const CallNode* op) {
  CheckArity(cg, op, 1);
  DataType from = op->args[0].dtype();
  KILN_CHECK(from.bits() * from.lanes() == op->dtype.bits() * op->dtype.lanes())
      << cg.function_name() << ": reinterpret of " << from << " as " << op->dtype << " changes the size";
  KILN_CHECK(from.lanes() == op->dtype.lanes() && !from.is_bool() && !op->dtype.is_bool() && !from.is_handle() &&
             !op->dtype.is_handle())
      << cg.function_name() << ": reinterpret of " << from << " as " << op->dtype
      << " is not supported by the c target";
  cg.Type(from);
  cg.Type(op->dtype);
  if (from.element_of() == op->dtype.element_of()) return cg.Emit(op->args[0]);
  auto suffix = [](DataType t) { return (t.is_float() ? "f" : t.is_int() ? "i" : "u") + std::to_string(t.bits()); };
  std::string helper = "kiln_reinterpret_" + suffix(from) + "_" + suffix(op->dtype);
  cg.UseHelper(helper);
  return helper + "(" + cg.Emit(op->args[0]) + ")";
}

// call_extern("symbol", args...): a C function returning op->dtype, declared
// from the types of the arguments.
std::string CallExtern(CodeGenC& cg, const CallNode* op) {
  const StringImmNode* symbol = op->args.empty() ? nullptr : op->args[0].as<StringImmNode>();
  KILN_CHECK(symbol) << cg.function_name() << ": call_extern needs the symbol name as its first argument";
  std::string decl =
      "extern " + (op->dtype.is_void() ? std::string("void") : cg.Type(op->dtype)) + " " + symbol->value + "(";
  std::string args;
  for (size_t i = 1; i < op->args.size(); ++i) {
    const PrimExpr& a = op->args[i];
    decl += (i > 1 ? ", " : "") + (a.as<StringImmNode>() ? std::string("const char*") : cg.Type(a.dtype()));
    args += (i > 1 ? ", " : "") + cg.Emit(a);
  }
  cg.DeclareExtern(decl + (op->args.size() == 1 ? "void" : "") + ");");
  return symbol->value + "(" + args + ")";
}

const std::unordered_map<std::string, IntrinsicEmitter>& Table() {
  static const std::unordered_map<std::string, IntrinsicEmitter> table = {
      {"exp", Libm("exp", 1)},
      {"exp2", Libm("exp2", 1)},
      {"log", Libm("log", 1)},
      {"log2", Libm("log2", 1)},
      {"sqrt", Libm("sqrt", 1)},
      {"fabs", Libm("fabs", 1)},
      {"floor", Libm("floor", 1)},
      {"ceil", Libm("ceil", 1)},
      {"trunc", Libm("trunc", 1)},
      {"round", Libm("nearbyint", 1)},  // halves to even in the default rounding mode, as numpy and torch
      {"sin", Libm("sin", 1)},
      {"cos", Libm("cos", 1)},
      {"pow", Libm("pow", 2)},
      {"fma", Libm("fma", 3)},
      {"tanh", Libm("tanh", 1)},
      {"erf", Libm("erf", 1)},
      {"sigmoid", Sigmoid},
      {"rsqrt", Rsqrt},
      {"if_then_else", IfThenElse},
      {"likely", Likely},
      {"reinterpret", Reinterpret},
      {"call_extern", CallExtern},
  };
  return table;
}

}  // namespace

std::string EmitIntrinsicC(CodeGenC& cg, const CallNode* op) {
  auto it = Table().find(op->op);
  KILN_CHECK(it != Table().end()) << cg.function_name() << ": unknown intrinsic '" << op->op << "' for the c target";
  return it->second(cg, op);
}

}  // namespace kiln::codegen
