// The format's reserved words, names, and literal spellings.
#include "syntax.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <unordered_set>

#include "kiln/runtime/error.h"

namespace kiln::text {

bool IsReservedWord(const std::string& word) {
  static const std::unordered_set<std::string> kWords = {
      // structure
      "module", "func", "prim", "impure", "attrs", "meta", "return", "with", "dataflow", "block", "output",
      // statements
      "if", "else", "for", "in", "while", "let", "alloc", "alloc_buffer", "decl_buffer", "reads", "writes", "where",
      "annotations", "init", "spatial", "reduce", "range", "parallel", "vectorized", "unrolled", "thread_binding",
      // builtin expressions
      "match_cast", "const", "shape", "extern", "call", "select", "ramp", "broadcast", "min", "max", "tir", "device",
      "array",
      // literals
      "True", "False", "None", "inf", "nan",
      // struct info and buffers
      "Tensor", "Tuple", "Shape", "Prim", "Object", "Func", "Buffer", "SizeVar"};
  return kWords.count(word) > 0 || DTypeOfName(word).has_value();
}

bool IsRelaxExprWord(const std::string& word) {
  static const std::unordered_set<std::string> kWords = {
      "if",     "else", "func",   "impure", "const", "meta",  "shape", "prim", "extern", "match_cast",
      "return", "with", "output", "attrs",  "True",  "False", "None",  "inf",  "nan"};
  return kWords.count(word) > 0;
}

std::optional<DataType> DTypeOfName(const std::string& word) {
  if (word == "void") return DataType();
  bool maybe = false;
  for (const char* prefix : {"int", "uint", "float", "bfloat", "bool", "handle"}) {
    maybe |= word.rfind(prefix, 0) == 0;
  }
  if (!maybe) return std::nullopt;
  try {
    return DataType::Parse(word);
  } catch (const Error&) {
    return std::nullopt;
  }
}

bool IsIdentifier(const std::string& text, bool allow_dots) {
  bool at_start = true;
  for (char c : text) {
    bool letter = std::isalpha(static_cast<unsigned char>(c)) || c == '_';
    bool digit = std::isdigit(static_cast<unsigned char>(c));
    if (c == '.' && allow_dots && !at_start) {
      at_start = true;
    } else if (letter || (digit && !at_start)) {
      at_start = false;
    } else {
      return false;
    }
  }
  return !at_start;
}

std::optional<std::string> LiteralSuffix(DataType dtype) {
  if (dtype.lanes() != 1) return std::nullopt;
  std::string bits = std::to_string(dtype.bits());
  switch (dtype.code()) {
    case DataType::kInt: return dtype.bits() == 64 ? "" : "i" + bits;
    case DataType::kUInt: return "u" + bits;
    case DataType::kFloat: return dtype.bits() == 32 ? "" : "f" + bits;
    case DataType::kBFloat: return "bf" + bits;
    default: return std::nullopt;
  }
}

std::optional<DataType> DTypeOfSuffix(const std::string& suffix, bool is_float) {
  if (suffix.empty()) return is_float ? DataType::Float(32) : DataType::Int(64);
  size_t digits = suffix.find_first_of("0123456789");
  if (digits == std::string::npos || suffix.size() - digits > 2) return std::nullopt;
  std::string prefix = suffix.substr(0, digits);
  static const std::pair<const char*, const char*> kNames[] = {
      {"i", "int"}, {"u", "uint"}, {"f", "float"}, {"bf", "bfloat"}};
  for (const auto& [short_name, long_name] : kNames) {
    if (prefix != short_name) continue;
    std::optional<DataType> t = DTypeOfName(long_name + suffix.substr(digits));
    if (!t || (is_float && !t->is_float())) return std::nullopt;
    return t;
  }
  return std::nullopt;
}

std::string FormatFloat(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  std::string s(buf, end);
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

std::optional<double> ParseFloat(const std::string& text) {
  double v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

std::optional<int64_t> ParseInt(const std::string& digits, bool negative, bool is_unsigned) {
  uint64_t magnitude = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), magnitude);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  uint64_t limit = negative ? uint64_t{1} << 63 : is_unsigned ? ~uint64_t{0} : (uint64_t{1} << 63) - 1;
  if (magnitude > limit) return std::nullopt;
  return static_cast<int64_t>(negative ? 0 - magnitude : magnitude);
}

std::string Quote(const std::string& value) {
  std::string out = "\"";
  for (char c : value) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c >= 0x20 && c < 0x7f) {
          out += c;
        } else {
          char hex[8];
          std::snprintf(hex, sizeof(hex), "\\x%02x", static_cast<unsigned char>(c));
          out += hex;
        }
    }
  }
  return out + "\"";
}

}  // namespace kiln::text
