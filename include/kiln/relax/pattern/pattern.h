// The relax pattern language: patterns over relax expressions, matched by
// relax/pattern/match.h. A pattern is a tree of nodes:
//
//   Wildcard()                      any expression
//   IsConst()                       a constant tensor
//   IsOp("relax.matmul")({x, w})    a call of that op whose arguments match x, w
//   p | q                           p, else q (alternatives, tried in order)
//   HasAttr(p, {{"groups", 1}})     p, on a call whose attributes have these values
//   HasDtype(p, "float32")          p, on a value of that dtype
//   HasShape(p, {n, 128})           p, on a tensor of that shape (symbolic dims match structurally)
//   Optional(p, f)                  f(p) | p: an optional epilogue, the longer match first
//
// A sequence is a nested pattern: gelu(add(matmul(x, w), b)) is
//   IsOp("relax.gelu")({IsOp("relax.add")({IsOp("relax.matmul")({x, w}), b})}).
// One pattern object used twice must match the same expression both times
// (x * sigmoid(x)).
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "kiln/relax/expr.h"

namespace kiln::relax {

class PatternNode : public runtime::Object {
 public:
  KILN_OBJECT_TYPE(PatternNode, runtime::Object, "relax.Pattern")
};

class Pattern : public Ref<PatternNode> {
 public:
  Pattern() = default;
  template <typename T, typename = std::enable_if_t<std::is_base_of_v<PatternNode, T>>>
  Pattern(Ref<T> n) : Ref<PatternNode>(std::move(n)) {}
  template <typename T>
  const T* as() const {
    return get() != nullptr && get()->IsInstance<T>() ? static_cast<const T*>(get()) : nullptr;
  }
};

class WildcardPatternNode : public PatternNode {
 public:
  KILN_OBJECT_TYPE(WildcardPatternNode, PatternNode, "relax.WildcardPattern")
};
class ConstantPatternNode : public PatternNode {
 public:
  KILN_OBJECT_TYPE(ConstantPatternNode, PatternNode, "relax.ConstantPattern")
};
// A call of the op `op` (its full name) with exactly these arguments.
class CallPatternNode : public PatternNode {
 public:
  KILN_OBJECT_TYPE(CallPatternNode, PatternNode, "relax.CallPattern")
  std::string op;
  std::vector<Pattern> args;
};
class OrPatternNode : public PatternNode {
 public:
  KILN_OBJECT_TYPE(OrPatternNode, PatternNode, "relax.OrPattern")
  std::vector<Pattern> alternatives;
};
// `pattern`, on a call whose attributes include `attrs` (missing ones take
// the op's defaults).
class AttrPatternNode : public PatternNode {
 public:
  KILN_OBJECT_TYPE(AttrPatternNode, PatternNode, "relax.AttrPattern")
  Pattern pattern;
  ir::Attrs attrs;
};
// `pattern`, on a tensor value of dtype `dtype`.
class DtypePatternNode : public PatternNode {
 public:
  KILN_OBJECT_TYPE(DtypePatternNode, PatternNode, "relax.DtypePattern")
  Pattern pattern;
  DataType dtype;
};
// `pattern`, on a tensor value of this shape.
class ShapePatternNode : public PatternNode {
 public:
  KILN_OBJECT_TYPE(ShapePatternNode, PatternNode, "relax.ShapePattern")
  Pattern pattern;
  std::vector<tir::PrimExpr> shape;
};

Pattern Wildcard();
Pattern IsConst();
// Raises kiln::Error naming the op (and the closest known name) when no op
// is registered as `op` ("relax.matmul" or "matmul").
Pattern IsOp(const std::string& op, std::vector<Pattern> args);
Pattern operator|(const Pattern& a, const Pattern& b);
Pattern HasAttr(Pattern p, ir::Attrs attrs);
Pattern HasDtype(Pattern p, DataType dtype);
Pattern HasShape(Pattern p, std::vector<tir::PrimExpr> shape);
// f(p) | p.
Pattern Optional(const Pattern& p, const std::function<Pattern(const Pattern&)>& f);

// The pattern in a compact text form, e.g. "relax.add(relax.matmul(*, *), const)".
std::string PatternString(const Pattern& p);

}  // namespace kiln::relax
