// ParamInfo: factories, the relax text form, and its parser.
#include "kiln/runtime/vm/param_info.h"

#include <cctype>

#include "kiln/runtime/error.h"

namespace kiln::runtime::vm {

ParamInfo ParamInfo::Tensor(std::vector<DimInfo> dims, DataType dtype) {
  ParamInfo p;
  p.kind = Kind::kTensor;
  p.ndim = static_cast<int>(dims.size());
  p.dims = std::move(dims);
  p.dtype = dtype;
  return p;
}

ParamInfo ParamInfo::TensorOfRank(int ndim, DataType dtype) {
  ParamInfo p;
  p.kind = Kind::kTensor;
  p.ndim = ndim;
  p.dtype = dtype;
  return p;
}

ParamInfo ParamInfo::Shape(std::vector<DimInfo> dims) {
  ParamInfo p;
  p.kind = Kind::kShape;
  p.ndim = static_cast<int>(dims.size());
  p.dims = std::move(dims);
  return p;
}

ParamInfo ParamInfo::ShapeOfRank(int ndim) {
  ParamInfo p;
  p.kind = Kind::kShape;
  p.ndim = ndim;
  return p;
}

ParamInfo ParamInfo::Prim(DataType dtype) {
  ParamInfo p;
  p.kind = Kind::kPrim;
  p.dtype = dtype;
  return p;
}

ParamInfo ParamInfo::PrimValue(DimInfo value, DataType dtype) {
  ParamInfo p = Prim(dtype);
  p.dims = std::vector<DimInfo>{std::move(value)};
  return p;
}

ParamInfo ParamInfo::Tuple(std::vector<ParamInfo> fields) {
  ParamInfo p;
  p.kind = Kind::kTuple;
  p.fields = std::move(fields);
  return p;
}

ParamInfo ParamInfo::Func() {
  ParamInfo p;
  p.kind = Kind::kFunc;
  return p;
}

bool ParamInfo::operator==(const ParamInfo& o) const {
  return kind == o.kind && dtype == o.dtype && ndim == o.ndim && dims == o.dims && fields == o.fields;
}

namespace {
std::string DimTuple(const std::vector<DimInfo>& dims) {
  std::string s = "(";
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? ", " : "") + dims[i].str();
  return s + (dims.size() == 1 ? ",)" : ")");
}
}  // namespace

std::string ParamInfo::str() const {
  switch (kind) {
    case Kind::kObject: return "Object";
    case Kind::kTensor: {
      std::string args = dims ? DimTuple(*dims) : "";
      if (!dtype.is_void()) args += (args.empty() ? "" : ", ") + dtype.str();
      if (!dims && ndim >= 0) args += (args.empty() ? "" : ", ") + std::string("ndim=") + std::to_string(ndim);
      return args.empty() ? "Tensor" : "Tensor(" + args + ")";
    }
    case Kind::kShape:
      if (dims) return "Shape(" + DimTuple(*dims) + ")";
      return ndim < 0 ? "Shape" : "Shape(ndim=" + std::to_string(ndim) + ")";
    case Kind::kPrim:
      if (dims && dims->size() == 1) return "Prim(value=" + (*dims)[0].str() + ")";
      return dtype.is_void() ? "Prim" : "Prim(" + dtype.str() + ")";
    case Kind::kTuple: {
      std::string s;
      for (const ParamInfo& f : fields) s += (s.empty() ? "" : ", ") + f.str();
      return "Tuple(" + s + ")";
    }
    case Kind::kFunc: return "Func";
  }
  return "?";
}

namespace {

// Recursive descent over the text form; positions in errors count from 0.
class InfoParser {
 public:
  explicit InfoParser(const std::string& text) : text_(text) {}

  ParamInfo ParseAll() {
    ParamInfo p = Info(0);
    if (!AtEnd()) Fail("unexpected text");
    return p;
  }

 private:
  bool AtEnd() {
    Skip();
    return pos_ >= text_.size();
  }
  void Skip() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  bool Peek(char c) {
    Skip();
    return pos_ < text_.size() && text_[pos_] == c;
  }
  bool Accept(char c) {
    if (!Peek(c)) return false;
    ++pos_;
    return true;
  }
  void Expect(char c) {
    if (!Accept(c)) Fail(std::string("expected '") + c + "'");
  }
  std::string Word() {
    Skip();
    size_t start = pos_;
    while (pos_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_')) {
      ++pos_;
    }
    if (start == pos_) Fail("expected a name");
    return text_.substr(start, pos_ - start);
  }
  int64_t Int() {
    Skip();
    size_t start = pos_;
    while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    return ToInt(text_.substr(start, pos_ - start), start);
  }
  int64_t ToInt(const std::string& digits, size_t at) {
    if (digits.empty() || digits.size() > 18) {
      pos_ = at;
      Fail("expected a non-negative integer");
    }
    return std::stoll(digits);
  }
  [[noreturn]] void Fail(const std::string& what) const {
    KILN_THROW() << "cannot parse struct info \"" << text_ << "\" at position " << pos_ << ": " << what;
  }

