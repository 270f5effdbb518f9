// The lexer of the text format. Newlines end statements, as in Python,
// except inside () and [] where a long line may wrap; `#` starts a comment.
#pragma once

#include <string>
#include <vector>

#include "kiln/ir/span.h"
#include "source.h"

namespace kiln::text {

enum class TokenKind : uint8_t {
  kIdent,    // name or keyword, possibly dotted: x, for, relax.matmul, A.data
  kInt,      // digits; `suffix` holds a dtype suffix such as "i32"
  kFloat,    // 1.5, 2e-07; `suffix` as for kInt
  kString,   // the unescaped value
  kGlobal,   // @name or @"any name": the name
  kPunct,    // ( ) [ ] { } , : = -> + - * / // % %% == != < <= > >= && || !
  kNewline,  // the end of a statement
  kEnd,
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string text;
  std::string suffix;
  ir::Span span;

  // True for punctuation or a name spelled `word`.
  bool Is(const char* word) const { return (kind == TokenKind::kPunct || kind == TokenKind::kIdent) && text == word; }
};

// The tokens of `text`, ending with one kEnd; raises ParseError on a
// character or literal it cannot read.
std::vector<Token> Lex(const std::string& text, const Source& source);

}  // namespace kiln::text
