// The operator registry.
#include "kiln/relax/op.h"

#include <algorithm>
#include <map>
#include <mutex>

#include "kiln/runtime/edit_distance.h"
#include "kiln/runtime/error.h"

namespace kiln::relax {

const OpAttrSpec* OpNode::FindAttr(const std::string& attr_name) const {
  for (const OpAttrSpec& a : attrs) {
    if (a.name == attr_name) return &a;
  }
  return nullptr;
}

namespace {
struct OpTable {
  std::mutex mutex;
  std::map<std::string, Op> ops;
};
OpTable& Table() {
  static OpTable* t = new OpTable();
  return *t;
}

std::string FullName(const std::string& name) {
  return name.find('.') == std::string::npos ? "relax." + name : name;
}
}  // namespace

OpRegistration& OpRegistration::Describe(std::string text) {
  op_->description = std::move(text);
  return *this;
}
OpRegistration& OpRegistration::Args(std::vector<std::string> names, bool variadic, int num_optional) {
  KILN_ICHECK(num_optional >= 0 && num_optional <= static_cast<int>(names.size())) << op_->name;
  op_->arg_names = std::move(names);
  op_->variadic = variadic;
  op_->num_optional = num_optional;
  return *this;
}
OpRegistration& OpRegistration::Attr(std::string name, AttrKind kind, runtime::Any default_value, std::string doc) {
  op_->attrs.push_back({std::move(name), kind, std::move(default_value), std::move(doc)});
  return *this;
}
OpRegistration& OpRegistration::Pattern(OpPattern pattern) {
  op_->pattern = pattern;
  return *this;
}
OpRegistration& OpRegistration::Impure() {
  op_->is_pure = false;
  return *this;
}
OpRegistration& OpRegistration::InferStructInfo(FInferStructInfo f) {
  op_->infer_struct_info = std::move(f);
  return *this;
}
OpRegistration& OpRegistration::Legalize(FLegalize f) {
  op_->legalize = std::move(f);
  return *this;
}

OpRegistration RegisterOp(const std::string& name) {
  std::string full = FullName(name);
  OpTable& t = Table();
  std::lock_guard<std::mutex> lock(t.mutex);
  KILN_CHECK(!t.ops.count(full)) << "op '" << full << "' is already registered";
  auto n = runtime::MakeObject<OpNode>();
  n->name = full;
  Op op(n);
  t.ops.emplace(full, op);
  return OpRegistration(op);
}

Op FindOp(const std::string& name) {
  OpTable& t = Table();
  std::lock_guard<std::mutex> lock(t.mutex);
  auto it = t.ops.find(FullName(name));
  return it == t.ops.end() ? Op() : it->second;
}

void RemoveOp(const std::string& name) {
  OpTable& t = Table();
  std::lock_guard<std::mutex> lock(t.mutex);
  KILN_CHECK(t.ops.erase(FullName(name))) << "RemoveOp: no op '" << FullName(name) << "' is registered";
}

Op GetOp(const std::string& name) {
  if (Op op = FindOp(name)) return op;
  std::string best;
  size_t best_d = 4;
  for (const Op& op : ListOps()) {
    std::string short_name = op->name.substr(op->name.rfind('.') + 1);
    size_t d = std::min(runtime::EditDistance(op->name, name), runtime::EditDistance(short_name, name));
    if (d < best_d) best = short_name, best_d = d;
  }
  KILN_THROW() << "unknown op \"" << name << "\"" << (best.empty() ? "" : " (did you mean \"" + best + "\"?)");
}

std::vector<Op> ListOps() {
  OpTable& t = Table();
  std::lock_guard<std::mutex> lock(t.mutex);
  std::vector<Op> ops;
  for (const auto& [name, op] : t.ops) ops.push_back(op);
  return ops;
}

void CheckOpArity(const OpNode* op, size_t got) {
  size_t most = op->arg_names.size(), least = most - op->num_optional;
  if (most == 0) return;  // an op that declares no argument names checks its own
  bool ok = op->variadic ? got + 1 >= least : (got >= least && got <= most);
  if (ok) return;
  std::string names;
  for (const std::string& a : op->arg_names) names += (names.empty() ? "" : ", ") + a;
  std::string count = op->variadic    ? "at least " + std::to_string(least - 1)
                      : least == most ? std::to_string(most)
                                      : std::to_string(least) + " to " + std::to_string(most);
  KILN_THROW() << op->name << " takes " << count << " arguments (" << names << "), got " << got;
}

namespace {
bool Fits(AttrKind kind, const runtime::Any& v) {
  using K = runtime::Any::Kind;
  auto is_int_list = [&] {
    if (v.kind() != K::kObject || !v.AsObject()->IsInstance<runtime::ArrayObj>()) return false;
    for (const runtime::Any& item : v.Cast<std::vector<runtime::Any>>()) {
      if (item.kind() != K::kInt) return false;
    }
    return true;
  };
  switch (kind) {
    case AttrKind::kInt: return v.kind() == K::kInt;
    case AttrKind::kFloat: return v.kind() == K::kFloat || v.kind() == K::kInt;
    case AttrKind::kBool: return v.kind() == K::kBool;
    case AttrKind::kString: return v.TypeName() == "str";
    case AttrKind::kDataType: return v.kind() == K::kDataType;
    case AttrKind::kIntList: return is_int_list();
    case AttrKind::kOptionalInt: return v.is_none() || v.kind() == K::kInt;
    case AttrKind::kOptionalIntList: return v.is_none() || is_int_list();
  }
  return false;
}

const char* KindName(AttrKind kind) {
  switch (kind) {
    case AttrKind::kInt: return "an int";
    case AttrKind::kFloat: return "a float";
    case AttrKind::kBool: return "a bool";
    case AttrKind::kString: return "a string";
    case AttrKind::kDataType: return "a dtype";
    case AttrKind::kIntList: return "a list of ints";
    case AttrKind::kOptionalInt: return "an int or None";
    case AttrKind::kOptionalIntList: return "a list of ints or None";
  }
  return "?";
}
}  // namespace

Attrs CheckOpAttrs(const OpNode* op, const Attrs& attrs) {
  for (const auto& [name, value] : attrs.items()) {
    const OpAttrSpec* spec = op->FindAttr(name);
    if (spec == nullptr) {
      std::string known;
      for (const OpAttrSpec& a : op->attrs) known += (known.empty() ? "" : ", ") + a.name;
      KILN_THROW() << op->name << ": unknown attribute '" << name << "'"
                   << (known.empty() ? " (it takes none)" : " (it takes: " + known + ")");
    }
    KILN_CHECK(Fits(spec->kind, value)) << op->name << ": attribute '" << name << "' must be " << KindName(spec->kind)
                                        << ", got " << value.TypeName();
  }
  Attrs out;
  for (const OpAttrSpec& spec : op->attrs) {
    if (auto v = attrs.Find(spec.name)) {
      out = out.With(spec.name, *v);
    } else {
      bool optional = spec.kind == AttrKind::kOptionalInt || spec.kind == AttrKind::kOptionalIntList;
      KILN_CHECK(!spec.default_value.is_none() || optional) << op->name << ": missing attribute '" << spec.name << "'";
      out = out.With(spec.name, spec.default_value);
    }
  }
  return out;
}

}  // namespace kiln::relax
