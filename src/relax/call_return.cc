// Binding a callee's symbolic variables from its arguments' struct info.
#include "kiln/relax/struct_info_analysis.h"

#include <unordered_map>

#include "kiln/tir/functor.h"

namespace kiln::relax {
namespace {

using Bound = std::unordered_map<const runtime::Object*, tir::PrimExpr>;

void BindDims(const std::optional<std::vector<tir::PrimExpr>>& param,
              const std::optional<std::vector<tir::PrimExpr>>& arg, Bound* bound) {
  if (!param || !arg || param->size() != arg->size()) return;
  for (size_t i = 0; i < param->size(); ++i) {
    if ((*param)[i].as<tir::VarNode>()) bound->emplace((*param)[i].get(), (*arg)[i]);
  }
}

// Binds the bare variables of `param` to what stands in their place in `arg`.
void Bind(const ir::StructInfo& param, const ir::StructInfo& arg, Bound* bound) {
  if (!param || !arg) return;
  if (auto p = param.As<relax::TensorStructInfoNode>()) {
    if (auto a = arg.As<relax::TensorStructInfoNode>()) BindDims(p->shape, a->shape, bound);
  } else if (auto p = param.As<relax::ShapeStructInfoNode>()) {
    if (auto a = arg.As<relax::ShapeStructInfoNode>()) BindDims(p->values, a->values, bound);
  } else if (auto p = param.As<relax::PrimStructInfoNode>()) {
    auto a = arg.As<relax::PrimStructInfoNode>();
    if (a && p->value.as<tir::VarNode>() && a->value) bound->emplace(p->value.get(), a->value);
  } else if (auto p = param.As<relax::TupleStructInfoNode>()) {
    auto a = arg.As<relax::TupleStructInfoNode>();
    for (size_t i = 0; a && i < p->fields.size() && i < a->fields.size(); ++i) Bind(p->fields[i], a->fields[i], bound);
  }
}

bool Mentions(const std::vector<tir::PrimExpr>& dims, const Bound& unbound) {
  bool found = false;
  for (const tir::PrimExpr& d : dims) {
    tir::PreOrderVisit(d, [&](const tir::PrimExpr& e) { found |= unbound.count(e.get()) > 0; });
  }
  return found;
}

// `sinfo` with every shape or value that mentions an unbound variable unknown.
ir::StructInfo Erase(const ir::StructInfo& sinfo, const Bound& unbound) {
  if (auto t = sinfo.As<relax::TensorStructInfoNode>()) {
    return t->shape && Mentions(*t->shape, unbound) ? relax::TensorSInfoOfRank(t->ndim, t->dtype) : sinfo;
  }
  if (auto s = sinfo.As<relax::ShapeStructInfoNode>()) {
    return s->values && Mentions(*s->values, unbound) ? relax::ShapeSInfoOfRank(s->ndim) : sinfo;
  }
  if (auto p = sinfo.As<relax::PrimStructInfoNode>()) {
    return p->value && Mentions({p->value}, unbound) ? relax::PrimSInfo(p->dtype) : sinfo;
  }
  if (auto t = sinfo.As<relax::TupleStructInfoNode>()) {
    std::vector<ir::StructInfo> fields;
    for (const ir::StructInfo& f : t->fields) fields.push_back(Erase(f, unbound));
    return relax::TupleSInfo(fields);
  }
  return sinfo;
}

}  // namespace

ir::StructInfo CallReturnSInfo(const FuncStructInfoNode* callee, const std::vector<Expr>& args) {
  Bound bound, unbound;
  if (callee->params && callee->params->size() == args.size()) {
    for (size_t i = 0; i < args.size(); ++i) Bind((*callee->params)[i], args[i].struct_info(), &bound);
  }
  ir::StructInfo ret = relax::MapStructInfoExprs(callee->ret, [&](const tir::PrimExpr& e) {
    return tir::Substitute(e, [&](const tir::Var& v) {
      auto it = bound.find(v.get());
      if (it != bound.end()) return it->second;
      unbound.emplace(v.get(), v);
      return tir::PrimExpr(v);
    });
  });
  return unbound.empty() ? ret : Erase(ret, unbound);
}

}  // namespace kiln::relax
