// Whole modules in the text format: `module { ... }` with the module's
// attributes, its relax and tir functions in order, and a meta section that
// holds the large constants as base64.
#include "../text/array_text.h"
#include "../text/relax_printer.h"
#include "kiln/relax/op.h"
#include "kiln/relax/printer.h"
#include "kiln/tir/function.h"

namespace kiln::relax {

using text::Indent;

namespace {
// Base64 data is split over lines of this many characters.
constexpr size_t kMetaLineWidth = 96;
}  // namespace

std::string TextPrinter::Module(const ir::IRModule& mod) const {
  // A relax variable named like an op would hide it from calls.
  ctx_->names.also_reserved = [](const std::string& name) { return static_cast<bool>(FindOp(name)); };
  std::vector<std::string> parts;  // printed one after another, with a blank line between
  if (!mod.attrs().empty()) parts.push_back(Indent(1) + "attrs " + tir_.AttrDict(mod.attrs()) + "\n");
  for (const auto& [gv, func] : mod.functions()) {
    if (auto prim = func.As<tir::PrimFuncNode>()) {
      parts.push_back(tir_.PrimFunc(tir::PrimFunc(prim), gv->name, 1));
    } else {
      auto relax_func = func.As<FunctionNode>();
      KILN_CHECK(relax_func) << "function @" << gv->name << " of type " << func->type_key() << " has no text form";
      parts.push_back(Function(relax_func, gv->name, 1));
    }
  }
  if (!ctx_->constants.empty()) parts.push_back(MetaSection(1));
  std::string out = "module {\n";
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? "\n" : "") + parts[i];
  return out + "}\n";
}

std::string TextPrinter::MetaSection(int indent) const {
  std::string out = Indent(indent) + "meta {\n";
  for (size_t i = 0; i < ctx_->constants.size(); ++i) {
    const runtime::NDArray& a = ctx_->constants[i];
    std::string shape;
    for (int64_t d : a.shape()) shape += (shape.empty() ? "" : ", ") + std::to_string(d);
    if (a.shape().size() == 1) shape += ",";
    out += Indent(indent + 1) + std::to_string(i) + " = array((" + shape + "), " + a.dtype().str() + ",";
    std::string data = text::ArrayBase64(a);
    if (data.empty()) out += " \"\"";
    for (size_t pos = 0; pos < data.size(); pos += kMetaLineWidth) {
      out += "\n" + Indent(indent + 2) + "\"" + data.substr(pos, kMetaLineWidth) + "\"";
    }
    out += ")\n";
  }
  return out + Indent(indent) + "}\n";
}

std::string ToText(const ir::IRModule& mod) {
  text::PrintContext ctx;
  return TextPrinter(&ctx).Module(mod);
}

}  // namespace kiln::relax
