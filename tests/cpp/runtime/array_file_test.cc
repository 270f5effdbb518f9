// Saving and loading named arrays; missing, truncated and corrupt files.
#include <cstring>
#include <fstream>

#include "common/test_util.h"
#include "kiln/runtime/runtime.h"

namespace kiln::runtime {
namespace {

NDArray Filled(std::vector<int64_t> shape, DataType dtype, uint8_t seed) {
  NDArray a = NDArray::Empty(shape, dtype, Device::CPU());
  auto* p = static_cast<uint8_t*>(a.data());
  for (size_t i = 0; i < a.nbytes(); ++i) p[i] = static_cast<uint8_t>(seed + i * 7);
  return a;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void WriteAll(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

TEST(ArrayFile, RoundTrip) {
  testing::TempDir dir;
  NamedArrays in = {{"fc1.weight", Filled({4, 3}, DataType::Float(32), 1)},
                    {"fc1.bias", Filled({4}, DataType::Float(16), 2)},
                    {"scalar", Filled({}, DataType::Int(64), 3)},
                    {"empty", Filled({0, 5}, DataType::UInt(8), 4)},
                    {"mask", Filled({2, 2}, DataType::Bool(), 5)}};
  SaveArrays(dir / "w.kiln", in);
  NamedArrays out = LoadArrays(dir / "w.kiln");
  ASSERT_EQ(out.size(), in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    EXPECT_EQ(out[i].first, in[i].first);
    EXPECT_EQ(out[i].second.shape(), in[i].second.shape());
    EXPECT_EQ(out[i].second.dtype(), in[i].second.dtype());
    EXPECT_EQ(0, std::memcmp(out[i].second.data(), in[i].second.data(), in[i].second.nbytes()));
  }
}

TEST(ArrayFile, MissingFile) {
  EXPECT_KILN_ERROR(LoadArrays("/nonexistent/w.kiln"), "cannot open array file");
}

TEST(ArrayFile, EveryTruncationIsAnError) {
  testing::TempDir dir;
  SaveArrays(dir / "w.kiln", {{"a", Filled({3, 3}, DataType::Float(32), 1)}, {"b", Filled({2}, DataType::Int(8), 2)}});
  std::string bytes = ReadAll(dir / "w.kiln");
  for (size_t n = 0; n < bytes.size(); ++n) {
    WriteAll(dir / "t.kiln", bytes.substr(0, n));
    EXPECT_THROW(LoadArrays(dir / "t.kiln"), Error) << "truncated at " << n;
  }
  WriteAll(dir / "t.kiln", bytes + "x");
  EXPECT_KILN_ERROR(LoadArrays(dir / "t.kiln"), "unexpected bytes");
}

TEST(ArrayFile, CorruptHeaders) {
  testing::TempDir dir;
  SaveArrays(dir / "w.kiln", {{"a", Filled({3}, DataType::Float(32), 1)}});
  std::string good = ReadAll(dir / "w.kiln");
  std::string bad = good;
  bad[0] = 'X';
  WriteAll(dir / "c.kiln", bad);
  EXPECT_KILN_ERROR(LoadArrays(dir / "c.kiln"), "bad magic");
  // The dtype code of array "a" sits after magic(8) version(4) count(4) len(4) name(1).
  bad = good;
  bad[21] = 5;  // complex
  WriteAll(dir / "c.kiln", bad);
  EXPECT_KILN_ERROR(LoadArrays(dir / "c.kiln"), "unsupported dtype");
  bad = good;
  bad[29] = 4;  // first dimension 3 -> 4: byte count no longer matches
  WriteAll(dir / "c.kiln", bad);
  EXPECT_KILN_ERROR(LoadArrays(dir / "c.kiln"), "declares 12 bytes");
}

// Random byte flips never crash the loader.
TEST(ArrayFile, FuzzedFilesNeverCrash) {
  testing::TempDir dir;
  SaveArrays(dir / "w.kiln", {{"a", Filled({3, 4}, DataType::Float(32), 1)}, {"b", Filled({5}, DataType::Int(32), 2)}});
  std::string good = ReadAll(dir / "w.kiln");
  uint32_t rng = 12345;
  for (int trial = 0; trial < 500; ++trial) {
    std::string bad = good;
    for (int k = 0; k < 3; ++k) {
      rng = rng * 1664525u + 1013904223u;
      bad[(rng >> 8) % bad.size()] = static_cast<char>(rng >> 24);
    }
    WriteAll(dir / "f.kiln", bad);
    try {
      LoadArrays(dir / "f.kiln");
    } catch (const Error&) {
    }
  }
}

}  // namespace
}  // namespace kiln::runtime
