// Attribute dictionaries {"key": value} and attribute values: numbers,
// True/False/None, strings, dtypes, [lists], shape(...), device("..."),
// meta[i] arrays, tir(expr) and @functions.
#include <cmath>

#include "kiln/runtime/device.h"
#include "parser_impl.h"
#include "syntax.h"

namespace kiln::text {

ir::Attrs Parser::AttrDict() {
  const Token& open = Expect("{", "to open the attributes");
  Nest nest(this);
  ir::Attrs attrs;
  while (true) {
    SkipNewlines();
    if (Check("}")) break;
    const Token& key = ExpectKind(TokenKind::kString, "an attribute name (a string)");
    if (attrs.Find(key.text)) Fail(key, "attribute \"" + key.text + "\" is given twice");
    Expect(":", "after the attribute's name");
    attrs = attrs.With(key.text, AttrValue());
    SkipNewlines();
    if (!Accept(",")) break;
  }
  ExpectClose(open, "}");
  return attrs;
}

runtime::Any Parser::NumberValue(bool negative) {
  const Token& t = Next();
  if (!t.suffix.empty()) Fail(t, "attribute numbers take no dtype suffix");
  if (t.kind == TokenKind::kFloat) {
    std::optional<double> v = ParseFloat(t.text);
    if (!v) Fail(t, "malformed number " + t.text);
    return negative ? -*v : *v;
  }
  if (t.Is("inf")) return negative ? -HUGE_VAL : HUGE_VAL;
  if (t.Is("nan")) return std::nan("");
  std::optional<int64_t> v = t.kind == TokenKind::kInt ? ParseInt(t.text, negative, false) : std::nullopt;
  if (!v) Fail(t, "expected a number, got " + Describe(t));
  return *v;
}

runtime::Any Parser::AttrValue() {
  Nest nest(this);
  const Token& t = Peek();
  if (Accept("-")) return NumberValue(true);
  if (t.kind == TokenKind::kInt || t.kind == TokenKind::kFloat || t.Is("inf") || t.Is("nan")) return NumberValue(false);
  if (t.kind == TokenKind::kString) return Next().text;
  if (t.kind == TokenKind::kGlobal) {
    auto it = globals_.find(Next().text);
    if (it == globals_.end()) Fail(t, "undefined function @" + t.text);
    return it->second;
  }
  if (t.Is("[")) {
    const Token& open = Next();
    std::vector<runtime::Any> items;
    while (!Check("]")) {
      items.push_back(AttrValue());
      if (!Accept(",")) break;
    }
    ExpectClose(open, "]");
    return items;
  }
  if (t.kind != TokenKind::kIdent) Fail(t, "expected an attribute value, got " + Describe(t));
  Next();
  if (t.Is("True") || t.Is("False")) return t.Is("True");
  if (t.Is("None")) return runtime::Any();
  if (std::optional<DataType> dtype = DTypeOfName(t.text)) return *dtype;
  if (t.Is("meta")) return Build(t, [&] { return MetaRef(t).as<relax::ConstantNode>()->data; });
  const Token& open = Expect("(", "after " + t.text);
  runtime::Any value;
  if (t.Is("shape")) {
    std::vector<int64_t> dims;
    while (!Check(")")) {
      dims.push_back(ExpectInt("a dimension"));
      if (!Accept(",")) break;
    }
    value = dims;
  } else if (t.Is("device")) {
    const Token& name = ExpectKind(TokenKind::kString, "a device such as \"cuda:0\"");
    value = Build(name, [&] { return runtime::Device::Parse(name.text); });
  } else if (t.Is("tir")) {
    value = PrimExpr();
  } else {
    Fail(t, "expected an attribute value, got " + Describe(t));
  }
  ExpectClose(open, ")");
  return value;
}

}  // namespace kiln::text
