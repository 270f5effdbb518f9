#include "kiln/relax/var_bounds.h"

#include "kiln/runtime/any.h"

namespace kiln::relax {

std::map<std::string, int64_t> ReadVarBounds(const Function& func, const std::string& attr, const std::string& who,
                                             const std::string& func_name) {
  std::map<std::string, int64_t> out;
  std::optional<runtime::Any> value = func->attrs.Find(attr);
  if (!value) return out;
  auto fail = [&] {
    KILN_THROW() << who << ": function '" << func_name << "': attribute '" << attr
                 << "' must be a list of [\"var name\", bound] pairs";
  };
  auto as_array = [](const runtime::Any& a) -> const runtime::ArrayObj* {
    if (a.kind() != runtime::Any::Kind::kObject || !a.AsObject()->IsInstance<runtime::ArrayObj>()) return nullptr;
    return static_cast<const runtime::ArrayObj*>(a.AsObject().get());
  };
  const runtime::ArrayObj* pairs = as_array(*value);
  if (!pairs) fail();
  for (const runtime::Any& pair : pairs->items) {
    const runtime::ArrayObj* kv = as_array(pair);
    if (!kv || kv->items.size() != 2 || kv->items[1].kind() != runtime::Any::Kind::kInt) fail();
    std::string name;
    try {
      name = kv->items[0].Cast<std::string>();
    } catch (const Error&) {
      fail();
    }
    int64_t bound = kv->items[1].AsInt();
    KILN_CHECK(bound >= 0) << who << ": function '" << func_name << "': the bound of '" << name << "' in '" << attr
                           << "' must not be negative, got " << bound;
    out[name] = bound;
  }
  return out;
}

}  // namespace kiln::relax
