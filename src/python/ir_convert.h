// Conversions of IR values from and to Python shared by the ir, tir and
// relax bindings: PrimExprs from Python numbers, Attrs from dicts, lists.
#pragma once

#include <nanobind/nanobind.h>

#include <vector>

#include "kiln/ir/attrs.h"
#include "kiln/tir/expr.h"
#include "node.h"

namespace kiln::python {

// A PrimExpr from a kiln.tir.PrimExpr, a Python int (int64), float
// (float32) or bool.
tir::PrimExpr ToPrimExpr(nb::handle obj, const char* what = "expression");
std::vector<tir::PrimExpr> ToPrimExprs(nb::handle seq, const char* what = "expressions");
ir::Attrs ToAttrs(nb::handle dict);  // None or a dict
nb::dict AttrsToPython(const ir::Attrs& attrs);

// Nodes of type T from a Python sequence (None -> empty).
template <typename T>
std::vector<runtime::Ref<T>> UnwrapList(nb::handle seq, const char* what) {
  std::vector<runtime::Ref<T>> out;
  if (seq.is_none()) return out;
  for (nb::handle item : seq) out.push_back(Unwrap<T>(item, what));
  return out;
}

}  // namespace kiln::python
