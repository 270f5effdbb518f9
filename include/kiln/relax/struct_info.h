// StructInfo: what is known about a relax value before it runs. A tensor's
// shape is a list of tir expressions (symbolic dimensions are tir Vars shared
// with loop code), or unknown with a known or unknown rank; its dtype may be
// unknown (void). Shapes, scalars, tuples, functions and opaque objects have
// their own kinds.
#pragma once

#include <optional>
#include <vector>

#include "kiln/relax/expr.h"

namespace kiln::relax {

class ObjectStructInfoNode : public ir::StructInfoNode {
 public:
  KILN_OBJECT_TYPE(ObjectStructInfoNode, ir::StructInfoNode, "relax.ObjectStructInfo")
};
// A scalar of `dtype`, possibly with a known value.
class PrimStructInfoNode : public ir::StructInfoNode {
 public:
  KILN_OBJECT_TYPE(PrimStructInfoNode, ir::StructInfoNode, "relax.PrimStructInfo")
  DataType dtype;
  tir::PrimExpr value;  // may be empty
};
// A shape value: its dimensions when known, else its rank (-1: unknown).
class ShapeStructInfoNode : public ir::StructInfoNode {
 public:
  KILN_OBJECT_TYPE(ShapeStructInfoNode, ir::StructInfoNode, "relax.ShapeStructInfo")
  std::optional<std::vector<tir::PrimExpr>> values;
  int ndim = -1;
};
class TensorStructInfoNode : public ir::StructInfoNode {
 public:
  KILN_OBJECT_TYPE(TensorStructInfoNode, ir::StructInfoNode, "relax.TensorStructInfo")
  std::optional<std::vector<tir::PrimExpr>> shape;  // when known
  DataType dtype;                                   // void when unknown
  int ndim = -1;                                    // -1 when unknown
};
class TupleStructInfoNode : public ir::StructInfoNode {
 public:
  KILN_OBJECT_TYPE(TupleStructInfoNode, ir::StructInfoNode, "relax.TupleStructInfo")
  std::vector<StructInfo> fields;
};
class FuncStructInfoNode : public ir::StructInfoNode {
 public:
  KILN_OBJECT_TYPE(FuncStructInfoNode, ir::StructInfoNode, "relax.FuncStructInfo")
  std::optional<std::vector<StructInfo>> params;  // unknown for opaque functions
  StructInfo ret;
  bool is_pure = true;
};

StructInfo ObjectSInfo();
StructInfo PrimSInfo(DataType dtype, tir::PrimExpr value = {});
StructInfo ShapeSInfo(std::vector<tir::PrimExpr> values);
StructInfo ShapeSInfoOfRank(int ndim);
// A tensor of known shape; raises on a non-integer dimension.
StructInfo TensorSInfo(std::vector<tir::PrimExpr> shape, DataType dtype);
// A tensor whose shape is unknown (ndim -1: rank unknown too).
StructInfo TensorSInfoOfRank(int ndim, DataType dtype);
StructInfo TupleSInfo(std::vector<StructInfo> fields);
StructInfo FuncSInfo(std::vector<StructInfo> params, StructInfo ret, bool is_pure = true);
StructInfo OpaqueFuncSInfo(StructInfo ret, bool is_pure = false);

// The struct info in the text format, e.g. "Tensor((n, 784), float32)".
std::string StructInfoString(const StructInfo& sinfo);

}  // namespace kiln::relax
