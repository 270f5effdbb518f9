// Pattern nodes, their constructors and their text form.
#include "kiln/relax/pattern/pattern.h"

#include <sstream>

#include "kiln/relax/op.h"
#include "kiln/tir/printer.h"

namespace kiln::relax {

using runtime::MakeObject;

Pattern Wildcard() { return MakeObject<WildcardPatternNode>(); }

Pattern IsConst() { return MakeObject<ConstantPatternNode>(); }

Pattern IsOp(const std::string& op, std::vector<Pattern> args) {
  auto n = MakeObject<CallPatternNode>();
  n->op = GetOp(op)->name;
  for (size_t i = 0; i < args.size(); ++i) {
    KILN_CHECK(args[i]) << "pattern " << n->op << ": argument " << i << " is an empty pattern";
  }
  n->args = std::move(args);
  return n;
}

Pattern operator|(const Pattern& a, const Pattern& b) {
  KILN_CHECK(a && b) << "pattern alternatives: an empty pattern";
  auto n = MakeObject<OrPatternNode>();
  for (const Pattern& p : {a, b}) {
    // (a | b) | c keeps one flat list, tried in order.
    if (const auto* o = p.as<OrPatternNode>()) {
      n->alternatives.insert(n->alternatives.end(), o->alternatives.begin(), o->alternatives.end());
    } else {
      n->alternatives.push_back(p);
    }
  }
  return n;
}

Pattern HasAttr(Pattern p, ir::Attrs attrs) {
  auto n = MakeObject<AttrPatternNode>();
  n->pattern = std::move(p);
  n->attrs = std::move(attrs);
  return n;
}

Pattern HasDtype(Pattern p, DataType dtype) {
  auto n = MakeObject<DtypePatternNode>();
  n->pattern = std::move(p);
  n->dtype = dtype;
  return n;
}

Pattern HasShape(Pattern p, std::vector<tir::PrimExpr> shape) {
  auto n = MakeObject<ShapePatternNode>();
  n->pattern = std::move(p);
  n->shape = std::move(shape);
  return n;
}

Pattern Optional(const Pattern& p, const std::function<Pattern(const Pattern&)>& f) { return f(p) | p; }

namespace {
void Print(const Pattern& p, std::ostream& os) {
  if (p.as<WildcardPatternNode>()) {
    os << "*";
  } else if (p.as<ConstantPatternNode>()) {
    os << "const";
  } else if (const auto* c = p.as<CallPatternNode>()) {
    os << c->op << "(";
    for (size_t i = 0; i < c->args.size(); ++i) {
      if (i) os << ", ";
      Print(c->args[i], os);
    }
    os << ")";
  } else if (const auto* o = p.as<OrPatternNode>()) {
    os << "(";
    for (size_t i = 0; i < o->alternatives.size(); ++i) {
      if (i) os << " | ";
      Print(o->alternatives[i], os);
    }
    os << ")";
  } else if (const auto* a = p.as<AttrPatternNode>()) {
    Print(a->pattern, os);
    os << ".has_attr(";
    for (size_t i = 0; i < a->attrs.items().size(); ++i) os << (i ? ", " : "") << a->attrs.items()[i].first;
    os << ")";
  } else if (const auto* d = p.as<DtypePatternNode>()) {
    Print(d->pattern, os);
    os << ".has_dtype(" << d->dtype.str() << ")";
  } else if (const auto* s = p.as<ShapePatternNode>()) {
    Print(s->pattern, os);
    os << ".has_shape(";
    for (size_t i = 0; i < s->shape.size(); ++i) os << (i ? ", " : "") << tir::ToText(s->shape[i]);
    os << ")";
  } else {
    os << "<empty>";
  }
}
}  // namespace

std::string PatternString(const Pattern& p) {
  std::ostringstream os;
  Print(p, os);
  return os.str();
}

}  // namespace kiln::relax