  // Text up to the next ',' or ')' outside parentheses: an int, a name, or
  // an expression.
  DimInfo Dim() {
    Skip();
    size_t start = pos_;
    int depth = 0;
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (depth == 0 && (c == ',' || c == ')')) break;
      if (c == '(') ++depth;
      if (c == ')') --depth;
      ++pos_;
    }
    std::string s = text_.substr(start, pos_ - start);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
    if (s.empty()) Fail("expected a dimension");
    bool digits = true, name = !std::isdigit(static_cast<unsigned char>(s[0]));
    for (char c : s) {
      digits = digits && std::isdigit(static_cast<unsigned char>(c));
      name = name && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
    }
    if (digits) return DimInfo::Const(ToInt(s, start));
    if (name) return DimInfo::Var(s);
    return DimInfo::Expr(s);
  }
  std::vector<DimInfo> Dims() {
    Expect('(');
    std::vector<DimInfo> dims;
    while (!Peek(')')) {
      dims.push_back(Dim());
      if (!Accept(',')) break;
    }
    Expect(')');
    return dims;
  }
  DataType DType(const std::string& word) {
    try {
      return DataType::Parse(word);
    } catch (const Error& e) {
      Fail(e.message());
    }
  }
  int NdimValue() {
    Expect('=');
    int64_t n = Int();
    if (n > 64) Fail("ndim " + std::to_string(n) + " is too large");
    return static_cast<int>(n);
  }

  ParamInfo Info(int depth) {
    if (depth > 64) Fail("nested too deeply");
    size_t start = pos_;
    std::string w = Word();
    if (w == "Object") return ParamInfo::Object();
    if (w == "Tensor") return TensorInfo();
    if (w == "Shape") return ShapeInfo();
    if (w == "Prim") return PrimInfo();
    if (w == "Func") {
      if (Peek('(')) SkipBalanced();
      return ParamInfo::Func();
    }
    if (w == "Tuple") {
      Expect('(');
      std::vector<ParamInfo> fields;
      while (!Peek(')')) {
        fields.push_back(Info(depth + 1));
        if (!Accept(',')) break;
      }
      Expect(')');
      return ParamInfo::Tuple(std::move(fields));
    }
    pos_ = start;
    Fail("expected Object, Tensor, Shape, Prim, Tuple or Func, got '" + w + "'");
  }
  ParamInfo TensorInfo() {
    ParamInfo p = ParamInfo::TensorOfRank(-1, DataType());
    if (!Accept('(')) return p;
    while (!Peek(')')) {
      if (Peek('(')) {
        p.dims = Dims();
        p.ndim = static_cast<int>(p.dims->size());
      } else {
        std::string w = Word();
        if (w == "ndim") {
          p.ndim = NdimValue();
        } else {
          p.dtype = DType(w);
        }
      }
      if (!Accept(',')) break;
    }
    Expect(')');
    if (p.dims && p.ndim != static_cast<int>(p.dims->size())) Fail("ndim does not match the shape");
    return p;
  }
  ParamInfo ShapeInfo() {
    if (!Accept('(')) return ParamInfo::ShapeOfRank(-1);
    ParamInfo p;
    if (Peek('(')) {
      p = ParamInfo::Shape(Dims());
    } else {
      if (Word() != "ndim") Fail("expected a shape or ndim=k");
      p = ParamInfo::ShapeOfRank(NdimValue());
    }
    Expect(')');
    return p;
  }
  ParamInfo PrimInfo() {
    if (!Accept('(')) return ParamInfo::Prim(DataType());
    std::string w = Word();
    ParamInfo p = w == "value" && Accept('=') ? ParamInfo::PrimValue(Dim()) : ParamInfo::Prim(DType(w));
    Expect(')');
    return p;
  }
  void SkipBalanced() {
    int depth = 0;
    do {
      if (pos_ >= text_.size()) Fail("unbalanced parentheses");
      if (text_[pos_] == '(') ++depth;
      if (text_[pos_] == ')') --depth;
      ++pos_;
    } while (depth > 0);
  }

  const std::string& text_;
  size_t pos_ = 0;
};

}  // namespace

ParamInfo ParamInfo::Parse(const std::string& text) {
  return InfoParser(text).ParseAll();
}

}  // namespace kiln::runtime::vm
