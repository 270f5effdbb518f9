// IR value conversions between Python and C++.
#include "ir_convert.h"

#include <nanobind/stl/string.h>

#include "convert.h"

namespace kiln::python {

tir::PrimExpr ToPrimExpr(nb::handle obj, const char* what) {
  if (PyBool_Check(obj.ptr())) return tir::Bool(obj.ptr() == Py_True);
  if (PyLong_Check(obj.ptr())) return tir::PrimExpr(nb::cast<int64_t>(obj));
  if (PyFloat_Check(obj.ptr())) return tir::PrimExpr(nb::cast<double>(obj));
  tir::PrimExpr e(Unwrap<tir::PrimExprNode>(obj, what));
  KILN_CHECK(e) << what << ": expected an expression, got None";
  return e;
}

std::vector<tir::PrimExpr> ToPrimExprs(nb::handle seq, const char* what) {
  std::vector<tir::PrimExpr> out;
  if (seq.is_none()) return out;
  for (nb::handle item : seq) out.push_back(ToPrimExpr(item, what));
  return out;
}

ir::Attrs ToAttrs(nb::handle dict) {
  ir::Attrs attrs;
  if (dict.is_none()) return attrs;
  KILN_CHECK(PyDict_Check(dict.ptr())) << "attributes must be a dict, got a "
                                       << nb::cast<std::string>(nb::str(dict.type().attr("__name__")));
  for (auto [k, v] : nb::borrow<nb::dict>(dict)) attrs = attrs.With(nb::cast<std::string>(k), FromPython(v));
  return attrs;
}

nb::dict AttrsToPython(const ir::Attrs& attrs) {
  nb::dict d;
  for (const auto& [k, v] : attrs.items()) d[k.c_str()] = ToPython(v);
  return d;
}

}  // namespace kiln::python
