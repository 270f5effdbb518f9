// Checks of a VM function's arguments against its parameter infos.
#include "param_check.h"

#include <algorithm>
#include <sstream>

#include "kiln/runtime/function.h"

namespace kiln::runtime::vm {

namespace {
// Row-major strides or none, any stride for a dimension of size 1 (what the
// kernels accept).
bool IsCompact(const DLTensor& t) {
  if (t.strides == nullptr) return true;
  int64_t expected = 1;
  for (int d = t.ndim - 1; d >= 0; --d) {
    if (t.shape[d] != 1 && t.strides[d] != expected) return false;
    expected *= t.shape[d];
  }
  return true;
}
}  // namespace

std::string DescribeValue(const Any& value) {
  std::ostringstream os;
  switch (value.kind()) {
    case Any::Kind::kInt: os << "int " << value.AsInt(); return os.str();
    case Any::Kind::kFloat: os << "float " << value.AsFloat(); return os.str();
    case Any::Kind::kBool: return value.AsInt() ? "bool true" : "bool false";
    case Any::Kind::kObject: break;
    default: return value.TypeName();
  }
  const Object* obj = value.AsObject().get();
  if (obj->IsInstance<StrObj>()) {
    const std::string& v = static_cast<const StrObj*>(obj)->value;
    return "str \"" + (v.size() > 40 ? v.substr(0, 40) + "..." : v) + "\"";
  }
  if (obj->IsInstance<NDArrayObj>()) {
    NDArray a(value.AsObject().As<NDArrayObj>());
    return "Tensor(" + ShapeString(a.shape()) + ", " + a.dtype().str() + ")";
  }
  if (obj->IsInstance<ShapeObj>()) return "Shape(" + ShapeString(static_cast<const ShapeObj*>(obj)->dims) + ")";
  if (obj->IsInstance<ArrayObj>()) {
    std::string s;
    for (const Any& item : static_cast<const ArrayObj*>(obj)->items) s += (s.empty() ? "" : ", ") + DescribeValue(item);
    return "Tuple(" + s + ")";
  }
  return value.TypeName();
}

ParamChecker::ParamChecker(const VMFunction& func) : func_(&func) {
  for (size_t i = 0; i < func.params.size(); ++i) params_.push_back(Compile(func.params[i], static_cast<int>(i)));
  values_.resize(slot_names_.size());
  bound_.resize(slot_names_.size());
  path_.reserve(16);
}

ParamChecker::Node ParamChecker::Compile(const ParamInfo& info, int arg) {
  Node node;
  node.info = &info;
  if (info.dims) {
    for (const DimInfo& d : *info.dims) {
      int slot = -1;
      if (d.kind == DimInfo::Kind::kVar) {
        auto it = std::find(slot_names_.begin(), slot_names_.end(), d.name);
        slot = static_cast<int>(it - slot_names_.begin());
        if (it == slot_names_.end()) {
          slot_names_.push_back(d.name);
          std::string binder = "argument '" + ParamName(arg) + "' (" + std::to_string(arg) + ")";
          for (int field : path_) binder += " field " + std::to_string(field);
          slot_binders_.push_back(binder);
        }
      }
      node.slots.push_back(slot);
    }
  }
  for (size_t i = 0; i < info.fields.size(); ++i) {
    path_.push_back(static_cast<int>(i));
    node.fields.push_back(Compile(info.fields[i], arg));
    path_.pop_back();
  }
  return node;
}

std::string ParamChecker::ParamName(int arg) const {
  return arg < static_cast<int>(func_->param_names.size()) ? func_->param_names[arg] : "?";
}

void ParamChecker::Check(const Any* args, int num_args) {
  const VMFunction& f = *func_;
  if (num_args != static_cast<int>(f.params.size())) {
    KILN_THROW() << f.name << " takes " << f.params.size() << " argument" << (f.params.size() == 1 ? "" : "s")
                 << " but was called with " << num_args << ": " << f.Signature();
  }
  std::fill(bound_.begin(), bound_.end(), false);
  path_.clear();
  for (int i = 0; i < num_args; ++i) CheckValue(params_[i], args[i], i);
}

void ParamChecker::Fail(const Node& node, const Any& value, int arg, const std::string& reason) const {
  std::ostringstream os;
  os << func_->name << ": argument '" << ParamName(arg) << "' (" << arg << ")";
  for (int field : path_) os << " field " << field;
  os << " must be " << node.info->str() << ", got " << DescribeValue(value);
  if (!reason.empty()) os << ": " << reason;
  KILN_THROW() << os.str();
}

void ParamChecker::CheckDims(const Node& node, const int64_t* dims, int ndim, const Any& value, int arg,
                             bool is_value) {
  const ParamInfo& info = *node.info;
  if (!info.dims || static_cast<int>(info.dims->size()) != ndim) return;
  auto what = [&](int i) { return is_value ? std::string("value") : "dimension " + std::to_string(i); };
  for (int i = 0; i < ndim; ++i) {
    const DimInfo& d = (*info.dims)[i];
    if (d.kind == DimInfo::Kind::kConst && dims[i] != d.value) {
      Fail(node, value, arg, what(i) + " is " + std::to_string(dims[i]) + ", expected " + std::to_string(d.value));
    }
    int slot = node.slots[i];
    if (slot < 0) continue;
    if (!bound_[slot]) {
      bound_[slot] = true;
      values_[slot] = dims[i];
    } else if (values_[slot] != dims[i]) {
      Fail(node, value, arg,
           what(i) + " is " + std::to_string(dims[i]) + " but " + d.name + " = " + std::to_string(values_[slot]) +
               " from " + slot_binders_[slot]);
    }
  }
}

void ParamChecker::CheckValue(const Node& node, const Any& value, int arg) {
  const ParamInfo& info = *node.info;
  const Object* obj = value.kind() == Any::Kind::kObject ? value.AsObject().get() : nullptr;
  switch (info.kind) {
    case ParamInfo::Kind::kObject: return;
    case ParamInfo::Kind::kTensor: {
      if (obj == nullptr || !obj->IsInstance<NDArrayObj>()) Fail(node, value, arg, "");
      const DLTensor& t = static_cast<const NDArrayObj*>(obj)->tensor;
      if (info.ndim >= 0 && t.ndim != info.ndim) {
        Fail(node, value, arg, "rank " + std::to_string(t.ndim) + ", expected " + std::to_string(info.ndim));
      }
      if (!info.dtype.is_void() && DataType(t.dtype) != info.dtype) {
        Fail(node, value, arg, "dtype " + DataType(t.dtype).str() + ", expected " + info.dtype.str());
      }
      if (!IsCompact(t)) {
        Fail(node, value, arg,
             "strides " + ShapeString(std::vector<int64_t>(t.strides, t.strides + t.ndim)) +
                 " are not compact; pass a row-major (contiguous) copy");
      }
      CheckDims(node, t.shape, t.ndim, value, arg, false);
      return;
    }
    case ParamInfo::Kind::kShape: {
      if (obj == nullptr || !obj->IsInstance<ShapeObj>()) Fail(node, value, arg, "");
      const std::vector<int64_t>& dims = static_cast<const ShapeObj*>(obj)->dims;
      int ndim = static_cast<int>(dims.size());
      if (info.ndim >= 0 && ndim != info.ndim) {
        Fail(node, value, arg, "rank " + std::to_string(ndim) + ", expected " + std::to_string(info.ndim));
      }
      CheckDims(node, dims.data(), ndim, value, arg, false);
      return;
    }
    case ParamInfo::Kind::kPrim: {
      Any::Kind k = value.kind();
      bool ok = k == Any::Kind::kInt || k == Any::Kind::kBool ||
                (k == Any::Kind::kFloat && !info.dtype.is_int() && !info.dtype.is_uint() && !info.dtype.is_bool());
      if (!ok) Fail(node, value, arg, "");
      if (info.dims && info.dims->size() == 1) {
        if (k == Any::Kind::kFloat) Fail(node, value, arg, "");
        int64_t v = value.AsInt();
        CheckDims(node, &v, 1, value, arg, true);
      }
      return;
    }
    case ParamInfo::Kind::kTuple: {
      if (obj == nullptr || !obj->IsInstance<ArrayObj>()) Fail(node, value, arg, "");
      const std::vector<Any>& items = static_cast<const ArrayObj*>(obj)->items;
      if (items.size() != info.fields.size()) {
        Fail(node, value, arg,
             std::to_string(items.size()) + " fields, expected " + std::to_string(info.fields.size()));
      }
      for (size_t i = 0; i < items.size(); ++i) {
        path_.push_back(static_cast<int>(i));
        CheckValue(node.fields[i], items[i], arg);
        path_.pop_back();
      }
      return;
    }
    case ParamInfo::Kind::kFunc:
      if (obj == nullptr || !obj->IsInstance<FunctionObj>()) Fail(node, value, arg, "");
      return;
  }
}

}  // namespace kiln::runtime::vm
