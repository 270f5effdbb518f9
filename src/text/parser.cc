// The parser's token cursor, located errors, nesting guard and scopes.
#include "parser_impl.h"
#include "syntax.h"

namespace kiln::text {

Parser::Parser(const std::string& text, const std::string& source_name)
    : source_(source_name, text), tokens_(Lex(text, source_)) {
  frames_.emplace_back();
}

Parser::Nest::Nest(Parser* p) : p_(p) {
  if (++p_->depth_ > kMaxDepth) {
    p_->Fail(p_->Peek(), "the text nests deeper than " + std::to_string(kMaxDepth) + " levels");
  }
}

const Token& Parser::Peek(size_t ahead) const {
  return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
}

const Token& Parser::Next() {
  const Token& t = tokens_[pos_];
  if (pos_ + 1 < tokens_.size()) ++pos_;
  return t;
}

bool Parser::Accept(const char* word) {
  if (!Check(word)) return false;
  Next();
  return true;
}

const Token& Parser::Expect(const char* word, const std::string& where) {
  if (!Check(word)) Fail(Peek(), std::string("expected '") + word + "' " + where + ", got " + Describe(Peek()));
  return Next();
}

void Parser::ExpectClose(const Token& open, const char* close) {
  SkipNewlines();
  if (Accept(close)) return;
  Fail(Peek(), std::string("expected '") + close + "' to close the '" + open.text + "' at " + open.span.str() +
                   ", got " + Describe(Peek()));
}

const Token& Parser::ExpectKind(TokenKind kind, const std::string& what) {
  if (Peek().kind != kind) Fail(Peek(), "expected " + what + ", got " + Describe(Peek()));
  return Next();
}

const Token& Parser::ExpectName(const std::string& what) {
  const Token& t = Peek();
  if (t.kind != TokenKind::kIdent || !IsIdentifier(t.text)) {
    Fail(t, "expected " + what + ", got " + Describe(t));
  }
  if (IsReservedWord(t.text)) Fail(t, "'" + t.text + "' is a reserved word and cannot name " + what);
  return Next();
}

int64_t Parser::ExpectInt(const std::string& what) {
  const Token& t = ExpectKind(TokenKind::kInt, what);
  std::optional<int64_t> v = ParseInt(t.text, false, false);
  if (!v || !t.suffix.empty()) Fail(t, "expected " + what + ", got " + Describe(t));
  return *v;
}

void Parser::SkipNewlines() {
  while (Peek().kind == TokenKind::kNewline) Next();
}

void Parser::EndStatement() {
  if (Peek().kind == TokenKind::kNewline) {
    Next();
  } else if (!Check("}")) {
    Fail(Peek(), "expected the end of the line, got " + Describe(Peek()));
  }
}

void Parser::ExpectEnd() {
  SkipNewlines();
  if (Peek().kind != TokenKind::kEnd) Fail(Peek(), "expected the end of the text, got " + Describe(Peek()));
}

void Parser::Fail(const Token& at, const std::string& message) const {
  source_.Fail(at.span, message);
}

std::string Parser::Describe(const Token& t) {
  switch (t.kind) {
    case TokenKind::kIdent: return "'" + t.text + "'";
    case TokenKind::kInt:
    case TokenKind::kFloat: return "number " + t.text + t.suffix;
    case TokenKind::kString: return "string " + Quote(t.text.size() > 40 ? t.text.substr(0, 40) + "..." : t.text);
    case TokenKind::kGlobal: return "'@" + t.text + "'";
    case TokenKind::kPunct: return "'" + t.text + "'";
    case TokenKind::kNewline: return "the end of the line";
    case TokenKind::kEnd: return "the end of the text";
  }
  return "?";
}

const Named* Parser::Lookup(const std::string& name) const {
  for (size_t i = frames_.size(); i-- > 0;) {
    auto it = frames_[i].find(name);
    if (it != frames_[i].end()) return &it->second;
  }
  return nullptr;
}

void Parser::Define(const Token& at, Named named, bool in_function_scope) {
  auto& frame = in_function_scope ? frames_[function_frame_] : frames_.back();
  if (!frame.emplace(at.text, std::move(named)).second) Fail(at, "'" + at.text + "' is already defined");
}

void Parser::Undefine(const std::string& name) {
  frames_.back().erase(name);
}

}  // namespace kiln::text
