// Reading and writing .npy files (npy.h). The format: the magic "\x93NUMPY",
// a major and minor version byte, the header length (2 bytes little-endian
// in version 1, 4 bytes after), an ASCII header holding a Python dict
// literal {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
// padded with spaces and a newline, then the raw data.
#include "npy.h"

#include <cstdint>
#include <fstream>
#include <sstream>
#include <vector>

#include "kiln/runtime/error.h"
#include "printable.h"

namespace kiln::cli {

using runtime::DataType;
using runtime::NDArray;

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;

struct Descr {
  const char* text;
  DataType dtype;
};
constexpr Descr kDescrs[] = {
    {"<f4", DataType::Float(32)}, {"<f8", DataType::Float(64)}, {"<i4", DataType::Int(32)},
    {"<i8", DataType::Int(64)},   {"|b1", DataType::Bool()},
};

// The value of `key` in the header dict: the text after "'key':" up to the
// next top-level comma (or closing brace).
std::string HeaderValue(const std::string& header, const std::string& key, const std::string& name) {
  size_t at = header.find("'" + key + "'");
  if (at == std::string::npos) at = header.find("\"" + key + "\"");
  KILN_CHECK(at != std::string::npos) << name << ": not a valid .npy file: the header has no '" << key << "'";
  size_t colon = header.find(':', at);
  KILN_CHECK(colon != std::string::npos) << name << ": not a valid .npy file: malformed header";
  size_t begin = header.find_first_not_of(' ', colon + 1);
  KILN_CHECK(begin != std::string::npos) << name << ": not a valid .npy file: malformed header";
  size_t end = begin;
  if (header[begin] == '(') {
    end = header.find(')', begin);
    KILN_CHECK(end != std::string::npos) << name << ": not a valid .npy file: unterminated shape";
    return header.substr(begin, end - begin + 1);
  }
  end = header.find_first_of(",}", begin);
  KILN_CHECK(end != std::string::npos) << name << ": not a valid .npy file: malformed header";
  std::string value = header.substr(begin, end - begin);
  while (!value.empty() && value.back() == ' ') value.pop_back();
  if (value.size() >= 2 && (value[0] == '\'' || value[0] == '"')) value = value.substr(1, value.size() - 2);
  return value;
}

DataType ParseDescr(const std::string& descr, const std::string& name) {
  for (const Descr& d : kDescrs) {
    if (descr == d.text) return d.dtype;
  }
  KILN_CHECK(descr.empty() || descr[0] != '>')
      << name << ": big-endian data ('" << Printable(descr) << "') is not supported; save it little-endian";
  KILN_THROW() << name << ": unsupported dtype '" << Printable(descr)
               << "' (kiln reads float32, float64, int32, int64 and bool .npy files)";
}

std::vector<int64_t> ParseShape(const std::string& text, const std::string& name) {
  KILN_CHECK(text.size() >= 2 && text.front() == '(' && text.back() == ')')
      << name << ": not a valid .npy file: bad shape '" << Printable(text) << "'";
  std::vector<int64_t> shape;
  std::stringstream ss(text.substr(1, text.size() - 2));
  std::string item;
  while (std::getline(ss, item, ',')) {
    size_t b = item.find_first_not_of(' '), e = item.find_last_not_of(' ');
    if (b == std::string::npos) continue;  // "(3,)": the empty item after the comma
    item = item.substr(b, e - b + 1);
    if (!item.empty() && item.back() == 'L') item.pop_back();  // Python 2 longs
    KILN_CHECK(!item.empty() && item.find_first_not_of("0123456789") == std::string::npos && item.size() < 19)
        << name << ": not a valid .npy file: bad dimension '" << Printable(item) << "' in shape " << Printable(text);
    shape.push_back(std::stoll(item));
  }
  return shape;
}

std::string DescrOf(DataType dtype) {
  for (const Descr& d : kDescrs) {
    if (d.dtype == dtype) return d.text;
  }
  KILN_THROW() << "cannot write a " << dtype.str()
               << " array to .npy (kiln writes float32, float64, int32, int64 and bool)";
}

}  // namespace

