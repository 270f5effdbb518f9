// The trace text parser: one instruction per line,
// `outputs = sch.kind(first, name=value, ...)`, with values None, True,
// False, integers, floats, "strings", [lists] and handles b<id>, l<id>, v<id>.
#include <cctype>
#include <string>

#include "kiln/runtime/error.h"
#include "trace_internal.h"

namespace kiln::tir::trace {
namespace {

class TraceParser {
 public:
  explicit TraceParser(const std::string& text) : text_(text) {}

  Trace Parse() {
    std::vector<Instruction> insts;
    SkipSpaceAndNewlines();
    while (pos_ < text_.size()) {
      insts.push_back(ParseInstruction());
      SkipSpaces();
      if (pos_ < text_.size() && text_[pos_] != '\n') Fail("expected the end of the line");
      SkipSpaceAndNewlines();
    }
    return Trace(std::move(insts));
  }

 private:
  [[noreturn]] void Fail(const std::string& msg) const {
    size_t line = 1, col = 1;
    for (size_t i = 0; i < pos_ && i < text_.size(); ++i) {
      if (text_[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    KILN_THROW() << "trace " << line << ":" << col << ": " << msg;
  }
  void SkipSpaces() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\r')) ++pos_;
  }
  void SkipSpaceAndNewlines() {
    while (pos_ < text_.size()) {
      if (std::isspace(static_cast<unsigned char>(text_[pos_]))) {
        ++pos_;
      } else if (text_[pos_] == '#') {
        while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
      } else {
        break;
      }
    }
  }
  bool Eat(char c) {
    SkipSpaces();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  void Expect(char c) {
    if (!Eat(c)) Fail(std::string("expected '") + c + "'");
  }
  std::string Ident() {
    SkipSpaces();
    size_t start = pos_;
    while (pos_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_')) ++pos_;
    if (start == pos_) Fail("expected a name");
    return text_.substr(start, pos_ - start);
  }

  TraceValue HandleOrWord(const std::string& word) {
    if (word == "None") return TraceValue::None();
    if (word == "True") return TraceValue::Bool(true);
    if (word == "False") return TraceValue::Bool(false);
    if (word.size() >= 2 && (word[0] == 'b' || word[0] == 'l' || word[0] == 'v') &&
        word.find_first_not_of("0123456789", 1) == std::string::npos) {
      int64_t id = std::stoll(word.substr(1));
      if (word[0] == 'b') return TraceValue::Of(BlockRV{id});
      if (word[0] == 'l') return TraceValue::Of(LoopRV{id});
      return TraceValue::Of(ExprRV{id});
    }
    Fail("unknown name '" + word + "'");
  }

  TraceValue Value() {
    SkipSpaces();
    if (pos_ >= text_.size()) Fail("expected a value");
    char c = text_[pos_];
    if (c == '[') {
      ++pos_;
      std::vector<TraceValue> items;
      if (!Eat(']')) {
        do {
          items.push_back(Value());
        } while (Eat(','));
        Expect(']');
      }
      return TraceValue::List(std::move(items));
    }
    if (c == '"') {
      ++pos_;
      std::string s;
      while (pos_ < text_.size() && text_[pos_] != '"') {
        if (text_[pos_] == '\\' && pos_ + 1 < text_.size()) ++pos_;
        s += text_[pos_++];
      }
      if (pos_ >= text_.size()) Fail("unterminated string");
      ++pos_;
      return TraceValue::String(std::move(s));
    }
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '.') {
      size_t start = pos_;
      ++pos_;
      bool is_float = c == '.';
      while (pos_ < text_.size() &&
             (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '.' ||
              ((text_[pos_] == '-' || text_[pos_] == '+') && (text_[pos_ - 1] == 'e' || text_[pos_ - 1] == 'E')))) {
        is_float |= text_[pos_] == '.' || text_[pos_] == 'e' || text_[pos_] == 'E';
        ++pos_;
      }
      std::string num = text_.substr(start, pos_ - start);
      try {
        size_t used = 0;
        TraceValue v = is_float ? TraceValue::Float(std::stod(num, &used)) : TraceValue::Int(std::stoll(num, &used));
        if (used != num.size()) Fail("malformed number '" + num + "'");
        return v;
      } catch (const std::logic_error&) {
        Fail("malformed number '" + num + "'");
      }
    }
    return HandleOrWord(Ident());
  }

  Instruction ParseInstruction() {
    Instruction inst;
    // Outputs: a list of handles before '=' (absent when the line starts with "sch.").
    size_t save = pos_;
    std::string first = Ident();
    if (first != "sch") {
      pos_ = save;
      do {
        inst.outputs.push_back(HandleOrWord(Ident()));
      } while (Eat(','));
      Expect('=');
      if (Ident() != "sch") Fail("expected 'sch.'");
    }
    Expect('.');
    inst.kind = Ident();
    Expect('(');
    bool first_arg = true;
    if (!Eat(')')) {
      do {
        SkipSpaces();
        std::string name;
        size_t before = pos_;
        if (pos_ < text_.size() && (std::isalpha(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_')) {
          std::string word = Ident();
          if (Eat('=')) {
            name = word;
          } else {
            pos_ = before;
          }
        }
        TraceValue v = Value();
        if (name.empty()) {
          if (!first_arg) Fail("only the first argument may be positional");
          name = "";
        }
        first_arg = false;
        if (name == "decision") {
          inst.decision = std::move(v);
        } else {
          inst.args.emplace_back(name, std::move(v));
        }
      } while (Eat(','));
      Expect(')');
    }
    return inst;
  }

  const std::string& text_;
  size_t pos_ = 0;
};

}  // namespace

Trace Parse(const std::string& text) {
  return TraceParser(text).Parse();
}

}  // namespace kiln::tir::trace
