// The ONNX model loader: bytes to a ModelProto, and TensorProtos (raw data,
// typed fields or external-data files) to arrays. Every size a file states is
// checked against the bytes there before anything is allocated or read, so a
// truncated or corrupt model raises kiln::Error instead of crashing.
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>

#include "importer.h"
#include "kiln/runtime/error.h"

namespace kiln::frontend::onnx {

kiln_onnx::ModelProto ParseModel(const std::string& bytes) {
  kiln_onnx::ModelProto model;
  KILN_CHECK(!bytes.empty()) << "ONNX: the model is empty (0 bytes)";
  KILN_CHECK(model.ParseFromString(bytes)) << "ONNX: the " << bytes.size()
                                           << " bytes are not a valid ModelProto (truncated or corrupt file?)";
  KILN_CHECK(model.has_graph()) << "ONNX: the model has no graph";
  return model;
}

std::string ReadFile(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  KILN_CHECK(in && !std::filesystem::is_directory(path)) << "ONNX: cannot open " << what << " '" << path << "'";
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  KILN_CHECK(!in.bad()) << "ONNX: cannot read " << what << " '" << path << "'";
  return bytes;
}

DataType ToDataType(int32_t onnx_type, const std::string& where) {
  using T = kiln_onnx::TensorProto;
  switch (onnx_type) {
    case T::FLOAT: return DataType::Float(32);
    case T::DOUBLE: return DataType::Float(64);
    case T::FLOAT16: return DataType::Float(16);
    case T::BFLOAT16: return DataType::BFloat16();
    case T::INT8: return DataType::Int(8);
    case T::INT16: return DataType::Int(16);
    case T::INT32: return DataType::Int(32);
    case T::INT64: return DataType::Int(64);
    case T::UINT8: return DataType::UInt(8);
    case T::UINT16: return DataType::UInt(16);
    case T::UINT32: return DataType::UInt(32);
    case T::UINT64: return DataType::UInt(64);
    case T::BOOL: return DataType::Bool();
    default: break;
  }
  KILN_THROW() << "ONNX: " << where << ": unsupported data type " << onnx_type
               << (T::DataType_IsValid(onnx_type) ? " (" + T::DataType_Name(onnx_type) + ")" : "");
}

namespace {

// The element count of `dims`; raises on negative dims and overflow.
int64_t NumElements(const kiln_onnx::TensorProto& t, const std::string& where) {
  int64_t n = 1;
  for (int64_t d : t.dims()) {
    KILN_CHECK(d >= 0) << "ONNX: " << where << ": negative dimension " << d;
    KILN_CHECK(d == 0 || n <= std::numeric_limits<int64_t>::max() / 16 / d)
        << "ONNX: " << where << ": the dimensions overflow";
    n *= d;
  }
  return n;
}

// Copies `count` typed values of a repeated field into `out`, converting.
template <typename Field, typename To>
void CopyField(const Field& field, To* out) {
  for (int i = 0; i < field.size(); ++i) out[i] = static_cast<To>(field.Get(i));
}

// The bytes of an external-data tensor: location, offset and length keys,
// the file relative to base_dir (and never outside it).
std::string ReadExternal(const kiln_onnx::TensorProto& t, const std::string& base_dir, const std::string& where) {
  std::string location;
  int64_t offset = 0, length = -1;
  for (const auto& kv : t.external_data()) {
    try {
      if (kv.key() == "location") location = kv.value();
      if (kv.key() == "offset") offset = std::stoll(kv.value());
      if (kv.key() == "length") length = std::stoll(kv.value());
    } catch (const std::exception&) {
      KILN_THROW() << "ONNX: " << where << ": bad external data " << kv.key() << " '" << kv.value() << "'";
    }
  }
  KILN_CHECK(!location.empty()) << "ONNX: " << where << ": external data without a location";
  std::filesystem::path rel(location);
  KILN_CHECK(rel.is_relative()) << "ONNX: " << where << ": external data location '" << location
                                << "' must be relative to the model's folder";
  for (const auto& part : rel) {
    KILN_CHECK(part != "..") << "ONNX: " << where << ": external data location '" << location
                             << "' leaves the model's folder";
  }
  std::filesystem::path path = std::filesystem::path(base_dir.empty() ? "." : base_dir) / rel;
  std::ifstream in(path, std::ios::binary);
  KILN_CHECK(in && std::filesystem::is_regular_file(path))
      << "ONNX: " << where << ": missing external data file '" << path.string() << "'";
  int64_t size = static_cast<int64_t>(std::filesystem::file_size(path));
  KILN_CHECK(offset >= 0 && offset <= size) << "ONNX: " << where << ": external data offset " << offset
                                            << " is outside '" << path.string() << "' (" << size << " bytes)";
  if (length < 0) length = size - offset;
  KILN_CHECK(length <= size - offset) << "ONNX: " << where << ": external data of " << length << " bytes at offset "
                                      << offset << " runs past the end of '" << path.string() << "' (" << size
                                      << " bytes)";
  std::string bytes(static_cast<size_t>(length), '\0');
  in.seekg(offset);
  in.read(bytes.data(), length);
  KILN_CHECK(in) << "ONNX: " << where << ": cannot read external data from '" << path.string() << "'";
  return bytes;
}

}  // namespace

NDArray TensorToArray(const kiln_onnx::TensorProto& t, const std::string& base_dir) {
  std::string where = "tensor '" + t.name() + "'";
  DataType dtype = ToDataType(t.data_type(), where);
  int64_t n = NumElements(t, where);
  std::vector<int64_t> shape(t.dims().begin(), t.dims().end());
  size_t nbytes = static_cast<size_t>(n * dtype.bytes());

  std::string external;
  const std::string* raw = nullptr;
  if (t.data_location() == kiln_onnx::TensorProto::EXTERNAL) {
    external = ReadExternal(t, base_dir, where);
    raw = &external;
  } else if (t.has_raw_data()) {
    raw = &t.raw_data();
  }
  if (raw != nullptr) {
    KILN_CHECK(raw->size() == nbytes) << "ONNX: " << where << ": holds " << raw->size() << " bytes, its shape needs "
                                      << nbytes;
    NDArray out = NDArray::Empty(shape, dtype, runtime::Device::CPU());
    if (nbytes > 0) out.CopyFromBytes(raw->data(), nbytes);
    return out;
  }

  // Typed fields: which one holds the data depends on the dtype.
  auto check_count = [&](int count, const char* field) {
    KILN_CHECK(count == n) << "ONNX: " << where << ": " << field << " holds " << count << " values, its shape needs "
                           << n;
  };
  NDArray out = NDArray::Empty(shape, dtype, runtime::Device::CPU());
  void* p = out.data();
  using T = kiln_onnx::TensorProto;
  switch (t.data_type()) {
    case T::FLOAT: check_count(t.float_data_size(), "float_data"); CopyField(t.float_data(), static_cast<float*>(p)); break;
    case T::DOUBLE:
      check_count(t.double_data_size(), "double_data");
      CopyField(t.double_data(), static_cast<double*>(p));
      break;
    case T::INT64: check_count(t.int64_data_size(), "int64_data"); CopyField(t.int64_data(), static_cast<int64_t*>(p)); break;
    case T::UINT32:
      check_count(t.uint64_data_size(), "uint64_data");
      CopyField(t.uint64_data(), static_cast<uint32_t*>(p));
      break;
    case T::UINT64:
      check_count(t.uint64_data_size(), "uint64_data");
      CopyField(t.uint64_data(), static_cast<uint64_t*>(p));
      break;
    case T::INT32: check_count(t.int32_data_size(), "int32_data"); CopyField(t.int32_data(), static_cast<int32_t*>(p)); break;
    case T::INT16: check_count(t.int32_data_size(), "int32_data"); CopyField(t.int32_data(), static_cast<int16_t*>(p)); break;
    case T::INT8: check_count(t.int32_data_size(), "int32_data"); CopyField(t.int32_data(), static_cast<int8_t*>(p)); break;
    case T::UINT16:
    case T::FLOAT16:
    case T::BFLOAT16:
      check_count(t.int32_data_size(), "int32_data");
      CopyField(t.int32_data(), static_cast<uint16_t*>(p));
      break;
    case T::UINT8:
    case T::BOOL: check_count(t.int32_data_size(), "int32_data"); CopyField(t.int32_data(), static_cast<uint8_t*>(p)); break;
    default: KILN_THROW() << "ONNX: " << where << ": unsupported data type " << t.data_type();
  }
  return out;
}

}  // namespace kiln::frontend::onnx
