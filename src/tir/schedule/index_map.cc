// IndexMap: building, printing, parsing and applying index maps.
#include "kiln/tir/schedule/index_map.h"

#include <cctype>

#include "kiln/runtime/error.h"
#include "kiln/text/parser.h"
#include "kiln/tir/arith/analyzer.h"
#include "kiln/tir/functor.h"
#include "kiln/tir/printer.h"

namespace kiln::tir {

IndexMap IndexMap::FromFunc(size_t ndim, const std::function<std::vector<PrimExpr>(const std::vector<Var>&)>& f,
                            const std::vector<std::string>& names) {
  KILN_CHECK(names.empty() || names.size() == ndim)
      << "index map: " << names.size() << " names for " << ndim << " dimensions";
  IndexMap m;
  for (size_t i = 0; i < ndim; ++i) m.src.push_back(Var(names.empty() ? "i" + std::to_string(i) : names[i]));
  m.dst = f(m.src);
  KILN_CHECK(!m.dst.empty()) << "index map: the map gives no index";
  return m;
}

IndexMap IndexMap::FromText(const std::string& text) {
  auto fail = [&](size_t pos, const std::string& msg) {
    KILN_THROW() << "index map 1:" << pos + 1 << ": " << msg << " in \"" << text << "\"";
  };
  size_t pos = text.find_first_not_of(" \t");
  if (pos == std::string::npos || text.compare(pos, 6, "lambda") != 0)
    fail(pos == std::string::npos ? 0 : pos, "expected 'lambda'");
  pos += 6;
  size_t colon = text.find(':', pos);
  if (colon == std::string::npos) fail(pos, "expected ':'");
  IndexMap m;
  size_t start = pos;
  for (size_t i = pos; i <= colon; ++i) {
    if (i == colon || text[i] == ',') {
      std::string name = text.substr(start, i - start);
      size_t a = name.find_first_not_of(" \t"), b = name.find_last_not_of(" \t");
      if (a == std::string::npos) fail(start, "expected a variable name");
      name = name.substr(a, b - a + 1);
      for (char c : name) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') fail(start, "bad variable name '" + name + "'");
      }
      m.src.push_back(Var(name));
      start = i + 1;
    }
  }
  // The body: "(e1, e2, ...)" or a single expression; split at top-level commas.
  std::string body = text.substr(colon + 1);
  size_t a = body.find_first_not_of(" \t"), b = body.find_last_not_of(" \t");
  if (a == std::string::npos) fail(colon + 1, "expected the mapped indices");
  body = body.substr(a, b - a + 1);
  size_t offset = colon + 1 + a;
  if (body.front() == '(' && body.back() == ')') {
    int depth = 0;
    bool wraps = true;
    for (size_t i = 0; i + 1 < body.size(); ++i) {
      depth += body[i] == '(' ? 1 : body[i] == ')' ? -1 : 0;
      if (depth == 0) wraps = false;
    }
    if (wraps) {
      body = body.substr(1, body.size() - 2);
      offset += 1;
    }
  }
  int depth = 0;
  start = 0;
  for (size_t i = 0; i <= body.size(); ++i) {
    if (i < body.size()) depth += body[i] == '(' || body[i] == '[' ? 1 : body[i] == ')' || body[i] == ']' ? -1 : 0;
    if (i == body.size() || (body[i] == ',' && depth == 0)) {
      std::string e = body.substr(start, i - start);
      if (e.find_first_not_of(" \t") == std::string::npos) {
        if (i == body.size() && !m.dst.empty()) break;  // a trailing comma
        fail(offset + start, "empty index");
      }
      size_t lead = e.find_first_not_of(" \t");
      try {
        m.dst.push_back(text::ParsePrimExpr(e.substr(lead), m.src, "<index map>"));
      } catch (const Error& err) {
        // "<index map>:1:COL: message\n<line>\n<caret>": report the column
        // within the whole text and the message's first line.
        std::string msg = err.message().substr(0, err.message().find('\n'));
        size_t col = 1;
        const std::string prefix = "<index map>:1:";
        if (msg.compare(0, prefix.size(), prefix) == 0) {
          size_t end = msg.find(": ", prefix.size());
          if (end != std::string::npos) {
            col = std::stoul(msg.substr(prefix.size(), end - prefix.size()));
            msg = msg.substr(end + 2);
          }
        }
        fail(offset + start + lead + col - 1, msg);
      }
      start = i + 1;
    }
  }
  return m;
}

std::string IndexMap::ToText() const {
  std::string out = "lambda ";
  for (size_t i = 0; i < src.size(); ++i) out += (i ? ", " : "") + src[i].name();
  out += ": (";
  for (size_t i = 0; i < dst.size(); ++i) out += (i ? ", " : "") + tir::ToText(dst[i]);
  return out + (dst.size() == 1 ? ",)" : ")");
}

std::vector<PrimExpr> IndexMap::Map(const std::vector<PrimExpr>& indices) const {
  KILN_CHECK(indices.size() == src.size())
      << "index map " << ToText() << " takes " << src.size() << " indices, not " << indices.size();
  arith::Analyzer ana;
  std::vector<PrimExpr> out;
  for (const PrimExpr& d : dst) {
    PrimExpr e = Substitute(d, [&](const Var& v) -> PrimExpr {
      for (size_t i = 0; i < src.size(); ++i) {
        if (src[i].get() == v.get()) {
          const PrimExpr& x = indices[i];
          return x.dtype() == v.dtype() ? x : Cast(v.dtype(), x);
        }
      }
      return PrimExpr();
    });
    out.push_back(ana.Simplify(e));
  }
  return out;
}

std::vector<PrimExpr> IndexMap::MapShape(const std::vector<PrimExpr>& shape) const {
  KILN_CHECK(shape.size() == src.size()) << "index map " << ToText() << " takes " << src.size()
                                         << " indices; the buffer has " << shape.size() << " dimensions";
  arith::Analyzer ana;
  std::vector<std::pair<Var, Range>> dom;
  for (size_t i = 0; i < src.size(); ++i) {
    PrimExpr extent = shape[i].dtype() == src[i].dtype() ? shape[i] : Cast(src[i].dtype(), shape[i]);
    dom.push_back({src[i], Range{IntImm(src[i].dtype(), 0), extent}});
    ana.Bind(src[i], dom.back().second);
  }
  std::vector<PrimExpr> out;
  for (size_t k = 0; k < dst.size(); ++k) {
    arith::IntervalSet set = ana.EvalSet(dst[k], dom);
    KILN_CHECK(set.is_bounded()) << "index map " << ToText() << ": output index " << k << " is unbounded";
    KILN_CHECK(ana.CanProve(set.min >= 0)) << "index map " << ToText() << ": output index " << k
                                           << " may be negative (down to " << tir::ToText(set.min) << ")";
    out.push_back(ana.Simplify(set.max + 1));
  }
  return out;
}

}  // namespace kiln::tir
