// Naming and bookkeeping for the printers.
#include "printer_context.h"

#include <cctype>

#include "syntax.h"

namespace kiln::text {
namespace {
// Keeps the characters a name may have; a name never starts with a digit.
std::string Sanitize(const std::string& hint) {
  std::string out;
  for (char c : hint) out += std::isalnum(static_cast<unsigned char>(c)) || c == '_' ? c : '_';
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0]))) out = "v" + out;
  return out;
}
}  // namespace

const std::string& NameTable::Assign(const runtime::Object* obj, const std::string& hint) {
  auto it = names_.find(obj);
  if (it != names_.end()) return it->second;
  std::string base = Sanitize(hint);
  auto taken = [&](const std::string& name) {
    return used_.count(name) || IsReservedWord(name) || (also_reserved && also_reserved(name));
  };
  std::string name = base;
  for (int& i = last_suffix_[base]; taken(name);) name = base + "_" + std::to_string(++i);
  used_.insert(name);
  return names_.emplace(obj, name).first->second;
}

const std::string* NameTable::Find(const runtime::Object* obj) const {
  auto it = names_.find(obj);
  return it == names_.end() ? nullptr : &it->second;
}

size_t PrintContext::MetaIndex(const runtime::NDArray& array) {
  for (size_t i = 0; i < constants.size(); ++i) {
    if (constants[i].obj() == array.obj()) return i;
  }
  constants.push_back(array);
  return constants.size() - 1;
}

void PrintContext::StartFunction() {
  auto reserved = names.also_reserved;
  names = NameTable();
  names.also_reserved = std::move(reserved);
  in_decl = false;
  declared.clear();
  data_owner.clear();
}

}  // namespace kiln::text