NDArray ParseNpy(const std::string& bytes, const std::string& name) {
  KILN_CHECK(bytes.size() >= kMagicSize + 4 && bytes.compare(0, kMagicSize, kMagic, kMagicSize) == 0)
      << name << ": not a .npy file (no \\x93NUMPY magic)";
  auto byte = [&](size_t i) { return static_cast<uint8_t>(bytes[i]); };
  int major = byte(kMagicSize);
  KILN_CHECK(major >= 1 && major <= 3) << name << ": unsupported .npy format version " << major;
  size_t header_len = 0, header_begin = 0;
  if (major == 1) {
    header_len = byte(8) | (byte(9) << 8);
    header_begin = 10;
  } else {
    KILN_CHECK(bytes.size() >= 12) << name << ": truncated .npy file (in the header)";
    header_len = byte(8) | (byte(9) << 8) | (byte(10) << 16) | (static_cast<size_t>(byte(11)) << 24);
    header_begin = 12;
  }
  KILN_CHECK(bytes.size() >= header_begin + header_len) << name << ": truncated .npy file (in the header)";
  std::string header = bytes.substr(header_begin, header_len);
  DataType dtype = ParseDescr(HeaderValue(header, "descr", name), name);
  std::string fortran = HeaderValue(header, "fortran_order", name);
  KILN_CHECK(fortran == "False" || fortran == "True")
      << name << ": not a valid .npy file: fortran_order " << Printable(fortran);
  KILN_CHECK(fortran == "False") << name << ": Fortran-order arrays are not supported; save a C-order array";
  std::vector<int64_t> shape = ParseShape(HeaderValue(header, "shape", name), name);

  uint64_t numel = 1;
  for (int64_t d : shape) {
    KILN_CHECK(d == 0 || numel <= (uint64_t{1} << 62) / static_cast<uint64_t>(d))
        << name << ": shape " << runtime::ShapeString(shape) << " is too large";
    numel *= static_cast<uint64_t>(d);
  }
  uint64_t nbytes = numel * static_cast<uint64_t>(dtype.bytes());
  size_t data_begin = header_begin + header_len;
  uint64_t available = bytes.size() - data_begin;
  KILN_CHECK(available >= nbytes) << name << ": truncated .npy file: shape " << runtime::ShapeString(shape) << " "
                                  << dtype.str() << " needs " << nbytes << " bytes of data, the file has " << available;
  KILN_CHECK(available == nbytes) << name << ": not a valid .npy file: " << (available - nbytes)
                                  << " bytes after the data";
  NDArray array = NDArray::Empty(shape, dtype, runtime::Device::CPU());
  if (nbytes > 0) array.CopyFromBytes(bytes.data() + data_begin, nbytes);
  if (dtype.is_bool()) {
    auto* data = static_cast<uint8_t*>(array.data());
    for (uint64_t i = 0; i < numel; ++i) {
      KILN_CHECK(data[i] <= 1) << name << ": bool array holds the byte " << int(data[i]) << " at element " << i;
    }
  }
  return array;
}

NDArray ReadNpy(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  KILN_CHECK(in) << path << ": cannot open file";
  std::stringstream ss;
  ss << in.rdbuf();
  KILN_CHECK(!in.bad()) << path << ": cannot read file";
  return ParseNpy(ss.str(), path);
}

std::string NpyBytes(const NDArray& array) {
  NDArray cpu = array.device().device_type == kDLCPU ? array : array.CopyTo(runtime::Device::CPU());
  std::string shape = "(";
  for (size_t i = 0; i < cpu.shape().size(); ++i) shape += std::to_string(cpu.shape()[i]) + ", ";
  if (cpu.shape().size() == 1)
    shape.resize(shape.size() - 1);  // "(3,)"
  else if (!cpu.shape().empty())
    shape.resize(shape.size() - 2);
  shape += ")";
  std::string header = "{'descr': '" + DescrOf(cpu.dtype()) + "', 'fortran_order': False, 'shape': " + shape + ", }";
  size_t total = kMagicSize + 4 + header.size() + 1;
  header += std::string((64 - total % 64) % 64, ' ') + "\n";
  KILN_ICHECK(header.size() <= 0xffff) << "npy header of " << header.size() << " bytes";

  std::string out(kMagic, kMagicSize);
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>(header.size() >> 8);
  out += header;
  size_t begin = out.size();
  out.resize(begin + cpu.nbytes());
  if (cpu.nbytes() > 0) {
    if (cpu.IsContiguous()) {
      cpu.CopyToBytes(out.data() + begin, cpu.nbytes());
    } else {
      NDArray compact = NDArray::Empty(cpu.shape(), cpu.dtype(), runtime::Device::CPU());
      compact.CopyFrom(cpu);
      compact.CopyToBytes(out.data() + begin, cpu.nbytes());
    }
  }
  return out;
}

void WriteNpy(const std::string& path, const NDArray& array) {
  std::string bytes = NpyBytes(array);
  std::ofstream out(path, std::ios::binary);
  KILN_CHECK(out) << path << ": cannot open file for writing";
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  KILN_CHECK(out) << path << ": cannot write file";
}

}  // namespace kiln::cli
