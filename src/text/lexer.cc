// The lexer: one pass over the bytes, tracking line and column, with a stack
// of open brackets that decides whether a newline ends a statement.
#include "lexer.h"

#include <cctype>

namespace kiln::text {
namespace {

bool IsNameStart(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
bool IsNameChar(char c) {
  return IsNameStart(c) || std::isdigit(static_cast<unsigned char>(c));
}
bool IsDigit(char c) {
  return std::isdigit(static_cast<unsigned char>(c));
}

class Lexer {
 public:
  Lexer(const std::string& text, const Source& source) : text_(text), source_(source) {}

  std::vector<Token> Run() {
    while (pos_ < text_.size()) Step();
    Emit(TokenKind::kNewline, "", Here());
    Emit(TokenKind::kEnd, "", Here());
    return std::move(tokens_);
  }

 private:
  char At(size_t offset = 0) const { return pos_ + offset < text_.size() ? text_[pos_ + offset] : '\0'; }
  ir::Span Here() const { return {line_, static_cast<int32_t>(pos_ - line_start_ + 1)}; }
  void Advance() {
    if (text_[pos_] == '\n') {
      ++line_;
      line_start_ = pos_ + 1;
    }
    ++pos_;
  }
  void Emit(TokenKind kind, std::string text, ir::Span span, std::string suffix = "") {
    if (kind == TokenKind::kNewline && (tokens_.empty() || tokens_.back().kind == TokenKind::kNewline)) return;
    tokens_.push_back({kind, std::move(text), std::move(suffix), span});
  }

  void Step() {
    char c = At();
    if (c == '\n') {
      if (brackets_.empty() || brackets_.back() == '{') Emit(TokenKind::kNewline, "", Here());
      Advance();
    } else if (c == ' ' || c == '\t' || c == '\r') {
      Advance();
    } else if (c == '#') {
      while (pos_ < text_.size() && At() != '\n') Advance();
    } else if (IsNameStart(c)) {
      ir::Span at = Here();
      Emit(TokenKind::kIdent, Name(true), at);
    } else if (IsDigit(c)) {
      Number();
    } else if (c == '"') {
      ir::Span at = Here();
      Emit(TokenKind::kString, String(), at);
    } else if (c == '@') {
      Global();
    } else {
      Punct();
    }
  }

  std::string Name(bool allow_dots) {
    size_t start = pos_;
    while (IsNameChar(At()) || (allow_dots && At() == '.' && IsNameStart(At(1)))) Advance();
    return text_.substr(start, pos_ - start);
  }

  void Digits() {
    while (IsDigit(At())) Advance();
  }

  void Number() {
    ir::Span at = Here();
    size_t start = pos_;
    bool is_float = false;
    Digits();
    if (At() == '.' && IsDigit(At(1))) {
      is_float = true;
      Advance();
      Digits();
    }
    if ((At() == 'e' || At() == 'E') && (IsDigit(At(1)) || ((At(1) == '+' || At(1) == '-') && IsDigit(At(2))))) {
      is_float = true;
      Advance();
      if (At() == '+' || At() == '-') Advance();
      Digits();
    }
    std::string digits = text_.substr(start, pos_ - start);
    std::string suffix = IsNameStart(At()) ? Name(false) : "";
    if (At() == '.') source_.Fail(Here(), "malformed number");
    Emit(is_float ? TokenKind::kFloat : TokenKind::kInt, digits, at, suffix);
  }

  std::string String() {
    ir::Span at = Here();
    Advance();
    std::string value;
    while (true) {
      char c = At();
      if (pos_ >= text_.size() || c == '\n') source_.Fail(at, "unterminated string");
      Advance();
      if (c == '"') return value;
      value += c == '\\' ? Escape() : c;
    }
  }

  char Escape() {
    ir::Span at = Here();
    char c = At();
    if (pos_ >= text_.size()) source_.Fail(at, "unterminated string");
    Advance();
    switch (c) {
      case 'n': return '\n';
      case 't': return '\t';
      case 'r': return '\r';
      case '"': return '"';
      case '\\': return '\\';
      case 'x': {
        int value = 0;
        for (int i = 0; i < 2; ++i) {
          char h = At();
          if (!std::isxdigit(static_cast<unsigned char>(h))) source_.Fail(at, "\\x needs two hex digits");
          value = value * 16 + (IsDigit(h) ? h - '0' : std::tolower(h) - 'a' + 10);
          Advance();
        }
        return static_cast<char>(value);
      }
      default: source_.Fail(at, std::string("unknown escape \\") + (c >= 0x20 && c < 0x7f ? c : '?'));
    }
  }

  void Global() {
    ir::Span at = Here();
    Advance();
    if (At() == '"') {
      std::string name = String();
      if (name.empty()) source_.Fail(at, "a function name cannot be empty");
      Emit(TokenKind::kGlobal, name, at);
    } else if (IsNameStart(At())) {
      Emit(TokenKind::kGlobal, Name(true), at);
    } else {
      source_.Fail(at, "expected a function name after @");
    }
  }

  void Punct() {
    static const char* kTwo[] = {"->", "==", "!=", "<=", ">=", "//", "%%", "&&", "||"};
    ir::Span at = Here();
    for (const char* p : kTwo) {
      if (At() == p[0] && At(1) == p[1]) {
        Advance();
        Advance();
        Emit(TokenKind::kPunct, p, at);
        return;
      }
    }
    char c = At();
    if (std::string("()[]{},:=<>+-*/%!").find(c) == std::string::npos) {
      bool printable = c >= 0x20 && c < 0x7f;
      source_.Fail(at, printable ? std::string("unexpected character '") + c + "'" : "unexpected byte");
    }
    Track(c);
    Advance();
    Emit(TokenKind::kPunct, std::string(1, c), at);
  }

  // Keeps the stack of open brackets; a stray closer is left to the parser.
  void Track(char c) {
    if (c == '(' || c == '[' || c == '{') brackets_.push_back(c);
    if ((c == ')' || c == ']' || c == '}') && !brackets_.empty()) brackets_.pop_back();
  }

  const std::string& text_;
  const Source& source_;
  size_t pos_ = 0;
  size_t line_start_ = 0;
  int32_t line_ = 1;
  std::vector<char> brackets_;
  std::vector<Token> tokens_;
};

}  // namespace

std::vector<Token> Lex(const std::string& text, const Source& source) {
  return Lexer(text, source).Run();
}

}  // namespace kiln::text
