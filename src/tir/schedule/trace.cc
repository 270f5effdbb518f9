// Trace: printing, parsing and replay. The text is one instruction per line,
// `outputs = sch.kind(first, name=value, ...)`, with values None, True,
// False, integers, floats, "strings", [lists] and handles b<id>, l<id>, v<id>.
#include "kiln/tir/schedule/trace.h"

#include <cctype>
#include <charconv>
#include <cstdio>
#include <functional>
#include <map>
#include <sstream>

#include "kiln/runtime/edit_distance.h"
#include "kiln/runtime/error.h"
#include "kiln/tir/schedule/schedule.h"

namespace kiln::tir {
namespace {

const char* KindName(TraceValue::Kind k) {
  switch (k) {
    case TraceValue::Kind::kNone: return "None";
    case TraceValue::Kind::kBool: return "a bool";
    case TraceValue::Kind::kInt: return "an integer";
    case TraceValue::Kind::kFloat: return "a float";
    case TraceValue::Kind::kString: return "a string";
    case TraceValue::Kind::kBlock: return "a block";
    case TraceValue::Kind::kLoop: return "a loop";
    case TraceValue::Kind::kExpr: return "a sampled value";
    case TraceValue::Kind::kList: return "a list";
  }
  return "?";
}

const TraceValue& Expect(const TraceValue& v, TraceValue::Kind k, const std::string& what) {
  KILN_CHECK(v.kind == k) << "trace: " << what << " must be " << KindName(k) << ", not " << KindName(v.kind);
  return v;
}

std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// ---- Parsing ------------------------------------------------------------------

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
      while (pos_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '.' ||
                                     ((text_[pos_] == '-' || text_[pos_] == '+') &&
                                      (text_[pos_ - 1] == 'e' || text_[pos_ - 1] == 'E')))) {
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

// ---- Replay ------------------------------------------------------------------------

// Maps the handles of the recorded trace to those of the schedule replaying it.
struct ReplayMap {
  std::map<int64_t, TraceValue> rvs;

  TraceValue Map(const TraceValue& v) const {
    switch (v.kind) {
      case TraceValue::Kind::kBlock:
      case TraceValue::Kind::kLoop:
      case TraceValue::Kind::kExpr: {
        auto it = rvs.find(v.i);
        KILN_CHECK(it != rvs.end() && it->second.kind == v.kind)
            << "trace: handle " << v.ToText() << " is used before an instruction defines it";
        return it->second;
      }
      case TraceValue::Kind::kList: {
        std::vector<TraceValue> out;
        for (const TraceValue& x : v.list) out.push_back(Map(x));
        return TraceValue::List(std::move(out));
      }
      default: return v;
    }
  }
  template <typename RV>
  void Define(const std::vector<TraceValue>& recorded, const std::vector<RV>& actual) {
    KILN_CHECK(recorded.size() == actual.size())
        << "trace: the instruction gave " << actual.size() << " results where the trace has " << recorded.size();
    for (size_t i = 0; i < actual.size(); ++i) rvs[recorded[i].i] = TraceValue::Of(actual[i]);
  }
};

// The argument `name` of `inst`: by keyword, or the positional first one.
TraceValue Arg(const Instruction& inst, const std::string& name, size_t position, const ReplayMap& m,
               const TraceValue* fallback = nullptr) {
  for (size_t i = 0; i < inst.args.size(); ++i) {
    if (inst.args[i].first == name || (i == position && inst.args[i].first.empty())) return m.Map(inst.args[i].second);
  }
  if (fallback) return *fallback;
  KILN_THROW() << "trace: " << inst.kind << " needs the argument '" << name << "'";
}

std::vector<LoopRV> LoopList(const TraceValue& v, const std::string& what) {
  std::vector<LoopRV> out;
  for (const TraceValue& x : v.AsList(what)) out.push_back(x.AsLoop(what));
  return out;
}

AnnotationValue AnnotationOf(const TraceValue& v) {
  switch (v.kind) {
    case TraceValue::Kind::kInt:
    case TraceValue::Kind::kBool: return v.i;
    case TraceValue::Kind::kFloat: return v.f;
    default: return v.AsString("annotation value");
  }
}

using Apply = std::function<void(Schedule&, const Instruction&, ReplayMap&)>;

// One entry per primitive: how to call it from an instruction.
const std::map<std::string, Apply>& ApplyTable() {
  static const TraceValue kTrue = TraceValue::Bool(true), kFalse = TraceValue::Bool(false),
                          kEmpty = TraceValue::String("");
  static const std::map<std::string, Apply> table = {
      {"get_block",
       [](Schedule& s, const Instruction& in, ReplayMap& m) {
         m.Define(in.outputs, std::vector<BlockRV>{s.GetBlock(Arg(in, "name", 0, m).AsString("name"),
                                                              Arg(in, "func", 1, m, &kEmpty).AsString("func"))});
       }},
      {"get_loops",
       [](Schedule& s, const Instruction& in, ReplayMap& m) {
         m.Define(in.outputs, s.GetLoops(Arg(in, "block", 0, m).AsBlock("block")));
       }},
      {"get_child_blocks",
       [](Schedule& s, const Instruction& in, ReplayMap& m) {
         TraceValue x = Arg(in, "block_or_loop", 0, m);
         m.Define(in.outputs, x.kind == TraceValue::Kind::kBlock ? s.GetChildBlocks(x.AsBlock("block_or_loop"))
                                                                 : s.GetChildBlocks(x.AsLoop("block_or_loop")));
       }},
      {"get_producers",
       [](Schedule& s, const Instruction& in, ReplayMap& m) {
         m.Define(in.outputs, s.GetProducers(Arg(in, "block", 0, m).AsBlock("block")));
       }},
      {"get_consumers",
       [](Schedule& s, const Instruction& in, ReplayMap& m) {
         m.Define(in.outputs, s.GetConsumers(Arg(in, "block", 0, m).AsBlock("block")));
       }},
      {"split",
       [](Schedule& s, const Instruction& in, ReplayMap& m) {
         std::vector<SplitFactor> factors;
         TraceValue listed = Arg(in, "factors", 1, m);
         for (const TraceValue& f : listed.AsList("factors")) {
           if (f.is_none()) {
             factors.emplace_back(std::monostate{});
           } else if (f.kind == TraceValue::Kind::kExpr) {
             factors.emplace_back(f.AsExpr("factor"));
           } else {
             factors.emplace_back(f.AsInt("factor"));
           }
         }
         m.Define(in.outputs, s.Split(Arg(in, "loop", 0, m).AsLoop("loop"), factors,
                                      Arg(in, "preserve_unit_iters", 2, m, &kTrue).AsBool("preserve_unit_iters")));
       }},
      {"fuse",
       [](Schedule& s, const Instruction& in, ReplayMap& m) {
         m.Define(in.outputs,
                  std::vector<LoopRV>{s.Fuse(LoopList(Arg(in, "loops", 0, m), "loops"),
                                             Arg(in, "preserve_unit_iters", 1, m, &kTrue).AsBool("preserve_unit_iters"))});
       }},
      {"reorder",
       [](Schedule& s, const Instruction& in, ReplayMap& m) { s.Reorder(LoopList(Arg(in, "loops", 0, m), "loops")); }},
      {"parallel",
       [](Schedule& s, const Instruction& in, ReplayMap& m) { s.Parallel(Arg(in, "loop", 0, m).AsLoop("loop")); }},
      {"vectorize",
       [](Schedule& s, const Instruction& in, ReplayMap& m) { s.Vectorize(Arg(in, "loop", 0, m).AsLoop("loop")); }},
      {"unroll",
       [](Schedule& s, const Instruction& in, ReplayMap& m) { s.Unroll(Arg(in, "loop", 0, m).AsLoop("loop")); }},
      {"bind",
       [](Schedule& s, const Instruction& in, ReplayMap& m) {
         s.Bind(Arg(in, "loop", 0, m).AsLoop("loop"), Arg(in, "thread_axis", 1, m).AsString("thread_axis"));
       }},
      {"annotate",
       [](Schedule& s, const Instruction& in, ReplayMap& m) {
         TraceValue x = Arg(in, "block_or_loop", 0, m);
         std::string key = Arg(in, "key", 1, m).AsString("key");
         AnnotationValue value = AnnotationOf(Arg(in, "value", 2, m));
         if (x.kind == TraceValue::Kind::kBlock) {
           s.Annotate(x.AsBlock("block_or_loop"), key, value);
         } else {
           s.Annotate(x.AsLoop("block_or_loop"), key, value);
         }
       }},
      {"unannotate",
       [](Schedule& s, const Instruction& in, ReplayMap& m) {
         TraceValue x = Arg(in, "block_or_loop", 0, m);
         std::string key = Arg(in, "key", 1, m).AsString("key");
         if (x.kind == TraceValue::Kind::kBlock) {
           s.Unannotate(x.AsBlock("block_or_loop"), key);
         } else {
           s.Unannotate(x.AsLoop("block_or_loop"), key);
         }
       }},
      {"cache_read",
       [](Schedule& s, const Instruction& in, ReplayMap& m) {
         m.Define(in.outputs, std::vector<BlockRV>{s.CacheRead(
                                  Arg(in, "block", 0, m).AsBlock("block"),
                                  static_cast<int>(Arg(in, "read_index", 1, m).AsInt("read_index")),
                                  Arg(in, "scope", 2, m).AsString("scope"))});
       }},
      {"cache_write",
       [](Schedule& s, const Instruction& in, ReplayMap& m) {
         m.Define(in.outputs, std::vector<BlockRV>{s.CacheWrite(
                                  Arg(in, "block", 0, m).AsBlock("block"),
                                  static_cast<int>(Arg(in, "write_index", 1, m).AsInt("write_index")),
                                  Arg(in, "scope", 2, m).AsString("scope"))});
       }},
      {"set_scope",
       [](Schedule& s, const Instruction& in, ReplayMap& m) {
         s.SetScope(Arg(in, "block", 0, m).AsBlock("block"),
                    static_cast<int>(Arg(in, "write_index", 1, m).AsInt("write_index")),
                    Arg(in, "scope", 2, m).AsString("scope"));
       }},
      {"storage_align",
       [](Schedule& s, const Instruction& in, ReplayMap& m) {
         s.StorageAlign(Arg(in, "block", 0, m).AsBlock("block"),
                        static_cast<int>(Arg(in, "write_index", 1, m).AsInt("write_index")),
                        static_cast<int>(Arg(in, "axis", 2, m).AsInt("axis")),
                        static_cast<int>(Arg(in, "factor", 3, m).AsInt("factor")),
                        static_cast<int>(Arg(in, "offset", 4, m).AsInt("offset")));
       }},
      {"transform_layout",
       [](Schedule& s, const Instruction& in, ReplayMap& m) {
         s.TransformLayout(Arg(in, "block", 0, m).AsBlock("block"),
                           static_cast<int>(Arg(in, "buffer_index", 1, m).AsInt("buffer_index")),
                           Arg(in, "is_write", 2, m).AsBool("is_write"),
                           IndexMap::FromText(Arg(in, "index_map", 3, m).AsString("index_map")));
       }},
      {"compute_at",
       [](Schedule& s, const Instruction& in, ReplayMap& m) {
         s.ComputeAt(Arg(in, "block", 0, m).AsBlock("block"), Arg(in, "loop", 1, m).AsLoop("loop"),
                     Arg(in, "preserve_unit_loops", 2, m, &kFalse).AsBool("preserve_unit_loops"));
       }},
      {"reverse_compute_at",
       [](Schedule& s, const Instruction& in, ReplayMap& m) {
         s.ReverseComputeAt(Arg(in, "block", 0, m).AsBlock("block"), Arg(in, "loop", 1, m).AsLoop("loop"),
                            Arg(in, "preserve_unit_loops", 2, m, &kFalse).AsBool("preserve_unit_loops"));
       }},
      {"compute_inline",
       [](Schedule& s, const Instruction& in, ReplayMap& m) {
         s.ComputeInline(Arg(in, "block", 0, m).AsBlock("block"));
       }},
      {"reverse_compute_inline",
       [](Schedule& s, const Instruction& in, ReplayMap& m) {
         s.ReverseComputeInline(Arg(in, "block", 0, m).AsBlock("block"));
       }},
      {"decompose_reduction",
       [](Schedule& s, const Instruction& in, ReplayMap& m) {
         m.Define(in.outputs, std::vector<BlockRV>{s.DecomposeReduction(Arg(in, "block", 0, m).AsBlock("block"),
                                                                        Arg(in, "loop", 1, m).AsLoop("loop"))});
       }},
      {"rfactor",
       [](Schedule& s, const Instruction& in, ReplayMap& m) {
         m.Define(in.outputs,
                  std::vector<BlockRV>{s.RFactor(Arg(in, "loop", 0, m).AsLoop("loop"),
                                                 static_cast<int>(Arg(in, "factor_axis", 1, m).AsInt("factor_axis")))});
       }},
      {"pad_einsum",
       [](Schedule& s, const Instruction& in, ReplayMap& m) {
         s.PadEinsum(Arg(in, "block", 0, m).AsBlock("block"), Arg(in, "padding", 1, m).AsIntList("padding"));
       }},
      {"blockize",
       [](Schedule& s, const Instruction& in, ReplayMap& m) {
         m.Define(in.outputs, std::vector<BlockRV>{s.Blockize(Arg(in, "loop", 0, m).AsLoop("loop"))});
       }},
      {"tensorize",
       [](Schedule& s, const Instruction& in, ReplayMap& m) {
         TraceValue x = Arg(in, "block_or_loop", 0, m);
         std::string intrin = Arg(in, "intrin", 1, m).AsString("intrin");
         if (x.kind == TraceValue::Kind::kBlock) {
           s.Tensorize(x.AsBlock("block_or_loop"), intrin);
         } else {
           s.Tensorize(x.AsLoop("block_or_loop"), intrin);
         }
       }},
      {"sample_perfect_tile",
       [](Schedule& s, const Instruction& in, ReplayMap& m) {
         std::optional<std::vector<int64_t>> decision;
         if (!in.decision.is_none()) decision = in.decision.AsIntList("decision");
         m.Define(in.outputs, s.SamplePerfectTile(Arg(in, "loop", 0, m).AsLoop("loop"),
                                                  static_cast<int>(Arg(in, "n", 1, m).AsInt("n")),
                                                  Arg(in, "max_innermost_factor", 2, m).AsInt("max_innermost_factor"),
                                                  decision));
       }},
      {"sample_categorical",
       [](Schedule& s, const Instruction& in, ReplayMap& m) {
         std::vector<double> probs;
         TraceValue listed = Arg(in, "probs", 1, m);
         for (const TraceValue& p : listed.AsList("probs")) {
           probs.push_back(p.kind == TraceValue::Kind::kInt ? static_cast<double>(p.i) : p.AsFloat("probs"));
         }
         std::optional<int64_t> decision;
         if (!in.decision.is_none()) decision = in.decision.AsInt("decision");
         m.Define(in.outputs, std::vector<ExprRV>{s.SampleCategorical(
                                  Arg(in, "candidates", 0, m).AsIntList("candidates"), probs, decision)});
       }},
      {"sample_compute_location",
       [](Schedule& s, const Instruction& in, ReplayMap& m) {
         std::optional<int64_t> decision;
         if (!in.decision.is_none()) decision = in.decision.AsInt("decision");
         m.Define(in.outputs,
                  std::vector<LoopRV>{s.SampleComputeLocation(Arg(in, "block", 0, m).AsBlock("block"), decision)});
       }},
  };
  return table;
}

}  // namespace

// ---- TraceValue ----------------------------------------------------------------------

bool TraceValue::AsBool(const std::string& what) const {
  if (kind == Kind::kInt) return i != 0;
  return Expect(*this, Kind::kBool, what).i != 0;
}
int64_t TraceValue::AsInt(const std::string& what) const { return Expect(*this, Kind::kInt, what).i; }
double TraceValue::AsFloat(const std::string& what) const {
  if (kind == Kind::kInt) return static_cast<double>(i);
  return Expect(*this, Kind::kFloat, what).f;
}
const std::string& TraceValue::AsString(const std::string& what) const {
  return Expect(*this, Kind::kString, what).s;
}
BlockRV TraceValue::AsBlock(const std::string& what) const { return BlockRV{Expect(*this, Kind::kBlock, what).i}; }
LoopRV TraceValue::AsLoop(const std::string& what) const { return LoopRV{Expect(*this, Kind::kLoop, what).i}; }
ExprRV TraceValue::AsExpr(const std::string& what) const { return ExprRV{Expect(*this, Kind::kExpr, what).i}; }
const std::vector<TraceValue>& TraceValue::AsList(const std::string& what) const {
  return Expect(*this, Kind::kList, what).list;
}
std::vector<int64_t> TraceValue::AsIntList(const std::string& what) const {
  std::vector<int64_t> out;
  for (const TraceValue& v : AsList(what)) out.push_back(v.AsInt(what));
  return out;
}

std::string TraceValue::ToText() const {
  switch (kind) {
    case Kind::kNone: return "None";
    case Kind::kBool: return i ? "True" : "False";
    case Kind::kInt: return std::to_string(i);
    case Kind::kFloat: {
      char buf[32];
      auto r = std::to_chars(buf, buf + sizeof(buf), f);  // the shortest text that reads back exactly
      std::string s(buf, r.ptr);
      if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
      return s;
    }
    case Kind::kString: return Quote(s);
    case Kind::kBlock: return "b" + std::to_string(i);
    case Kind::kLoop: return "l" + std::to_string(i);
    case Kind::kExpr: return "v" + std::to_string(i);
    case Kind::kList: {
      std::string out = "[";
      for (size_t k = 0; k < list.size(); ++k) out += (k ? ", " : "") + list[k].ToText();
      return out + "]";
    }
  }
  return "?";
}

bool TraceValue::operator==(const TraceValue& o) const {
  return kind == o.kind && i == o.i && f == o.f && s == o.s && list == o.list;
}

// ---- Instruction and Trace --------------------------------------------------------------

const TraceValue& Instruction::Arg(const std::string& name) const {
  for (const auto& [n, v] : args) {
    if (n == name) return v;
  }
  KILN_THROW() << "trace: instruction " << kind << " has no argument '" << name << "'";
}

std::string Instruction::ToText() const {
  std::string out;
  for (size_t i = 0; i < outputs.size(); ++i) out += (i ? ", " : "") + outputs[i].ToText();
  if (!outputs.empty()) out += " = ";
  out += "sch." + kind + "(";
  for (size_t i = 0; i < args.size(); ++i) {
    if (i) out += ", ";
    if (i > 0 && !args[i].first.empty()) out += args[i].first + "=";
    out += args[i].second.ToText();
  }
  if (!decision.is_none()) out += std::string(args.empty() ? "" : ", ") + "decision=" + decision.ToText();
  return out + ")";
}

std::string Trace::ToText() const {
  std::string out;
  for (const Instruction& inst : insts_) out += inst.ToText() + "\n";
  return out;
}

Trace Trace::FromText(const std::string& text) {
  Trace t = TraceParser(text).Parse();
  std::vector<std::string> kinds;
  for (const auto& [k, f] : ApplyTable()) kinds.push_back(k);
  for (size_t i = 0; i < t.insts_.size(); ++i) {
    const std::string& kind = t.insts_[i].kind;
    if (!ApplyTable().count(kind)) {
      std::string hint = runtime::ClosestName(kind, kinds);
      KILN_THROW() << "trace line " << i + 1 << ": unknown primitive '" << kind << "'"
                   << (hint.empty() ? "" : " (did you mean '" + hint + "'?)");
    }
  }
  return t;
}

void Trace::ApplyTo(Schedule& sch) const {
  ReplayMap m;
  for (size_t i = 0; i < insts_.size(); ++i) {
    const Instruction& inst = insts_[i];
    auto it = ApplyTable().find(inst.kind);
    KILN_CHECK(it != ApplyTable().end()) << "trace line " << i + 1 << ": unknown primitive '" << inst.kind << "'";
    try {
      it->second(sch, inst, m);
    } catch (const InternalError&) {
      throw;
    } catch (const Error& e) {
      KILN_THROW() << "trace line " << i + 1 << " (" << inst.ToText() << "): " << e.message();
    }
  }
}

Trace Trace::WithDecision(size_t inst, TraceValue decision) const {
  KILN_CHECK(inst < insts_.size()) << "trace: no instruction " << inst;
  Trace t = *this;
  t.insts_[inst].decision = std::move(decision);
  return t;
}

}  // namespace kiln::tir
