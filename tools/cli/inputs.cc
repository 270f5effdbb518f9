// Arguments of a VM function from --input files and random arrays (inputs.h).
#include "inputs.h"

#include <map>
#include <optional>
#include <random>

#include "args.h"
#include "kiln/runtime/error.h"
#include "npy.h"

namespace kiln::cli {

using runtime::DataType;
using runtime::NDArray;
using runtime::vm::DimInfo;
using runtime::vm::ParamInfo;

namespace {

// "name=value" split at the first '='; a UsageError names the flag otherwise.
std::pair<std::string, std::string> SplitAssignment(const std::string& text, const std::string& flag) {
  size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size()) {
    throw UsageError("kiln: " + flag + " expects NAME=VALUE, got '" + text + "'");
  }
  return {text.substr(0, eq), text.substr(eq + 1)};
}

int FindParam(const runtime::vm::VMFunction& fn, const std::string& name, const std::string& flag) {
  for (size_t i = 0; i < fn.param_names.size(); ++i) {
    if (fn.param_names[i] == name) return static_cast<int>(i);
  }
  std::string known;
  for (const std::string& p : fn.param_names) known += (known.empty() ? "" : ", ") + p;
  KILN_THROW() << flag << " names '" << name << "', which is not a parameter of " << fn.name
               << " (parameters: " << (known.empty() ? "none" : known) << ")";
}

// Binds the symbolic dims of `info` to `shape`, checking constants and the
// dims bound before; an error names the parameter.
void BindDims(const ParamInfo& info, const std::string& param, const std::vector<int64_t>& shape,
              std::map<std::string, int64_t>* vars) {
  if (info.kind != ParamInfo::Kind::kTensor || !info.dims) return;
  KILN_CHECK(info.dims->size() == shape.size())
      << "input '" << param << "' must be " << info.str() << ", got shape " << runtime::ShapeString(shape);
  for (size_t i = 0; i < shape.size(); ++i) {
    const DimInfo& d = (*info.dims)[i];
    if (d.kind == DimInfo::Kind::kConst) {
      KILN_CHECK(d.value == shape[i]) << "input '" << param << "' must be " << info.str() << ", got shape "
                                      << runtime::ShapeString(shape);
    } else if (d.kind == DimInfo::Kind::kVar) {
      auto [it, inserted] = vars->emplace(d.name, shape[i]);
      KILN_CHECK(inserted || it->second == shape[i]) << "input '" << param << "' has " << d.name << " = " << shape[i]
                                                     << ", but an earlier input has " << d.name << " = " << it->second;
    }
  }
}

NDArray RandomArray(const std::vector<int64_t>& shape, DataType dtype, const std::string& param, std::mt19937_64& rng) {
  NDArray a = NDArray::Empty(shape, dtype, runtime::Device::CPU());
  int64_t n = a.numel();
  std::uniform_real_distribution<double> uniform(-1.0, 1.0);
  std::uniform_int_distribution<int64_t> small(0, 9);
  auto fill = [&](auto* data, auto draw) {
    for (int64_t i = 0; i < n; ++i) data[i] = static_cast<std::remove_pointer_t<decltype(data)>>(draw());
  };
  if (dtype == DataType::Float(32)) {
    fill(static_cast<float*>(a.data()), [&] { return uniform(rng); });
  } else if (dtype == DataType::Float(64)) {
    fill(static_cast<double*>(a.data()), [&] { return uniform(rng); });
  } else if (dtype == DataType::Int(32)) {
    fill(static_cast<int32_t*>(a.data()), [&] { return small(rng); });
  } else if (dtype == DataType::Int(64)) {
    fill(static_cast<int64_t*>(a.data()), [&] { return small(rng); });
  } else if (dtype == DataType::Bool()) {
    fill(static_cast<uint8_t*>(a.data()), [&] { return small(rng) % 2; });
  } else {
    KILN_THROW() << "input '" << param << "': cannot make random " << dtype.str() << " data; give --input " << param
                 << "=FILE.npy";
  }
  return a;
}

}  // namespace

std::vector<int64_t> ParseDims(const std::string& text, const std::string& flag) {
  std::vector<int64_t> dims;
  size_t begin = 0;
  while (true) {
    size_t end = text.find('x', begin);
    std::string item = text.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
    if (item.empty() || item.size() > 12 || item.find_first_not_of("0123456789") != std::string::npos) {
      throw UsageError("kiln: " + flag + " expects dimensions such as 1x3x224x224, got '" + text + "'");
    }
    dims.push_back(std::stoll(item));
    if (end == std::string::npos) break;
    begin = end + 1;
  }
  return dims;
}

Arguments MakeArguments(const runtime::vm::VMFunction& fn, const InputOptions& options) {
  size_t n = fn.params.size();
  Arguments out;
  out.values.resize(n);
  out.notes.resize(n);
  std::map<std::string, int64_t> vars;
  std::vector<std::optional<std::vector<int64_t>>> shapes(n);

  for (const std::string& flag : options.inputs) {
    auto [name, file] = SplitAssignment(flag, "--input");
    int i = FindParam(fn, name, "--input");
    KILN_CHECK(out.values[i].is_none()) << "--input " << name << " is given more than once";
    NDArray a = ReadNpy(file);
    BindDims(fn.params[i], name, a.shape(), &vars);
    out.values[i] = a;
    out.notes[i] = name + ": Tensor(" + runtime::ShapeString(a.shape()) + ", " + a.dtype().str() + ") from " + file;
  }
  for (const std::string& flag : options.shapes) {
    auto [name, text] = SplitAssignment(flag, "--shape");
    int i = FindParam(fn, name, "--shape");
    KILN_CHECK(out.values[i].is_none()) << "input '" << name << "' has both --input and --shape";
    KILN_CHECK(!shapes[i]) << "--shape " << name << " is given more than once";
    std::vector<int64_t> dims = ParseDims(text, "--shape " + name);
    BindDims(fn.params[i], name, dims, &vars);
    shapes[i] = dims;
  }
  std::mt19937_64 rng(options.seed);
  for (size_t i = 0; i < n; ++i) {
    if (!out.values[i].is_none()) continue;
    const std::string& name = fn.param_names[i];
    const ParamInfo& info = fn.params[i];
    KILN_CHECK(options.random_rest) << "missing input '" << name << "' of " << fn.Signature() << ": give --input "
                                    << name << "=FILE.npy";
    KILN_CHECK(info.kind == ParamInfo::Kind::kTensor && !info.dtype.is_void() && info.ndim >= 0 && info.dims)
        << "input '" << name << "' is " << info.str() << ": cannot make a random value; give --input " << name
        << "=FILE.npy";
    std::vector<int64_t> shape;
    if (shapes[i]) {
      shape = *shapes[i];
    } else {
      for (const DimInfo& d : *info.dims) {
        auto it = vars.find(d.name);
        KILN_CHECK(d.kind == DimInfo::Kind::kConst || it != vars.end())
            << "input '" << name << "' is " << info.str() << ", with the symbolic dimension '" << d.name
            << "': give its shape with --shape " << name << "=DIMS (such as 1x3x224x224)";
        shape.push_back(d.kind == DimInfo::Kind::kConst ? d.value : it->second);
      }
    }
    out.values[i] = RandomArray(shape, info.dtype, name, rng);
    out.notes[i] = name + ": Tensor(" + runtime::ShapeString(shape) + ", " + info.dtype.str() + ") random";
  }
  return out;
}

}  // namespace kiln::cli
