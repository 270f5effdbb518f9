// Struct info: Object, Prim(dtype) or Prim(value=e), Shape, Shape((dims)),
// Shape(ndim=k), Tensor, Tensor((dims), dtype), Tensor(dtype, ndim=k),
// Tuple(...), Func([params], ret, pure=False). A new name in a shape or value
// defines a size var of the enclosing function.
#include "kiln/relax/struct_info.h"
#include "parser_impl.h"
#include "syntax.h"

namespace kiln::text {

ir::StructInfo Parser::StructInfo() {
  Nest nest(this);
  DeclContext decl(this, true);
  const Token& t = Next();
  ir::StructInfo s;
  if (t.Is("Object")) {
    s = relax::ObjectSInfo();
  } else if (t.Is("Prim")) {
    s = PrimInfo();
  } else if (t.Is("Shape")) {
    s = ShapeInfo();
  } else if (t.Is("Tensor")) {
    s = TensorInfo();
  } else if (t.Is("Tuple")) {
    s = relax::TupleSInfo(StructInfoList(Expect("(", "after Tuple"), ")"));
  } else if (t.Is("Func")) {
    s = FuncInfo();
  } else {
    Fail(t, "expected struct info (Tensor, Tuple, Shape, Prim, Object or Func), got " + Describe(t));
  }
  s->span = t.span;
  return s;
}

ir::StructInfo Parser::PrimInfo() {
  const Token& open = Expect("(", "after Prim");
  ir::StructInfo s;
  if (Check("value") && Peek(1).Is("=")) {
    Next();
    Next();
    tir::PrimExpr value = PrimExpr();
    s = Build(open, [&] { return relax::PrimSInfo(value.dtype(), value); });
  } else {
    s = relax::PrimSInfo(DType("in Prim(...)"));
  }
  ExpectClose(open, ")");
  return s;
}

ir::StructInfo Parser::ShapeInfo() {
  if (!Check("(")) return relax::ShapeSInfoOfRank(-1);
  const Token& open = Next();
  ir::StructInfo s;
  if (Accept("ndim")) {
    Expect("=", "after ndim");
    int64_t ndim = ExpectInt("a rank");
    s = Build(open, [&] { return relax::ShapeSInfoOfRank(static_cast<int>(std::min<int64_t>(ndim, 1 << 30))); });
  } else {
    std::vector<tir::PrimExpr> values = ExprTuple("the shape's values");
    s = Build(open, [&] { return relax::ShapeSInfo(values); });
  }
  ExpectClose(open, ")");
  return s;
}

ir::StructInfo Parser::TensorInfo() {
  if (!Check("(")) return relax::TensorSInfoOfRank(-1, DataType());
  const Token& open = Next();
  std::optional<std::vector<tir::PrimExpr>> shape;
  std::optional<DataType> dtype;
  std::optional<int64_t> ndim;
  for (bool first = true; !Check(")"); first = false) {
    const Token& item = Peek();
    if (first && item.Is("(")) {
      shape = ExprTuple("the tensor's shape");
    } else if (item.Is("ndim") && !ndim && !shape) {
      Next();
      Expect("=", "after ndim");
      ndim = ExpectInt("a rank");
    } else if (!dtype && !ndim) {
      dtype = DType("of the tensor");
    } else {
      Fail(item, "expected Tensor((shape), dtype) or Tensor(dtype, ndim=k), got " + Describe(item));
    }
    if (!Accept(",")) break;
  }
  ExpectClose(open, ")");
  DataType t = dtype.value_or(DataType());
  if (shape) return Build(open, [&] { return relax::TensorSInfo(*shape, t); });
  return relax::TensorSInfoOfRank(static_cast<int>(std::min<int64_t>(ndim.value_or(-1), 1 << 30)), t);
}

ir::StructInfo Parser::FuncInfo() {
  const Token& open = Expect("(", "after Func");
  std::optional<std::vector<ir::StructInfo>> params;
  if (Check("[")) {
    params = StructInfoList(Next(), "]");
    Expect(",", "after the parameters");
  }
  ir::StructInfo ret = StructInfo();
  bool is_pure = true;
  if (Accept(",") && Accept("pure")) {
    Expect("=", "after pure");
    const Token& value = Next();
    if (!value.Is("True") && !value.Is("False")) Fail(value, "pure= takes True or False");
    is_pure = value.Is("True");
  }
  ExpectClose(open, ")");
  return params ? relax::FuncSInfo(*params, ret, is_pure) : relax::OpaqueFuncSInfo(ret, is_pure);
}

std::vector<ir::StructInfo> Parser::StructInfoList(const Token& open, const char* close) {
  std::vector<ir::StructInfo> items;
  while (!Check(close)) {
    items.push_back(StructInfo());
    if (!Accept(",")) break;
  }
  ExpectClose(open, close);
  return items;
}

}  // namespace kiln::text
