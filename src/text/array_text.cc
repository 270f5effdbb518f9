// Inline array literals (with float16 and bfloat16 conversions) and the
// base64 payload of the meta section.
#include "array_text.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

#include "syntax.h"

namespace kiln::text {
namespace {

float HalfToFloat(uint16_t h) {
  uint32_t sign = static_cast<uint32_t>(h & 0x8000) << 16;
  uint32_t exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  if (exp == 0) {
    float v = std::ldexp(static_cast<float>(mant), -24);
    return sign ? -v : v;
  }
  uint32_t bits = exp == 31 ? sign | 0x7f800000 | (mant << 13) : sign | ((exp + 112) << 23) | (mant << 13);
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

// Round to nearest even, as a cast in C would on hardware with float16.
uint16_t FloatToHalf(float f) {
  uint16_t sign = std::signbit(f) ? 0x8000 : 0;
  double a = std::fabs(static_cast<double>(f));
  if (std::isnan(f)) return sign | 0x7e00;
  if (a >= 65520.0) return sign | 0x7c00;
  if (a < std::ldexp(1.0, -14)) return sign | static_cast<uint16_t>(std::nearbyint(a * std::ldexp(1.0, 24)));
  int e = 0;
  double m = std::frexp(a, &e);  // a = m * 2^e, m in [0.5, 1)
  double q = std::nearbyint((m * 2 - 1) * 1024);
  int biased = e - 1 + 15;
  if (q == 1024) q = 0, ++biased;
  if (biased >= 31) return sign | 0x7c00;
  return sign | static_cast<uint16_t>(biased << 10) | static_cast<uint16_t>(q);
}

float BFloatToFloat(uint16_t b) {
  uint32_t bits = static_cast<uint32_t>(b) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

uint16_t FloatToBFloat(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  if (std::isnan(f)) return static_cast<uint16_t>((bits >> 16) | 0x40);
  return static_cast<uint16_t>((bits + 0x7fff + ((bits >> 16) & 1)) >> 16);
}

// Element i as a float (for the dtypes narrower than double).
float ElementAsFloat(const NDArray& a, int64_t i) {
  const char* p = static_cast<const char*>(a.data());
  if (a.dtype().bits() == 32) return reinterpret_cast<const float*>(p)[i];
  uint16_t h = reinterpret_cast<const uint16_t*>(p)[i];
  return a.dtype().code() == DataType::kBFloat ? BFloatToFloat(h) : HalfToFloat(h);
}

std::string FormatFloat32(float v) {
  if (std::isnan(v) || std::isinf(v)) return FormatFloat(v);
  char buf[48];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  std::string s(buf, end);
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

std::string ElementText(const NDArray& a, int64_t i) {
  const char* p = static_cast<const char*>(a.data());
  DataType t = a.dtype();
  switch (t.code()) {
    case DataType::kBool: return p[i] ? "True" : "False";
    case DataType::kFloat:
    case DataType::kBFloat:
      return t.bits() == 64 ? FormatFloat(reinterpret_cast<const double*>(p)[i]) : FormatFloat32(ElementAsFloat(a, i));
    case DataType::kInt:
      switch (t.bits()) {
        case 8: return std::to_string(reinterpret_cast<const int8_t*>(p)[i]);
        case 16: return std::to_string(reinterpret_cast<const int16_t*>(p)[i]);
        case 32: return std::to_string(reinterpret_cast<const int32_t*>(p)[i]);
        default: return std::to_string(reinterpret_cast<const int64_t*>(p)[i]);
      }
    default:
      switch (t.bits()) {
        case 8: return std::to_string(reinterpret_cast<const uint8_t*>(p)[i]);
        case 16: return std::to_string(reinterpret_cast<const uint16_t*>(p)[i]);
        case 32: return std::to_string(reinterpret_cast<const uint32_t*>(p)[i]);
        default: return std::to_string(reinterpret_cast<const uint64_t*>(p)[i]);
      }
  }
}

bool HasLiteralDType(DataType t) {
  if (t.lanes() != 1) return false;
  switch (t.code()) {
    case DataType::kBool: return t.bits() == 8;
    case DataType::kFloat:
    case DataType::kBFloat: return true;
    case DataType::kInt: return true;
    case DataType::kUInt: return t.bits() >= 8;
    default: return false;
  }
}

// A compact CPU array with the same elements.
NDArray CompactOnCpu(const NDArray& a) {
  NDArray cpu = a.device().device_type == kDLCPU ? a : a.CopyTo(runtime::Device::CPU());
  if (cpu.IsContiguous() && cpu.byte_offset() == 0) return cpu;
  NDArray out = NDArray::Empty(cpu.shape(), cpu.dtype(), runtime::Device::CPU());
  out.CopyFrom(cpu);
  return out;
}

void Nest(const NDArray& a, size_t axis, int64_t* index, std::string* out) {
  if (axis == a.shape().size()) {
    *out += ElementText(a, (*index)++);
    return;
  }
  *out += "[";
  for (int64_t i = 0; i < a.shape()[axis]; ++i) {
    if (i > 0) *out += ", ";
    Nest(a, axis + 1, index, out);
  }
  *out += "]";
}

template <typename T>
bool WriteInt(void* data, int64_t i, const std::string& text, bool negative, bool is_unsigned) {
  std::optional<int64_t> v = ParseInt(text, negative, is_unsigned);
  if (!v) return false;
  if (is_unsigned) {
    if (negative && *v != 0) return false;
    if (static_cast<uint64_t>(*v) > static_cast<uint64_t>(std::numeric_limits<T>::max())) return false;
  } else if (*v < static_cast<int64_t>(std::numeric_limits<T>::min()) ||
             *v > static_cast<int64_t>(std::numeric_limits<T>::max())) {
    return false;
  }
  static_cast<T*>(data)[i] = static_cast<T>(*v);
  return true;
}

bool WriteFloat(const NDArray& a, int64_t i, const std::string& text, bool negative) {
  DataType t = a.dtype();
  if (t.bits() == 64) {
    std::optional<double> v = ParseFloat(text);
    if (!v) return false;
    static_cast<double*>(a.data())[i] = negative ? -*v : *v;
    return true;
  }
  float v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return false;
  if (negative) v = -v;
  if (t.bits() == 32) {
    static_cast<float*>(a.data())[i] = v;
  } else {
    static_cast<uint16_t*>(a.data())[i] = t.code() == DataType::kBFloat ? FloatToBFloat(v) : FloatToHalf(v);
  }
  return true;
}

const char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int Base64Value(char c) {
  const char* p = std::strchr(kBase64, c);
  return c != '\0' && p ? static_cast<int>(p - kBase64) : -1;
}

std::optional<std::string> DecodeBase64(const std::string& in) {
  if (in.size() % 4 != 0) return std::nullopt;
  std::string out;
  for (size_t i = 0; i < in.size(); i += 4) {
    int v[4];
    for (int k = 0; k < 4; ++k) {
      bool pad = in[i + k] == '=' && i + 4 == in.size() && k >= 2;
      v[k] = pad ? 0 : Base64Value(in[i + k]);
      if (v[k] < 0) return std::nullopt;
    }
    uint32_t n = (v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3];
    out += static_cast<char>(n >> 16);
    if (in[i + 2] != '=') out += static_cast<char>((n >> 8) & 0xff);
    if (in[i + 3] != '=') out += static_cast<char>(n & 0xff);
  }
  return out;
}

}  // namespace

bool PrintsInline(const NDArray& array) {
  if (array.numel() < 1 || array.numel() > kMaxInlineElements || !HasLiteralDType(array.dtype())) return false;
  if (!array.dtype().is_float()) return true;
  NDArray a = CompactOnCpu(array);
  for (int64_t i = 0; i < a.numel(); ++i) {
    double v = a.dtype().bits() == 64 ? static_cast<const double*>(a.data())[i] : ElementAsFloat(a, i);
    if (std::isnan(v)) return false;
  }
  return true;
}

std::string InlineArrayText(const NDArray& array) {
  NDArray a = CompactOnCpu(array);
  std::string out;
  int64_t index = 0;
  Nest(a, 0, &index, &out);
  return out;
}

bool WriteElement(const NDArray& array, int64_t index, const std::string& text, bool negative, bool is_float) {
  DataType t = array.dtype();
  void* data = array.data();
  if (t.is_bool()) {
    if (negative || (text != "True" && text != "False")) return false;
    static_cast<uint8_t*>(data)[index] = text == "True";
    return true;
  }
  if (t.is_float()) return text != "True" && text != "False" && WriteFloat(array, index, text, negative);
  if (is_float || text == "True" || text == "False" || text == "inf" || text == "nan") return false;
  bool u = t.is_uint();
  switch (t.bits()) {
    case 8:
      return u ? WriteInt<uint8_t>(data, index, text, negative, u) : WriteInt<int8_t>(data, index, text, negative, u);
    case 16:
      return u ? WriteInt<uint16_t>(data, index, text, negative, u) : WriteInt<int16_t>(data, index, text, negative, u);
    case 32:
      return u ? WriteInt<uint32_t>(data, index, text, negative, u) : WriteInt<int32_t>(data, index, text, negative, u);
    default:
      return u ? WriteInt<uint64_t>(data, index, text, negative, u) : WriteInt<int64_t>(data, index, text, negative, u);
  }
}

std::string ArrayBase64(const NDArray& array) {
  NDArray a = CompactOnCpu(array);
  const unsigned char* p = static_cast<const unsigned char*>(a.data());
  size_t n = a.nbytes();
  std::string out;
  out.reserve((n + 2) / 3 * 4);
  for (size_t i = 0; i < n; i += 3) {
    uint32_t v = static_cast<uint32_t>(p[i]) << 16;
    if (i + 1 < n) v |= static_cast<uint32_t>(p[i + 1]) << 8;
    if (i + 2 < n) v |= p[i + 2];
    out += kBase64[(v >> 18) & 63];
    out += kBase64[(v >> 12) & 63];
    out += i + 1 < n ? kBase64[(v >> 6) & 63] : '=';
    out += i + 2 < n ? kBase64[v & 63] : '=';
  }
  return out;
}

NDArray ArrayFromBase64(const std::vector<int64_t>& shape, DataType dtype, const std::string& base64,
                        std::string* error) {
  std::optional<int64_t> numel = CheckedNumel(shape);
  if (!numel) {
    *error = "the array is too large";
    return NDArray();
  }
  std::optional<std::string> bytes = DecodeBase64(base64);
  if (!bytes) {
    *error = "malformed base64 data";
    return NDArray();
  }
  size_t expected = static_cast<size_t>(*numel * dtype.bytes());
  if (bytes->size() != expected) {
    *error = "the data has " + std::to_string(bytes->size()) + " bytes; the array needs " + std::to_string(expected);
    return NDArray();
  }
  NDArray out = NDArray::Empty(shape, dtype, runtime::Device::CPU());
  if (expected > 0) std::memcpy(out.data(), bytes->data(), expected);
  return out;
}

std::optional<int64_t> CheckedNumel(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0 || (d > 0 && n > (int64_t{1} << 40) / d)) return std::nullopt;
    n *= d;
  }
  return n;
}

}  // namespace kiln::text
