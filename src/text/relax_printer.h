// The relax printer behind relax::ToText: expressions, struct info,
// functions and whole modules (with their tir functions and meta section).
// Implemented in src/relax/printer.cc, printer_struct_info.cc and
// printer_module.cc.
#pragma once

#include <string>

#include "kiln/ir/module.h"
#include "kiln/relax/struct_info.h"
#include "tir_printer.h"

namespace kiln::relax {

class TextPrinter {
 public:
  explicit TextPrinter(text::PrintContext* ctx) : ctx_(ctx), tir_(ctx) {}

  // An expression starting on a line indented `indent` levels; the lines of
  // a multi-line one (if, a block, a function) are indented to match.
  std::string Expr(const relax::Expr& expr, int indent) const;
  // Struct info, where a size var's first occurrence defines it.
  std::string StructInfo(const ir::StructInfo& sinfo) const;
  // "func @name[...](...) -> ... {...}" (newline-terminated) for a module
  // function; "func(...) -> ... {...}" for a nested one (name empty).
  std::string Function(const relax::Function& func, const std::string& name, int indent) const;
  std::string Module(const ir::IRModule& mod) const;

  // Parts of expressions, for the per-node printer in printer.cc.
  std::string Call(const CallNode* call, int indent) const;
  std::string If(const IfNode* op, int indent) const;
  // The blocks of a sequence, one binding per line.
  std::string Blocks(const std::vector<BindingBlock>& blocks, int indent) const;

 private:
  std::string Binding(const relax::Binding& binding, bool in_dataflow, int indent) const;
  // A function body or an if branch: its bindings then `final_word` + result.
  std::string Body(const relax::Expr& body, const std::string& final_word, int indent) const;
  // The meta section of the constants printed so far.
  std::string MetaSection(int indent) const;

  text::PrintContext* ctx_;
  tir::TextPrinter tir_;
};

// The name an op prints by: "matmul" for "relax.matmul", else the full name.
std::string OpTextName(const std::string& op_name);

}  // namespace kiln::relax
