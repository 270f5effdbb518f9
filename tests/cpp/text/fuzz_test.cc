// Random mutations of valid texts (characters and tokens deleted, inserted,
// swapped, duplicated): the parser must succeed or raise kiln::Error, never
// crash or hang, and whatever it accepts must print to text that reads back
// to the same text and structure.
#include <chrono>
#include <random>
#include <sstream>

#include "text_fixtures.h"

namespace kiln::text {
namespace {

// The words the mutations insert; NL stands for a newline.
std::vector<std::string> Vocabulary() {
  std::istringstream words(
      "module func prim impure attrs meta return with dataflow block output if else for in while let alloc "
      "alloc_buffer reads writes where init spatial reduce range match_cast const shape extern select ramp min "
      "Tensor Tuple Shape Prim Object Func Buffer SizeVar float32 int8 True None inf x n @main @kernel meta[0] "
      "test.relu test.sum ( ) [ ] { } , : = -> + - * // %% == && ! NL 1 -1 2.5 1e9 7i32 \"s\" #");
  std::vector<std::string> out;
  for (std::string w; words >> w;) out.push_back(w == "NL" ? "\n" : w);
  return out;
}

class Mutator {
 public:
  explicit Mutator(uint32_t seed) : rng_(seed), vocabulary_(Vocabulary()) {}

  std::string Mutate(std::string text) {
    int count = 1 + Below(3);
    for (int i = 0; i < count && !text.empty(); ++i) text = Once(std::move(text));
    return text;
  }

  // A sequence of random vocabulary tokens.
  std::string Soup() {
    std::string out;
    for (int i = Below(60); i > 0; --i) out += Word() + (Below(3) ? " " : "");
    return out;
  }

 private:
  int Below(size_t n) { return static_cast<int>(rng_() % n); }
  const std::string& Word() { return vocabulary_[Below(vocabulary_.size())]; }

  std::string Once(std::string t) {
    size_t at = Below(t.size()), len = 1 + Below(std::min<size_t>(20, t.size() - at));
    switch (Below(7)) {
      case 0: return t.erase(at, 1);
      case 1: return t.insert(at, 1, "(){}[],:=+-*/%!<>@\"#\n .0123456789abcnxyz_\\"[Below(41)]);
      case 2:
        if (at + 1 < t.size()) std::swap(t[at], t[at + 1]);
        return t;
      case 3: return t.insert(Below(t.size()), t.substr(at, len));
      case 4: return t.erase(at, len);
      case 5: return t.insert(at, " " + Word() + " ");
      default: return ReplaceWord(std::move(t), at);
    }
  }

  // Replaces the word around `at` by a vocabulary word.
  static bool InWord(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.'; }
  std::string ReplaceWord(std::string t, size_t at) {
    size_t begin = at, end = at;
    while (begin > 0 && InWord(t[begin - 1])) --begin;
    while (end < t.size() && InWord(t[end])) ++end;
    return t.replace(begin, end - begin, Word());
  }

  std::mt19937 rng_;
  std::vector<std::string> vocabulary_;
};

struct Outcome {
  int parsed = 0, rejected = 0;
  double slowest_ms = 0;
};

// Parses `text`; when it parses, expects its printed form to be stable.
void Check(const std::string& text, Outcome* outcome) {
  auto start = std::chrono::steady_clock::now();
  ir::IRModule m;
  try {
    m = Parse(text, "mutant");
  } catch (const Error&) {
    ++outcome->rejected;
  }
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  outcome->slowest_ms = std::max(outcome->slowest_ms, ms);
  if (!m.functions().size() && !m.attrs().size()) return;
  ++outcome->parsed;
  try {
    std::string printed = relax::ToText(m);
    ir::IRModule again = Parse(printed);
    EXPECT_EQ(relax::ToText(again), printed) << "mutant:\n" << text;
    std::optional<std::string> mismatch = relax::FindMismatch(m, again, /*map_free_vars=*/true);
    EXPECT_FALSE(mismatch) << *mismatch << "\nmutant:\n" << text << "\nprinted:\n" << printed;
  } catch (const Error& e) {
    ADD_FAILURE() << "an accepted text did not print and read back: " << e.what() << "\nmutant:\n" << text;
  }
}

std::vector<std::string> Corpus() {
  testing::RegisterTestOps();
  ir::GlobalVar f = ir::MakeGlobalVar("kernel");
  return {relax::ToText(testing::EveryRelaxNode(/*big_side=*/5)),
          relax::ToText(ir::IRModule({{f, testing::EveryTirNode()}})), R"(module {
  func @main(x: Tensor((n, 784), float32), w: Tensor((784, 10), float32)) -> Tensor((n, 10), float32) {
    with dataflow {
      lv0 = test.matmul(x, w)
      lv1: Tensor((n, 10), float32) = test.relu(lv0)
      output gv = test.sum(lv1, axis=[1], keepdims=True)
    }
    return gv
  }
}
)"};
}

TEST(TextFuzz, MutatedModulesParseOrRaiseKilnErrors) {
  std::vector<std::string> corpus = Corpus();
  Mutator mutator(20240611);
  Outcome outcome;
  for (int i = 0; i < 6000; ++i) Check(mutator.Mutate(corpus[i % corpus.size()]), &outcome);
  EXPECT_GT(outcome.parsed, 100);
  EXPECT_GT(outcome.rejected, 1000);
  EXPECT_LT(outcome.slowest_ms, 250.0);
  std::cout << "accepted " << outcome.parsed << ", rejected " << outcome.rejected << ", slowest " << outcome.slowest_ms
            << " ms\n";
}

TEST(TextFuzz, TokenSoupIsRejectedCleanly) {
  Mutator mutator(7);
  Outcome outcome;
  for (int i = 0; i < 3000; ++i) Check("module {\n" + mutator.Soup() + "\n}\n", &outcome);
  for (int i = 0; i < 1000; ++i) Check(mutator.Soup(), &outcome);
  EXPECT_LT(outcome.slowest_ms, 250.0);
}

}  // namespace
}  // namespace kiln::text
