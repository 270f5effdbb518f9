// ParamInfo: what a VM function expects of one argument, for the checks the
// VM runs before a call from outside and for their error messages. It mirrors
// relax StructInfo without depending on it: a kind, a dtype, a rank, and
// dimensions that are constants, symbolic names (bound by their first use,
// checked by the others) or expressions (printed, not checked). It prints and
// parses in the relax text form, "Tensor((n, 784), float32)", so a compiler
// can make one from StructInfoString(sinfo).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kiln/runtime/data_type.h"

namespace kiln::runtime::vm {

struct DimInfo {
  enum class Kind : uint8_t {
    kConst = 0,  // must equal `value`
    kVar = 1,    // the symbolic dimension `name`
    kExpr = 2,   // an expression such as "n + 1": printed as `name`, not checked
  };
  Kind kind = Kind::kConst;
  int64_t value = 0;
  std::string name;

  static DimInfo Const(int64_t v) { return {Kind::kConst, v, ""}; }
  static DimInfo Var(std::string n) { return {Kind::kVar, 0, std::move(n)}; }
  static DimInfo Expr(std::string text) { return {Kind::kExpr, 0, std::move(text)}; }
  std::string str() const { return kind == Kind::kConst ? std::to_string(value) : name; }
  bool operator==(const DimInfo& o) const { return kind == o.kind && value == o.value && name == o.name; }
};

struct ParamInfo {
  enum class Kind : uint8_t {
    kObject = 0,  // anything (not checked)
    kTensor = 1,  // an NDArray: dtype (void: any), ndim (-1: any), dims
    kShape = 2,   // a Shape: ndim (-1: any), dims
    kPrim = 3,    // an int, float or bool of `dtype`; dims holds its value when known
    kTuple = 4,   // a list of `fields`
    kFunc = 5,    // a Function
  };
  Kind kind = Kind::kObject;
  DataType dtype;                            // Tensor, Prim; void when unknown
  int ndim = -1;                             // Tensor, Shape; -1 when unknown
  std::optional<std::vector<DimInfo>> dims;  // Tensor and Shape: the shape; Prim: one entry, the value
  std::vector<ParamInfo> fields;             // Tuple

  static ParamInfo Object() { return {}; }
  static ParamInfo Tensor(std::vector<DimInfo> dims, DataType dtype);
  static ParamInfo TensorOfRank(int ndim, DataType dtype);  // shape unknown (ndim -1: rank unknown too)
  static ParamInfo Shape(std::vector<DimInfo> dims);
  static ParamInfo ShapeOfRank(int ndim);
  static ParamInfo Prim(DataType dtype);
  static ParamInfo PrimValue(DimInfo value, DataType dtype = DataType::Int(64));
  static ParamInfo Tuple(std::vector<ParamInfo> fields);
  static ParamInfo Func();

  // The relax text form: Object, Tensor((n, 784), float32), Tensor(float32,
  // ndim=2), Shape((n, 4)), Shape(ndim=2), Prim(int64), Prim(value=n),
  // Tuple(...), Func.
  std::string str() const;
  // Parses the text form (Func(...) keeps no detail). Raises kiln::Error
  // naming the text and position.
  static ParamInfo Parse(const std::string& text);
  bool operator==(const ParamInfo& o) const;
};

}  // namespace kiln::runtime::vm
