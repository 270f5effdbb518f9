// Counting the op types of an ONNX model from its wire format (onnx_ops.h).
// A protobuf message is a sequence of (tag, value) fields: the tag is a
// varint holding field number << 3 | wire type; wire type 0 is a varint, 1
// eight bytes, 2 a varint length and that many bytes (strings, messages),
// 5 four bytes.
#include "onnx_ops.h"

#include <cstdint>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string_view>

#include "kiln/runtime/error.h"
#include "printable.h"

namespace kiln::cli {

namespace {

// Field numbers in onnx.proto.
constexpr uint64_t kModelGraph = 7;
constexpr uint64_t kGraphNode = 1;
constexpr uint64_t kNodeOpType = 4, kNodeAttribute = 5, kNodeDomain = 7;
constexpr uint64_t kAttributeGraph = 6, kAttributeGraphs = 11;

class WireReader {
 public:
  WireReader(std::string_view bytes, const std::string& path) : bytes_(bytes), path_(path) {}

  // Calls `f(field, bytes)` for each length-delimited field; skips the others.
  void ForEachLengthDelimited(const std::function<void(uint64_t, std::string_view)>& f) {
    while (pos_ < bytes_.size()) {
      uint64_t tag = Varint();
      uint64_t field = tag >> 3;
      switch (tag & 7) {
        case 0: Varint(); break;
        case 1: Skip(8); break;
        case 5: Skip(4); break;
        case 2: {
          uint64_t size = Varint();
          Require(size);
          std::string_view value = bytes_.substr(pos_, size);
          pos_ += size;
          f(field, value);
          break;
        }
        default: Fail("unknown wire type " + std::to_string(tag & 7));
      }
    }
  }

 private:
  uint64_t Varint() {
    uint64_t value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      Require(1);
      uint8_t b = static_cast<uint8_t>(bytes_[pos_++]);
      value |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return value;
    }
    Fail("a varint longer than 10 bytes");
  }
  void Skip(uint64_t n) {
    Require(n);
    pos_ += n;
  }
  void Require(uint64_t n) {
    if (n > bytes_.size() - pos_) Fail("truncated");
  }
  [[noreturn]] void Fail(const std::string& what) {
    KILN_THROW() << path_ << ": not a valid ONNX model (" << what << " protobuf data)";
  }

  std::string_view bytes_;
  size_t pos_ = 0;
  const std::string& path_;
};

struct Counter {
  std::vector<std::pair<std::string, int>> ops;
  std::map<std::string, size_t> index;
  const std::string& path;
  int depth = 0;

  void Graph(std::string_view bytes) {
    KILN_CHECK(++depth < 64) << path << ": subgraphs nested too deep";
    WireReader(bytes, path).ForEachLengthDelimited([&](uint64_t field, std::string_view v) {
      if (field == kGraphNode) Node(v);
    });
    --depth;
  }
  void Node(std::string_view bytes) {
    std::string op_type, domain;
    std::vector<std::string_view> attributes;
    WireReader(bytes, path).ForEachLengthDelimited([&](uint64_t field, std::string_view v) {
      if (field == kNodeOpType) op_type = v;
      if (field == kNodeDomain) domain = v;
      if (field == kNodeAttribute) attributes.push_back(v);
    });
    std::string name = Printable(domain.empty() || domain == "ai.onnx" ? op_type : domain + "." + op_type);
    auto [it, inserted] = index.emplace(name, ops.size());
    if (inserted) ops.emplace_back(name, 0);
    ++ops[it->second].second;
    for (std::string_view a : attributes) {  // If, Loop and Scan hold their bodies in attributes
      WireReader(a, path).ForEachLengthDelimited([&](uint64_t field, std::string_view v) {
        if (field == kAttributeGraph || field == kAttributeGraphs) Graph(v);
      });
    }
  }
};

}  // namespace

std::vector<std::pair<std::string, int>> CountONNXOps(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  KILN_CHECK(in) << path << ": cannot open file";
  std::stringstream ss;
  ss << in.rdbuf();
  std::string bytes = ss.str();
  Counter counter{{}, {}, path};
  bool has_graph = false;
  WireReader(bytes, path).ForEachLengthDelimited([&](uint64_t field, std::string_view v) {
    if (field != kModelGraph) return;
    has_graph = true;
    counter.Graph(v);
  });
  KILN_CHECK(has_graph) << path << ": not a valid ONNX model (no graph)";
  return counter.ops;
}

}  // namespace kiln::cli
