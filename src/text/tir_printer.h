// The tir printer behind tir::ToText, also used by the relax printer for
// symbolic shapes and for the tir functions of a module. Implemented in
// src/tir/printer.cc (expressions, attributes) and src/tir/printer_stmt.cc
// (statements, buffers, PrimFuncs).
#pragma once

#include <string>

#include "kiln/ir/attrs.h"
#include "kiln/tir/function.h"
#include "printer_context.h"

namespace kiln::tir {

class TextPrinter {
 public:
  explicit TextPrinter(text::PrintContext* ctx) : ctx_(ctx) {}

  std::string Expr(const PrimExpr& expr) const;
  // "(n, 4)", "(n,)" or "()".
  std::string Tuple(const std::vector<PrimExpr>& values) const;
  // A use of `var`: its name, "A.data" for a buffer's data, or a fresh name
  // (recorded for the declaration list unless it is an implicit dimension).
  std::string Use(const Var& var) const;
  // The definition of `var`: its new name, with ": type" unless the type is
  // `default_dtype` for a plain variable.
  std::string Define(const Var& var, DataType default_dtype) const;
  // "int32" or "SizeVar(int64)".
  std::string VarType(const Var& var) const;
  // "[n: int32, m: SizeVar(int32)]" for ctx->declared, or "".
  std::string DeclList() const;

  // {"key": value, ...}
  std::string AttrDict(const ir::Attrs& attrs) const;
  std::string AttrValue(const runtime::Any& value) const;

  // Appends the statements of `stmt` at `indent` (a Seq prints as its items).
  void Body(const Stmt& stmt, int indent, std::string* out) const;
  // "A: Buffer((n,), float32, ...)"; defines the buffer's name. data= is
  // written when another buffer owns the data variable, or always for a
  // `view` (the buffer of a DeclBuffer).
  std::string BufferDecl(const Buffer& buffer, bool view = false) const;
  // The buffer's name (assigned on first use).
  std::string BufferName(const Buffer& buffer) const;
  // "prim @name[...](...) {...}" at `indent`, newline-terminated.
  std::string PrimFunc(const tir::PrimFunc& func, const std::string& name, int indent) const;

 private:
  text::PrintContext* ctx_;
};

// "@name", or @"quoted name" when the name is not an identifier.
std::string GlobalName(const std::string& name);

}  // namespace kiln::tir
