// DataType parsing, printing and the check of DLPack dtypes.
#include "kiln/runtime/data_type.h"

#include <cctype>

#include "kiln/runtime/error.h"

namespace kiln::runtime {
namespace {
bool Supported(const DLDataType& t) {
  if (t.lanes == 0) return false;
  switch (t.code) {
    case kDLInt: return t.bits == 8 || t.bits == 16 || t.bits == 32 || t.bits == 64;
    case kDLUInt: return t.bits == 1 || t.bits == 8 || t.bits == 16 || t.bits == 32 || t.bits == 64;
    case kDLFloat: return t.bits == 16 || t.bits == 32 || t.bits == 64;
    case kDLBfloat: return t.bits == 16;
    case kDLBool: return t.bits == 8 || t.bits == 1;
    case kDLOpaqueHandle: return t.bits == 64;
    default: return false;
  }
}

const char* CodeName(uint8_t code) {
  switch (code) {
    case kDLInt: return "int";
    case kDLUInt: return "uint";
    case kDLFloat: return "float";
    case kDLBfloat: return "bfloat";
    case kDLBool: return "bool";
    case kDLOpaqueHandle: return "handle";
    case kDLComplex: return "complex";
    default: return "unknown";
  }
}
}  // namespace

DataType::DataType(DLDataType dt) : dt_(dt) {
  if (dt.code == kDLBool && dt.bits == 1) dt_.bits = 8;  // one byte per bool in memory
  KILN_CHECK(Supported(dt)) << "unsupported dtype (code " << int(dt.code) << " \"" << CodeName(dt.code) << "\", "
                            << int(dt.bits) << " bits, " << dt.lanes << " lanes)";
}

DataType DataType::Parse(const std::string& text) {
  auto fail = [&]() {
    KILN_THROW() << "unknown dtype \"" << text
                 << "\" (expected e.g. float32, float16, bfloat16, int8, uint8, bool, float32x8)";
  };
  std::string base = text;
  int lanes = 1;
  size_t x = text.find('x');
  if (x != std::string::npos) {
    base = text.substr(0, x);
    std::string l = text.substr(x + 1);
    if (l.empty() || l.size() > 5) fail();
    for (char c : l) {
      if (!std::isdigit(static_cast<unsigned char>(c))) fail();
    }
    lanes = std::stoi(l);
    if (lanes < 1 || lanes > 65535) fail();
  }
  if (base == "bool") return Bool(lanes);
  if (base == "handle" && lanes == 1) return Handle();
  struct Prefix {
    const char* name;
    Code code;
  };
  for (Prefix p : {Prefix{"bfloat", kBFloat}, Prefix{"float", kFloat}, Prefix{"uint", kUInt}, Prefix{"int", kInt}}) {
    std::string name = p.name;
    if (base.rfind(name, 0) != 0) continue;
    std::string bits = base.substr(name.size());
    if (bits.empty() || bits.size() > 2) fail();
    for (char c : bits) {
      if (!std::isdigit(static_cast<unsigned char>(c))) fail();
    }
    DLDataType dt{static_cast<uint8_t>(p.code), static_cast<uint8_t>(std::stoi(bits)), static_cast<uint16_t>(lanes)};
    if (!Supported(dt)) fail();
    return DataType(dt);
  }
  fail();
  return {};
}

std::string DataType::str() const {
  if (is_void()) return "void";
  std::string s;
  if (is_bool()) {
    s = "bool";
  } else if (is_handle()) {
    s = "handle";
  } else {
    s = std::string(CodeName(dt_.code)) + std::to_string(bits());
  }
  if (lanes() != 1) s += "x" + std::to_string(lanes());
  return s;
}

}  // namespace kiln::runtime
