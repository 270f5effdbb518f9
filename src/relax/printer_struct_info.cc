// StructInfo in the text format: Object, Prim(int64), Shape((n, 4)),
// Tensor((n, 4), float32), Tuple(...), Func([...], ret). Also the
// StructInfoString that error messages across Kiln use.
#include "../text/relax_printer.h"
#include "kiln/relax/printer.h"

namespace kiln::relax {

std::string TextPrinter::StructInfo(const ir::StructInfo& sinfo) const {
  if (!sinfo) return "None";
  text::DeclScope decl(ctx_);
  if (sinfo.As<ObjectStructInfoNode>()) return "Object";
  if (auto prim = sinfo.As<PrimStructInfoNode>()) {
    return prim->value ? "Prim(value=" + tir_.Expr(prim->value) + ")" : "Prim(" + prim->dtype.str() + ")";
  }
  if (auto shape = sinfo.As<ShapeStructInfoNode>()) {
    if (shape->values) return "Shape(" + tir_.Tuple(*shape->values) + ")";
    return shape->ndim < 0 ? "Shape" : "Shape(ndim=" + std::to_string(shape->ndim) + ")";
  }
  if (auto tensor = sinfo.As<TensorStructInfoNode>()) {
    std::string args = tensor->shape ? tir_.Tuple(*tensor->shape) : "";
    if (!tensor->dtype.is_void()) args += (args.empty() ? "" : ", ") + tensor->dtype.str();
    if (!tensor->shape && tensor->ndim >= 0)
      args += std::string(args.empty() ? "" : ", ") + "ndim=" + std::to_string(tensor->ndim);
    return args.empty() ? "Tensor" : "Tensor(" + args + ")";
  }
  if (auto tuple = sinfo.As<TupleStructInfoNode>()) {
    std::string fields;
    for (const ir::StructInfo& f : tuple->fields) fields += (fields.empty() ? "" : ", ") + StructInfo(f);
    return "Tuple(" + fields + ")";
  }
  auto func = sinfo.As<FuncStructInfoNode>();
  KILN_CHECK(func) << "struct info of type " << sinfo->type_key() << " has no text form";
  std::string args;
  if (func->params) {
    for (const ir::StructInfo& p : *func->params) args += (args.empty() ? "" : ", ") + StructInfo(p);
    args = "[" + args + "], ";
  }
  return "Func(" + args + StructInfo(func->ret) + (func->is_pure ? "" : ", pure=False") + ")";
}

std::string ToText(const ir::StructInfo& sinfo) {
  text::PrintContext ctx;
  return TextPrinter(&ctx).StructInfo(sinfo);
}

std::string StructInfoString(const ir::StructInfo& sinfo) {
  return ToText(sinfo);
}

}  // namespace kiln::relax
