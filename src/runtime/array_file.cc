// The file format for named arrays (how weights ship). All integers are
// little-endian:
//
//   magic    8 bytes  "KILNARR" followed by a zero byte
//   version  u32      1
//   count    u32      number of arrays
//   then for each array:
//     name_len u32, name (UTF-8, name_len bytes)
//     dtype    u8 code (DLPack's), u8 bits, u16 lanes
//     ndim     u32, then ndim dimensions as i64
//     nbytes   u64, then the elements in row-major order (nbytes bytes)
//
// Readers check every length against the file's size, so a truncated or
// corrupt file raises kiln::Error instead of reading garbage.
#include <bit>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "kiln/runtime/error.h"
#include "kiln/runtime/ndarray.h"

namespace kiln::runtime {
namespace {
constexpr char kMagic[8] = {'K', 'I', 'L', 'N', 'A', 'R', 'R', '\0'};
constexpr uint32_t kVersion = 1;
constexpr uint32_t kMaxNdim = 64;
constexpr uint32_t kMaxNameLen = 1 << 16;

static_assert(std::endian::native == std::endian::little, "the array file format assumes a little-endian host");

template <typename T>
void Put(std::ofstream& out, T v) {
  out.write(reinterpret_cast<const char*>(&v), sizeof(T));
}

class Reader {
 public:
  explicit Reader(const std::string& path) : path_(path), in_(path, std::ios::binary) {
    KILN_CHECK(in_.good()) << "cannot open array file '" << path << "': " << std::strerror(errno);
    in_.seekg(0, std::ios::end);
    size_ = static_cast<uint64_t>(in_.tellg());
    in_.seekg(0);
  }
  template <typename T>
  T Get(const char* what) {
    T v;
    Read(&v, sizeof(T), what);
    return v;
  }
  void Read(void* dst, uint64_t n, const char* what) {
    KILN_CHECK(n <= size_ - pos_) << "array file '" << path_ << "' is truncated: " << what << " at byte " << pos_
                                  << " needs " << n << " bytes but only " << (size_ - pos_) << " remain";
    in_.read(static_cast<char*>(dst), static_cast<std::streamsize>(n));
    pos_ += n;
  }
  [[noreturn]] void Fail(const std::string& what) const {
    KILN_THROW() << "array file '" << path_ << "' is corrupt: " << what << " (at byte " << pos_ << ")";
  }
  uint64_t remaining() const { return size_ - pos_; }

 private:
  std::string path_;
  std::ifstream in_;
  uint64_t size_ = 0;
  uint64_t pos_ = 0;
};
}  // namespace

void SaveArrays(const std::string& path, const NamedArrays& arrays) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  KILN_CHECK(out.good()) << "cannot write array file '" << path << "': " << std::strerror(errno);
  out.write(kMagic, sizeof(kMagic));
  Put<uint32_t>(out, kVersion);
  Put<uint32_t>(out, static_cast<uint32_t>(arrays.size()));
  for (const auto& [name, array] : arrays) {
    KILN_CHECK(array.defined()) << "array '" << name << "' is undefined";
    NDArray cpu = array.device().device_type == kDLCPU && array.IsContiguous() ? array : array.CopyTo(Device::CPU());
    Put<uint32_t>(out, static_cast<uint32_t>(name.size()));
    out.write(name.data(), static_cast<std::streamsize>(name.size()));
    DLDataType dt = cpu.dtype().dl();
    Put<uint8_t>(out, dt.code);
    Put<uint8_t>(out, dt.bits);
    Put<uint16_t>(out, dt.lanes);
    Put<uint32_t>(out, static_cast<uint32_t>(cpu.ndim()));
    for (int64_t d : cpu.shape()) Put<int64_t>(out, d);
    Put<uint64_t>(out, cpu.nbytes());
    out.write(static_cast<const char*>(cpu.data()), static_cast<std::streamsize>(cpu.nbytes()));
  }
  KILN_CHECK(out.good()) << "error writing array file '" << path << "'";
}

NamedArrays LoadArrays(const std::string& path) {
  Reader r(path);
  char magic[8];
  r.Read(magic, sizeof(magic), "magic");
  if (std::memcmp(magic, kMagic, sizeof(kMagic)) != 0) r.Fail("not a Kiln array file (bad magic)");
  uint32_t version = r.Get<uint32_t>("version");
  if (version != kVersion) r.Fail("unsupported version " + std::to_string(version));
  uint32_t count = r.Get<uint32_t>("count");
  NamedArrays arrays;
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t name_len = r.Get<uint32_t>("name length");
    if (name_len > kMaxNameLen || name_len > r.remaining()) r.Fail("name length " + std::to_string(name_len));
    std::string name(name_len, '\0');
    r.Read(name.data(), name_len, "name");
    DLDataType dt;
    dt.code = r.Get<uint8_t>("dtype");
    dt.bits = r.Get<uint8_t>("dtype");
    dt.lanes = r.Get<uint16_t>("dtype");
    DataType dtype;
    try {
      dtype = DataType(dt);
    } catch (const Error& e) {
      r.Fail("array '" + name + "': " + e.message());
    }
    uint32_t ndim = r.Get<uint32_t>("ndim");
    if (ndim > kMaxNdim) r.Fail("array '" + name + "' has " + std::to_string(ndim) + " dimensions");
    std::vector<int64_t> shape(ndim);
    for (auto& d : shape) {
      d = r.Get<int64_t>("shape");
      if (d < 0 || d > (int64_t{1} << 48)) r.Fail("array '" + name + "' has dimension " + std::to_string(d));
    }
    uint64_t nbytes = r.Get<uint64_t>("byte count");
    __int128 expect = dtype.bytes();
    for (int64_t d : shape) expect *= d;
    if (expect != static_cast<__int128>(nbytes)) {
      r.Fail("array '" + name + "' of shape " + ShapeString(shape) + " " + dtype.str() + " declares " +
             std::to_string(nbytes) + " bytes");
    }
    if (nbytes > r.remaining()) r.Read(nullptr, nbytes, "array data");  // raises: truncated
    NDArray a = NDArray::Empty(shape, dtype, Device::CPU());
    r.Read(a.data(), nbytes, "array data");
    arrays.emplace_back(std::move(name), std::move(a));
  }
  if (r.remaining() != 0) r.Fail(std::to_string(r.remaining()) + " unexpected bytes after the last array");
  return arrays;
}

}  // namespace kiln::runtime
