// DataType: a scalar type with vector lanes, stored exactly as DLPack's
// DLDataType so that arrays cross DLPack without translation. Prints and
// parses as "float32", "float32x8", "bfloat16", "bool", "handle".
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "kiln/runtime/dlpack.h"

namespace kiln::runtime {

class DataType {
 public:
  enum Code : uint8_t {
    kInt = kDLInt,
    kUInt = kDLUInt,
    kFloat = kDLFloat,
    kHandle = kDLOpaqueHandle,
    kBFloat = kDLBfloat,
    kBool = kDLBool,
  };

  constexpr DataType() : dt_{kDLOpaqueHandle, 0, 0} {}
  constexpr DataType(Code code, int bits, int lanes = 1)
      : dt_{static_cast<uint8_t>(code), static_cast<uint8_t>(bits), static_cast<uint16_t>(lanes)} {}
  explicit DataType(DLDataType dt);  // checks that Kiln supports it

  static constexpr DataType Int(int bits, int lanes = 1) { return {kInt, bits, lanes}; }
  static constexpr DataType UInt(int bits, int lanes = 1) { return {kUInt, bits, lanes}; }
  static constexpr DataType Float(int bits, int lanes = 1) { return {kFloat, bits, lanes}; }
  static constexpr DataType BFloat16(int lanes = 1) { return {kBFloat, 16, lanes}; }
  static constexpr DataType Bool(int lanes = 1) { return {kBool, 8, lanes}; }
  static constexpr DataType Handle() { return {kHandle, 64, 1}; }
  // Parses "float32x4"; raises kiln::Error naming the string when unknown.
  static DataType Parse(const std::string& text);

  Code code() const { return static_cast<Code>(dt_.code); }
  int bits() const { return dt_.bits; }
  int lanes() const { return dt_.lanes; }
  bool is_float() const { return code() == kFloat || code() == kBFloat; }
  bool is_int() const { return code() == kInt; }
  bool is_uint() const { return code() == kUInt; }
  bool is_bool() const { return code() == kBool; }
  bool is_handle() const { return code() == kHandle; }
  bool is_void() const { return dt_.lanes == 0; }
  DataType element_of() const { return {code(), bits(), 1}; }
  DataType with_lanes(int lanes) const { return {code(), bits(), lanes}; }
  // Bytes that one value (all lanes) occupies in memory.
  int64_t bytes() const { return (static_cast<int64_t>(bits()) * lanes() + 7) / 8; }

  const DLDataType& dl() const { return dt_; }
  std::string str() const;

  bool operator==(const DataType& o) const {
    return dt_.code == o.dt_.code && dt_.bits == o.dt_.bits && dt_.lanes == o.dt_.lanes;
  }
  bool operator!=(const DataType& o) const { return !(*this == o); }

 private:
  DLDataType dt_;
};

inline std::ostream& operator<<(std::ostream& os, const DataType& t) {
  return os << t.str();
}

}  // namespace kiln::runtime
